// The managed local redis-server (DESIGN section 4): started from PATH on first use, shared
// by every shopstream process of the user, stopped when the last one is gone (even killed).
//
// Design. Everything lives in one 0700 data directory:
//   redis.sock       the server's unix socket (0700; no TCP, no password)
//   appendonlydir/   AOF (appendfsync everysec), so data survives restarts
//   redis.pid/.log   written by redis-server; the log also receives its early stderr
//   clients.lock     each LocalServer holds a SHARED flock on it for its whole life
//   server.lock      EXCLUSIVE while one process checks for / starts the server
//   instance.lock    EXCLUSIVE, held by the running redis-server itself (inherited fd)
//   guardian.lock    EXCLUSIVE, held by the running guardian itself (inherited fd)
//
// start(): take clients.lock shared, then server.lock exclusive (always in this order).
// If PING on the socket answers, join. Otherwise take instance.lock: it is free only when
// no redis-server of an earlier instance is still alive (one that is shutting down, or
// one whose socket vanished), so two servers never share the AOF directory and there is no
// pid file to trust or pid reuse to fear. Then remove a stale socket and spawn
// `redis-server --daemonize yes ...` with instance.lock passed down as fd 3; the daemon
// keeps it until it exits. Then make sure a guardian runs and wait for PONG.
//
// The guardian is `setsid -f flock -x clients.lock timeout 60 redis-cli -s redis.sock
// shutdown`, detached (own session, stdio on /dev/null, reparented away from us). It
// blocks until no LocalServer holds clients.lock, i.e. all clients have exited or were
// killed (the kernel drops their locks), then shuts the server down (SHUTDOWN fsyncs the
// AOF and removes the socket). While it holds clients.lock exclusively a new client waits
// for its shared lock, so a new client never joins a server that is being shut down; it
// then finds the server gone and waits on instance.lock before starting a new one. The
// guardian never touches server.lock, so it cannot deadlock with a starter.
// A guardian is spawned right after the server (before it is ready, so a starter killed
// while the AOF loads still leaves someone to stop it), and also by a joiner that finds
// guardian.lock free (a guardian that was killed, or a starter killed in between). Each
// spawn recreates guardian.lock, so the lock of an old guardian that is just exiting
// (its clients.lock already released) is never mistaken for a live one.
//
// Every lock fd is O_CLOEXEC: a redis-server or guardian inheriting clients.lock would
// hold the shared lock forever. Only the two locks meant for a child are passed, as fd 3.
// ~LocalServer() only releases the shared lock: the guardian does the stopping.
#include "local_server.hpp"

#include "connection.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace shop::redis {

namespace {
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
constexpr int kInheritedFd = 3; // where a child finds the lock it is meant to keep
constexpr const char* kShutdownTimeoutSeconds = "60";

// An owned file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept
    {
        if (this != &other)
            reset(other.release());
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release()
    {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1)
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

std::string errnoText(int err) { return std::strerror(err); }

void sleepBriefly(int& pollMs)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(pollMs));
    pollMs = std::min(pollMs * 2, 50);
}

// mkdir -p; directories created here get 0700 (XDG base dirs and our socket dir).
bool makeDirs(const std::string& path, std::string& error)
{
    for (std::size_t pos = 1; pos <= path.size(); ++pos) {
        if (pos != path.size() && path[pos] != '/')
            continue;
        const std::string part = path.substr(0, pos);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
            error = "cannot create the directory " + part + ": " + errnoText(errno);
            return false;
        }
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        error = path + " is not a directory";
        return false;
    }
    return true;
}

// The absolute path of an executable found on PATH, or empty.
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

Fd openLockFile(const std::string& path, std::string& error)
{
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
    if (!fd.valid())
        error = "cannot open " + path + ": " + errnoText(errno);
    return fd;
}

// One non-blocking flock attempt: true when taken, false when someone else holds it.
bool tryLock(int fd, int operation)
{
    while (::flock(fd, operation | LOCK_NB) != 0) {
        if (errno != EINTR)
            return false;
    }
    return true;
}

