// Reading what the server's configuration means for our data (see the header).
#include "server_facts.hpp"

namespace shop::redis {

namespace {

// The value of `name` from CONFIG GET, or empty when refused (ACL) or unknown.
std::string configValue(Connection& connection, std::string_view name)
{
    const Reply reply = connection.command({"CONFIG", "GET", name});
    if (!reply || !reply.isArray() || reply.size() != 2)
        return {};
    return std::string(ReplyView(reply.raw())[1].str());
}

} // namespace

ServerFacts readServerFacts(Connection& connection)
{
    ServerFacts facts;
    // Redis refuses PING, like every write, while a save or AOF write is failing.
    const Reply ping = connection.command({"PING"});
    if (!ping)
        return facts;
    if (ping.errorKind() == ErrorKind::Misconf)
        facts.diskRefusal = std::string(ping.str());
    return facts;
}

std::string describeDiskRefusal(Connection& connection, std::string_view misconfText, std::string_view knownDataDir)
{
    // CONFIG GET dir answers "" when the directory is gone (getcwd fails): fall back then too.
    std::string dir = connection.isConnected() ? configValue(connection, "dir") : std::string();
    if (dir.empty())
        dir = std::string(knownDataDir);
    return "redis-server cannot write to its disk" + (dir.empty() ? std::string() : " at " + dir)
           + ": reads work, writes are refused (" + std::string(misconfText) + ")";
}

std::vector<std::string> serverWarnings(Connection& connection, std::string_view knownDataDir)
{
    std::vector<std::string> warnings;
    const ServerFacts facts = readServerFacts(connection);
    if (!facts.diskRefusal.empty())
        warnings.push_back(describeDiskRefusal(connection, facts.diskRefusal, knownDataDir));
    return warnings;
}

} // namespace shop::redis
