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

#include <memory>
#include <optional>
#include <vector>

// A loopback port nobody listens on now (0: none); it may be taken before it is used.
int pickFreePort();

// Certificates for TLS tests, made with openssl in a temporary directory (EC keys: quick):
// ca.crt, a CA; server.crt/.key for 127.0.0.1 and localhost, signed by it; expired.crt (the
// same key, expired yesterday); client.crt/.key signed by it; client-locked.key (the client
// key under the passphrase "opensesame"); other-ca.crt, a CA that signed none of them.
class TestCertificates {
public:
    bool make(); // false with error()
    QString path(const QString& name) const { return dir_.filePath(name); }
    QString error() const { return error_; }

private:
    bool openssl(const QStringList& args);
    QTemporaryDir dir_;
    QString error_;
};

class TestRedisServer {
public:
    // A TLS port beside the socket (the unix socket stays plain, for setting up and checking).
    struct Tls {
        QString certFile, keyFile, caFile;
        QString authClients = QStringLiteral("no"); // --tls-auth-clients: no, yes, optional
    };
    struct Options {
        bool tcp = false;          // also listen on a free loopback port
        bool appendOnly = false;   // AOF on (for persistence and restart tests)
        QStringList extraArgs;     // e.g. {"--requirepass", "secret"}
        QString dataDir;           // reuse a directory (restart tests); empty: a fresh temp dir
        std::optional<Tls> tls;    // also listen with TLS on a free loopback port
        int port = 0;              // with tcp: this port (0: a free one)
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
    int tlsPort() const { return tlsPort_; }
    // rediss://127.0.0.1:tlsPort, trusting `caFile` (empty: no tls-ca).
    shop::redis::RedisUrl tlsUrl(const QString& caFile = {}) const;
    QString dataDir() const;
    qint64 pid() const;
    QString error() const { return error_; }

private:
    Options options_;
    QTemporaryDir tempDir_;
    mutable shop::redis::ServerProcess process_; // running() reaps an exited one
    int port_ = 0;
    int tlsPort_ = 0;
    QString error_;
};

// A master, its replica and three sentinels watching it as "shop" (quorum 2, down after
// 1 s, failover timeout 3 s), all on loopback ports; start() returns once the replica has
// caught up and the sentinels name the master.
class TestSentinelGroup {
public:
    bool start(); // false with error()
    QString error() const { return error_; }
    TestRedisServer& master() { return *master_; }
    TestRedisServer& replica() { return *replica_; }
    // redis+sentinel://127.0.0.1:P1,...:P3/NAME
    QString url(const QString& masterName = QStringLiteral("shop")) const;
    const std::vector<int>& sentinelPorts() const { return sentinelPorts_; }
    // The port of the master the first sentinel names (0: none, or it does not answer).
    int namedMasterPort() const;

private:
    std::unique_ptr<TestRedisServer> master_, replica_;
    QTemporaryDir dir_;
    std::vector<std::unique_ptr<shop::redis::ServerProcess>> sentinels_;
    std::vector<int> sentinelPorts_;
    QString error_;
};

// Three masters and three replicas made into a Redis Cluster with redis-cli --cluster
// create (node timeout 2 s), on loopback ports whose bus ports (+10000) are free too; start()
// returns once every node says cluster_state:ok and every replica has synced.
class TestRedisCluster {
public:
    bool start(); // false with error()
    QString error() const { return error_; }
    int size() const { return int(nodes_.size()); }
    TestRedisServer& node(int i) { return *nodes_[std::size_t(i)]; }
    // redis+cluster://127.0.0.1:P1,... (all six, or only node `only`)
    QString url(int only = -1) const;
    // The node serving `key`'s slot as master (-1: none answers), as a node in `from` sees it.
    int masterOf(const std::string& key, int from = -1);
    // The node replicating node `master` (-1: none).
    int replicaOf(int master);
    // Waits until every live node says cluster_state:ok and names a live master for every slot.
    bool waitHealthy(int timeoutMs);

private:
    std::vector<std::unique_ptr<TestRedisServer>> nodes_;
    QString error_;
};

// Makes the server behind `admin` refuse writes with MISCONF, as a full disk does, without
// filling a disk: a directory where its RDB file belongs (`serverDir`/dump.rdb) makes BGSAVE
// fail, and a save point turns stop-writes-on-bgsave-error on. Returns when PING answers
// MISCONF; an empty string, or what went wrong. undoRefuseWrites() drops the save point.
QString refuseWritesLikeAFullDisk(shop::redis::Connection& admin, const QString& serverDir);
QString undoRefuseWrites(shop::redis::Connection& admin, const QString& serverDir);
