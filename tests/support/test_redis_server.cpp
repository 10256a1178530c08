// A private redis-server per test suite (see the header). Its output goes to redis.log in
// its data directory, so ctest's output stays the test's own and no child holds ctest's
// stdout open.
#include "test_redis_server.hpp"

#include "redis/connection.hpp"
#include "redis/keys.hpp"

#include <QDeadlineTimer>
#include <QDir>
#include <QHostAddress>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstdlib>

int pickFreePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const int port = probe.serverPort();
    probe.close();
    return port;
}

bool TestCertificates::openssl(const QStringList& args)
{
    QProcess p;
    p.setWorkingDirectory(dir_.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        error_ = QStringLiteral("openssl %1 failed: %2 %3").arg(args.join(QLatin1Char(' ')), p.errorString(),
                                                                 QString::fromLocal8Bit(p.readAll()).simplified());
        return false;
    }
    return true;
}

bool TestCertificates::make()
{
    if (!dir_.isValid()) {
        error_ = QStringLiteral("cannot create a temporary directory for certificates");
        return false;
    }
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                         QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    const auto ca = [&](const QString& name, const QString& subject) {
        return openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec
                       + QStringList{QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                                     name + QStringLiteral(".crt"), QStringLiteral("-days"), QStringLiteral("30"),
                                     QStringLiteral("-subj"), subject});
    };
    // A key and a request, then a certificate signed by ca.crt: for `days` (negative: expired).
    const auto request = [&](const QString& name, const QString& subject) {
        return openssl(QStringList{QStringLiteral("req")} + ec
                       + QStringList{QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"),
                                     name + QStringLiteral(".csr"), QStringLiteral("-subj"), subject});
    };
    const auto sign = [&](const QString& csr, const QString& out, const QString& days, const QString& ext) {
        QFile extFile(dir_.filePath(out + QStringLiteral(".ext")));
        if (!extFile.open(QIODevice::WriteOnly) || extFile.write(ext.toUtf8()) < 0)
            return false;
        extFile.close();
        return openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr + QStringLiteral(".csr"),
                        QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                        QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), out + QStringLiteral(".crt"),
                        QStringLiteral("-days"), days, QStringLiteral("-extfile"), out + QStringLiteral(".ext")});
    };
    const QString serverExt = QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    return ca(QStringLiteral("ca"), QStringLiteral("/CN=shopstream test CA"))
           && ca(QStringLiteral("other-ca"), QStringLiteral("/CN=another CA"))
           && request(QStringLiteral("server"), QStringLiteral("/CN=127.0.0.1"))
           && sign(QStringLiteral("server"), QStringLiteral("server"), QStringLiteral("30"), serverExt)
           && sign(QStringLiteral("server"), QStringLiteral("expired"), QStringLiteral("-1"), serverExt)
           && request(QStringLiteral("client"), QStringLiteral("/CN=shopstream test client"))
           && sign(QStringLiteral("client"), QStringLiteral("client"), QStringLiteral("30"), QStringLiteral("extendedKeyUsage=clientAuth\n"))
           && openssl({QStringLiteral("pkey"), QStringLiteral("-in"), QStringLiteral("client.key"), QStringLiteral("-aes256"),
                       QStringLiteral("-passout"), QStringLiteral("pass:opensesame"), QStringLiteral("-out"), QStringLiteral("client-locked.key")});
}

TestRedisServer::TestRedisServer() : TestRedisServer(Options{}) {}

TestRedisServer::TestRedisServer(Options options) : options_(std::move(options)) {}

TestRedisServer::~TestRedisServer() { stop(); }

QString TestRedisServer::dataDir() const { return options_.dataDir.isEmpty() ? tempDir_.path() : options_.dataDir; }

QString TestRedisServer::socketPath() const { return dataDir() + QStringLiteral("/redis.sock"); }

qint64 TestRedisServer::pid() const { return process_.pid(); }

bool TestRedisServer::isRunning() const { return process_.running(); }

shop::redis::RedisUrl TestRedisServer::url() const
{
    if (options_.tcp) {
        shop::redis::RedisUrl url;
        url.host = "127.0.0.1";
        url.port = port_;
        return url;
    }
    return shop::redis::RedisUrl::unixSocket(socketPath().toStdString());
}

shop::redis::RedisUrl TestRedisServer::tlsUrl(const QString& caFile) const
{
    shop::redis::RedisUrl url;
    url.host = "127.0.0.1";
    url.port = tlsPort_;
    url.tls = true;
    url.tlsOptions.caFile = caFile.toStdString();
    return url;
}

