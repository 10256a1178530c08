// LocalServer, the managed local redis-server: it starts and answers, keeps data across
// restarts (AOF), is shared within a process and across processes (started at once, too),
// outlives a client only while another one remains, is stopped when the last client exits
// or is killed, and says clearly why it could not start. Its directory is its own: one
// owned by another user, writable by others or a symlink is refused, and so are symlinked
// or foreign files in it; what the server writes is private (0600 files, 0700 dirs).
// The suite runs as root in CI: "another user" is a chown to nobody, which root may do.
#include "redis/connection.hpp"
#include "redis/local_server.hpp"
#include "redis/server_facts.hpp"
#include "test_redis_server.hpp"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

#include <csignal>
#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

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

mode_t modeOf(const QString& path)
{
    struct stat st {};
    return ::lstat(path.toLocal8Bit().constData(), &st) == 0 ? (st.st_mode & 07777) : mode_t(-1);
}

// Makes `path` belong to "another user": nobody, as root may do. False when not root.
bool giveToAnotherUser(const QString& path)
{
    const passwd* nobody = ::getpwnam("nobody");
    return ::geteuid() == 0 && nobody && ::lchown(path.toLocal8Bit().constData(), nobody->pw_uid, nobody->pw_gid) == 0;
}

// Refused before anything ran: no pid file, socket or log in `dir` (but the one planted there).
bool nothingStartedIn(const QString& dir, const QString& planted = {})
{
    for (const QString& name : {QStringLiteral("redis.pid"), QStringLiteral("redis.sock"), QStringLiteral("redis.log")}) {
        if (name != planted && QFileInfo(dir + QLatin1Char('/') + name).exists())
            return false;
    }
    return true;
}

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
    void failedStartWithAnUnusableAofDirSaysWhy();
    void failedStartOnAFullDiskSaysSo();
    void joinsAServerThatCannotWriteToItsDisk();
    void missingRedisServerIsExplained();
    void tooLongSocketPathIsExplained();
    void defaultDataDirFollowsXdg();
    void refusesADataDirOfAnotherUser();
    void refusesADataDirOthersCanWrite_data();
    void refusesADataDirOthersCanWrite();
    void refusesASymlinkedDataDir();
    void refusesSymlinkedOrForeignFiles_data();
    void refusesSymlinkedOrForeignFiles();
    void tightensAReadableDataDirOfOurs();
    void everythingTheServerWritesIsPrivate();
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
    QCOMPARE(modeOf(tmp.path() + QStringLiteral("/nested")), mode_t(0700)); // parents we create too

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
    // Redis's own words: the whole FATAL block, not just its last line, and none of the
    // start-up lines around it (version, "Server initialized", the overcommit WARNING).
    QVERIFY2(error.contains(QStringLiteral("FATAL AOF MANIFEST FILE ERROR")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral(">>> 'not a manifest'")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("Invalid AOF manifest file format")), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("Redis is starting")) && !error.contains(QStringLiteral("WARNING")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("redis.log")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
}

void TestLocalServer::failedStartWithAnUnusableAofDirSaysWhy()
{
    // An AOF directory redis-server cannot use; an earlier start's failure is still in the
    // log and must not be taken for this one's.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    QFile notADir(tmp.path() + QStringLiteral("/appendonlydir"));
    QVERIFY(notADir.open(QIODevice::WriteOnly));
    notADir.close();
    QFile log(tmp.path() + QStringLiteral("/redis.log"));
    QVERIFY(log.open(QIODevice::WriteOnly));
    log.write("1:M 01 Jan 2024 00:00:00.000 # Failed opening Unix socket: an earlier start's reason\n");
    log.close();

    LocalServer server(tmp.path().toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.startsWith(QStringLiteral("redis-server exited: Can't open or create append-only dir appendonlydir: Not a "
                                             "directory (see ")),
             qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("earlier start")), qPrintable(error));
}

