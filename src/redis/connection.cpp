// The blocking connection: connect, TLS, handshake (AUTH, SELECT), argv commands and
// pipelining. hiredis formats commands (redisFormatCommandArgv) and parses replies (its
// reader, fed from our Transport), so plain sockets and TLS read the same way. Every failure
// ends up in error_ as a sentence a user can act on; an I/O error closes the transport, so
// a dead socket is never reused by accident.
#include "connection.hpp"

#include "keys.hpp"

#include <hiredis.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <charconv>
#include <cstring>
#include <iterator>
#include <csignal>
#include <pthread.h>
#include <mutex>
#include <optional>
#include <utility>

namespace shop::redis {

namespace {

bool parseInt(std::string_view text, int& out)
{
    out = 0;
    if (text.empty() || text.size() > 5)
        return false;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        out = out * 10 + (c - '0');
    }
    return out > 0 && out <= 65535;
}

// Bytes asked of the transport per read: a page of stream entries comes in a few reads.
constexpr std::size_t kReadChunk = 64 * 1024;

// A write to a peer that went away raises SIGPIPE (send() is told not to, but OpenSSL's
// socket writes are not), which would kill the process instead of giving us EPIPE. Only
// replaces the default action, never someone's handler.
void ignoreSigpipeOnce()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction current {};
        if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
            std::signal(SIGPIPE, SIG_IGN);
    });
    // Someone else's handler (a test framework's crash handler) stays, so the signal is also
    // blocked on each thread that talks to Redis: a write to a dead server then fails with
    // EPIPE on that thread instead of raising the signal there.
    thread_local bool blocked = false;
    if (!blocked) {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        blocked = true;
    }
}

std::string where(const RedisUrl& url) { return url.address(); }

// The server at host:port of a sentinel or cluster URL: its credentials and TLS, Kind::Tcp.
RedisUrl serverAt(const RedisUrl& url, const RedisUrl::Endpoint& at)
{
    RedisUrl server = url;
    server.kind = RedisUrl::Kind::Tcp;
    server.host = at.host;
    server.port = at.port;
    server.endpoints.clear();
    server.masterName.clear();
    server.sentinelUser.clear();
    server.sentinelPassword.clear();
    return server;
}

std::string upper(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return out;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

std::string passwordHint(const RedisUrl& url)
{
    if (url.kind == RedisUrl::Kind::Unix)
        return "give it in the URL as unix://:PASSWORD@" + url.socketPath;
    if (url.kind == RedisUrl::Kind::Cluster)
        return "give it in the URL as redis+cluster://:PASSWORD@...";
    if (url.kind == RedisUrl::Kind::Sentinel)
        return "give the master's password in the URL as redis+sentinel://:PASSWORD@... (the sentinels' own with --sentinel-password)";
    return "give it in the URL as redis://:PASSWORD@" + where(url);
}

// Small commands (all of ours but batches) build their argv on the stack.
constexpr std::size_t kStackArgs = 16;

template <typename Range, typename Fn>
auto withArgv(const Range& args, Fn&& fn)
{
    const std::size_t n = args.size();
    std::array<const char*, kStackArgs> argvStack;
    std::array<std::size_t, kStackArgs> lenStack;
    std::vector<const char*> argvHeap;
    std::vector<std::size_t> lenHeap;
    const char** argv = argvStack.data();
    std::size_t* lens = lenStack.data();
    if (n > kStackArgs) {
        argvHeap.resize(n);
        lenHeap.resize(n);
        argv = argvHeap.data();
        lens = lenHeap.data();
    }
    std::size_t i = 0;
    for (std::string_view a : args) {
        // hiredis reads exactly lens[i] bytes; a null pointer would be refused for "".
        argv[i] = a.data() ? a.data() : "";
        lens[i] = a.size();
        ++i;
    }
    return fn(static_cast<int>(n), argv, lens);
}

} // namespace

Connection::~Connection() { close(); }

