// Where to find Redis: redis://[user:password@]host[:port][/db], rediss://... (TLS),
// redis+sentinel://[user:password@]h1[:p1][,h2[:p2]...]/MASTER[/db] (and rediss+sentinel://),
// redis+cluster://[user:password@]h1[:p1][,h2[:p2]...] (and rediss+cluster://),
// or unix:///path/to.sock (README: "Connecting to production Redis"). An empty URL means the
// managed local server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

// How a rediss:// connection checks the server and shows itself. In the URL's query as
// tls-ca, tls-cert, tls-key, tls-server-name and tls-insecure; the CLI's --tls-* options and
// the Connection dialog set the same fields.
struct TlsOptions {
    std::string caFile;        // PEM CAs to trust; empty: the system's
    std::string certFile;      // a client certificate (PEM, with its chain), with keyFile
    std::string keyFile;       // its private key (PEM)
    std::string keyPassphrase; // the key's passphrase: a secret like the password
    std::string serverName;    // the name sent (SNI) and verified; empty: the URL's host
    bool insecure = false;     // verify nothing (said on every start)

    bool operator==(const TlsOptions&) const = default;
};

struct RedisUrl {
    enum class Kind { Tcp, Unix, Sentinel, Cluster };
    struct Endpoint {
        std::string host;
        int port = 26379;
        bool operator==(const Endpoint&) const = default;
    };
    Kind kind = Kind::Tcp;
    std::string host = "127.0.0.1"; // Sentinel, Cluster: none until the node is known
    int port = 6379;
    // Kind::Sentinel: the sentinels to ask; Kind::Cluster: the nodes to ask for the slot map.
    std::vector<Endpoint> endpoints;
    // Kind::Sentinel: which master, asked with which credentials (the user and password above
    // are the master's). The sentinel password is a secret like the password.
    std::string masterName;
    std::string sentinelUser;
    std::string sentinelPassword;
    std::string socketPath; // Kind::Unix
    std::string user;       // empty: AUTH with password only (or none)
    std::string password;   // empty: no AUTH
    int db = 0;
    bool tls = false; // rediss://: TLS over TCP
    TlsOptions tlsOptions;

    // Parses `text`; on failure returns false and says why in `error` (one line, no password).
    static bool parse(std::string_view text, RedisUrl& out, std::string& error);
    static RedisUrl unixSocket(std::string path);

    // The URL with any password (and key passphrase) replaced by "***": safe for logs and
    // messages.
    std::string redacted() const;
    // The URL as text that parse() reads back to an equal RedisUrl, user and password
    // included (percent-encoded): only for handing a URL on in memory, never for a file,
    // a log or the screen.
    std::string toString() const;
    // The URL without user, password and key passphrase (the server's address, db and TLS
    // files): what may be kept in settings and shown.
    std::string withoutCredentials() const;
    // Where the server is, for messages ("redis at <address> ..."): the socket path, or
    // host:port ([v6]:port); for sentinels, "master NAME via h1:p1,h2:p2"; for a cluster,
    // "cluster via h1:p1,h2:p2". No credentials.
    std::string address() const;

    bool operator==(const RedisUrl&) const = default;

private:
    // How the secrets in the query (a key passphrase, a sentinel password) are written.
    enum class Secrets { Omit, Redact, Reveal };
    // userInfo: "" or "...@".
    std::string format(std::string_view userInfo, Secrets secrets) const;
};

} // namespace shop::redis
