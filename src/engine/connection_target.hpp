// Where the programs connect: a --redis URL, or the managed local server when none is
// given. The managed server is joined (or started) here and held for the process's life.
#pragma once

#include "redis/local_server.hpp"
#include "redis/redis_url.hpp"

#include <QString>

#include <memory>
#include <string>
#include <vector>

namespace shop::redis {
class Connection;
}

namespace shop::engine {

class ConnectionTarget {
public:
    // urlText empty: the managed local server (dataDir empty: the user's data directory;
    // the SHOPSTREAM_DATA_DIR environment variable overrides it).
    // A password missing from the URL is taken from SHOPSTREAM_REDIS_PASSWORD, so that it
    // need not appear on a command line.
    bool resolve(const QString& urlText, const QString& dataDir = {});
    const redis::RedisUrl& url() const { return url_; }
    bool isManaged() const { return local_ != nullptr; }
    // For status lines: the URL without password or TLS files, and "(TLS)" or "(TLS, not
    // verified)"; or "local server (path)".
    QString describe() const;
    // For rediss:// with verification off: the warning to give on every start ("" otherwise).
    QString insecureWarning() const;
    const QString& error() const { return error_; }

    // What the user should hear once after connecting, one sentence each: what starting the
    // managed server changed (a data directory made private), and redis::serverWarnings()
    // of the server behind `connection` (it cannot write to its disk; it evicts keys).
    // Asks the server (PING, CONFIG GET): call it on the connection's own thread.
    std::vector<std::string> warnings(redis::Connection& connection) const;

private:
    redis::RedisUrl url_;
    std::shared_ptr<redis::LocalServer> local_;
    QString error_;
};

} // namespace shop::engine