void TestLocalServer::failedStartOnAFullDiskSaysSo()
{
    // A real full disk: a small tmpfs, filled, in a mount namespace of its own (it needs
    // CAP_SYS_ADMIN, which root in CI has; skipped without). redis-server cannot even log
    // why it stops there: the message used to end in "redis-server exited: " and nothing.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString disk = tmp.path() + QStringLiteral("/disk");
    QVERIFY(QDir().mkdir(disk));
    const QString script = QStringLiteral(
        "mount -t tmpfs -o size=256k,mode=0700 shopstream-test \"$1\" 2>/dev/null || { echo skip; exit 0; }\n"
        "mkdir -m 700 \"$1/redis\" || exit 1\n"
        // An earlier start's failure filling the log's first page exactly (64 lines of 64
        // bytes), so that nothing more fits once the disk is full.
        "i=0; while [ $i -lt 64 ]; do i=$((i+1)); printf '%-63.63s\\n' "
        "'1:M 01 Jan 2024 00:00:00.000 # an earlier start failed for another reason'; done > \"$1/redis/redis.log\"\n"
        "head -c 1048576 /dev/zero > \"$1/fill\" 2>/dev/null\n"
        "exec \"$2\" \"$1/redis\" < /dev/null\n");
    QProcess process;
    process.start(QStringLiteral("unshare"),
                  {QStringLiteral("--mount"), QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh"), disk,
                   QStringLiteral(LOCAL_SERVER_CLIENT)});
    QVERIFY(process.waitForFinished(kTimeoutMs));
    const QString out = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    if (out == QLatin1String("skip") || (process.exitCode() != 0 && out.isEmpty()))
        QSKIP(qPrintable(QStringLiteral("cannot mount a small tmpfs here: ") + QString::fromUtf8(process.readAllStandardError())));
    QVERIFY2(out.startsWith(QStringLiteral("error redis-server exited: its disk is full (0 bytes free at %1/redis)").arg(disk)),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("--data-dir")), qPrintable(out));
    QVERIFY2(!out.contains(QStringLiteral("earlier start")), qPrintable(out));
}

