// What went wrong with Redis, as a kind that code can decide on; the words for people stay
// in the error text beside it (Connection::error(), AppendResult::error). Deciding by
// matching words breaks the day a message changes, so Redis's replies are read here once.
#pragma once

#include <string_view>

namespace shop::redis {

enum class ErrorKind {
    None,
    Unreachable,      // no connection could be made (refused, no socket, unknown host)
    Timeout,          // connected, but the server did not answer in time
    Closed,           // the connection broke or was never made (server stopped, reset)
    Tls,              // TLS refused: certificate not trusted, not for this host, expired; client certificate wanted
    AuthRefused,      // WRONGPASS, or a password given to a server that has none
    PasswordRequired, // NOAUTH: the server wants a password and none was given
    PermissionDenied, // NOPERM: the ACL user may not run this (also inside a script)
    ReadOnlyReplica,  // READONLY: a replica, which takes no writes
    Loading,          // LOADING: the server is still loading its data set
    Misconf,          // MISCONF: the server cannot persist to disk and refuses writes
    OutOfMemory,      // OOM: maxmemory reached with noeviction
    WrongType,        // WRONGTYPE: the key holds another type
    NoScript,         // NOSCRIPT: the script cache does not hold this sha
    ViewOnly,         // not sent: the connection is in viewer mode, which writes nothing
    NoHashTag,        // not sent: a write to a cluster stream whose key has no {hash tag}
    Moved,            // MOVED or ASK: another node of the cluster serves the key's slot
    Other,
};

// The kind of a Redis error reply ("-NOPERM ...", "-ERR ..."), read from its error code.
ErrorKind classifyErrorReply(std::string_view text);

// Wrong or missing credentials (a password, or a certificate on either side): retrying with
// the same URL cannot help.
bool isCredentialFailure(ErrorKind kind);

// The enumerator's name ("Misconf"), for logs and test output.
const char* errorKindName(ErrorKind kind);

} // namespace shop::redis
