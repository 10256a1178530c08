// The managed local redis-server (DESIGN section 4): started from PATH on first use, shared
// by every shopstream process of the user, stopped when the last one is gone (even killed).
//
// Design. Everything lives in one 0700 data directory:
//   redis.sock       the server's unix socket (0700; no TCP, no password)
//   appendonlydir/   AOF (appendfsync everysec), so data survives restarts
//   redis.pid/.log   written by redis-server; the log (opened by us first, O_NOFOLLOW)
//                    also receives its early stderr
//   clients.lock     each LocalServer holds a SHARED flock on it for its whole life
//   server.lock      EXCLUSIVE while one process checks for / starts the server
//   instance.lock    EXCLUSIVE, held by the running redis-server itself (inherited fd)
//   guardian.lock    EXCLUSIVE, held by the running guardian itself (inherited fd)
//
// The directory is the only protection of the password-less socket and the data, so
// start() first makes sure it is ours alone: created 0700 (parents too), then refused when
// it is a symlink, owned by another user, or writable by group or others; made 0700 when
// it is ours but readable by others (a notice says so once). Any of the files above that
// is a symlink or another user's is refused too: redis-server opens its log and pid file
// by name and would follow a link. redis-server runs under umask 077 (through /bin/sh, as
// posix_spawn cannot set one), so its AOF, log and pid file are 0600.
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
// A server that answers PING with MISCONF (it cannot write to its disk) is running and is
// joined: reads work, and serverWarnings() says why writes fail. A start that fails is
// explained in redis-server's words from what it wrote to redis.log during this start (a
// FATAL block whole, else its last warning line that is not start-up chatter), or, when
// it could not even log, by the free space on its disk.
//
// Every lock fd is O_CLOEXEC: a redis-server or guardian inheriting clients.lock would
// hold the shared lock forever. Only the two locks meant for a child are passed, as fd 3.
// ~LocalServer() only releases the shared lock: the guardian does the stopping.
#include "local_server.hpp"

#include "connection.hpp"
#include "error_kind.hpp"
#include "server_process.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shop::redis {

namespace {
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
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
    return true;
}

// "nobody", or "uid 1234" for a user without a name.
std::string userName(uid_t uid)
{
    const passwd* pw = ::getpwuid(uid);
    return pw && pw->pw_name ? std::string(pw->pw_name) : "uid " + std::to_string(uid);
}

// "is owned by user 65534 (nobody), not by you (alice)", for messages about who owns what.
std::string ownedByAnother(uid_t owner)
{
    const passwd* pw = ::getpwuid(owner);
    const std::string who = "user " + std::to_string(owner) + (pw && pw->pw_name ? " (" + std::string(pw->pw_name) + ")" : "");
    return "is owned by " + who + ", not by you (" + userName(::geteuid()) + ")";
}

std::string octal(mode_t mode)
{
    char text[8];
    std::snprintf(text, sizeof text, "0%o", static_cast<unsigned>(mode & 07777));
    return text;
}

// The data directory must be ours alone (DESIGN section 4): whoever else owns it, can write
// to it or points a symlink at it could run their own server on our socket and receive our
// data, or plant links that redis-server writes through. lstat, never stat: a symlink is
// refused, not followed. Ours and writable only by us, but readable by others (made with
// umask 022 by hand, or by an older shopstream): made private, and said once in `notices`.
bool checkDataDir(const std::string& path, std::vector<std::string>& notices, std::string& error)
{
    const std::string elsewhere = ": remove it or choose another with --data-dir";
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        error = "cannot examine the data directory " + path + ": " + errnoText(errno);
        return false;
    }
    if (S_ISLNK(st.st_mode)) {
        error = "the data directory " + path
                + " is a symbolic link: shopstream keeps its Redis data only in a real directory of its own; remove the "
                  "link or choose another with --data-dir";
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        error = "the data directory " + path + " is not a directory" + elsewhere;
        return false;
    }
    const uid_t me = ::geteuid();
    if (st.st_uid != me) {
        error = "the data directory " + path + " " + ownedByAnother(st.st_uid) + elsewhere;
        return false;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        // Someone else may have been in it already: refused rather than quietly tightened.
        error = "the data directory " + path + " can be written by other users (mode " + octal(st.st_mode)
                + "): make it private with chmod 700 " + path + " if it holds only your data, remove it, or choose "
                  "another with --data-dir";
        return false;
    }
    if (st.st_mode & 077) {
        // Through a descriptor of the very directory that was checked, not the path again.
        Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        struct stat again {};
        if (!dir.valid() || ::fstat(dir.get(), &again) != 0 || again.st_ino != st.st_ino || again.st_dev != st.st_dev
            || ::fchmod(dir.get(), 0700) != 0) {
            error = "cannot make the data directory " + path + " private (chmod 700): " + errnoText(errno);
            return false;
        }
        notices.push_back("the data directory " + path + " could be read by other users (mode " + octal(st.st_mode)
                          + "); it is now private (mode 0700)");
    }
    return true;
}

