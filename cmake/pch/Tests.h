// Precompiled for every test program (cmake/Precompiled.cmake).
#pragma once

#include "cmake/pch/Core.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
