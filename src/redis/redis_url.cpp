// Parsing and printing of Redis URLs. Accepted forms:
//   redis://[[user]:password@]host[:port][/db]   host may be an IPv6 literal in brackets
//   redis://password@host                        (no colon: the whole userinfo is the
//                                                 password, as redis-cli reads it)
//   rediss://...                                 TLS, with the same parts as redis://
//   unix://[[user]:password@]/path/to.sock[?db=N]
//   redis+sentinel://[[user]:password@]h1[:p1][,h2[:p2]...]/MASTER[/db]   and rediss+sentinel://
//   redis+cluster://[[user]:password@]h1[:p1][,h2[:p2]...]                and rediss+cluster://
// Query options: db=N; on rediss:// also tls-ca=FILE, tls-cert=FILE, tls-key=FILE,
// tls-server-name=NAME, tls-insecure (=1/0) and tls-key-passphrase=SECRET; on sentinel URLs
// sentinel-user=NAME and sentinel-password=SECRET (all percent-encoded).
// User and password are percent-decoded. Whitespace anywhere is refused, not trimmed: it is
// a pasted mistake, and a space in a password must be written %20. Error texts never repeat
// the userinfo, so a password cannot leak through them.
#include "redis_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace shop::redis {

namespace {

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Says where whitespace is (by position, never by quoting: it may sit in a password).
bool refuseWhitespace(std::string_view text, std::string& error)
{
    const auto at = std::find_if(text.begin(), text.end(), isSpace);
    if (at == text.end())
        return true;
    if (at == text.begin() || isSpace(text.back()))
        error = "the redis URL starts or ends with whitespace (a space, tab or line break): remove it";
    else
        error = "the redis URL contains whitespace at character " + std::to_string(at - text.begin() + 1)
                + ": remove it (in a user name or password, write a space as %20)";
    return false;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
            return false;
    }
    return true;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool percentDecode(std::string_view in, std::string& out)
{
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        const int hi = hexValue(in[i + 1]);
        const int lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

std::string percentEncode(std::string_view in, std::string_view keep = {})
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || keep.find(char(c)) != std::string_view::npos) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

bool parseInt(std::string_view text, int min, int max, int& out)
{
    if (text.empty())
        return false;
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
        return false;
    out = value;
    return true;
}

// Splits "user:password" (or "password") and decodes both; says nothing about the content.
bool parseUserInfo(std::string_view info, RedisUrl& out, std::string& error)
{
    std::string_view user;
    std::string_view password = info;
    if (const auto colon = info.find(':'); colon != std::string_view::npos) {
        user = info.substr(0, colon);
        password = info.substr(colon + 1);
    }
    if (!percentDecode(user, out.user) || !percentDecode(password, out.password)) {
        error = "the user or password in the redis URL has a broken %-escape (write % as %25)";
        return false;
    }
    return true;
}

// Query options: db=N, and the TLS ones (on rediss:// only).
bool parseQuery(std::string_view query, RedisUrl& out, std::string& error)
{
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty())
            continue;
        const auto eq = item.find('=');
        const std::string name(item.substr(0, eq));
        std::string value;
        if (eq != std::string_view::npos && !percentDecode(item.substr(eq + 1), value)) {
            error = "the option '" + name + "' in the redis URL has a broken %-escape (write % as %25)";
            return false;
        }
        std::string* file = nullptr;
        if (name == "db") {
            if (!parseInt(value, 0, 1 << 30, out.db)) {
                error = "invalid database number '" + value + "' in redis URL (expected 0 or more)";
                return false;
            }
            continue;
        }
        if (name.rfind("sentinel-", 0) == 0 && out.kind != RedisUrl::Kind::Sentinel) {
            error = "the option '" + name + "' in the redis URL is for sentinels: write redis+sentinel://";
            return false;
        }
        if (name.rfind("tls-", 0) == 0 && !out.tls) {
            error = "the option '" + name + "' in the redis URL needs TLS: write rediss:// instead of redis://";
            return false;
        }
        if (name == "tls-ca")
            file = &out.tlsOptions.caFile;
        else if (name == "tls-cert")
            file = &out.tlsOptions.certFile;
        else if (name == "tls-key")
            file = &out.tlsOptions.keyFile;
        else if (name == "tls-server-name")
            file = &out.tlsOptions.serverName;
        else if (name == "tls-key-passphrase")
            file = &out.tlsOptions.keyPassphrase;
        else if (name == "sentinel-user")
            file = &out.sentinelUser;
        else if (name == "sentinel-password")
            file = &out.sentinelPassword;
        if (file) {
            if (value.empty()) {
                error = "the option '" + name + "' in the redis URL has no value";
                return false;
            }
            *file = std::move(value);
        } else if (name == "tls-insecure") {
            if (eq != std::string_view::npos && value != "1" && value != "0" && value != "true" && value != "false") {
                error = "tls-insecure in the redis URL takes 1 or 0";
                return false;
            }
            out.tlsOptions.insecure = eq == std::string_view::npos || value == "1" || value == "true";
        } else {
            error = "unknown option '" + name + "' in redis URL (understood: db; on rediss:// tls-ca, tls-cert, tls-key, "
                    "tls-server-name, tls-insecure; on redis+sentinel:// sentinel-user, sentinel-password)";
            return false;
        }
    }
    return true;
}