Connection::Connection(Connection&& other) noexcept
    : io_(std::move(other.io_)), reader_(other.reader_), out_(std::move(other.out_)), url_(std::move(other.url_)),
      server_(std::move(other.server_)), options_(std::move(other.options_)), error_(std::move(other.error_)), errorKind_(other.errorKind_),
      viewOnly_(other.viewOnly_), clusterKey_(std::move(other.clusterKey_)), slot_(other.slot_), clusterNodes_(std::move(other.clusterNodes_)), askedTo_(std::move(other.askedTo_)),
      noHashTag_(std::move(other.noHashTag_)), inTransaction_(other.inTransaction_)
{
    other.reader_ = nullptr;
}

Connection& Connection::operator=(Connection&& other) noexcept
{
    if (this != &other) {
        close();
        io_ = std::move(other.io_);
        reader_ = other.reader_;
        other.reader_ = nullptr;
        out_ = std::move(other.out_);
        url_ = std::move(other.url_);
        server_ = std::move(other.server_);
        options_ = std::move(other.options_);
        error_ = std::move(other.error_);
        errorKind_ = other.errorKind_;
        viewOnly_ = other.viewOnly_;
        clusterKey_ = std::move(other.clusterKey_);
        slot_ = other.slot_;
        clusterNodes_ = std::move(other.clusterNodes_);
        askedTo_ = std::move(other.askedTo_);
        noHashTag_ = std::move(other.noHashTag_);
        inTransaction_ = other.inTransaction_;
    }
    return *this;
}

bool Connection::connect(const RedisUrl& url, ConnectOptions options)
{
    ignoreSigpipeOnce();
    close();
    if (!(url == url_))
        clusterNodes_.clear(); // another cluster, or none
    url_ = url;
    server_ = url;
    options_ = options;
    error_.clear();
    errorKind_ = ErrorKind::None;
    inTransaction_ = false;
    askedTo_ = {};
    if (url_.kind == RedisUrl::Kind::Cluster) {
        slot_ = clusterKey_.empty() ? -1 : keySlot(clusterKey_);
        noHashTag_ = clusterKey_.empty() ? std::string() : hashTagAdvice(clusterKey_);
        return connectCluster() && setCommandTimeout(options.commandTimeoutMs);
    }
    slot_ = -1;
    noHashTag_.clear();
    if (url_.kind == RedisUrl::Kind::Sentinel && !findMaster())
        return false;
    if (!openServer())
        return false;
    if (url_.kind == RedisUrl::Kind::Sentinel) {
        // Sentinels may name a master that has just been demoted: it must say it is one.
        const Reply role = command({"ROLE"});
        if (!role)
            return false;
        const ReplyView first = ReplyView(role.raw())[0];
        if (!role.isError() && first.str() != "master")
            return fail(ErrorKind::ReadOnlyReplica, "the sentinels name " + where(server_) + " as master " + url_.masterName + ", but it says it is a "
                                                        + std::string(first.str()) + " (a failover under way?); try again in a moment");
    }
    return setCommandTimeout(options.commandTimeoutMs);
}

bool Connection::findMaster()
{
    std::string why;
    for (const RedisUrl::Endpoint& endpoint : url_.endpoints) {
        RedisUrl sentinelUrl;
        sentinelUrl.host = endpoint.host;
        sentinelUrl.port = endpoint.port;
        sentinelUrl.user = url_.sentinelUser;
        sentinelUrl.password = url_.sentinelPassword;
        sentinelUrl.tls = url_.tls;
        sentinelUrl.tlsOptions = url_.tlsOptions;
        const std::string where = sentinelUrl.address();
        Connection sentinel;
        const int timeout = std::min(options_.connectTimeoutMs, 2000); // a dead sentinel must not hold up the next
        if (!sentinel.connect(sentinelUrl, {.connectTimeoutMs = timeout, .commandTimeoutMs = timeout})) {
            why += (why.empty() ? "" : "; ") + sentinel.error();
            continue;
        }
        const Reply r = sentinel.command({"SENTINEL", "get-master-addr-by-name", url_.masterName});
        if (!r || r.isError()) {
            why += (why.empty() ? "" : "; ") + (r ? "sentinel " + where + " answered " + std::string(r.str()) : sentinel.error());
            continue;
        }
        const ReplyView address(r.raw());
        int port = 0;
        if (!r.isArray() || address.size() != 2 || !parseInt(address[1].str(), port)) {
            why += std::string(why.empty() ? "" : "; ") + "sentinel " + where + " knows no master named " + url_.masterName;
            continue;
        }
        server_ = serverAt(url_, {.host = std::string(address[0].str()), .port = port});
        return true;
    }
    return fail(ErrorKind::Unreachable, "cannot find master " + url_.masterName + " through its sentinels: " + why);
}

