// The managed local redis-server used when no --redis URL is given (DESIGN section 4): a
// redis-server from PATH with AOF on and a unix socket under the user's data directory.
// Processes that use it share one server; when the last one goes (even killed), a small
// guardian shuts it down, so nothing is left running that nobody owns.
#pragma once

#include "redis_url.hpp"

#include <string>
#include <vector>

namespace shop::redis {

class LocalServer {
public:
    // dataDir empty: $XDG_DATA_HOME/shopstream/redis (or ~/.local/share/shopstream/redis).
    explicit LocalServer(std::string dataDir = {});
    ~LocalServer(); // releases this process's share; the last one out stops the server
    LocalServer(const LocalServer&) = delete;
    LocalServer& operator=(const LocalServer&) = delete;

    // Joins the running server or starts one. False with error() on failure.
    bool start(int readyTimeoutMs = 10000);
    RedisUrl url() const;
    const std::string& dataDir() const { return dataDir_; }
    const std::string& socketPath() const { return socketPath_; }
    const std::string& error() const { return error_; }
    // What start() changed and a user should hear once (a data directory made private).
    const std::vector<std::string>& notices() const { return notices_; }
    bool startedByUs() const { return startedByUs_; }

    static std::string defaultDataDir();

private:
    // Spawns the guardian `command` unless one is alive (fresh: we just started the server).
    bool ensureGuardian(const std::vector<std::string>& command, bool fresh);

    std::string dataDir_;
    std::string socketPath_;
    std::string error_;
    std::vector<std::string> notices_;
    int clientsLockFd_ = -1;
    bool startedByUs_ = false;
};

} // namespace shop::redis