QString TestRedisServer::urlText() const
{
    if (options_.tcp)
        return QStringLiteral("redis://127.0.0.1:%1").arg(port_);
    return QStringLiteral("unix://") + socketPath();
}

bool TestRedisServer::start()
{
    error_.clear();
    if (!tempDir_.isValid()) {
        error_ = QStringLiteral("cannot create a temporary directory for redis-server");
        return false;
    }
    if (isRunning())
        return true;
    if (!options_.dataDir.isEmpty())
        QDir().mkpath(options_.dataDir);

    shop::redis::ServerConfig config;
    config.dir = dataDir().toStdString();
    config.socketPath = socketPath().toStdString();
    config.appendOnly = options_.appendOnly;
    for (const QString& arg : options_.extraArgs)
        config.extraArgs.push_back(arg.toStdString());
    if (options_.tls) {
        if (tlsPort_ == 0)
            tlsPort_ = pickFreePort();
        for (const QString& arg : {QStringLiteral("--tls-port"), QString::number(tlsPort_), QStringLiteral("--tls-cert-file"),
                                   options_.tls->certFile, QStringLiteral("--tls-key-file"), options_.tls->keyFile,
                                   QStringLiteral("--tls-ca-cert-file"), options_.tls->caFile, QStringLiteral("--tls-auth-clients"),
                                   options_.tls->authClients})
            config.extraArgs.push_back(arg.toStdString());
    }

    // A port picked here may be taken before redis binds it: try a few times. A restart
    // keeps the port it had, so URLs handed out before stay valid.
    if (options_.tcp && port_ == 0 && options_.port != 0)
        port_ = options_.port;
    const int attempts = options_.tcp && port_ == 0 ? 3 : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (options_.tcp && (port_ == 0 || attempt > 0))
            port_ = pickFreePort();
        config.port = options_.tcp ? port_ : 0;
        if (process_.start(config))
            return true;
        error_ = QString::fromStdString(process_.error());
    }
    return false;
}

void TestRedisServer::stop() { process_.stop(); }

void TestRedisServer::kill() { process_.kill(); }

void TestRedisServer::pause() { process_.signal(SIGSTOP); }

void TestRedisServer::resume() { process_.signal(SIGCONT); }

bool TestSentinelGroup::start()
{
    TestRedisServer::Options options;
    options.tcp = true;
    master_ = std::make_unique<TestRedisServer>(options);
    if (!master_->start()) {
        error_ = QStringLiteral("master: ") + master_->error();
        return false;
    }
    options.extraArgs = {QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"), QString::number(master_->port())};
    replica_ = std::make_unique<TestRedisServer>(options);
    if (!replica_->start()) {
        error_ = QStringLiteral("replica: ") + replica_->error();
        return false;
    }
    for (int i = 0; i < 3; ++i) {
        const QString dir = dir_.filePath(QStringLiteral("sentinel%1").arg(i));
        QDir().mkpath(dir);
        QFile conf(dir + QStringLiteral("/sentinel.conf")); // sentinel rewrites it: writable
        if (!conf.open(QIODevice::WriteOnly)
            || conf.write(QStringLiteral("sentinel monitor shop 127.0.0.1 %1 2\n"
                                         "sentinel down-after-milliseconds shop 1000\n"
                                         "sentinel failover-timeout shop 3000\n"
                                         "sentinel parallel-syncs shop 1\n")
                              .arg(master_->port())
                              .toUtf8())
                   < 0) {
            error_ = QStringLiteral("cannot write ") + conf.fileName();
            return false;
        }
        conf.close();
        auto sentinel = std::make_unique<shop::redis::ServerProcess>();
        const int port = pickFreePort();
        if (!sentinel->start({.dir = dir.toStdString(), .port = port, .configFile = conf.fileName().toStdString(), .sentinel = true})) {
            error_ = QStringLiteral("sentinel: ") + QString::fromStdString(sentinel->error());
            return false;
        }
        sentinels_.push_back(std::move(sentinel));
        sentinelPorts_.push_back(port);
    }
    shop::redis::Connection admin;
    if (!admin.connect(master_->url())) {
        error_ = QString::fromStdString(admin.error());
        return false;
    }
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        if (admin.command({"WAIT", "1", "100"}).integer() == 1 && namedMasterPort() == master_->port())
            return true;
        QThread::msleep(100);
    }
    error_ = QStringLiteral("the replica did not catch up, or the sentinels did not name the master, within 15 s");
    return false;
}