void TestLocalServer::joinsAServerThatCannotWriteToItsDisk()
{
    // Redis answers even PING with MISCONF when it cannot persist: the probe took that for
    // a dead server, waited 10 s for the instance lock and said it "does not answer". Now
    // a second client joins at once, reads work, and the condition is said with the dir.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const ServerReaper reaper(tmp.path());
    auto first = std::make_unique<LocalServer>(tmp.path().toStdString());
    QVERIFY2(first->start(), first->error().c_str());
    Connection admin;
    QVERIFY(admin.connect(first->url()));
    QVERIFY(admin.command({"XADD", "shop:events", "*", "type", "TopUp", "data", "{}"}).isString());
    const QString broken = refuseWritesLikeAFullDisk(admin, tmp.path());
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    // Undone before the guardian's SHUTDOWN, which a failing save would refuse.
    const auto restore = qScopeGuard([&] { undoRefuseWrites(admin, tmp.path()); });

    QElapsedTimer timer;
    timer.start();
    auto second = std::make_unique<LocalServer>(tmp.path().toStdString());
    QVERIFY2(second->start(), second->error().c_str());
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(!second->startedByUs());
    Connection reader;
    QVERIFY2(reader.connect(second->url()), reader.error().c_str());
    QCOMPARE(reader.command({"XLEN", "shop:events"}).integer(), 1);
    const std::vector<std::string> warnings = shop::redis::serverWarnings(reader, second->dataDir());
    QCOMPARE(warnings.size(), std::size_t(1));
    const QString expected = QStringLiteral("redis-server cannot write to its disk at %1: reads work, writes are refused (MISCONF ")
                                 .arg(QFileInfo(tmp.path()).canonicalFilePath());
    QVERIFY2(QString::fromStdString(warnings.front()).startsWith(expected), warnings.front().c_str());

    QVERIFY(undoRefuseWrites(admin, tmp.path()).isEmpty());
    const qint64 pid = serverPid(tmp.path());
    admin.close();
    reader.close();
    first.reset();
    second.reset();
    QVERIFY(waitServerGone(pid, tmp.path()));
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

void TestLocalServer::refusesADataDirOfAnotherUser()
{
    // Another local user who made <data dir>/redis first (and could run their own server on
    // its socket) must not receive our data.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/redis");
    QVERIFY(QDir().mkdir(dir));
    QVERIFY(QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    if (!giveToAnotherUser(dir))
        QSKIP("needs root, to give a directory to another user");
    const ServerReaper reaper(dir);

    LocalServer server(dir.toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.startsWith(QStringLiteral("the data directory %1 is owned by user ").arg(dir)), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("nobody")) && error.contains(QStringLiteral("not by you")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("--data-dir")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(nothingStartedIn(dir));
}

void TestLocalServer::refusesADataDirOthersCanWrite_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("0777") << 0777;
    QTest::newRow("0770 (group)") << 0770;
    QTest::newRow("0702 (others)") << 0702;
}

void TestLocalServer::refusesADataDirOthersCanWrite()
{
    QFETCH(int, mode);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/redis");
    QVERIFY(QDir().mkdir(dir));
    QCOMPARE(::chmod(dir.toLocal8Bit().constData(), static_cast<mode_t>(mode)), 0);
    const ServerReaper reaper(dir);

    LocalServer server(dir.toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.startsWith(QStringLiteral("the data directory %1 can be written by other users (mode 0%2)")
                                  .arg(dir)
                                  .arg(mode, 0, 8)),
             qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("chmod 700")), qPrintable(error));
    QVERIFY(nothingStartedIn(dir));
    QCOMPARE(modeOf(dir), mode_t(mode)); // refused, not silently changed: someone else may have been in it
}

void TestLocalServer::refusesASymlinkedDataDir()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString real = tmp.path() + QStringLiteral("/elsewhere");
    const QString dir = tmp.path() + QStringLiteral("/redis");
    QVERIFY(QDir().mkdir(real));
    QCOMPARE(::chmod(real.toLocal8Bit().constData(), 0700), 0);
    QVERIFY(QFile::link(real, dir));
    const ServerReaper reaper(real);

    LocalServer server(dir.toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    QVERIFY2(error.startsWith(QStringLiteral("the data directory %1 is a symbolic link").arg(dir)), qPrintable(error));
    QVERIFY(QDir(real).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System));
}

void TestLocalServer::refusesSymlinkedOrForeignFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("foreign"); // owned by another user instead of a symlink
    for (const char* name : {"redis.log", "redis.sock", "redis.pid", "clients.lock", "instance.lock", "appendonlydir"}) {
        QTest::addRow("%s symlink", name) << QString::fromLatin1(name) << false;
        QTest::addRow("%s foreign", name) << QString::fromLatin1(name) << true;
    }
}

void TestLocalServer::refusesSymlinkedOrForeignFiles()
{
    QFETCH(QString, name);
    QFETCH(bool, foreign);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/redis");
    QVERIFY(QDir().mkdir(dir));
    QCOMPARE(::chmod(dir.toLocal8Bit().constData(), 0700), 0);
    const QString path = dir + QLatin1Char('/') + name;
    const QString target = tmp.path() + QStringLiteral("/target");
    if (foreign) {
        if (name == QLatin1String("appendonlydir"))
            QVERIFY(QDir().mkdir(path));
        else
            QVERIFY(QFile(path).open(QIODevice::WriteOnly));
        if (!giveToAnotherUser(path))
            QSKIP("needs root, to give a file to another user");
    } else {
        // A symlinked redis.log made redis-server append its log to the link's target.
        QFile file(target);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QVERIFY(QFile::link(target, path));
    }
    const ServerReaper reaper(dir);

    LocalServer server(dir.toStdString());
    QVERIFY(!server.start());
    const QString error = QString::fromStdString(server.error());
    const QString expected = foreign ? QStringLiteral("%1 is owned by user ").arg(path)
                                     : QStringLiteral("%1 is a symbolic link").arg(path);
    QVERIFY2(error.startsWith(expected), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("remove it")), qPrintable(error));
    QVERIFY(nothingStartedIn(dir, name));
    if (!foreign)
        QCOMPARE(QFileInfo(target).size(), 0);
}