// What redis-server and we create in the data directory. One that is a symlink, or that
// another user owns, would have redis-server (or us) write where someone else chose.
constexpr const char* kOwnEntries[] = {"redis.sock",    "redis.log",     "redis.pid",     "clients.lock",
                                       "server.lock",   "instance.lock", "guardian.lock", "appendonlydir"};

bool checkOwnEntries(const std::string& dir, std::string& error)
{
    const uid_t me = ::geteuid();
    for (const char* name : kOwnEntries) {
        const std::string path = dir + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno == ENOENT)
                continue;
            error = "cannot examine " + path + ": " + errnoText(errno);
            return false;
        }
        if (S_ISLNK(st.st_mode)) {
            error = path + " is a symbolic link, and redis-server would write through it: remove it";
            return false;
        }
        if (st.st_uid != me) {
            error = path + " " + ownedByAnother(st.st_uid) + ": remove it";
            return false;
        }
        // Made 0755 by a redis-server started with a looser umask (older shopstream).
        if (S_ISDIR(st.st_mode) && (st.st_mode & 077) && ::chmod(path.c_str(), 0700) != 0) {
            error = "cannot make " + path + " private (chmod 700): " + errnoText(errno);
            return false;
        }
    }
    return true;
}

Fd openLockFile(const std::string& path, std::string& error)
{
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600));
    if (!fd.valid())
        error = "cannot open " + path + ": " + errnoText(errno) + (errno == ELOOP ? " (a symbolic link: remove it)" : "");
    return fd;
}

// redis.log, opened here rather than by redis-server or posix_spawn (which follow
// symlinks): the server's early stderr goes into it, and it is ours and 0600 before the
// server appends to it by name. Its size now is where this start's messages begin.
Fd openLog(const std::string& path, off_t& size, std::string& error)
{
    Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
        error = "cannot open " + path + ": " + errnoText(errno) + (errno == ELOOP ? " (a symbolic link: remove it)" : "");
        return Fd();
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
        error = path + " is not a file of yours: remove it";
        return Fd();
    }
    if ((st.st_mode & 077) && ::fchmod(fd.get(), 0600) != 0) {
        error = "cannot make " + path + " private (chmod 600): " + errnoText(errno);
        return Fd();
    }
    size = st.st_size;
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
    if (!connection.connect(RedisUrl::unixSocket(socketPath), {.connectTimeoutMs = 1000, .commandTimeoutMs = 2000})) {
        if (connection.errorKind() == ErrorKind::Loading)
            return Probe::Loading;
        if (isCredentialFailure(connection.errorKind())) {
            answer = connection.error(); // ours has no password
            return Probe::Foreign;
        }
        return Probe::Down;
    }
    const Reply reply = connection.command({"PING"});
    if (!reply)
        return Probe::Down;
    answer = std::string(reply.str());
    switch (reply.errorKind()) {
    case ErrorKind::None:
        return answer == "PONG" ? Probe::Ready : Probe::Foreign;
    case ErrorKind::Loading:
        return Probe::Loading;
    case ErrorKind::Misconf:
        // It answers, but cannot write to its disk: joined (reads work), and serverWarnings()
        // says why writes fail. Taking it for dead meant waiting for it to exit, in vain.
        return Probe::Ready;
    default:
        return Probe::Foreign;
    }
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

// One line of redis.log as redis-server writes it: "<pid>:<role> 02 Dec 2026 04:47:29.453 #
// message", where '#' marks warnings and errors ('*' notices, '-' and '.' verbose, debug).
// Anything else is raw stderr: a FATAL block, a shell's error, the ASCII-art banner.
struct LogLine {
    bool formatted = false;
    char level = 0;
    std::string text;
};

LogLine parseLogLine(const std::string& line)
{
    LogLine out;
    out.text = line;
    std::size_t pos = 0;
    while (pos < line.size() && std::isdigit(static_cast<unsigned char>(line[pos])))
        ++pos;
    if (pos == 0 || pos + 2 >= line.size() || line[pos] != ':' || !std::isupper(static_cast<unsigned char>(line[pos + 1]))
        || line[pos + 2] != ' ')
        return out;
    pos += 3;
    for (int field = 0; field < 4; ++field) { // day, month, year, time
        const std::size_t space = line.find(' ', pos);
        if (space == std::string::npos)
            return out;
        pos = space + 1;
    }
    if (pos >= line.size() || std::strchr(".-*#", line[pos]) == nullptr)
        return out;
    out.formatted = true;
    out.level = line[pos];
    out.text = pos + 2 <= line.size() ? line.substr(pos + 2) : std::string();
    return out;
}