bool Connection::connectCluster()
{
    // The nodes of the last slot map first (after a MOVED, the node it named), then the URL's.
    std::vector<RedisUrl::Endpoint> candidates = clusterNodes_;
    for (const RedisUrl::Endpoint& e : url_.endpoints)
        if (std::find(candidates.begin(), candidates.end(), e) == candidates.end())
            candidates.push_back(e);
    const std::string of = slot_ < 0 ? std::string() : " slot " + std::to_string(slot_) + " (" + clusterKey_ + ")";
    std::vector<RedisUrl::Endpoint> triedOwners;
    std::string why;
    const auto note = [&why](const std::string& text) { // once each: a dead owner is also a node asked
        if (why.find(text) == std::string::npos)
            why += (why.empty() ? "" : "; ") + text;
    };
    for (const RedisUrl::Endpoint& node : candidates) {
        const RedisUrl nodeUrl = serverAt(url_, node);
        Connection asked;
        const int timeout = std::min(options_.connectTimeoutMs, 2000); // a dead node must not hold up the next
        if (!asked.connect(nodeUrl, {.connectTimeoutMs = timeout, .commandTimeoutMs = timeout})) {
            if (isCredentialFailure(asked.errorKind())) // every node takes the same credentials
                return fail(asked.errorKind(), asked.error());
            note(asked.error());
            continue;
        }
        const Reply map = asked.command({"CLUSTER", "SLOTS"});
        if (!map) {
            note(asked.error());
            continue;
        }
        if (map.isError()) {
            if (contains(map.str(), "cluster support disabled"))
                return fail(ErrorKind::Other, "redis at " + nodeUrl.address() + " is not a node of a Redis Cluster (its cluster "
                                                  "support is disabled): connect with " + (url_.tls ? "rediss://" : "redis://")
                                                  + nodeUrl.address());
            note("redis at " + nodeUrl.address() + " answered CLUSTER SLOTS with " + std::string(map.str()));
            continue;
        }
        // [[first slot, last slot, [host, port, id, ...] (the master), replicas ...], ...]
        std::vector<RedisUrl::Endpoint> nodes;
        std::optional<RedisUrl::Endpoint> owner;
        const ReplyView ranges(map.raw());
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            const ReplyView range = ranges[i];
            if (!range.isArray() || range.size() < 3)
                continue;
            const bool ours = slot_ >= range[0].integer() && slot_ <= range[1].integer();
            for (std::size_t n = 2; n < range.size(); ++n) {
                RedisUrl::Endpoint e{.host = std::string(range[n][0].str()), .port = int(range[n][1].integer())};
                if (e.host.empty()) // "the node you asked"
                    e.host = node.host;
                if (e.host == "?" || e.port <= 0) // not known to that node
                    continue;
                if (ours && n == 2)
                    owner = e;
                if (std::find(nodes.begin(), nodes.end(), e) == nodes.end())
                    nodes.push_back(std::move(e));
            }
        }
        if (slot_ < 0)
            owner = node; // no key: the node that answered serves as well as any
        if (!owner) {
            note("the cluster, asked at " + nodeUrl.address() + ", has no node serving slot " + std::to_string(slot_)
                 + " (cluster_state not ok?)");
            continue;
        }
        std::erase(nodes, *owner);
        nodes.insert(nodes.begin(), *owner);
        clusterNodes_ = std::move(nodes);
        if (std::find(triedOwners.begin(), triedOwners.end(), *owner) != triedOwners.end())
            continue;
        triedOwners.push_back(*owner);
        server_ = serverAt(url_, *owner);
        if (openServer())
            return true;
        if (isCredentialFailure(errorKind_))
            return false;
        note(error_);
    }
    return fail(ErrorKind::Unreachable, "cannot reach " + (of.empty() ? std::string("a node") : "the node that serves" + of) + " of the Redis "
                                            + where(url_) + ": " + why);
}

