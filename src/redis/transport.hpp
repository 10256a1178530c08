// The byte stream under a Redis connection: a TCP or unix socket, with TLS (OpenSSL) over TCP
// when asked. Blocking, with timeouts; used by one thread at a time. It knows nothing of
// RESP: Connection formats commands and parses replies with hiredis' own formatter and
// reader on top of it, the same over every transport.
#pragma once

#include "redis_url.hpp"

#include <cstddef>
#include <string>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace shop::redis {

class Transport {
public:
    // Why the last call failed, for Connection to choose its words and ErrorKind.
    enum class Failure {
        None,
        Unreachable, // no connection (refused, no socket, unknown host, connect timed out)
        Timeout,     // connected, but nothing came (or could be sent) within the timeout
        Closed,      // the peer closed or reset the connection
        Tls,         // the TLS handshake or a TLS record failed (certificate, alert, not TLS)
    };

    Transport() = default;
    ~Transport();
    Transport(Transport&& other) noexcept;
    Transport& operator=(Transport&& other) noexcept;
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // Opens the socket (the host may be a name, an IPv4 or an IPv6 address).
    bool connectTcp(const std::string& host, int port, int timeoutMs);
    bool connectUnix(const std::string& path, int timeoutMs);
    // Runs the TLS handshake over the open TCP socket. `host` is the name or address the
    // certificate must be for, unless options.serverName says another.
    bool startTls(const TlsOptions& options, const std::string& host, int timeoutMs);

    // Read and write timeout in ms (0: none).
    bool setTimeout(int ms);
    bool writeAll(const char* data, std::size_t size);
    // Some bytes, at least one; 0 on failure (failure(), error()).
    std::size_t readSome(char* buffer, std::size_t capacity);

    bool isOpen() const { return fd_ >= 0; }
    bool isTls() const { return ssl_ != nullptr; }
    void close();

    Failure failure() const { return failure_; }
    // The reason in words, without hints: "Connection refused", "the server's certificate
    // has expired (...)". Connection adds where and what to do.
    const std::string& error() const { return error_; }

private:
    bool fail(Failure failure, std::string error); // closes; false
    bool failIo(int errnoValue, bool reading);     // a socket error in words
    bool failSsl(int result, bool reading);        // an SSL_* call's failure in words

    int fd_ = -1;
    SSL_CTX* sslContext_ = nullptr;
    SSL* ssl_ = nullptr;
    Failure failure_ = Failure::None;
    std::string error_;
};

// Frees what OpenSSL keeps for the calling thread (its error queue), as a thread that used
// TLS ends. A thread_local does it too, but only after the thread's QThread::wait() has
// returned, which a process exiting right after can outrun. Safe to call more than once;
// OpenSSL sets the state up again should the thread use it later.
void releaseThreadTls();

} // namespace shop::redis
