// Where to find Redis: redis://[user:password@]host[:port][/db] or unix:///path/to.sock
// (DESIGN section 4). An empty URL means the managed local server.
#pragma once

#include <string>
#include <string_view>

namespace shop::redis {

struct RedisUrl {
    enum class Kind { Tcp, Unix };
    Kind kind = Kind::Tcp;
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string socketPath; // Kind::Unix
    std::string user;       // empty: AUTH with password only (or none)
    std::string password;   // empty: no AUTH
    int db = 0;

    // Parses `text`; on failure returns false and says why in `error` (one line, no password).
    static bool parse(std::string_view text, RedisUrl& out, std::string& error);
    static RedisUrl unixSocket(std::string path);

    // The URL with any password replaced by "***": safe for logs and messages.
    std::string redacted() const;
    // Where the server is, for messages ("redis at <address> ..."): the socket path, or
    // host:port ([v6]:port). No credentials.
    std::string address() const;
};

} // namespace shop::redis
