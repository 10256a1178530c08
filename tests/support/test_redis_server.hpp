// A private redis-server for one test suite: a unix socket in a temporary directory (no
// TCP port race) or, on request, a free loopback port; stopped when destroyed, and killed
// with the test process if that dies first. The Qt face of redis::ServerProcess, which the
// bench and (for its arguments and spawning) the managed local server share.
#pragma once

#include "redis/redis_url.hpp"
#include "redis/server_process.hpp"

namespace shop::redis {
class Connection;
}

#include <QStringList>
#include <QTemporaryDir>

class TestRedisServer {
public:
    struct Options {
        bool tcp = false;          // also listen on a free loopback port
        bool appendOnly = false;   // AOF on (for persistence and restart tests)
        QStringList extraArgs;     // e.g. {"--requirepass", "secret"}
        QString dataDir;           // reuse a directory (restart tests); empty: a fresh temp dir
    };

    TestRedisServer();
    explicit TestRedisServer(Options options);
    ~TestRedisServer();

    bool start(); // false with error() when it does not answer PING in time
    void stop();  // SIGTERM, wait, then SIGKILL
    void kill();  // SIGKILL, as in a crash
    void pause(); // SIGSTOP
    void resume(); // SIGCONT
    bool isRunning() const;

    shop::redis::RedisUrl url() const; // unix socket by default, TCP when Options::tcp
    QString urlText() const;           // "unix:///..." or "redis://127.0.0.1:PORT"
    QString socketPath() const;
    int port() const { return port_; }
    QString dataDir() const;
    qint64 pid() const;
    QString error() const { return error_; }

private:
    Options options_;
    QTemporaryDir tempDir_;
    mutable shop::redis::ServerProcess process_; // running() reaps an exited one
    int port_ = 0;
    QString error_;
};

// Makes the server behind `admin` refuse writes with MISCONF, as a full disk does, without
// filling a disk: a directory where its RDB file belongs (`serverDir`/dump.rdb) makes BGSAVE
// fail, and a save point turns stop-writes-on-bgsave-error on. Returns when PING answers
// MISCONF; an empty string, or what went wrong. undoRefuseWrites() drops the save point.
QString refuseWritesLikeAFullDisk(shop::redis::Connection& admin, const QString& serverDir);
QString undoRefuseWrites(shop::redis::Connection& admin, const QString& serverDir);