// Warning-level lines every start writes: not a reason to stop.
bool isStartupChatter(std::string_view text)
{
    for (std::string_view prefix : {"oO0OoO0OoO0Oo", "Redis version=", "Configuration loaded", "Server initialized",
                                    "WARNING", "Warning: no config file"}) {
        if (text.substr(0, prefix.size()) == prefix)
            return true;
    }
    return false;
}

bool isBannerArt(std::string_view text)
{
    for (std::string_view art : {"_._", "-._", "`-.", "``"}) {
        if (text.find(art) != std::string_view::npos)
            return true;
    }
    return false;
}

std::string trimmed(std::string_view text)
{
    const std::size_t begin = text.find_first_not_of(" \t*");
    if (begin == std::string_view::npos)
        return {};
    const std::size_t end = text.find_last_not_of(" \t*\r");
    return std::string(text.substr(begin, end - begin + 1));
}

// Why redis-server stopped, in its own words, from what it wrote to redis.log since
// `from` (-1: the last 8 KiB, when it was not this process that started it): a FATAL block
// whole, else its last warning-level line that is not start-up chatter, else the last
// line of raw stderr that is not the banner. A server that could not even log (a full
// disk) leaves nothing: then the free space on its disk says it.
std::string exitReason(const std::string& logPath, off_t from, const std::string& dataDir)
{
    std::ifstream in(logPath, std::ios::binary);
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (from < 0 || from > size)
        from = size > 8192 ? size - 8192 : 0;
    in.seekg(from);
    std::vector<LogLine> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(parseLogLine(line));
    }

    std::string fatal, warning, raw;
    for (const LogLine& l : lines) {
        const std::string text = trimmed(l.text);
        if (text.empty())
            continue;
        if (!fatal.empty()) {
            fatal += (fatal.back() == ':' ? " " : "; ") + text;
        } else if (!l.formatted && text.starts_with("FATAL")) {
            fatal = text + ":";
        } else if (l.formatted && l.level == '#' && !isStartupChatter(text)) {
            warning = text;
        } else if (!l.formatted && !isBannerArt(l.text)) {
            raw = text;
        }
    }
    if (!fatal.empty())
        return fatal;
    if (!warning.empty())
        return warning;
    if (!raw.empty())
        return raw;

    struct statvfs fs {};
    if (::statvfs(dataDir.c_str(), &fs) == 0) {
        const unsigned long long freeBytes = static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize;
        if (freeBytes < 1024 * 1024) {
            return "its disk is full (" + std::to_string(freeBytes) + " bytes free at " + dataDir
                   + "), so it could not even log why: free some space, or choose another directory with --data-dir";
        }
    }
    return "it wrote no reason to its log";
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

    notices_.clear();
    if (!makeDirs(dataDir_, error_) || !checkDataDir(dataDir_, notices_, error_) || !checkOwnEntries(dataDir_, error_))
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
    off_t startLogOffset = -1; // where this start's lines begin in redis.log, once we started it
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

        off_t logStart = 0;
        const Fd logFd = openLog(logPath, logStart, error_);
        if (!logFd.valid())
            return false;
        // redis-server creates its AOF files, pid file and log with the umask it inherits:
        // umask 077 makes them 0600 (and appendonlydir 0700), whatever ours is. A shell sets
        // it for the server alone (posix_spawn cannot; umask() here would be process-wide).
        ServerConfig config;
        config.dir = dataDir_;
        config.socketPath = socketPath_;
        config.appendOnly = true;
        config.daemonize = true;
        config.extraArgs = {"--pidfile", dataDir_ + "/redis.pid", "--logfile", logPath};
        std::vector<std::string> args = {"/bin/sh", "-c", "umask 077 && exec \"$@\"", "redis-server", redisServer};
        const std::vector<std::string> serverArgs = serverArguments(config);
        args.insert(args.end(), serverArgs.begin(), serverArgs.end());
        pid_t pid = -1;
        if (!spawnProcess(args, {.outputFd = logFd.get(), .inheritFd = instanceLock.get()}, pid, error_))
            return false;
        // With --daemonize the spawned process forks the server and exits: reap it here.
        if (waitExitStatus(pid) != 0)
            return fail("redis-server failed to start: " + exitReason(logPath, logStart, dataDir_) + " (see " + logPath + ")");
        startLogOffset = logStart;
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
                return fail("redis-server exited: " + exitReason(logPath, startLogOffset, dataDir_) + " (see " + logPath + ")");
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
    const Fd devNull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!devNull.valid()) {
        error_ = "cannot open /dev/null: " + errnoText(errno);
        return false;
    }
    pid_t pid = -1;
    if (!spawnProcess(command, {.outputFd = devNull.get(), .inheritFd = guardianLock.get()}, pid, error_))
        return false;
    if (waitExitStatus(pid) != 0) {
        error_ = "cannot start the guardian process that stops the local redis-server";
        return false;
    }
    return true;
}

RedisUrl LocalServer::url() const { return RedisUrl::unixSocket(socketPath_); }

} // namespace shop::redis
