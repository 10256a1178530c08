// Reading what the server's state and configuration mean for our data (see the header).
#include "server_facts.hpp"

#include "keys.hpp"

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

// INFO <section> as text; empty when refused.
std::string infoSection(Connection& connection, std::string_view section)
{
    const Reply reply = connection.command({"INFO", section});
    return reply && reply.isString() ? std::string(reply.str()) : std::string();
}

// A field of an INFO text ("maxmemory_policy:allkeys-lru"); empty when absent.
std::string fieldOf(std::string_view info, std::string_view field)
{
    const std::string key = "\n" + std::string(field) + ":";
    const std::size_t at = info.find(key);
    if (at == std::string_view::npos)
        return {};
    const std::size_t begin = at + key.size();
    const std::size_t end = info.find_first_of("\r\n", begin);
    return std::string(info.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
}

// A field of INFO <section>, for users who may not run CONFIG; empty when refused or absent.
std::string infoField(Connection& connection, std::string_view section, std::string_view field)
{
    return fieldOf(infoSection(connection, section), field);
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
    facts.evictionPolicy = configValue(connection, "maxmemory-policy");
    if (facts.evictionPolicy.empty() && connection.isConnected())
        facts.evictionPolicy = infoField(connection, "memory", "maxmemory_policy");
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

std::string topologyWarning(Connection& connection)
{
    if (connection.url().kind == RedisUrl::Kind::Sentinel) // the sentinels named a master, and it said so
        return {};
    if (connection.url().kind == RedisUrl::Kind::Cluster) // the slot map named the node
        return {};
    const std::string where = connection.server().address();
    if (const std::string replication = infoSection(connection, "replication"); fieldOf(replication, "role") == "slave") {
        const std::string master = fieldOf(replication, "master_host") + ":" + fieldOf(replication, "master_port");
        return "redis at " + where + " is a replica of " + master + ": reading works, writing is refused (READONLY); connect to "
               "the master (redis://" + master + "), or through its sentinels (redis+sentinel://SENTINEL:26379/MASTER)";
    }
    if (infoField(connection, "cluster", "cluster_enabled") == "1")
        return "redis at " + where + " is a node of a Redis Cluster: keys that other nodes hold answer MOVED; connect with "
               + (connection.url().tls ? "rediss+cluster://" : "redis+cluster://") + where
               + ", which finds the node of the stream's slot and follows it through failovers";
    return {};
}

std::string serverRole(Connection& connection)
{
    const std::string role = infoField(connection, "replication", "role");
    return role == "slave" ? std::string("replica") : role;
}

std::vector<std::string> serverWarnings(Connection& connection, std::string_view knownDataDir)
{
    std::vector<std::string> warnings;
    if (std::string topology = topologyWarning(connection); !topology.empty())
        warnings.push_back(std::move(topology));
    if (connection.url().kind == RedisUrl::Kind::Cluster && !connection.clusterKey().empty())
        if (std::string advice = hashTagAdvice(connection.clusterKey()); !advice.empty())
            warnings.push_back(std::move(advice));
    const ServerFacts facts = readServerFacts(connection);
    if (!facts.diskRefusal.empty())
        warnings.push_back(describeDiskRefusal(connection, facts.diskRefusal, knownDataDir));
    const std::string& policy = facts.evictionPolicy;
    if (!policy.empty() && policy != "noeviction") {
        // volatile-* evicts only keys with an expiry, of ours the eid records; allkeys-* may
        // take the stream and its snapshots too.
        const std::string lost = policy.starts_with("volatile-")
                                     ? "idempotency records can be lost, and a retried append then written twice"
                                     : "stream entries, snapshots and idempotency records can be lost";
        warnings.push_back("redis at " + connection.server().address() + " evicts keys under memory pressure (maxmemory-policy "
                           + policy + "): " + lost + "; set maxmemory-policy noeviction");
    }
    return warnings;
}

} // namespace shop::redis