// "host[:port]" or "[v6]:port" into `host` and `port` (left alone when not given).
bool parseHostPort(std::string_view rest, std::string& hostOut, int& portOut, std::string& error)
{
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) {
            error = "the IPv6 address in the redis URL is missing its closing ']'";
            return false;
        }
        host = rest.substr(1, close - 1);
        const std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                error = "unexpected text after the IPv6 address in the redis URL";
                return false;
            }
            port = after.substr(1);
            if (port.empty()) {
                error = "the redis URL has a ':' but no port after it";
                return false;
            }
        }
    } else if (const auto colon = rest.find(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (port.empty()) {
            error = "the redis URL has a ':' but no port after it";
            return false;
        }
    }
    if (host.empty()) {
        error = "the redis URL has no host (expected redis://host[:port][/db])";
        return false;
    }
    hostOut = std::string(host);
    if (!port.empty() && !parseInt(port, 1, 65535, portOut)) {
        error = "invalid port '" + std::string(port) + "' in redis URL (expected 1-65535)";
        return false;
    }
    return true;
}

// Splits "[userinfo@]rest[?query]" (userinfo decoded into `out`): what is left and the query.
bool splitUserInfoAndQuery(std::string_view& rest, std::string_view& query, RedisUrl& out, std::string& error)
{
    // The last '@' ends the userinfo, so a password may contain '@', '/' or '?' unescaped
    // without its tail being taken for a host or a path.
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        if (!parseUserInfo(rest.substr(0, at), out, error))
            return false;
        rest = rest.substr(at + 1);
    }
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    return true;
}

bool parseTcp(std::string_view rest, RedisUrl& out, std::string& error)
{
    std::string_view query;
    if (!splitUserInfoAndQuery(rest, query, out, error))
        return false;
    std::string_view path;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        path = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    if (!parseHostPort(rest, out.host, out.port, error))
        return false;
    if (!path.empty() && !parseInt(path, 0, 1 << 30, out.db)) {
        error = "invalid database number '" + std::string(path) + "' in redis URL (expected redis://host:port/N with N >= 0)";
        return false;
    }
    return parseQuery(query, out, error);
}

// "h1[:p1][,h2[:p2]...]" into out.endpoints; `what` names them in errors ("sentinel").
bool parseEndpoints(std::string_view rest, int defaultPort, std::string_view scheme, std::string_view what, RedisUrl& out,
                    std::string& error)
{
    const std::string form = std::string(scheme) + "://host[:port][,host[:port]...]";
    while (!rest.empty() || out.endpoints.empty()) {
        const auto comma = rest.find(',');
        RedisUrl::Endpoint endpoint;
        endpoint.port = defaultPort;
        if (!parseHostPort(rest.substr(0, comma), endpoint.host, endpoint.port, error)) {
            if (rest.substr(0, comma).empty())
                error = "the " + std::string(scheme) + " URL lists no " + std::string(what) + " (expected " + form + ")";
            return false;
        }
        out.endpoints.push_back(std::move(endpoint));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (comma != std::string_view::npos && rest.empty()) {
            error = "the " + std::string(scheme) + " URL has a ',' with no " + std::string(what) + " after it";
            return false;
        }
    }
    return true;
}