QString TestSentinelGroup::url(const QString& masterName) const
{
    QStringList hosts;
    for (int port : sentinelPorts_)
        hosts << QStringLiteral("127.0.0.1:%1").arg(port);
    return QStringLiteral("redis+sentinel://%1/%2").arg(hosts.join(QLatin1Char(',')), masterName);
}

int TestSentinelGroup::namedMasterPort() const
{
    shop::redis::Connection c;
    shop::redis::RedisUrl url;
    url.port = sentinelPorts_.empty() ? 0 : sentinelPorts_.front();
    if (url.port == 0 || !c.connect(url, {.connectTimeoutMs = 1000, .commandTimeoutMs = 1000}))
        return 0;
    const shop::redis::Reply r = c.command({"SENTINEL", "get-master-addr-by-name", "shop"});
    if (!r || !r.isArray() || r.size() != 2)
        return 0;
    return QString::fromStdString(std::string(shop::redis::ReplyView(r.raw())[1].str())).toInt();
}

namespace {

// A loopback port below 55536 that is free, with its cluster bus port (+10000) free too.
int pickClusterPort(std::vector<int>& taken)
{
    for (int attempt = 0; attempt < 500; ++attempt) {
        const int port = 20000 + int(QRandomGenerator::global()->bounded(25000));
        const bool clash = std::any_of(taken.begin(), taken.end(), [port](int t) { return std::abs(t - port) == 10000 || t == port; });
        if (clash)
            continue;
        QTcpServer client;
        QTcpServer bus;
        if (client.listen(QHostAddress::LocalHost, quint16(port)) && bus.listen(QHostAddress::LocalHost, quint16(port + 10000))) {
            taken.push_back(port);
            return port;
        }
    }
    return 0;
}

// The reply to one command on a short-lived connection to `server` (null when it does not answer).
shop::redis::Reply ask(const TestRedisServer& server, std::initializer_list<std::string_view> command)
{
    shop::redis::Connection c;
    if (!server.isRunning() || !c.connect(server.url(), {.connectTimeoutMs = 1000, .commandTimeoutMs = 2000}))
        return {};
    return c.command(command);
}

} // namespace

bool TestRedisCluster::start()
{
    std::vector<int> taken;
    QStringList create{QStringLiteral("--cluster"), QStringLiteral("create")};
    for (int i = 0; i < 6; ++i) {
        TestRedisServer::Options options;
        options.tcp = true;
        options.port = pickClusterPort(taken);
        options.extraArgs = {QStringLiteral("--cluster-enabled"), QStringLiteral("yes"), QStringLiteral("--cluster-config-file"),
                             QStringLiteral("nodes.conf"), QStringLiteral("--cluster-node-timeout"), QStringLiteral("2000")};
        auto node = std::make_unique<TestRedisServer>(options);
        if (options.port == 0 || !node->start()) {
            error_ = QStringLiteral("cluster node %1: %2").arg(i).arg(options.port == 0 ? QStringLiteral("no free port pair") : node->error());
            return false;
        }
        create << QStringLiteral("127.0.0.1:%1").arg(node->port());
        nodes_.push_back(std::move(node));
    }
    create << QStringLiteral("--cluster-replicas") << QStringLiteral("1") << QStringLiteral("--cluster-yes");
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(QStringLiteral("redis-cli"), create);
    if (!cli.waitForFinished(60000) || cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
        error_ = QStringLiteral("redis-cli --cluster create failed: ") + QString::fromLocal8Bit(cli.readAll()).right(600);
        return false;
    }
    if (!waitHealthy(30000))
        return false;
    // Every master has its replica, and the replica has synced (a failover needs it).
    QDeadlineTimer deadline(30000);
    for (;;) {
        int synced = 0;
        for (int i = 0; i < size(); ++i) {
            const shop::redis::Reply info = ask(node(i), {"INFO", "replication"});
            const std::string text = info && info.isString() ? std::string(info.str()) : std::string();
            if (text.find("role:master") != std::string::npos && text.find("state=online") != std::string::npos)
                ++synced;
        }
        if (synced == 3)
            return true;
        if (deadline.hasExpired()) {
            error_ = QStringLiteral("the cluster's replicas did not sync within 30 s (%1 of 3)").arg(synced);
            return false;
        }
        QThread::msleep(100);
    }
}

QString TestRedisCluster::url(int only) const
{
    QStringList hosts;
    for (int i = 0; i < int(nodes_.size()); ++i)
        if (only < 0 || only == i)
            hosts << QStringLiteral("127.0.0.1:%1").arg(nodes_[std::size_t(i)]->port());
    return QStringLiteral("redis+cluster://") + hosts.join(QLatin1Char(','));
}

