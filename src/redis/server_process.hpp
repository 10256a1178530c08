// Starting redis-server, in one place for the three that do it: the managed local server
// (local_server.cpp, a daemon shared by the user's processes), the bench's private server
// and the test fixtures (a child each). Where redis-server is, what it is told, how it is
// spawned, and a child server this process owns. No Qt.
#pragma once

#include "redis_url.hpp"

#include <string>
#include <vector>

#include <sys/types.h>

namespace shop::redis {

// The absolute path of an executable found on PATH, or empty.
std::string findOnPath(const std::string& name);

struct ServerConfig {
    std::string dir{};        // --dir: where its data (and a child's redis.log) go
    std::string socketPath{}; // --unixsocket, mode 0700; empty: none
    int port = 0;             // 0: no TCP; else --port on 127.0.0.1 only
    bool appendOnly = false;  // AOF with appendfsync everysec; never RDB save points
    bool daemonize = false;
    std::vector<std::string> extraArgs{}; // appended last, so they win
    std::string configFile{}; // read first (a sentinel's: it must be writable); empty: none
    bool sentinel = false;    // --sentinel: a Redis Sentinel, not a data server
};

// redis-server's arguments for `config`, without the program name.
std::vector<std::string> serverArguments(const ServerConfig& config);

struct SpawnOptions {
    int outputFd = -1;          // stdout and stderr; -1: /dev/null
    int inheritFd = -1;         // passed down as fd 3 (a lock the child keeps); -1: none
    bool dieWithParent = false; // SIGKILL when the spawning thread ends, even killed (setpriv)
};

// Spawns argv (argv[0] an absolute path) with a clean signal state, stdin on /dev/null and
// no fds of ours but SpawnOptions::inheritFd.
bool spawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options, pid_t& pid, std::string& error);

// A redis-server that is a child of this process: in the foreground, logging to
// ServerConfig::dir/redis.log, killed with the thread that started it. start() returns once
// it answers (any reply, NOAUTH too) or with error(); the destructor stops it.
class ServerProcess {
public:
    ServerProcess() = default;
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    bool start(const ServerConfig& config, int readyTimeoutMs = 10000);
    void stop();            // SIGCONT (a paused one), SIGTERM, then SIGKILL after 10 s
    void kill();            // SIGKILL, as in a crash
    bool signal(int sig);   // false when it does not run
    bool running();         // reaps it when it has exited
    pid_t pid() const { return pid_; }
    const std::string& error() const { return error_; }
    std::string logPath() const { return config_.dir + "/redis.log"; }
    RedisUrl url() const;   // the unix socket if it has one, else 127.0.0.1:port

private:
    bool waitExit(int timeoutMs);

    ServerConfig config_;
    pid_t pid_ = -1;
    std::string error_;
};

// The last `lines` lines of a log file, joined with " | " (for one-line error messages).
std::string logTail(const std::string& path, int lines = 5);

} // namespace shop::redis
