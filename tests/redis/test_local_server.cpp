// LocalServer, the managed local redis-server: it starts and answers, keeps data across
// restarts (AOF), is shared within a process and across processes (started at once, too),
// outlives a client only while another one remains, is stopped when the last client exits
// or is killed, and says clearly why it could not start.
#include "redis/connection.hpp"
#include "redis/local_server.hpp"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

#include <csignal>
#include <sys/stat.h>

using shop::redis::Connection;
using shop::redis::LocalServer;
using shop::redis::RedisUrl;

namespace {
constexpr int kTimeoutMs = 15000;

// A zombie (an orphan not reaped yet, where init does not reap) counts as gone.
bool pidAlive(qint64 pid)
{
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const int paren = text.lastIndexOf(')');
    return paren > 0 && paren + 2 < text.size() && text.at(paren + 2) != 'Z';
}

qint64 serverPid(const QString& dataDir)
{
    QFile file(dataDir + QStringLiteral("/redis.pid"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    return file.readAll().trimmed().toLongLong();
}

QByteArray text(const shop::redis::Reply& reply)
{
    const std::string_view s = reply.str();
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

bool ping(const std::string& socketPath)
{
    Connection connection;
    if (!connection.connect(RedisUrl::unixSocket(socketPath)))
        return false;
    const auto reply = connection.command({"PING"});
    return reply && reply.str() == "PONG";
}

// Stopped means: the process is gone and it removed its socket on the way out.
bool waitServerGone(qint64 pid, const QString& dataDir)
{
    return QTest::qWaitFor(
        [&] { return !pidAlive(pid) && !QFile::exists(dataDir + QStringLiteral("/redis.sock")); }, kTimeoutMs);
}

// Checks for a while that the server keeps running (nothing to wait for: it must not stop).
bool staysUp(qint64 pid, const std::string& socketPath, int ms = 500)
{
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired()) {
        if (!pidAlive(pid))
            return false;
        QTest::qWait(20);
    }
    return ping(socketPath);
}

// Declared right after the data directory: when a test fails early, this still waits for
// the guardian to stop the server (or kills it) before the directory is removed under it.
class ServerReaper {
public:
    explicit ServerReaper(QString dataDir) : dir_(std::move(dataDir)) {}
    ~ServerReaper()
    {
        // Only the pid: a server that failed to start leaves its pid file and socket behind.
        const qint64 pid = serverPid(dir_);
        if (pid > 0 && !QTest::qWaitFor([&] { return !pidAlive(pid); }, kTimeoutMs))
            ::kill(static_cast<pid_t>(pid), SIGKILL);
    }

private:
    QString dir_;
};

// One local_server_client process.
class Client {
public:
    explicit Client(const QString& dataDir)
    {
        process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process_.start(QStringLiteral(LOCAL_SERVER_CLIENT), {dataDir});
    }
    ~Client()
    {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished(kTimeoutMs);
        }
    }

    // Reads its report up to "ready"; false on "error ..." or when it exits first.
    bool waitReady()
    {
        const bool done = QTest::qWaitFor(
            [&] {
                while (process_.canReadLine()) {
                    const QByteArray line = process_.readLine().trimmed();
                    lines_.append(line);
                    if (line == "ready" || line.startsWith("error"))
                        return true;
                }
                return process_.state() == QProcess::NotRunning;
            },
            kTimeoutMs);
        return done && !lines_.isEmpty() && lines_.last() == "ready";
    }
    bool startedServer() const { return lines_.contains("started"); }
    QByteArray socket() const
    {
        for (const QByteArray& line : lines_) {
            if (line.startsWith("socket "))
                return line.mid(7);
        }
        return {};
    }
    QString report() const { return QString::fromUtf8(lines_.join(" | ")); }

    // Leaves politely: closing stdin makes it exit normally.
    bool leave()
    {
        process_.closeWriteChannel();
        return process_.waitForFinished(kTimeoutMs) && process_.exitCode() == 0;
    }
    bool killHard()
    {
        process_.kill();
        return process_.waitForFinished(kTimeoutMs);
    }

private:
    QProcess process_;
    QByteArrayList lines_;
};
} // namespace

class TestLocalServer : public QObject {
    Q_OBJECT

private slots:
    void startsAndAnswers();
    void dataSurvivesRestart();
    void sharedWithinOneProcess();
    void sharedBetweenProcesses();
    void concurrentStartsShareOneServer();
    void killedClientLeavesNothingRunning();
    void killedStarterDoesNotStopOthers();
    void newClientDuringShutdown();
    void failedStartIsExplained();
    void missingRedisServerIsExplained();
    void tooLongSocketPathIsExplained();
    void defaultDataDirFollowsXdg();
};

void TestLocalServer::startsAndAnswers()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/nested/redis");
    const ServerReaper reaper(dir);
    auto server = std::make_unique<LocalServer>(dir.toStdString());
    QVERIFY2(server->start(), server->error().c_str());
    QVERIFY(server->startedByUs());
    QCOMPARE(QString::fromStdString(server->socketPath()), dir + QStringLiteral("/redis.sock"));
    QCOMPARE(server->url().kind, RedisUrl::Kind::Unix);
    QCOMPARE(server->url().socketPath, server->socketPath());

