// What a connected server's state means for shopstream's data, said once at connect: a
// server that cannot write to its disk (MISCONF: reads work, writes are refused). Reads
// only what the user may read; says nothing when it may not.
#pragma once

#include "connection.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct ServerFacts {
    std::string diskRefusal;    // Redis's MISCONF text while it refuses writes; empty otherwise
};

// PING, which Redis refuses with MISCONF when it cannot persist.
ServerFacts readServerFacts(Connection& connection);

// One sentence per condition a user should hear about, none when all is well:
//   "redis-server cannot write to its disk at <dir>: reads work, writes are refused (MISCONF ...)"
// knownDataDir: where the data lives when the server may not say (the managed server's).
std::vector<std::string> serverWarnings(Connection& connection, std::string_view knownDataDir = {});

// The sentence for a MISCONF reply (`misconfText`, Redis's own words, kept): where the
// server keeps its data (CONFIG GET dir, else knownDataDir, else nothing) and what still works.
std::string describeDiskRefusal(Connection& connection, std::string_view misconfText, std::string_view knownDataDir = {});

} // namespace shop::redis
