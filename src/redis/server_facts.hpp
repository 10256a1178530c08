// What a connected server's state and configuration mean for shopstream's data, said once
// at connect: a server that cannot write to its disk (MISCONF: reads work, writes are
// refused) and one that evicts keys under memory pressure (the stream, its snapshots or
// the idempotency records can be lost). Reads only what the user may read; says nothing
// when it may not.
#pragma once

#include "connection.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct ServerFacts {
    std::string evictionPolicy; // maxmemory-policy; empty when this user may not read it
    std::string diskRefusal;    // Redis's MISCONF text while it refuses writes; empty otherwise
};

// PING (refused with MISCONF when the server cannot persist), then CONFIG GET
// maxmemory-policy, or INFO memory's maxmemory_policy when CONFIG is not permitted.
ServerFacts readServerFacts(Connection& connection);

// One sentence per condition a user should hear about, none when all is well:
//   "redis-server cannot write to its disk at <dir>: reads work, writes are refused (MISCONF ...)"
//   "redis at <where> evicts keys under memory pressure (maxmemory-policy allkeys-lru): ..."
//   in a cluster, a stream key without a {hash tag}: hashTagAdvice()
// knownDataDir: where the data lives when the server may not say (the managed server's).
std::vector<std::string> serverWarnings(Connection& connection, std::string_view knownDataDir = {});
// A plain URL that reached a replica or a Redis Cluster node: what that means and the URL
// to use instead ("" for a master, a standalone server, a sentinel or a cluster URL). One of
// serverWarnings(); the CLI says it at connect.
std::string topologyWarning(Connection& connection);
// The server's role, for the status line: "master", "replica", or "" when INFO does not say.
std::string serverRole(Connection& connection);

// The sentence for a MISCONF reply (`misconfText`, Redis's own words, kept): where the
// server keeps its data (CONFIG GET dir, else knownDataDir, else nothing) and what still works.
std::string describeDiskRefusal(Connection& connection, std::string_view misconfText, std::string_view knownDataDir = {});

} // namespace shop::redis
