#pragma once

#include <QLoggingCategory>

// The history store's logging category ("meridian.store"). State changes only (opened,
// degraded, recovered, refused): dropped rows are counted, not logged one by one.
Q_DECLARE_LOGGING_CATEGORY(lcStore)
