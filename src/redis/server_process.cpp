// Starting redis-server (see the header). posix_spawn rather than fork: the processes that
// start servers run threads (Qt's, the tests' helpers), and a forked child of a threaded
// process may do almost nothing before exec. A child that must die with us is spawned
// through setpriv --pdeathsig KILL, which sets PR_SET_PDEATHSIG and execs redis-server.
#include "server_process.hpp"

#include "connection.hpp"
#include "error_kind.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace shop::redis {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kInheritedFd = 3;

std::string errnoText(int err) { return std::strerror(err); }

} // namespace

std::string findOnPath(const std::string& name)
{
    const char* env = std::getenv("PATH");
    const std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t begin = 0;
    while (begin <= path.size()) {
        std::size_t end = path.find(':', begin);
        if (end == std::string::npos)
            end = path.size();
        std::string dir = path.substr(begin, end - begin);
        if (dir.empty())
            dir = "."; // an empty PATH entry means the current directory
        const std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            if (candidate.front() == '/')
                return candidate;
            char cwd[4096];
            if (::getcwd(cwd, sizeof cwd))
                return std::string(cwd) + "/" + candidate;
        }
        begin = end + 1;
    }
    return {};
}

std::vector<std::string> serverArguments(const ServerConfig& config)
{
    std::vector<std::string> args;
    if (!config.configFile.empty())
        args.push_back(config.configFile);
    if (config.sentinel)
        args.push_back("--sentinel");
    args.insert(args.end(), {"--port", std::to_string(config.port)});
    if (config.port != 0)
        args.insert(args.end(), {"--bind", "127.0.0.1"});
    if (!config.socketPath.empty())
        args.insert(args.end(), {"--unixsocket", config.socketPath, "--unixsocketperm", "700"});
    args.insert(args.end(), {"--dir", config.dir, "--save", "", "--appendonly", config.appendOnly ? "yes" : "no"});
    if (config.appendOnly)
        args.insert(args.end(), {"--appendfsync", "everysec"});
    args.insert(args.end(), {"--daemonize", config.daemonize ? "yes" : "no"});
    args.insert(args.end(), config.extraArgs.begin(), config.extraArgs.end());
    return args;
}

bool spawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options, pid_t& pid, std::string& error)
{
    std::vector<std::string> args;
    if (options.dieWithParent) {
        const std::string setpriv = findOnPath("setpriv");
        if (setpriv.empty()) {
            error = "setpriv was not found on PATH: install the util-linux package";
            return false;
        }
        args = {setpriv, "--pdeathsig", "KILL", "--"};
    }
    args.insert(args.end(), argv.begin(), argv.end());

    // adddup2 onto the same number would keep O_CLOEXEC on some libcs: start from a copy.
    int inherited = -1;
    if (options.inheritFd >= 0) {
        inherited = ::fcntl(options.inheritFd, F_DUPFD_CLOEXEC, 10);
        if (inherited < 0) {
            error = "cannot duplicate a lock file descriptor: " + errnoText(errno);
            return false;
        }
    }

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);

    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (options.outputFd >= 0)
        posix_spawn_file_actions_adddup2(&actions, options.outputFd, 1);
    else
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (inherited >= 0)
        posix_spawn_file_actions_adddup2(&actions, inherited, kInheritedFd);
    posix_spawn_file_actions_addclosefrom_np(&actions, inherited >= 0 ? kInheritedFd + 1 : kInheritedFd);

    // Whatever this process blocks or ignores (a GUI may ignore SIGPIPE) is not for them.
    sigset_t mask;
    sigemptyset(&mask);
    posix_spawnattr_setsigmask(&attr, &mask);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> pointers;
    for (const std::string& arg : args)
        pointers.push_back(const_cast<char*>(arg.c_str()));
    pointers.push_back(nullptr);

    const int rc = ::posix_spawn(&pid, pointers[0], &actions, &attr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (inherited >= 0)
        ::close(inherited);
    if (rc != 0) {
        error = "cannot start " + argv.front() + ": " + errnoText(rc);
        return false;
    }
    return true;
}

std::string logTail(const std::string& path, int lines)
{
    std::ifstream in(path);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty())
            all.push_back(std::move(line));
    }
    std::string tail;
    for (std::size_t i = all.size() > std::size_t(lines) ? all.size() - lines : 0; i < all.size(); ++i)
        tail += (tail.empty() ? "" : " | ") + all[i];
    return tail;
}

// ---- ServerProcess ------------------------------------------------------------------------

ServerProcess::~ServerProcess() { stop(); }

RedisUrl ServerProcess::url() const
{
    if (!config_.socketPath.empty())
        return RedisUrl::unixSocket(config_.socketPath);
    RedisUrl url;
    url.host = "127.0.0.1";
    url.port = config_.port;
    return url;
}

bool ServerProcess::start(const ServerConfig& config, int readyTimeoutMs)
{
    error_.clear();
    if (running())
        return true;
    config_ = config;
    config_.daemonize = false;
    const std::string redisServer = findOnPath("redis-server");
    if (redisServer.empty()) {
        error_ = "redis-server was not found on PATH: install the redis-server package";
        return false;
    }
    const int log = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (log < 0) {
        error_ = "cannot open " + logPath() + ": " + errnoText(errno);
        return false;
    }
    std::vector<std::string> argv = {redisServer};
    const std::vector<std::string> args = serverArguments(config_);
    argv.insert(argv.end(), args.begin(), args.end());
    const bool spawned = spawnProcess(argv, {.outputFd = log, .dieWithParent = true}, pid_, error_);
    ::close(log);
    if (!spawned) {
        pid_ = -1;
        return false;
    }

    // Any reply, even NOAUTH from a server with a password, means it is ready.
    const auto deadline = Clock::now() + std::chrono::milliseconds(readyTimeoutMs);
    while (Clock::now() < deadline) {
        if (!running()) {
            error_ = "redis-server exited at start; log: " + logTail(logPath());
            return false;
        }
        Connection probe;
        if (probe.connect(url(), {.connectTimeoutMs = 500, .commandTimeoutMs = 1000}) || isCredentialFailure(probe.errorKind()))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    error_ = "redis-server did not answer PING within " + std::to_string(readyTimeoutMs / 1000) + " s; log: " + logTail(logPath());
    kill();
    return false;
}

bool ServerProcess::running()
{
    if (pid_ <= 0)
        return false;
    int status = 0;
    const pid_t rc = ::waitpid(pid_, &status, WNOHANG);
    if (rc == 0)
        return true;
    if (rc == pid_ || (rc < 0 && errno == ECHILD))
        pid_ = -1;
    return pid_ > 0;
}

bool ServerProcess::signal(int sig) { return running() && ::kill(pid_, sig) == 0; }

bool ServerProcess::waitExit(int timeoutMs)
{
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    while (running()) {
        if (Clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

void ServerProcess::stop()
{
    if (!running())
        return;
    ::kill(pid_, SIGCONT); // a paused server would never see SIGTERM
    ::kill(pid_, SIGTERM);
    if (!waitExit(10000))
        kill();
}

void ServerProcess::kill()
{
    if (!running())
        return;
    ::kill(pid_, SIGKILL);
    waitExit(5000);
}

} // namespace shop::redis