// h1[:p1][,h2[:p2]...]/MASTER[/db]
bool parseSentinel(std::string_view rest, RedisUrl& out, std::string& error)
{
    std::string_view query;
    if (!splitUserInfoAndQuery(rest, query, out, error))
        return false;
    const auto slash = rest.find('/');
    std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!parseEndpoints(rest, 26379, "redis+sentinel", "sentinel", out, error))
        return false;
    const std::string_view master = path.substr(0, path.find('/'));
    if (master.empty()) {
        error = "the sentinel URL names no master: write redis+sentinel://host:26379/MASTER (the name sentinel monitors)";
        return false;
    }
    if (!percentDecode(master, out.masterName)) {
        error = "the master name in the sentinel URL has a broken %-escape (write % as %25)";
        return false;
    }
    out.host.clear();
    out.port = 0;
    if (const auto dbSlash = path.find('/'); dbSlash != std::string_view::npos) {
        const std::string_view db = path.substr(dbSlash + 1);
        if (!parseInt(db, 0, 1 << 30, out.db)) {
            error = "invalid database number '" + std::string(db) + "' in redis URL (expected .../MASTER/N with N >= 0)";
            return false;
        }
    }
    return parseQuery(query, out, error);
}

// h1[:p1][,h2[:p2]...]: nodes to ask for the slot map. A cluster has database 0 only.
bool parseCluster(std::string_view rest, RedisUrl& out, std::string& error)
{
    std::string_view query;
    if (!splitUserInfoAndQuery(rest, query, out, error))
        return false;
    const auto slash = rest.find('/');
    const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!parseEndpoints(rest, 6379, "redis+cluster", "node", out, error))
        return false;
    out.host.clear();
    out.port = 0;
    if (!parseQuery(query, out, error))
        return false;
    if ((!path.empty() && path != "0") || out.db != 0) {
        error = "a Redis Cluster has only database 0: drop the database from the redis+cluster:// URL";
        return false;
    }
    return true;
}

