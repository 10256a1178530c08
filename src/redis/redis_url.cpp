// Parsing and printing of Redis URLs. Accepted forms:
//   redis://[[user]:password@]host[:port][/db]   host may be an IPv6 literal in brackets
//   redis://password@host                        (no colon: the whole userinfo is the
//                                                 password, as redis-cli reads it)
//   unix://[[user]:password@]/path/to.sock[?db=N]
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

std::string percentEncode(std::string_view in)
{
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
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

// "db=N" is the only option; used by unix:// URLs (and accepted by redis:// ones).
bool parseQuery(std::string_view query, RedisUrl& out, std::string& error)
{
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (item.empty())
            continue;
        if (item.substr(0, 3) == "db=") {
            if (!parseInt(item.substr(3), 0, 1 << 30, out.db)) {
                error = "invalid database number '" + std::string(item.substr(3)) + "' in redis URL (expected 0 or more)";
                return false;
            }
        } else {
            const std::string name(item.substr(0, item.find('=')));
            error = "unknown option '" + name + "' in redis URL (only db=N is understood)";
            return false;
        }
    }
    return true;
}

bool parseTcp(std::string_view rest, RedisUrl& out, std::string& error)
{
    // The last '@' ends the userinfo, so a password may contain '@', '/' or '?' unescaped
    // without its tail being taken for a host or a path.
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        if (!parseUserInfo(rest.substr(0, at), out, error))
            return false;
        rest = rest.substr(at + 1);
    }
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::string_view path;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        path = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }

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
    out.host = std::string(host);
    if (!port.empty() && !parseInt(port, 1, 65535, out.port)) {
        error = "invalid port '" + std::string(port) + "' in redis URL (expected 1-65535)";
        return false;
    }
    if (!path.empty() && !parseInt(path, 0, 1 << 30, out.db)) {
        error = "invalid database number '" + std::string(path) + "' in redis URL (expected redis://host:port/N with N >= 0)";
        return false;
    }
    return parseQuery(query, out, error);
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
    } else if (startsWithNoCase(text, "unix://")) {
        url.kind = Kind::Unix;
        ok = parseUnix(text.substr(7), url, error);
    } else if (startsWithNoCase(text, "rediss://")) {
        error = "TLS connections (rediss://) are not supported; use redis:// or unix://";
    } else {
        const auto sep = text.find("://");
        if (sep != std::string_view::npos && sep < 16)
            error = "unsupported URL scheme '" + std::string(text.substr(0, sep)) + "': use redis://host:port or unix:///path/to.sock";
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

std::string RedisUrl::address() const
{
    if (kind == Kind::Unix)
        return socketPath;
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::string RedisUrl::format(std::string_view userInfo) const
{
    if (kind == Kind::Unix) {
        std::string s = "unix://" + std::string(userInfo) + socketPath;
        if (db != 0)
            s += "?db=" + std::to_string(db);
        return s;
    }
    std::string s = "redis://" + std::string(userInfo);
    if (host.find(':') != std::string::npos)
        s += '[' + host + ']';
    else
        s += host;
    s += ':' + std::to_string(port);
    if (db != 0)
        s += '/' + std::to_string(db);
    return s;
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
    return format(userInfo);
}

std::string RedisUrl::toString() const
{
    std::string userInfo;
    if (!user.empty() || !password.empty()) {
        // Always "user:password@", so that a password alone is not read as "password@"'s
        // user-less form with a different meaning, and an empty password stays empty.
        userInfo = percentEncode(user) + ':' + percentEncode(password) + '@';
    }
    return format(userInfo);
}

std::string RedisUrl::withoutCredentials() const { return format({}); }

} // namespace shop::redis
