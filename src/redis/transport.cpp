// Sockets and TLS for Connection. Connect has its own timeout (a non-blocking connect and
// poll); after it the socket is blocking with SO_RCVTIMEO/SO_SNDTIMEO, as hiredis' own
// contexts are. TLS is OpenSSL's: the server's certificate chain and its name (or IP
// address) are verified unless the options say insecure, and every failure is put in words
// that name the problem (expired, not for this host, unknown CA, client certificate wanted).
#include "transport.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace shop::redis {

namespace {

// Waits for a non-blocking connect to finish; 0 on success, else the errno.
int finishConnect(int fd, int timeoutMs)
{
    pollfd p{fd, POLLOUT, 0};
    int rc;
    do {
        rc = ::poll(&p, 1, timeoutMs > 0 ? timeoutMs : -1);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return ETIMEDOUT;
    if (rc < 0)
        return errno;
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        return errno;
    return error;
}

// Connects `fd` to `address` within the timeout and makes it blocking; 0 or the errno.
int connectWithin(int fd, const sockaddr* address, socklen_t length, int timeoutMs)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return errno;
    int error = 0;
    if (::connect(fd, address, length) != 0)
        error = errno == EINPROGRESS ? finishConnect(fd, timeoutMs) : errno;
    if (error == 0 && ::fcntl(fd, F_SETFL, flags) != 0)
        error = errno;
    return error;
}

bool isIpAddress(const std::string& host)
{
    in6_addr address6;
    in_addr address4;
    return ::inet_pton(AF_INET, host.c_str(), &address4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &address6) == 1;
}

// The oldest error OpenSSL queued on this thread, in its words; the queue is emptied.
std::string sslQueueText(unsigned long* reason = nullptr)
{
    const unsigned long code = ERR_peek_error();
    if (reason)
        *reason = code ? ERR_GET_REASON(code) : 0;
    std::string text;
    if (code) {
        const char* why = ERR_reason_error_string(code);
        text = why ? why : "unknown TLS error";
    }
    ERR_clear_error();
    return text;
}

// A key's passphrase for OpenSSL: the options' string, never asked for on a terminal.
int passphrase(char* buffer, int size, int, void* userdata)
{
    const auto* text = static_cast<const std::string*>(userdata);
    if (!text || text->empty() || int(text->size()) >= size)
        return 0;
    std::memcpy(buffer, text->data(), text->size());
    return int(text->size());
}

std::string certificateProblem(long result, const std::string& name, const TlsOptions& options)
{
    const std::string why = X509_verify_cert_error_string(result);
    switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "the server's certificate is not for " + name
               + ": connect by a name or address it lists, or give the name it has with --tls-server-name (in the window: Server name)";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "the server's certificate has expired: the server needs a new one (or set the clock right)";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "the server's certificate is not valid yet: check the clock here and on the server";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return "the server's certificate is not signed by a trusted CA (" + why + "): "
               + (options.caFile.empty() ? std::string("give the CA that signed it with --tls-ca FILE (in the window: CA certificates)")
                                         : "the CA in " + options.caFile + " did not sign it; give the right one with --tls-ca FILE (in the window: CA certificates)");
    default:
        return "the server's certificate was not accepted: " + why;
    }
}

} // namespace

Transport::~Transport() { close(); }

Transport::Transport(Transport&& other) noexcept
    : fd_(other.fd_), sslContext_(other.sslContext_), ssl_(other.ssl_), failure_(other.failure_), error_(std::move(other.error_))
{
    other.fd_ = -1;
    other.sslContext_ = nullptr;
    other.ssl_ = nullptr;
}

Transport& Transport::operator=(Transport&& other) noexcept
{
    if (this != &other) {
        close();
        fd_ = other.fd_;
        sslContext_ = other.sslContext_;
        ssl_ = other.ssl_;
        failure_ = other.failure_;
        error_ = std::move(other.error_);
        other.fd_ = -1;
        other.sslContext_ = nullptr;
        other.ssl_ = nullptr;
    }
    return *this;
}

