// Precompiled for the console's test programs (cmake/Precompiled.cmake).
#pragma once

#include "cmake/pch/Tests.h"
#include "cmake/pch/Ui.h"