    struct stat st {};
    QCOMPARE(::stat(dir.toLocal8Bit().constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);

    Connection connection;
    QVERIFY2(connection.connect(server->url()), connection.error().c_str());
    QVERIFY(connection.command({"SET", "greeting", "hello"}));
    QCOMPARE(text(connection.command({"GET", "greeting"})), "hello");
    const auto aof = connection.command({"CONFIG", "GET", "appendonly"});
    QVERIFY(aof.isArray() && aof.size() == 2);
    QVERIFY(shop::redis::ReplyView(aof.raw())[1].str() == "yes");
    connection.close();

    const qint64 pid = serverPid(dir);
    QVERIFY(pidAlive(pid));
    QVERIFY(server->start()); // a second start() is a no-op
    server.reset();
    QVERIFY(waitServerGone(pid, dir));
}

void TestLocalServer::dataSurvivesRestart()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    qint64 firstPid = -1;
    {
        LocalServer server(tmp.path().toStdString());
        QVERIFY2(server.start(), server.error().c_str());
        Connection connection;
        QVERIFY(connection.connect(server.url()));
        QVERIFY(connection.command({"SET", "kept", "across restarts"}));
        QVERIFY(connection.command({"XADD", "shop:events", "*", "type", "TopUp", "data", "{}"}));
        firstPid = serverPid(tmp.path());
    }
    QVERIFY(waitServerGone(firstPid, tmp.path()));

    auto server = std::make_unique<LocalServer>(tmp.path().toStdString());
    QVERIFY2(server->start(), server->error().c_str());
    QVERIFY(server->startedByUs());
    const qint64 secondPid = serverPid(tmp.path());
    QVERIFY(secondPid != firstPid);
    {
        Connection connection;
        QVERIFY(connection.connect(server->url()));
        QCOMPARE(text(connection.command({"GET", "kept"})), "across restarts");
        QCOMPARE(connection.command({"XLEN", "shop:events"}).integer(), 1);
    }
    server.reset();
    QVERIFY(waitServerGone(secondPid, tmp.path()));
}

void TestLocalServer::sharedWithinOneProcess()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    auto first = std::make_unique<LocalServer>(tmp.path().toStdString());
    auto second = std::make_unique<LocalServer>(tmp.path().toStdString());
    QVERIFY2(first->start(), first->error().c_str());
    QVERIFY2(second->start(), second->error().c_str());
    QVERIFY(first->startedByUs());
    QVERIFY(!second->startedByUs());
    QCOMPARE(second->socketPath(), first->socketPath());

    const qint64 pid = serverPid(tmp.path());
    first.reset(); // the starter leaving does not stop it
    QVERIFY(staysUp(pid, second->socketPath()));
    second.reset();
    QVERIFY(waitServerGone(pid, tmp.path()));
}

void TestLocalServer::sharedBetweenProcesses()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    Client a(tmp.path());
    QVERIFY2(a.waitReady(), qPrintable(a.report()));
    Client b(tmp.path());
    QVERIFY2(b.waitReady(), qPrintable(b.report()));
    QVERIFY(a.startedServer());
    QVERIFY(!b.startedServer());
    QCOMPARE(b.socket(), a.socket());
    const std::string socketPath = a.socket().toStdString();

    const qint64 pid = serverPid(tmp.path());
    QVERIFY(pidAlive(pid));
    QVERIFY(a.leave());
    QVERIFY(staysUp(pid, socketPath));
    QVERIFY(b.leave());
    QVERIFY(waitServerGone(pid, tmp.path()));
}

void TestLocalServer::concurrentStartsShareOneServer()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 4; ++i)
        clients.push_back(std::make_unique<Client>(tmp.path()));
    int starters = 0;
    for (const auto& client : clients) {
        QVERIFY2(client->waitReady(), qPrintable(client->report()));
        starters += client->startedServer() ? 1 : 0;
        QCOMPARE(client->socket(), clients.front()->socket());
    }
    QCOMPARE(starters, 1);

    const qint64 pid = serverPid(tmp.path());
    for (const auto& client : clients)
        QVERIFY(client->leave());
    QVERIFY(waitServerGone(pid, tmp.path()));
}