void Transport::close()
{
    if (ssl_) {
        SSL_free(ssl_); // no close_notify: the socket may be dead, and a write could block
        ssl_ = nullptr;
    }
    if (sslContext_) {
        SSL_CTX_free(sslContext_);
        sslContext_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

bool Transport::fail(Failure failure, std::string error)
{
    failure_ = failure;
    error_ = std::move(error);
    close();
    return false;
}

bool Transport::connectTcp(const std::string& host, int port, int timeoutMs)
{
    close();
    failure_ = Failure::None;
    error_.clear();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
        return fail(Failure::Unreachable, rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc));
    int error = 0;
    for (addrinfo* a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            error = errno;
            continue;
        }
        error = connectWithin(fd, a->ai_addr, a->ai_addrlen, timeoutMs);
        if (error == 0) {
            const int on = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
            fd_ = fd;
            break;
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
    if (fd_ < 0)
        return fail(Failure::Unreachable, error == ETIMEDOUT ? "Connection timed out" : std::strerror(error));
    return true;
}

bool Transport::connectUnix(const std::string& path, int timeoutMs)
{
    close();
    failure_ = Failure::None;
    error_.clear();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        return fail(Failure::Unreachable, "the socket path is too long");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(Failure::Unreachable, std::strerror(errno));
    if (const int error = connectWithin(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address, timeoutMs)) {
        ::close(fd);
        return fail(Failure::Unreachable, error == ETIMEDOUT ? "Connection timed out" : std::strerror(error));
    }
    fd_ = fd;
    return true;
}

bool Transport::setTimeout(int ms)
{
    if (fd_ < 0)
        return true;
    const timeval tv{ms / 1000, (ms % 1000) * 1000};
    if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0
        || ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        return failIo(errno, false);
    return true;
}

void releaseThreadTls() { OPENSSL_thread_stop(); }

bool Transport::startTls(const TlsOptions& options, const std::string& host, int timeoutMs)
{
    if (fd_ < 0)
        return fail(Failure::Closed, "not connected");
    // OpenSSL keeps state per thread (its error queue) and frees it from a thread-exit hook
    // that process exit can outrun: a thread that used TLS frees its own as it ends.
    struct ThreadState {
        ~ThreadState() { OPENSSL_thread_stop(); }
    };
    thread_local ThreadState threadState;
    (void)threadState;
    ERR_clear_error();
    sslContext_ = SSL_CTX_new(TLS_client_method());
    if (!sslContext_)
        return fail(Failure::Tls, "cannot set up TLS: " + sslQueueText());
    SSL_CTX_set_min_proto_version(sslContext_, TLS1_2_VERSION);
    if (options.insecure) {
        SSL_CTX_set_verify(sslContext_, SSL_VERIFY_NONE, nullptr);
    } else {
        const bool loaded = options.caFile.empty() ? SSL_CTX_set_default_verify_paths(sslContext_) == 1
                                                   : SSL_CTX_load_verify_locations(sslContext_, options.caFile.c_str(), nullptr) == 1;
        if (!loaded)
            return fail(Failure::Tls, options.caFile.empty() ? "cannot load the system's CA certificates: " + sslQueueText()
                                                             : "cannot read the CA file " + options.caFile + ": " + sslQueueText());
        SSL_CTX_set_verify(sslContext_, SSL_VERIFY_PEER, nullptr);
    }
    if (!options.certFile.empty() || !options.keyFile.empty()) {
        if (options.certFile.empty() || options.keyFile.empty())
            return fail(Failure::Tls, "a client certificate needs both --tls-cert FILE and --tls-key FILE (in the window: Client certificate and Client key)");
        SSL_CTX_set_default_passwd_cb(sslContext_, passphrase);
        SSL_CTX_set_default_passwd_cb_userdata(sslContext_, const_cast<std::string*>(&options.keyPassphrase));
        if (SSL_CTX_use_certificate_chain_file(sslContext_, options.certFile.c_str()) != 1)
            return fail(Failure::Tls, "cannot read the client certificate " + options.certFile + ": " + sslQueueText());
        if (SSL_CTX_use_PrivateKey_file(sslContext_, options.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)
            return fail(Failure::Tls, "cannot read the client key " + options.keyFile + ": " + sslQueueText()
                                          + (options.keyPassphrase.empty() ? " (if it has a passphrase, give it)" : ""));
        if (SSL_CTX_check_private_key(sslContext_) != 1)
            return fail(Failure::Tls, "the client key " + options.keyFile + " does not belong to the certificate " + options.certFile);
    }
    ssl_ = SSL_new(sslContext_);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1)
        return fail(Failure::Tls, "cannot set up TLS: " + sslQueueText());
    const std::string name = options.serverName.empty() ? host : options.serverName;
    if (!isIpAddress(name))
        SSL_set_tlsext_host_name(ssl_, name.c_str());
    if (!options.insecure) {
        const bool named = isIpAddress(name) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str()) == 1
                                             : SSL_set1_host(ssl_, name.c_str()) == 1;
        if (!named)
            return fail(Failure::Tls, "cannot check the server's certificate against '" + name + "'");
    }
    if (!setTimeout(timeoutMs))
        return false;
    const int rc = SSL_connect(ssl_);
    if (rc == 1)
        return true;
    if (const long verified = SSL_get_verify_result(ssl_); verified != X509_V_OK && !options.insecure) {
        ERR_clear_error();
        return fail(Failure::Tls, certificateProblem(verified, name, options));
    }
    failSsl(rc, true);
    if (failure_ == Failure::Timeout) // a plain port reads the hello as a half command, and waits
        return fail(Failure::Tls, "no TLS handshake within " + std::to_string(timeoutMs)
                                      + " ms: the server does not speak TLS on this port, it seems (plain ports take redis://)");
    return false;
}

bool Transport::failIo(int errnoValue, bool reading)
{
    if (errnoValue == EAGAIN || errnoValue == EWOULDBLOCK || errnoValue == ETIMEDOUT)
        return fail(Failure::Timeout, reading ? "no reply in time" : "could not send in time");
    if (errnoValue == ECONNRESET || errnoValue == EPIPE || errnoValue == 0)
        return fail(Failure::Closed, errnoValue == 0 ? "Server closed the connection" : std::strerror(errnoValue));
    return fail(Failure::Closed, std::strerror(errnoValue));
}

bool Transport::failSsl(int result, bool reading)
{
    const int savedErrno = errno;
    const int kind = SSL_get_error(ssl_, result);
    unsigned long reason = 0;
    const std::string text = sslQueueText(&reason);
    switch (kind) {
    case SSL_ERROR_ZERO_RETURN:
        return fail(Failure::Closed, "Server closed the connection");
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return failIo(EAGAIN, reading);
    case SSL_ERROR_SYSCALL:
        if (text.empty())
            return failIo(savedErrno, reading);
        break;
    default:
        break;
    }
    switch (reason) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
        return fail(Failure::Tls, "the server wants a client certificate (" + text + "): give --tls-cert FILE and --tls-key FILE (in the window: Client certificate and Client key)");
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
        return fail(Failure::Tls, "the server did not accept the client certificate (" + text + ")");
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
        return fail(Failure::Tls, "the server does not speak TLS on this port (" + text + "): use redis:// for it, or its TLS port");
    default:
        break;
    }
    if (kind == SSL_ERROR_SYSCALL && savedErrno == 0 && !reading)
        return fail(Failure::Closed, "Server closed the connection");
    return fail(Failure::Tls, text.empty() ? "the TLS connection failed" : "TLS failed: " + text);
}

