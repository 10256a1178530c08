// A private redis-server per test suite (see the header). Its output goes to redis.log in
// the suite's temporary directory, so ctest's output stays the test's own and no child
// holds ctest's stdout open.
#include "test_redis_server.hpp"

#include "redis/connection.hpp"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QTcpServer>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>

namespace {

int pickFreePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const int port = probe.serverPort();
    probe.close();
    return port;
}

QString logTail(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = file.readAll();
    const QList<QByteArray> lines = all.trimmed().split('\n');
    QStringList tail;
    for (qsizetype i = std::max<qsizetype>(0, lines.size() - 5); i < lines.size(); ++i)
        tail << QString::fromUtf8(lines[i]);
    return tail.join(QStringLiteral(" | "));
}

} // namespace

TestRedisServer::TestRedisServer() : TestRedisServer(Options{}) {}

TestRedisServer::TestRedisServer(Options options) : options_(std::move(options)) {}

TestRedisServer::~TestRedisServer() { stop(); }

QString TestRedisServer::dataDir() const { return options_.dataDir.isEmpty() ? tempDir_.path() : options_.dataDir; }

QString TestRedisServer::socketPath() const { return dataDir() + QStringLiteral("/redis.sock"); }

qint64 TestRedisServer::pid() const { return process_.processId(); }

bool TestRedisServer::isRunning() const { return process_.state() != QProcess::NotRunning; }

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
    const QString logPath = tempDir_.filePath(QStringLiteral("redis.log"));

    // A port picked here may be taken before redis binds it: try a few times. A restart
    // keeps the port it had, so URLs handed out before stay valid.
    const int attempts = options_.tcp && port_ == 0 ? 3 : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (options_.tcp && (port_ == 0 || attempt > 0))
            port_ = pickFreePort();
        QStringList args;
        if (options_.tcp)
            args << QStringLiteral("--port") << QString::number(port_) << QStringLiteral("--bind") << QStringLiteral("127.0.0.1");
        else
            args << QStringLiteral("--port") << QStringLiteral("0");
        args << QStringLiteral("--unixsocket") << socketPath() << QStringLiteral("--unixsocketperm") << QStringLiteral("700")
             << QStringLiteral("--save") << QString() << QStringLiteral("--appendonly")
             << (options_.appendOnly ? QStringLiteral("yes") : QStringLiteral("no")) << QStringLiteral("--dir") << dataDir()
             << QStringLiteral("--daemonize") << QStringLiteral("no") << options_.extraArgs;

        process_.setProgram(QStringLiteral("redis-server"));
        process_.setArguments(args);
        process_.setProcessChannelMode(QProcess::MergedChannels);
        process_.setStandardOutputFile(logPath, QIODevice::Append);
        process_.setStandardInputFile(QProcess::nullDevice());
        // The server dies with the test, even when the test is killed.
        process_.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        process_.start();
        if (!process_.waitForStarted(5000)) {
            error_ = QStringLiteral("cannot start redis-server from PATH: ") + process_.errorString();
            return false;
        }

        // Any reply, even NOAUTH from a server with a password, means it is ready.
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired()) {
            if (process_.state() == QProcess::NotRunning)
                break;
            shop::redis::Connection probe;
            shop::redis::ConnectOptions probeOptions;
            probeOptions.connectTimeoutMs = 500;
            probeOptions.commandTimeoutMs = 1000;
            if (probe.connect(url(), probeOptions) || shop::redis::isCredentialFailure(probe.errorKind()))
                return true;
            QThread::msleep(20);
        }
        if (process_.state() != QProcess::NotRunning) {
            error_ = QStringLiteral("redis-server did not answer PING within 10 s; log: ") + logTail(logPath);
            kill();
            return false;
        }
        process_.waitForFinished(1000);
        error_ = QStringLiteral("redis-server exited at start; log: ") + logTail(logPath);
    }
    return false;
}

void TestRedisServer::stop()
{
    if (!isRunning())
        return;
    const qint64 id = process_.processId();
    ::kill(static_cast<pid_t>(id), SIGCONT); // a paused server would never see SIGTERM
    process_.terminate();
    if (!process_.waitForFinished(10000)) {
        process_.kill();
        process_.waitForFinished(5000);
    }
}

void TestRedisServer::kill()
{
    if (!isRunning())
        return;
    process_.kill();
    process_.waitForFinished(5000);
}

void TestRedisServer::pause()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(process_.processId()), SIGSTOP);
}

void TestRedisServer::resume()
{
    if (isRunning())
        ::kill(static_cast<pid_t>(process_.processId()), SIGCONT);
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
