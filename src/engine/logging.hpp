// Logging categories, one per subsystem, quiet by default (enable with QT_LOGGING_RULES,
// e.g. "shopstream.*.debug=true").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRedis)
Q_DECLARE_LOGGING_CATEGORY(lcConsumer)
Q_DECLARE_LOGGING_CATEGORY(lcSnapshot)
Q_DECLARE_LOGGING_CATEGORY(lcReplay)