bool Connection::openServer()
{
    // The handshake (AUTH, SELECT or PING) answers at once from a live server: it gets the
    // connect timeout, so a stopped or stalled server is reported in seconds even when the
    // commands that follow may take long. connect() sets the command timeout after.
    return open() && setCommandTimeout(std::min(options_.connectTimeoutMs, options_.commandTimeoutMs)) && handshake();
}

bool Connection::open()
{
    const bool connected = server_.kind == RedisUrl::Kind::Unix ? io_.connectUnix(server_.socketPath, options_.connectTimeoutMs)
                                                             : io_.connectTcp(server_.host, server_.port, options_.connectTimeoutMs);
    if (!connected) {
        const std::string& reason = io_.error();
        std::string hint;
        if (contains(reason, "refused") || contains(reason, "No such file"))
            hint = " — is redis-server running?";
        else if (contains(reason, "timed out"))
            hint = " — is the host reachable and the port right?";
        else if (contains(reason, "not known") || contains(reason, "resolve") || contains(reason, "name"))
            hint = " — check the host name";
        else if (contains(reason, "Permission denied"))
            hint = " — this user may not open the socket";
        return fail(ErrorKind::Unreachable, "cannot connect to redis at " + where(server_) + ": " + reason + hint);
    }
    if (server_.tls && !io_.startTls(server_.tlsOptions, server_.host, options_.connectTimeoutMs)) {
        const ErrorKind kind = io_.failure() == Transport::Failure::Tls ? ErrorKind::Tls
                               : io_.failure() == Transport::Failure::Timeout ? ErrorKind::Timeout
                                                                               : ErrorKind::Closed;
        return fail(kind, "cannot connect to redis at " + where(server_) + " over TLS: " + io_.error());
    }
    reader_ = redisReaderCreate();
    if (!reader_)
        return fail(ErrorKind::Other, "cannot connect to redis at " + where(server_) + ": out of memory");
    reader_->maxbuf = 0; // keep the buffer between replies: pages of entries come one after another
    return true;
}

bool Connection::clusterUnavailable(const std::string& text)
{
    if (!text.starts_with("CLUSTERDOWN") && !text.starts_with("TRYAGAIN"))
        return false;
    fail(ErrorKind::Closed, "the Redis Cluster at " + where(server_) + " cannot serve the stream's slot now (" + text
                                + "): a failover may be under way; try again in a moment");
    return true;
}

bool Connection::redirected(std::string_view text)
{
    // "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381" (":6381" when the node does
    // not know its address: the one we reached it at).
    const auto first = text.find(' ');
    const auto second = first == std::string_view::npos ? first : text.find(' ', first + 1);
    if (second == std::string_view::npos)
        return false;
    const bool ask = text.substr(0, first) == "ASK";
    const std::string_view slotText = text.substr(first + 1, second - first - 1);
    const std::string_view address = text.substr(second + 1);
    const auto colon = address.rfind(':');
    int slot = -1;
    int port = 0;
    if (colon == std::string_view::npos || !parseInt(address.substr(colon + 1), port))
        return false;
    if (std::from_chars(slotText.data(), slotText.data() + slotText.size(), slot).ec != std::errc() || slot != slot_)
        return false; // another key's slot: the reply stays an error for the caller
    RedisUrl::Endpoint target{.host = std::string(address.substr(0, colon)), .port = port};
    if (target.host.empty())
        target.host = server_.host;
    if (target.host.size() > 2 && target.host.front() == '[')
        target.host = target.host.substr(1, target.host.size() - 2);
    const std::string from = where(server_);
    const std::string to = where(serverAt(url_, target));
    if (ask) {
        askedTo_ = target;
    } else {
        std::erase(clusterNodes_, target);
        clusterNodes_.insert(clusterNodes_.begin(), target);
    }
    close();
    error_ = ask ? "slot " + std::to_string(slot) + " of the cluster is being migrated from " + from + " to " + to + "; its keys are asked for there"
                 : "slot " + std::to_string(slot) + " of the cluster moved from " + from + " to " + to
                       + " (a failover or a resharding); the connection goes there on reconnect";
    errorKind_ = ErrorKind::Moved;
    return true;
}