bool parseUnix(std::string_view rest, RedisUrl& out, std::string& error)
{
    std::string_view query;
    if (const auto q = rest.rfind('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    // Userinfo, when present, sits before the absolute path: unix://:pw@/run/redis.sock.
    if (const auto at = rest.rfind("@/"); at != std::string_view::npos) {
        if (!parseUserInfo(rest.substr(0, at), out, error))
            return false;
        rest = rest.substr(at + 1);
    }
    if (rest.empty() || rest.front() != '/') {
        error = "a unix socket URL needs an absolute path: unix:///path/to/redis.sock";
        return false;
    }
    out.socketPath = std::string(rest);
    return parseQuery(query, out, error);
}

} // namespace

bool RedisUrl::parse(std::string_view text, RedisUrl& out, std::string& error)
{
    RedisUrl url;
    if (text.empty()) {
        error = "the redis URL is empty";
        return false;
    }
    if (!refuseWhitespace(text, error))
        return false;
    bool ok = false;
    if (startsWithNoCase(text, "redis://")) {
        url.kind = Kind::Tcp;
        ok = parseTcp(text.substr(8), url, error);
    } else if (startsWithNoCase(text, "rediss://")) {
        url.kind = Kind::Tcp;
        url.tls = true;
        ok = parseTcp(text.substr(9), url, error);
    } else if (startsWithNoCase(text, "redis+sentinel://") || startsWithNoCase(text, "rediss+sentinel://")) {
        url.kind = Kind::Sentinel;
        url.tls = startsWithNoCase(text, "rediss");
        ok = parseSentinel(text.substr(text.find("://") + 3), url, error);
    } else if (startsWithNoCase(text, "redis+cluster://") || startsWithNoCase(text, "rediss+cluster://")) {
        url.kind = Kind::Cluster;
        url.tls = startsWithNoCase(text, "rediss");
        ok = parseCluster(text.substr(text.find("://") + 3), url, error);
    } else if (startsWithNoCase(text, "unix://")) {
        url.kind = Kind::Unix;
        ok = parseUnix(text.substr(7), url, error);
    } else {
        const auto sep = text.find("://");
        if (sep != std::string_view::npos && sep < 16)
            error = "unsupported URL scheme '" + std::string(text.substr(0, sep))
                    + "': use redis://host:port, rediss://host:port (TLS) or unix:///path/to.sock";
        else
            error = "not a redis URL: expected redis://[user:password@]host[:port][/db] or unix:///path/to.sock";
    }
    if (!ok)
        return false;
    out = std::move(url);
    error.clear();
    return true;
}

RedisUrl RedisUrl::unixSocket(std::string path)
{
    RedisUrl url;
    url.kind = Kind::Unix;
    url.socketPath = std::move(path);
    return url;
}

namespace {
std::string hostPort(const std::string& host, int port)
{
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}
} // namespace

std::string RedisUrl::address() const
{
    if (kind == Kind::Unix)
        return socketPath;
    if (kind == Kind::Sentinel || kind == Kind::Cluster) {
        std::string list;
        for (const Endpoint& e : endpoints)
            list += (list.empty() ? "" : ",") + hostPort(e.host, e.port);
        return (kind == Kind::Sentinel ? "master " + masterName : std::string("cluster")) + " via " + list;
    }
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::string RedisUrl::format(std::string_view userInfo, Secrets secrets) const
{
    if (kind == Kind::Unix) {
        std::string s = "unix://" + std::string(userInfo) + socketPath;
        if (db != 0)
            s += "?db=" + std::to_string(db);
        return s;
    }
    std::string s;
    if (kind == Kind::Sentinel || kind == Kind::Cluster) {
        const bool sentinel = kind == Kind::Sentinel;
        s = std::string(tls ? "rediss" : "redis") + (sentinel ? "+sentinel://" : "+cluster://") + std::string(userInfo);
        for (std::size_t i = 0; i < endpoints.size(); ++i)
            s += (i ? "," : "") + hostPort(endpoints[i].host, endpoints[i].port);
        if (sentinel)
            s += '/' + percentEncode(masterName);
    } else {
        s = (tls ? "rediss://" : "redis://") + std::string(userInfo) + hostPort(host, port);
    }
    if (db != 0)
        s += '/' + std::to_string(db);
    std::string query;
    const auto add = [&query](std::string_view name, std::string_view value) {
        if (!value.empty())
            query += (query.empty() ? "?" : "&") + std::string(name) + '=' + percentEncode(value, "/:*");
    };
    add("tls-ca", tlsOptions.caFile);
    add("tls-cert", tlsOptions.certFile);
    add("tls-key", tlsOptions.keyFile);
    add("tls-server-name", tlsOptions.serverName);
    if (tlsOptions.insecure)
        add("tls-insecure", "1");
    const auto secret = [&](std::string_view name, const std::string& value) {
        if (secrets != Secrets::Omit)
            add(name, secrets == Secrets::Redact && !value.empty() ? std::string_view("***") : std::string_view(value));
    };
    secret("tls-key-passphrase", tlsOptions.keyPassphrase);
    add("sentinel-user", sentinelUser);
    secret("sentinel-password", sentinelPassword);
    return s + query;
}

std::string RedisUrl::redacted() const
{
    std::string userInfo;
    if (!user.empty() || !password.empty()) {
        userInfo = percentEncode(user);
        if (!password.empty())
            userInfo += ":***";
        userInfo += '@';
    }
    return format(userInfo, Secrets::Redact);
}

std::string RedisUrl::toString() const
{
    std::string userInfo;
    if (!user.empty() || !password.empty()) {
        // Always "user:password@", so that a password alone is not read as "password@"'s
        // user-less form with a different meaning, and an empty password stays empty.
        userInfo = percentEncode(user) + ':' + percentEncode(password) + '@';
    }
    return format(userInfo, Secrets::Reveal);
}

std::string RedisUrl::withoutCredentials() const { return format({}, Secrets::Omit); }

} // namespace shop::redis
