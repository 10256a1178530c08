// A blocking Redis connection: TCP, unix socket or TLS (see Transport), AUTH (password or
// ACL user), SELECT, timeouts, reconnect; behind sentinels, the master they name; in a
// cluster, the node that serves one key's slot (setClusterKey()). hiredis formats the commands and reads the replies;
// the bytes go through our Transport. It lives on one thread (a worker's, never the GUI's).
#pragma once

#include "redis_url.hpp"
#include "flat_reply.hpp"
#include "reply.hpp"
#include "transport.hpp"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace shop::redis {

struct ConnectOptions {
    int connectTimeoutMs = 3000;
    int commandTimeoutMs = 10000; // keep it above any XREAD BLOCK time
};

class Connection {
public:
    Connection() = default;
    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Connects, authenticates and selects the db. On failure returns false and error()
    // says what went wrong in words a user can act on (never the password).
    bool connect(const RedisUrl& url, ConnectOptions options = {});
    // Drops the socket and connects again with the same URL and options.
    bool reconnect();
    void close();
    bool isConnected() const;
    // Why connect(), reconnect() or an I/O error failed: words for people, and a kind for
    // code to decide on. A Redis error reply to a command is not one of these: it comes
    // back as the Reply (Reply::errorKind()), and the connection stays usable.
    const std::string& error() const { return error_; }
    ErrorKind errorKind() const { return errorKind_; }
    const RedisUrl& url() const { return url_; }
    // The server connected to: the URL's, or for a sentinel URL the master the sentinels
    // named, for a cluster URL the node serving clusterKey's slot (Kind::Tcp; the same URL
    // until connected).
    const RedisUrl& server() const { return server_; }

    // One command, arguments binary-safe. A null Reply means an I/O error (see error());
    // the connection is then closed and must be reconnected.
    // In a cluster, a command answered MOVED (the slot moved: a failover, a resharding) is
    // sent again to the new owner, and one answered ASK (the slot is being migrated) to the
    // node named, after ASKING; never inside MULTI or WATCH. A pipelined reply (getReply,
    // readFlat) that says MOVED or ASK for clusterKey's slot closes the connection instead
    // (error() says where the slot went; errorKind() Moved): reconnect() goes there.
    Reply command(std::initializer_list<std::string_view> args);
    Reply command(const std::vector<std::string_view>& args);

    // Pipelining: append commands, then read their replies in order.
    bool append(std::initializer_list<std::string_view> args);
    bool append(const std::vector<std::string_view>& args);
    Reply getReply();

    // Sends a command without waiting for its reply (pipelining one request ahead); read
    // the reply later with readFlat() or getReply(), in order.
    bool send(std::initializer_list<std::string_view> args);
    // The next reply, read into `out` instead of hiredis objects (see FlatReply). False on
    // an I/O error (error()); a Redis error reply is a node of type Error.
    bool readFlat(FlatReply& out);

    // redis+cluster://: the key whose slot decides which node to talk to (the stream key: a
    // stream's keys share its slot when it has a {hash tag}); empty (the default): any node
    // that answers. Without a hash tag, writes are refused with hashTagAdvice() and reads
    // work. Set it before connect(); it holds across reconnects.
    void setClusterKey(std::string key) { clusterKey_ = std::move(key); }
    const std::string& clusterKey() const { return clusterKey_; }

    // Viewer mode: only commands that read are sent. Any other command is not sent: command()
    // returns a "-VIEWONLY ..." error reply (ErrorKind::ViewOnly) and append()/send() return
    // false with error() saying so; the connection stays open. It holds across reconnects.
    void setViewOnly(bool on) { viewOnly_ = on; }
    bool viewOnly() const { return viewOnly_; }
    // True for the commands viewer mode sends: reads of keys and of the server, the
    // handshake, and MULTI/EXEC/WATCH around reads. `sub` is the second argument (CONFIG GET
    // reads, CONFIG SET does not). Case-insensitive.
    static bool isReadCommand(std::string_view name, std::string_view sub = {});

    bool setCommandTimeout(int ms);
    int commandTimeoutMs() const { return options_.commandTimeoutMs; } // 0: none

    // Whether the bytes go over TLS (rediss://), once connected.
    bool isTls() const { return io_.isTls(); }

private:
    Reply finish(void* reply);
    bool findMaster(); // a sentinel URL: asks the sentinels in turn; sets server_
    // A cluster URL: asks the known nodes for the slot map in turn and connects to the owner
    // of slot_ (any node when there is no key).
    bool connectCluster();
    bool open();       // the socket, TLS, and a fresh reader
    bool openServer(); // open() and the handshake, with the connect timeout
    bool handshake();
    // A MOVED or ASK reply for slot_ in a cluster: notes the node, closes, and says so (true).
    bool redirected(std::string_view errorText);
    // CLUSTERDOWN or TRYAGAIN in a cluster: closes, says so (true); it passes, so it is retried.
    bool clusterUnavailable(const std::string& text);
    Reply askingCommand(const RedisUrl::Endpoint& target, const std::vector<std::string_view>& args); // ASK: once, there
    bool queue(int argc, const char** argv, const std::size_t* lens); // formats into out_
    bool flush();                                                     // writes out_
    bool readReply(void** reply);                                     // false: I/O error
    bool fail(ErrorKind kind, std::string message); // sets error_ and errorKind_, closes; false
    // In viewer mode, a command that would write: the words for the refusal ("" when it may go).
    template <typename Range>
    std::string refusal(const Range& args) const;
    template <typename Range>
    Reply commandOf(const Range& args); // command() for either argument list
    template <typename Range>
    bool appendOf(const Range& args);   // append() likewise

    Transport io_;
    redisReader* reader_ = nullptr;
    std::string out_; // commands formatted, not yet written
    RedisUrl url_;
    RedisUrl server_;
    ConnectOptions options_;
    std::string error_;
    ErrorKind errorKind_ = ErrorKind::None;
    bool viewOnly_ = false;
    std::string clusterKey_;
    // Cluster: clusterKey's slot (-1: none), the nodes of the last slot map (the one to ask
    // first in front), the node an ASK named, why writes are refused ("": they are not), and
    // whether a MULTI or WATCH is open (no redirect is followed inside one).
    int slot_ = -1;
    std::vector<RedisUrl::Endpoint> clusterNodes_;
    RedisUrl::Endpoint askedTo_;
    std::string noHashTag_;
    bool inTransaction_ = false;
};

} // namespace shop::redis
