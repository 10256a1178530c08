// Logging category definitions: info and above by default, debug on request.
#include "logging.hpp"

Q_LOGGING_CATEGORY(lcRedis, "shopstream.redis", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConsumer, "shopstream.consumer", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSnapshot, "shopstream.snapshot", QtInfoMsg)
Q_LOGGING_CATEGORY(lcReplay, "shopstream.replay", QtInfoMsg)