// flock with a deadline (flock itself cannot time out).
bool lockBefore(int fd, int operation, Clock::time_point deadline)
{
    int pollMs = 2;
    while (!tryLock(fd, operation)) {
        if (Clock::now() >= deadline)
            return false;
        sleepBriefly(pollMs);
    }
    return true;
}

enum class Probe { Ready, Loading, Down, Foreign };

// PINGs the socket. Foreign: something answers, but not like our password-less server.
Probe probe(const std::string& socketPath, std::string& answer)
{
    Connection connection;
    if (!connection.connect(RedisUrl::unixSocket(socketPath), {.connectTimeoutMs = 1000, .commandTimeoutMs = 2000}))
        return Probe::Down;
    const Reply reply = connection.command({"PING"});
    if (!reply)
        return Probe::Down;
    answer = std::string(reply.str());
    if (reply.isError())
        return answer.starts_with("LOADING") ? Probe::Loading : Probe::Foreign;
    return answer == "PONG" ? Probe::Ready : Probe::Foreign;
}

// Spawns argv (argv[0] an absolute path) with a clean signal state, stdin on /dev/null,
// stdout and stderr appended to `outputPath`, no fds but `inheritFd` (as fd 3).
bool spawn(const std::vector<std::string>& args, const std::string& outputPath, int inheritFd, pid_t& pid,
           std::string& error)
{
    // adddup2 onto the same number would keep O_CLOEXEC on some libcs: start from a copy.
    Fd inherited;
    if (inheritFd >= 0) {
        inherited.reset(::fcntl(inheritFd, F_DUPFD_CLOEXEC, 10));
        if (!inherited.valid()) {
            error = "cannot duplicate a lock file descriptor: " + errnoText(errno);
            return false;
        }
    }

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);

    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, outputPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (inherited.valid())
        posix_spawn_file_actions_adddup2(&actions, inherited.get(), kInheritedFd);
    posix_spawn_file_actions_addclosefrom_np(&actions, inherited.valid() ? kInheritedFd + 1 : kInheritedFd);

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

    std::vector<char*> argv;
    for (const std::string& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    const int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        error = "cannot start " + args[0] + ": " + errnoText(rc);
        return false;
    }
    return true;
}

// Waits for a child that exits right away (a daemonizing parent); its exit status or -1.
int waitExitStatus(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno == ECHILD)
            return 0; // SIGCHLD ignored or reaped elsewhere: the PING / lock checks still tell
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The last non-empty line of redis.log (which only grows), for error messages.
std::string lastLogLine(const std::string& path)
{
    std::ifstream in(path);
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(size > 4096 ? size - 4096 : 0);
    std::string line, last;
    while (std::getline(in, line)) {
        if (!line.empty())
            last = line;
    }
    return last;
}

std::string readPid(const std::string& path)
{
    std::ifstream in(path);
    std::string pid;
    in >> pid;
    return pid.empty() ? "unknown" : pid;
}
} // namespace

LocalServer::LocalServer(std::string dataDir) : dataDir_(std::move(dataDir)) {}

LocalServer::~LocalServer()
{
    if (clientsLockFd_ >= 0)
        ::close(clientsLockFd_);
}

std::string LocalServer::defaultDataDir()
{
    // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
    const char* xdg = std::getenv("XDG_DATA_HOME");
    if (xdg && xdg[0] == '/')
        return std::string(xdg) + "/shopstream/redis";
    const char* home = std::getenv("HOME");
    if (!home || home[0] != '/') {
        const passwd* pw = ::getpwuid(::getuid());
        home = pw ? pw->pw_dir : nullptr;
    }
    if (!home || home[0] != '/')
        return {};
    return std::string(home) + "/.local/share/shopstream/redis";
}