Reply Connection::askingCommand(const RedisUrl::Endpoint& target, const std::vector<std::string_view>& args)
{
    Connection node;
    const Reply asking = node.connect(serverAt(url_, target), options_) ? node.command({"ASKING"}) : Reply();
    Reply r = asking && !asking.isError() ? node.command(args) : Reply();
    if (!r) {
        close();
        error_ = "slot " + std::to_string(slot_) + " of the cluster is being migrated to " + where(serverAt(url_, target)) + ", which could not be asked: "
                 + (asking && asking.isError() ? std::string(asking.str()) : node.error());
        errorKind_ = ErrorKind::Moved;
    }
    return r;
}

bool Connection::fail(ErrorKind kind, std::string message)
{
    error_ = std::move(message);
    errorKind_ = kind;
    close();
    return false;
}

bool Connection::handshake()
{
    const std::string target = where(server_);
    // A server that wants a client certificate and got none closes the connection as soon as
    // TLS is set up (TLS 1.3 finishes the client's side first), so the first command fails.
    // And a TLS port that was sent plain RESP reads it as a bad TLS record and closes.
    const auto lost = [&] {
        if (url_.tls && url_.tlsOptions.certFile.empty() && errorKind_ == ErrorKind::Closed) {
            error_ = "redis at " + target + " closed the connection as soon as TLS was set up, as a server does that wants "
                     "a client certificate: give --tls-cert FILE and --tls-key FILE (in the window: Client certificate and Client key)";
            errorKind_ = ErrorKind::Tls;
        } else if (!url_.tls && server_.kind == RedisUrl::Kind::Tcp && errorKind_ == ErrorKind::Closed) {
            error_ += " If its port speaks TLS, use rediss://.";
        }
        return false;
    };
    if (!url_.password.empty()) {
        Reply r = url_.user.empty() ? command({"AUTH", url_.password}) : command({"AUTH", url_.user, url_.password});
        if (!r)
            return lost();
        if (r.isError()) {
            const std::string_view text = r.str();
            const ErrorKind kind = r.errorKind();
            if (kind != ErrorKind::AuthRefused)
                return fail(kind, "redis at " + target + " rejected AUTH: " + std::string(text));
            // Same kind, different advice: the password is wrong, or not wanted at all.
            if (contains(text, "without any password configured"))
                return fail(kind, "redis at " + target + " has no password set, but the URL gives one: drop it from the URL ("
                                      + std::string(text) + ")");
            return fail(kind, "redis at " + target + " refused the credentials: " + std::string(text));
        }
    }
    // SELECT when needed, PING otherwise: either way a missing password shows up here, at
    // connect time, rather than on the first real command.
    const std::string db = std::to_string(url_.db);
    Reply r = url_.db != 0 ? command({"SELECT", db}) : command({"PING"});
    if (!r)
        return lost();
    if (!r.isError())
        return true;
    const std::string_view text = r.str();
    const ErrorKind kind = r.errorKind();
    // A user allowed to read but not to PING (ACLs) is still a working connection. So is a
    // server that cannot write to its disk: Redis refuses even PING then (MISCONF), but
    // reads work; serverWarnings() says so, and writes fail with the reason.
    if (url_.db == 0 && (kind == ErrorKind::PermissionDenied || kind == ErrorKind::Misconf))
        return true;
    if (kind == ErrorKind::PasswordRequired)
        return fail(kind, "redis at " + target + " requires a password (NOAUTH): " + passwordHint(url_));
    if (kind == ErrorKind::Loading)
        return fail(kind, "redis at " + target + " is still loading its data into memory; try again in a moment ("
                              + std::string(text) + ")");
    if (url_.db != 0)
        return fail(kind, "redis at " + target + " cannot select database " + db + ": " + std::string(text));
    return fail(kind, "redis at " + target + " does not answer PING: " + std::string(text));
}

