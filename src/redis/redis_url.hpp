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
    // The URL as text that parse() reads back to an equal RedisUrl, user and password
    // included (percent-encoded): only for handing a URL on in memory, never for a file,
    // a log or the screen.
    std::string toString() const;
    // The URL without user and password (the server's address and db): what may be kept
    // in settings and shown.
    std::string withoutCredentials() const;
    // Where the server is, for messages ("redis at <address> ..."): the socket path, or
    // host:port ([v6]:port). No credentials.
    std::string address() const;

    bool operator==(const RedisUrl&) const = default;

private:
    std::string format(std::string_view userInfo) const; // userInfo: "" or "...@"
};

} // namespace shop::redis