void TestLocalServer::tightensAReadableDataDirOfOurs()
{
    // Ours and nobody else may write, only read: made private (chmod 700) and said once.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/redis");
    QVERIFY(QDir().mkdir(dir));
    QCOMPARE(::chmod(dir.toLocal8Bit().constData(), 0755), 0);
    const ServerReaper reaper(dir);
    qint64 pid = -1;
    {
        LocalServer server(dir.toStdString());
        QVERIFY2(server.start(), server.error().c_str());
        QCOMPARE(modeOf(dir), mode_t(0700));
        QCOMPARE(server.notices().size(), std::size_t(1));
        const QString notice = QString::fromStdString(server.notices().front());
        QVERIFY2(notice == QStringLiteral("the data directory %1 could be read by other users (mode 0755); it is now "
                                          "private (mode 0700)")
                               .arg(dir),
                 qPrintable(notice));
        LocalServer again(dir.toStdString());
        QVERIFY2(again.start(), again.error().c_str());
        QVERIFY(again.notices().empty()); // once
        pid = serverPid(dir);
    }
    QVERIFY(waitServerGone(pid, dir));
}

void TestLocalServer::everythingTheServerWritesIsPrivate()
{
    // Redis creates its AOF, log and pid file with the umask of whoever starts it: before,
    // a 0644 AOF could be read by every local user whenever the directory was not 0700.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dir = tmp.path() + QStringLiteral("/redis");
    const ServerReaper reaper(dir);
    const mode_t savedUmask = ::umask(022); // a usual umask, whatever the test runner's
    const auto restore = qScopeGuard([&] { ::umask(savedUmask); });
    qint64 pid = -1;
    {
        LocalServer server(dir.toStdString());
        QVERIFY2(server.start(), server.error().c_str());
        Connection connection;
        QVERIFY(connection.connect(server.url()));
        QVERIFY(connection.command({"XADD", "shop:events", "*", "type", "TopUp", "data", "{}"}));
        QVERIFY(connection.command({"BGREWRITEAOF"})); // a rewrite makes new base and incr files
        QVERIFY(QTest::qWaitFor(
            [&] {
                const auto info = connection.command({"INFO", "persistence"});
                return info && info.str().find("aof_rewrite_in_progress:0") != std::string_view::npos
                       && info.str().find("aof_rewrite_scheduled:0") != std::string_view::npos;
            },
            kTimeoutMs));
        pid = serverPid(dir);

        QStringList checked;
        for (const QString& sub : {QString(), QStringLiteral("/appendonlydir")}) {
            QDir d(dir + sub);
            for (const QFileInfo& entry : d.entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
                const mode_t mode = modeOf(entry.filePath());
                const mode_t expected = entry.isDir() ? 0700 : entry.fileName() == QLatin1String("redis.sock") ? 0700 : 0600;
                QVERIFY2(mode == expected, qPrintable(QStringLiteral("%1 has mode 0%2").arg(entry.filePath()).arg(mode, 0, 8)));
                checked << sub + QLatin1Char('/') + entry.fileName();
            }
        }
        QCOMPARE(modeOf(dir), mode_t(0700));
        for (const char* name : {"/redis.log", "/redis.pid", "/redis.sock", "/appendonlydir", "/appendonlydir/appendonly.aof.manifest"})
            QVERIFY2(checked.contains(QLatin1String(name)), qPrintable(checked.join(QLatin1Char(' '))));
        QVERIFY2(checked.filter(QStringLiteral(".incr.aof")).size() >= 1, qPrintable(checked.join(QLatin1Char(' '))));
        QVERIFY2(checked.filter(QStringLiteral(".base.")).size() >= 1, qPrintable(checked.join(QLatin1Char(' '))));
    }
    QVERIFY(waitServerGone(pid, dir));
}

QTEST_GUILESS_MAIN(TestLocalServer)
#include "test_local_server.moc"
