// Precompiled for the console's libraries (cmake/Precompiled.cmake).
#pragma once

#include "cmake/pch/Core.h"

#include <QAbstractTableModel>
#include <QBoxLayout>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QTableView>
#include <QWidget>
