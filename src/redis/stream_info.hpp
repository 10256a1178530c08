// What the server says about one stream (XINFO STREAM, MEMORY USAGE) and which keys of the
// server are streams (SCAN ... TYPE stream): the window's stream panel and the Connection
// dialog's list. Reads only.
#pragma once

#include "connection.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct StreamInfo {
    bool exists = false;
    std::int64_t length = 0;
    std::int64_t entriesAdded = -1;   // every entry ever added (Redis 7); -1 when unknown
    std::string firstId;              // "" when empty
    std::string lastId;               // the newest entry present; "" when empty
    std::string lastGeneratedId;      // the newest id ever given
    std::int64_t groups = 0;          // consumer groups
    std::int64_t memoryBytes = -1;    // MEMORY USAGE of the key; -1 when the server would not say
};

// False with `error` when the server could not be asked (or the key holds another type).
bool readStreamInfo(Connection& connection, std::string_view stream, StreamInfo& out, std::string& error);

// The keys of the selected database that hold streams, sorted, at most `limit` (`truncated`
// when there were more). SCAN in steps, so a large keyspace does not block the server.
bool listStreamKeys(Connection& connection, std::size_t limit, std::vector<std::string>& keys, bool& truncated,
                    std::string& error);

} // namespace shop::redis
