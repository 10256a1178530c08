// Reading Redis error replies into kinds. Redis puts a code first ("NOPERM this user has no
// permissions ..."); the few refusals that come as a plain "ERR" are told apart by the
// sentence Redis 6 and 7 use for them.
#include "error_kind.hpp"

namespace shop::redis {

namespace {
bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
} // namespace

ErrorKind classifyErrorReply(std::string_view text)
{
    const std::string_view code = text.substr(0, text.find(' '));
    if (code == "WRONGPASS")
        return ErrorKind::AuthRefused;
    if (code == "NOAUTH")
        return ErrorKind::PasswordRequired;
    if (code == "NOPERM")
        return ErrorKind::PermissionDenied;
    if (code == "READONLY")
        return ErrorKind::ReadOnlyReplica;
    if (code == "LOADING")
        return ErrorKind::Loading;
    if (code == "MISCONF")
        return ErrorKind::Misconf;
    if (code == "OOM")
        return ErrorKind::OutOfMemory;
    if (code == "WRONGTYPE")
        return ErrorKind::WrongType;
    if (code == "NOSCRIPT")
        return ErrorKind::NoScript;
    if (code == "VIEWONLY") // Connection's own refusal in viewer mode, never the server's
        return ErrorKind::ViewOnly;
    if (code == "NOHASHTAG") // Connection's own refusal likewise
        return ErrorKind::NoHashTag;
    if (code == "MOVED" || code == "ASK")
        return ErrorKind::Moved;
    if (code == "ERR") {
        // AUTH before Redis 6 ("invalid password"), and AUTH to a server without a password.
        if (startsWith(text, "ERR invalid password") || startsWith(text, "ERR invalid username")
            || contains(text, "called without any password configured"))
            return ErrorKind::AuthRefused;
        // Redis 7.0 reports an ACL refusal inside a script without the NOPERM code.
        if (contains(text, "can't run this command"))
            return ErrorKind::PermissionDenied;
    }
    return ErrorKind::Other;
}

bool isCredentialFailure(ErrorKind kind)
{
    return kind == ErrorKind::AuthRefused || kind == ErrorKind::PasswordRequired || kind == ErrorKind::Tls;
}

const char* errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None: return "None";
    case ErrorKind::Unreachable: return "Unreachable";
    case ErrorKind::Timeout: return "Timeout";
    case ErrorKind::Closed: return "Closed";
    case ErrorKind::Tls: return "Tls";
    case ErrorKind::AuthRefused: return "AuthRefused";
    case ErrorKind::PasswordRequired: return "PasswordRequired";
    case ErrorKind::PermissionDenied: return "PermissionDenied";
    case ErrorKind::ReadOnlyReplica: return "ReadOnlyReplica";
    case ErrorKind::Loading: return "Loading";
    case ErrorKind::Misconf: return "Misconf";
    case ErrorKind::OutOfMemory: return "OutOfMemory";
    case ErrorKind::WrongType: return "WrongType";
    case ErrorKind::NoScript: return "NoScript";
    case ErrorKind::ViewOnly: return "ViewOnly";
    case ErrorKind::NoHashTag: return "NoHashTag";
    case ErrorKind::Moved: return "Moved";
    case ErrorKind::Other: return "Other";
    }
    return "Other";
}

} // namespace shop::redis