bool Connection::reconnect()
{
    const RedisUrl url = url_;
    return connect(url, options_);
}

void Connection::close()
{
    if (reader_) {
        redisReaderFree(reader_);
        reader_ = nullptr;
    }
    io_.close();
    out_.clear();
}

bool Connection::isConnected() const { return io_.isOpen() && reader_; }

bool Connection::setCommandTimeout(int ms)
{
    options_.commandTimeoutMs = ms;
    if (!io_.isOpen())
        return true;
    if (!io_.setTimeout(std::max(ms, 0)))
        return fail(ErrorKind::Other, "cannot set the command timeout on the connection to redis at " + where(server_) + ": " + io_.error());
    return true;
}

Reply Connection::finish(void* reply)
{
    if (reply) {
        Reply r(static_cast<redisReply*>(reply));
        // Behind sentinels, a master that became a replica (or restarts) answers READONLY or
        // LOADING: the connection is dropped, so that the next attempt asks the sentinels again.
        if (url_.kind == RedisUrl::Kind::Sentinel && r.isError()
            && (r.errorKind() == ErrorKind::ReadOnlyReplica || r.errorKind() == ErrorKind::Loading)) {
            close();
            error_ = "redis at " + where(server_) + " is no longer master " + url_.masterName + " (" + std::string(r.str())
                     + "); the sentinels are asked again on reconnect";
            errorKind_ = ErrorKind::Closed;
        }
        if (url_.kind == RedisUrl::Kind::Cluster && r.isError() && r.errorKind() == ErrorKind::Moved && redirected(r.str()))
            return Reply();
        // A cluster that lost a master answers CLUSTERDOWN until a replica takes its slots
        // (TRYAGAIN: keys of a slot in mid-migration): nothing was run, and it passes, so it
        // is a lost connection to retry, not a refusal.
        if (url_.kind == RedisUrl::Kind::Cluster && r.isError() && clusterUnavailable(std::string(r.str())))
            return Reply();
        return r;
    }
    const std::string target = where(server_);
    if (!reader_) { // closed before: error_ keeps why
        if (errorKind_ == ErrorKind::None || error_.empty()) {
            error_ = "not connected to redis at " + target;
            errorKind_ = ErrorKind::Closed;
        }
        return Reply();
    }
    if (io_.isOpen()) { // the bytes were not RESP
        const std::string reason = reader_->errstr;
        fail(ErrorKind::Closed, "lost the connection to redis at " + target + ": " + reason);
        return Reply();
    }
    // The transport failed: its failure decides the kind; its words are for people.
    const std::string reason = io_.error();
    switch (io_.failure()) {
    case Transport::Failure::Timeout:
        fail(ErrorKind::Timeout, "redis at " + target + " did not answer within " + std::to_string(options_.commandTimeoutMs)
                                     + " ms; the connection was dropped (is the server overloaded or stopped?)");
        break;
    case Transport::Failure::Tls:
        fail(ErrorKind::Tls, "the TLS connection to redis at " + target + " failed: " + reason);
        break;
    default:
        fail(ErrorKind::Closed, "redis at " + target + " closed the connection (" + reason + ") — did redis-server stop or restart?");
        break;
    }
    return Reply();
}

bool Connection::queue(int argc, const char** argv, const std::size_t* lens)
{
    char* command = nullptr;
    const int length = redisFormatCommandArgv(&command, argc, argv, lens);
    if (length < 0 || !command)
        return fail(ErrorKind::Other, "cannot format a command for redis: out of memory");
    out_.append(command, std::size_t(length));
    redisFreeCommand(command);
    return true;
}