int TestRedisCluster::masterOf(const std::string& key, int from)
{
    const int slot = shop::redis::keySlot(key);
    for (int i = 0; i < size(); ++i) {
        if (from >= 0 && i != from)
            continue;
        const shop::redis::Reply slotMap = ask(node(i), {"CLUSTER", "SLOTS"});
        if (!slotMap || !slotMap.isArray())
            continue;
        const shop::redis::ReplyView ranges(slotMap.raw());
        for (std::size_t r = 0; r < ranges.size(); ++r) {
            if (slot < ranges[r][0].integer() || slot > ranges[r][1].integer())
                continue;
            const long long port = ranges[r][2][1].integer();
            for (int n = 0; n < size(); ++n)
                if (node(n).port() == port)
                    return n;
        }
        return -1;
    }
    return -1;
}

int TestRedisCluster::replicaOf(int master)
{
    const shop::redis::Reply role = ask(node(master), {"ROLE"});
    if (!role || !role.isArray() || role.size() < 3)
        return -1;
    const shop::redis::ReplyView replicas = shop::redis::ReplyView(role.raw())[2];
    for (std::size_t r = 0; r < replicas.size(); ++r) {
        const int port = QString::fromStdString(std::string(replicas[r][1].str())).toInt();
        for (int n = 0; n < size(); ++n)
            if (node(n).port() == port)
                return n;
    }
    return -1;
}

bool TestRedisCluster::waitHealthy(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QString why;
    for (;;) {
        why.clear();
        for (int i = 0; i < size() && why.isEmpty(); ++i) {
            if (!node(i).isRunning())
                continue;
            const shop::redis::Reply info = ask(node(i), {"CLUSTER", "INFO"});
            if (!info || !info.isString() || std::string_view(info.str()).find("cluster_state:ok") == std::string_view::npos) {
                why = QStringLiteral("node %1 does not say cluster_state:ok").arg(i);
                break;
            }
            const shop::redis::Reply slotMap = ask(node(i), {"CLUSTER", "SLOTS"});
            const shop::redis::ReplyView ranges(slotMap.raw());
            for (std::size_t r = 0; slotMap && r < ranges.size(); ++r) {
                const long long port = ranges[r][2][1].integer();
                const bool live = std::any_of(nodes_.begin(), nodes_.end(), [port](const auto& n) { return n->port() == port && n->isRunning(); });
                if (!live)
                    why = QStringLiteral("node %1 names a stopped master on port %2").arg(i).arg(port);
            }
        }
        if (why.isEmpty())
            return true;
        if (deadline.hasExpired()) {
            error_ = QStringLiteral("the cluster is not healthy after %1 ms: %2").arg(timeoutMs).arg(why);
            return false;
        }
        QThread::msleep(100);
    }
}

QString refuseWritesLikeAFullDisk(shop::redis::Connection& admin, const QString& serverDir)
{
    if (!QDir(serverDir).mkpath(QStringLiteral("dump.rdb/in-the-way")))
        return QStringLiteral("cannot create %1/dump.rdb").arg(serverDir);
    const shop::redis::Reply save = admin.command({"CONFIG", "SET", "save", "3600 1"});
    if (!save || save.isError())
        return QStringLiteral("CONFIG SET save failed: ") + QString::fromStdString(save ? std::string(save.str()) : admin.error());
    const shop::redis::Reply bgsave = admin.command({"BGSAVE"});
    if (!bgsave || bgsave.isError())
        return QStringLiteral("BGSAVE failed: ") + QString::fromStdString(bgsave ? std::string(bgsave.str()) : admin.error());
    // The fork fails to rename its file a moment later; then PING is refused too.
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        const shop::redis::Reply ping = admin.command({"PING"});
        if (!ping)
            return QStringLiteral("PING failed: ") + QString::fromStdString(admin.error());
        if (ping.isError() && ping.str().substr(0, 7) == "MISCONF")
            return {};
        QThread::msleep(10);
    }
    return QStringLiteral("the server did not start refusing writes within 10 s");
}

QString undoRefuseWrites(shop::redis::Connection& admin, const QString& serverDir)
{
    QDir(serverDir + QStringLiteral("/dump.rdb")).removeRecursively();
    const shop::redis::Reply save = admin.command({"CONFIG", "SET", "save", ""});
    if (!save || save.isError())
        return QStringLiteral("CONFIG SET save failed: ") + QString::fromStdString(save ? std::string(save.str()) : admin.error());
    return {};
}
