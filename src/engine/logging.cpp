// Logging category definitions: warnings by default, debug on request.
#include "logging.hpp"

Q_LOGGING_CATEGORY(lcRedis, "shopstream.redis", QtWarningMsg)
Q_LOGGING_CATEGORY(lcConsumer, "shopstream.consumer", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSnapshot, "shopstream.snapshot", QtWarningMsg)
Q_LOGGING_CATEGORY(lcReplay, "shopstream.replay", QtWarningMsg)