bool LocalServer::start(int readyTimeoutMs)
{
    if (clientsLockFd_ >= 0)
        return true;
    error_.clear();
    startedByUs_ = false;
    const auto fail = [this](std::string message) {
        error_ = std::move(message);
        return false;
    };

    if (dataDir_.empty())
        dataDir_ = defaultDataDir();
    if (dataDir_.empty())
        return fail("cannot tell where to keep the local Redis data (HOME is not set): pass --redis URL");
    if (dataDir_.front() != '/') {
        // redis-server changes into --dir before it opens the socket: paths must be absolute.
        char cwd[4096];
        if (!::getcwd(cwd, sizeof cwd))
            return fail("cannot resolve the data directory " + dataDir_ + ": " + errnoText(errno));
        dataDir_ = std::string(cwd) + "/" + dataDir_;
    }
    while (dataDir_.size() > 1 && dataDir_.back() == '/')
        dataDir_.pop_back();
    socketPath_ = dataDir_ + "/redis.sock";
    if (socketPath_.size() > kMaxSocketPath) {
        return fail("the local Redis socket path " + socketPath_ + " is longer than the " + std::to_string(kMaxSocketPath)
                    + " bytes a unix socket allows: use a shorter data directory or pass --redis URL");
    }

    const std::string redisServer = findOnPath("redis-server");
    if (redisServer.empty()) {
        return fail("redis-server was not found on PATH: install the redis-server package (sudo apt-get install "
                    "redis-server) or pass --redis URL");
    }
    struct Tool {
        const char* name;
        const char* package;
        std::string path;
    };
    Tool tools[] = {{"redis-cli", "redis-tools", {}},
                    {"flock", "util-linux", {}},
                    {"setsid", "util-linux", {}},
                    {"timeout", "coreutils", {}}};
    for (Tool& tool : tools) {
        tool.path = findOnPath(tool.name);
        if (tool.path.empty()) {
            return fail(std::string(tool.name) + " was not found on PATH: install the " + tool.package
                        + " package (sudo apt-get install " + tool.package + ") or pass --redis URL");
        }
    }

    if (!makeDirs(dataDir_, error_))
        return false;

    const auto waitLimit = std::chrono::milliseconds(readyTimeoutMs);
    const std::string clientsLockPath = dataDir_ + "/clients.lock";
    const std::string logPath = dataDir_ + "/redis.log";

    // Shared first: while a guardian holds it exclusively (shutting the server down) this
    // waits, so we never join a server that is going away.
    Fd clientsLock = openLockFile(clientsLockPath, error_);
    if (!clientsLock.valid())
        return false;
    if (!lockBefore(clientsLock.get(), LOCK_SH, Clock::now() + waitLimit))
        return fail("timed out waiting for the local redis-server in " + dataDir_ + " to finish shutting down");

    Fd serverLock = openLockFile(dataDir_ + "/server.lock", error_);
    if (!serverLock.valid())
        return false;
    if (!lockBefore(serverLock.get(), LOCK_EX, Clock::now() + waitLimit))
        return fail("timed out waiting for another shopstream to start the local redis-server in " + dataDir_);

    std::string answer;
    Probe state = probe(socketPath_, answer);
    if (state == Probe::Foreign)
        return fail("something other than shopstream's local redis-server answers on " + socketPath_ + ": " + answer);

    if (state == Probe::Down) {
        // Free only when no earlier redis-server on this directory is alive, even one that
        // is still shutting down or lost its socket: two must never share the AOF.
        Fd instanceLock = openLockFile(dataDir_ + "/instance.lock", error_);
        if (!instanceLock.valid())
            return false;
        if (!lockBefore(instanceLock.get(), LOCK_EX, Clock::now() + waitLimit)) {
            return fail("an earlier redis-server (pid " + readPid(dataDir_ + "/redis.pid") + ") still runs on "
                        + dataDir_ + " but does not answer on " + socketPath_ + "; stop it and try again");
        }
        if (::unlink(socketPath_.c_str()) != 0 && errno != ENOENT)
            return fail("cannot remove the stale socket " + socketPath_ + ": " + errnoText(errno));

        const std::vector<std::string> args = {
            redisServer,     "--port",       "0",         "--unixsocket", socketPath_, "--unixsocketperm",
            "700",           "--dir",        dataDir_,    "--appendonly", "yes",       "--appendfsync",
            "everysec",      "--save",       "",          "--daemonize",  "yes",       "--pidfile",
            dataDir_ + "/redis.pid", "--logfile", logPath,
        };
        pid_t pid = -1;
        if (!spawn(args, logPath, instanceLock.get(), pid, error_))
            return false;
        // With --daemonize the spawned process forks the server and exits: reap it here.
        if (waitExitStatus(pid) != 0)
            return fail("redis-server failed to start: " + lastLogLine(logPath) + " (see " + logPath + ")");
        startedByUs_ = true;
        state = Probe::Loading;
    }

    // Spawned before waiting for PONG, so that a slow AOF load or a failed wait still has
    // someone to stop the server once we are gone.
    const std::vector<std::string> guardian = {
        tools[2].path, "-f", tools[1].path, "-x", clientsLockPath, tools[3].path, kShutdownTimeoutSeconds,
        tools[0].path, "-s", socketPath_, "shutdown",
    };
    if (!ensureGuardian(guardian, startedByUs_))
        return false;

    const auto readyDeadline = Clock::now() + waitLimit;
    int pollMs = 2;
    while (state != Probe::Ready) {
        if (state == Probe::Foreign)
            return fail("the local redis-server on " + socketPath_ + " answers PING with: " + answer);
        if (state == Probe::Down) {
            // The server lives exactly as long as instance.lock is held.
            Fd instanceLock = openLockFile(dataDir_ + "/instance.lock", error_);
            if (!instanceLock.valid())
                return false;
            if (tryLock(instanceLock.get(), LOCK_EX))
                return fail("redis-server exited: " + lastLogLine(logPath) + " (see " + logPath + ")");
        }
        if (Clock::now() >= readyDeadline) {
            return fail("the local redis-server did not become ready within " + std::to_string(readyTimeoutMs)
                        + " ms (see " + logPath + ")");
        }
        sleepBriefly(pollMs);
        state = probe(socketPath_, answer);
    }

    clientsLockFd_ = clientsLock.release(); // our share, until the destructor
    return true;
}

