#include "core/store/StoreLog.h"

Q_LOGGING_CATEGORY(lcStore, "meridian.store")