bool Connection::flush()
{
    if (out_.empty())
        return true;
    const bool written = io_.writeAll(out_.data(), out_.size());
    out_.clear();
    if (!written)
        finish(nullptr);
    return written;
}

bool Connection::readReply(void** reply)
{
    *reply = nullptr;
    if (!flush())
        return false;
    char buffer[kReadChunk];
    for (;;) {
        if (redisReaderGetReply(reader_, reply) != REDIS_OK) {
            *reply = nullptr;
            finish(nullptr); // the reader's protocol error
            return false;
        }
        if (*reply)
            return true;
        const std::size_t n = io_.readSome(buffer, sizeof buffer);
        if (n == 0) {
            finish(nullptr);
            return false;
        }
        if (redisReaderFeed(reader_, buffer, n) != REDIS_OK) {
            finish(nullptr);
            return false;
        }
    }
}

namespace {

// An error reply made here, freed by freeReplyObject like the server's (hiredis 0.14
// allocates replies with malloc).
Reply localError(const std::string& text)
{
    auto* reply = static_cast<redisReply*>(std::calloc(1, sizeof(redisReply)));
    char* str = static_cast<char*>(std::malloc(text.size() + 1));
    if (!reply || !str) {
        std::free(reply);
        std::free(str);
        return Reply();
    }
    std::memcpy(str, text.c_str(), text.size() + 1);
    reply->type = REDIS_REPLY_ERROR;
    reply->str = str;
    reply->len = text.size();
    return Reply(reply);
}

} // namespace

bool Connection::isReadCommand(std::string_view name, std::string_view sub)
{
    static constexpr std::string_view kReads[] = {
        "XRANGE", "XREVRANGE", "XREAD",   "XINFO",    "XLEN",      "XPENDING", "GET",     "MGET",     "STRLEN", "GETRANGE", "SUBSTR",
        "EXISTS", "TYPE",      "TTL",     "PTTL",     "ZRANGE",    "ZRANGEBYSCORE",       "ZREVRANGE",
        "ZREVRANGEBYSCORE",    "ZCARD",   "ZSCORE",   "ZRANK",     "HGET",     "HGETALL", "HMGET",    "HLEN",
        "SCAN",   "DBSIZE",    "INFO",    "PING",     "ROLE",      "AUTH",     "SELECT",  "HELLO",    "TIME",
        "MULTI",  "EXEC",      "DISCARD", "WATCH",    "UNWATCH",   "EVAL_RO",  "EVALSHA_RO",          "FCALL_RO",
        "MEMORY", "OBJECT",    "COMMAND", "QUIT"};
    const std::string command = upper(name);
    if (command == "CONFIG")
        return upper(sub) == "GET";
    if (command == "SCRIPT") // the script cache holds no data
        return upper(sub) == "LOAD" || upper(sub) == "EXISTS";
    if (command == "CLIENT") // this connection's own settings
        return upper(sub) != "KILL" && upper(sub) != "PAUSE";
    return std::find(std::begin(kReads), std::end(kReads), command) != std::end(kReads);
}

template <typename Range>
std::string Connection::refusal(const Range& args) const
{
    if ((!viewOnly_ && noHashTag_.empty()) || args.size() == 0)
        return {};
    const std::string_view name = *args.begin();
    const std::string_view sub = args.size() > 1 ? *std::next(args.begin()) : std::string_view();
    if (isReadCommand(name, sub))
        return {};
    if (viewOnly_)
        return "VIEWONLY " + upper(name) + " writes to redis; viewer mode sends no writes";
    return "NOHASHTAG " + noHashTag_;
}