void TestLocalServer::killedClientLeavesNothingRunning()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    Client client(tmp.path());
    QVERIFY2(client.waitReady(), qPrintable(client.report()));
    const qint64 pid = serverPid(tmp.path());
    QVERIFY(pidAlive(pid));
    QVERIFY(client.killHard()); // SIGKILL: no destructor runs
    QVERIFY(waitServerGone(pid, tmp.path()));
}

void TestLocalServer::killedStarterDoesNotStopOthers()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    Client starter(tmp.path());
    QVERIFY2(starter.waitReady(), qPrintable(starter.report()));
    auto server = std::make_unique<LocalServer>(tmp.path().toStdString());
    QVERIFY2(server->start(), server->error().c_str());
    QVERIFY(!server->startedByUs());

    const qint64 pid = serverPid(tmp.path());
    QVERIFY(starter.killHard());
    QVERIFY(staysUp(pid, server->socketPath()));
    server.reset();
    QVERIFY(waitServerGone(pid, tmp.path()));
}

void TestLocalServer::newClientDuringShutdown()
{
    // The last client leaves and a new one arrives at once, racing the guardian: the new
    // one must get a working server (the old one or a restarted one) with the data intact.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    qint64 lastPid = -1;
    for (int round = 0; round < 5; ++round) {
        Client leaving(tmp.path());
        QVERIFY2(leaving.waitReady(), qPrintable(leaving.report()));
        {
            Connection connection;
            QVERIFY(connection.connect(RedisUrl::unixSocket(leaving.socket().toStdString())));
            QCOMPARE(connection.command({"INCR", "rounds"}).integer(), round + 1);
        }
        QVERIFY(leaving.leave());

        LocalServer arriving(tmp.path().toStdString());
        QVERIFY2(arriving.start(), arriving.error().c_str());
        Connection connection;
        QVERIFY(connection.connect(arriving.url()));
        QCOMPARE(text(connection.command({"GET", "rounds"})), QByteArray::number(round + 1));
        lastPid = serverPid(tmp.path());
    }
    QVERIFY(waitServerGone(lastPid, tmp.path()));
}

void TestLocalServer::failedStartIsExplained()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    QVERIFY(QDir(tmp.path()).mkdir(QStringLiteral("appendonlydir")));
    QFile manifest(tmp.path() + QStringLiteral("/appendonlydir/appendonly.aof.manifest"));
    QVERIFY(manifest.open(QIODevice::WriteOnly));
    manifest.write("not a manifest\n");
    manifest.close();

    LocalServer server(tmp.path().toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.contains(QStringLiteral("redis-server exited")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("manifest")), qPrintable(error)); // redis's own words
    QVERIFY2(error.contains(QStringLiteral("redis.log")), qPrintable(error));
}

void TestLocalServer::missingRedisServerIsExplained()
{
    QTemporaryDir tmp;
    QTemporaryDir emptyBin;
    QVERIFY(tmp.isValid() && emptyBin.isValid());
    const QByteArray savedPath = qgetenv("PATH");
    const auto restore = qScopeGuard([&] { qputenv("PATH", savedPath); });
    qputenv("PATH", emptyBin.path().toLocal8Bit());

    LocalServer server(tmp.path().toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.contains(QStringLiteral("redis-server was not found on PATH")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("apt-get install redis-server")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("--redis URL")), qPrintable(error));
    QVERIFY(!QFile::exists(tmp.path() + QStringLiteral("/redis.sock")));
}

void TestLocalServer::tooLongSocketPathIsExplained()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    const QString dir = tmp.path() + QLatin1Char('/') + QString(120, QLatin1Char('d'));
    LocalServer server(dir.toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.contains(QStringLiteral("longer than the 107 bytes")), qPrintable(error));
}

void TestLocalServer::defaultDataDirFollowsXdg()
{
    const QByteArray savedXdg = qgetenv("XDG_DATA_HOME");
    const bool hadXdg = qEnvironmentVariableIsSet("XDG_DATA_HOME");
    const QByteArray savedHome = qgetenv("HOME");
    const auto restore = qScopeGuard([&] {
        if (hadXdg)
            qputenv("XDG_DATA_HOME", savedXdg);
        else
            qunsetenv("XDG_DATA_HOME");
        qputenv("HOME", savedHome);
    });

    qputenv("XDG_DATA_HOME", "/xdg/data");
    QCOMPARE(LocalServer::defaultDataDir(), std::string("/xdg/data/shopstream/redis"));
    qputenv("XDG_DATA_HOME", "relative/is/ignored");
    qputenv("HOME", "/home/someone");
    QCOMPARE(LocalServer::defaultDataDir(), std::string("/home/someone/.local/share/shopstream/redis"));
    qunsetenv("XDG_DATA_HOME");
    QCOMPARE(LocalServer::defaultDataDir(), std::string("/home/someone/.local/share/shopstream/redis"));
}

QTEST_GUILESS_MAIN(TestLocalServer)
#include "test_local_server.moc"