bool LocalServer::ensureGuardian(const std::vector<std::string>& command, bool fresh)
{
    const std::string guardianLockPath = dataDir_ + "/guardian.lock";
    if (!fresh) {
        Fd probeLock = openLockFile(guardianLockPath, error_);
        if (!probeLock.valid())
            return false;
        if (!tryLock(probeLock.get(), LOCK_EX))
            return true; // a guardian is waiting
    }
    // A new file each time, so a guardian that is exiting right now (holding the old
    // file's lock) is never taken for this server's guardian.
    if (::unlink(guardianLockPath.c_str()) != 0 && errno != ENOENT) {
        error_ = "cannot replace " + guardianLockPath + ": " + errnoText(errno);
        return false;
    }
    Fd guardianLock = openLockFile(guardianLockPath, error_);
    if (!guardianLock.valid())
        return false;
    if (!tryLock(guardianLock.get(), LOCK_EX)) {
        error_ = "cannot lock " + guardianLockPath; // only starters create it, under server.lock
        return false;
    }
    // `command` starts with setsid -f, which forks again and exits: the guardian is
    // nobody's child here, and in its own session a Ctrl-C in our terminal misses it.
    pid_t pid = -1;
    if (!spawn(command, "/dev/null", guardianLock.get(), pid, error_))
        return false;
    if (waitExitStatus(pid) != 0) {
        error_ = "cannot start the guardian process that stops the local redis-server";
        return false;
    }
    return true;
}

RedisUrl LocalServer::url() const { return RedisUrl::unixSocket(socketPath_); }

} // namespace shop::redis