template <typename Range>
Reply Connection::commandOf(const Range& args)
{
    if (!isConnected())
        return finish(nullptr);
    if (const std::string refused = refusal(args); !refused.empty())
        return localError(refused);
    if (!appendOf(args))
        return Reply();
    Reply r = getReply();
    // A MOVED or ASK for our slot closed the connection, and the command was not run: it is
    // sent again where the slot is now, a few hops at most. Never inside MULTI or WATCH,
    // whose state the new connection would not have.
    const bool inTransaction = inTransaction_;
    for (int hop = 0; !r && errorKind_ == ErrorKind::Moved && !inTransaction && hop < 3; ++hop) {
        const RedisUrl::Endpoint asked = std::exchange(askedTo_, {});
        if (!reconnect())
            return Reply();
        if (!asked.host.empty())
            return askingCommand(asked, std::vector<std::string_view>(args.begin(), args.end()));
        if (!appendOf(args))
            return Reply();
        r = getReply();
    }
    return r;
}

template <typename Range>
bool Connection::appendOf(const Range& args)
{
    if (!isConnected())
        return static_cast<bool>(finish(nullptr));
    if (std::string refused = refusal(args); !refused.empty()) {
        error_ = refused.substr(refused.find(' ') + 1); // not sent; nothing queued, still connected
        errorKind_ = classifyErrorReply(refused);
        return false;
    }
    if (url_.kind == RedisUrl::Kind::Cluster && args.size() > 0) {
        const std::string name = upper(*args.begin());
        if (name == "MULTI" || name == "WATCH")
            inTransaction_ = true;
        else if (name == "EXEC" || name == "DISCARD" || name == "UNWATCH")
            inTransaction_ = false;
    }
    return withArgv(args, [this](int argc, const char** argv, const std::size_t* lens) { return queue(argc, argv, lens); });
}

Reply Connection::command(std::initializer_list<std::string_view> args) { return commandOf(args); }
Reply Connection::command(const std::vector<std::string_view>& args) { return commandOf(args); }
bool Connection::append(std::initializer_list<std::string_view> args) { return appendOf(args); }
bool Connection::append(const std::vector<std::string_view>& args) { return appendOf(args); }

namespace {
void* flatString(const redisReadTask* t, char* s, size_t n)
{
    return static_cast<FlatReply*>(t->privdata)->addString(t->parent, t->idx, t->type, s, n);
}
void* flatArray(const redisReadTask* t, int elements)
{
    return static_cast<FlatReply*>(t->privdata)->addArray(t->parent, t->idx, elements);
}
void* flatInteger(const redisReadTask* t, long long value)
{
    return static_cast<FlatReply*>(t->privdata)->addInteger(t->parent, t->idx, value);
}
void* flatNil(const redisReadTask* t) { return static_cast<FlatReply*>(t->privdata)->addNil(t->parent, t->idx); }
void flatFree(void*) {} // the arena owns everything
redisReplyObjectFunctions kFlatFunctions = {flatString, flatArray, flatInteger, flatNil, flatFree};
} // namespace

bool Connection::send(std::initializer_list<std::string_view> args)
{
    return append(args) && flush();
}

bool Connection::readFlat(FlatReply& out)
{
    if (!isConnected())
        return static_cast<bool>(finish(nullptr));
    // Only this reply is built with the flat functions; the reader holds no half-parsed
    // reply between calls, since readReply returns once one is complete.
    redisReplyObjectFunctions* savedFn = reader_->fn;
    void* savedPrivdata = reader_->privdata;
    reader_->fn = &kFlatFunctions;
    reader_->privdata = &out;
    void* reply = nullptr;
    if (!readReply(&reply)) {
        // Closed (the reader freed) with the flat functions still in place: a half-read
        // reply was not handed to freeReplyObject with the arena's fake pointers.
        out.clear();
        return false;
    }
    reader_->fn = savedFn;
    reader_->privdata = savedPrivdata;
    if (url_.kind == RedisUrl::Kind::Cluster && !out.empty() && out.root().type == FlatReply::Type::Error) {
        const std::string_view text = out.text(out.root());
        if ((classifyErrorReply(text) == ErrorKind::Moved && redirected(text)) || clusterUnavailable(std::string(text))) {
            out.clear();
            return false;
        }
    }
    return true;
}

Reply Connection::getReply()
{
    if (!isConnected())
        return finish(nullptr);
    void* reply = nullptr;
    if (!readReply(&reply))
        return Reply();
    return finish(reply);
}

} // namespace shop::redis