bool Transport::writeAll(const char* data, std::size_t size)
{
    while (size > 0) {
        if (fd_ < 0)
            return fail(Failure::Closed, "not connected");
        if (ssl_) {
            ERR_clear_error();
            const int chunk = size > (1u << 30) ? (1 << 30) : int(size);
            const int rc = SSL_write(ssl_, data, chunk);
            if (rc <= 0)
                return failSsl(rc, false);
            data += rc;
            size -= std::size_t(rc);
            continue;
        }
        const ssize_t rc = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return failIo(errno, false);
        }
        data += rc;
        size -= std::size_t(rc);
    }
    return true;
}

std::size_t Transport::readSome(char* buffer, std::size_t capacity)
{
    if (fd_ < 0) {
        fail(Failure::Closed, "not connected");
        return 0;
    }
    if (ssl_) {
        ERR_clear_error();
        const int rc = SSL_read(ssl_, buffer, capacity > (1u << 30) ? (1 << 30) : int(capacity));
        if (rc > 0)
            return std::size_t(rc);
        failSsl(rc, true);
        return 0;
    }
    for (;;) {
        const ssize_t rc = ::recv(fd_, buffer, capacity, 0);
        if (rc > 0)
            return std::size_t(rc);
        if (rc < 0 && errno == EINTR)
            continue;
        failIo(rc == 0 ? 0 : errno, true);
        return 0;
    }
}

} // namespace shop::redis
