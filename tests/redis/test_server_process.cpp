// redis::ServerProcess and the pieces the three redis-server starters share: the arguments
// it is given, a child that answers, stops, is killed, pauses, says why it could not start,
// and dies with the thread that started it (so a killed test leaves no server behind).
#include "redis/connection.hpp"
#include "redis/server_process.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

using namespace shop::redis;

namespace {

bool answers(const RedisUrl& url)
{
    Connection connection;
    return connection.connect(url, {.connectTimeoutMs = 500, .commandTimeoutMs = 1000})
        && connection.command({"PING"}).str() == "PONG";
}

// Whether `pid` still exists (a zombie of ours counts until reaped, which running() does).
bool exists(pid_t pid) { return ::kill(pid, 0) == 0; }

ServerConfig socketConfig(const QTemporaryDir& dir)
{
    return {.dir = dir.path().toStdString(), .socketPath = dir.filePath(QStringLiteral("r.sock")).toStdString()};
}

} // namespace

class TestServerProcess : public QObject {
    Q_OBJECT
private slots:
    void argumentsSayWhatTheConfigSays()
    {
        const std::vector<std::string> plain = serverArguments({.dir = "/d", .socketPath = "/d/s"});
        const std::vector<std::string> expected = {"--port", "0", "--unixsocket", "/d/s", "--unixsocketperm", "700", "--dir", "/d",
                                                   "--save", "", "--appendonly", "no", "--daemonize", "no"};
        QCOMPARE(plain, expected);

        const std::vector<std::string> tcp = serverArguments(
            {.dir = "/d", .port = 6390, .appendOnly = true, .daemonize = true, .extraArgs = {"--requirepass", "x"}});
        const std::vector<std::string> expectedTcp = {"--port", "6390", "--bind", "127.0.0.1", "--dir", "/d", "--save", "",
                                                      "--appendonly", "yes", "--appendfsync", "everysec", "--daemonize",
                                                      "yes", "--requirepass", "x"};
        QCOMPARE(tcp, expectedTcp);
    }

    void startsAnswersAndStops()
    {
        QTemporaryDir dir;
        ServerProcess server;
        QVERIFY2(server.start(socketConfig(dir)), server.error().c_str());
        QVERIFY(server.running());
        QVERIFY(answers(server.url()));
        const pid_t pid = server.pid();
        server.stop();
        QVERIFY(!server.running());
        QVERIFY(!exists(pid));
        QVERIFY(!answers(server.url()));
        struct stat st {};
        QCOMPARE(::stat(server.logPath().c_str(), &st), 0); // its output went to redis.log
        QVERIFY(st.st_size > 0);
    }

    void killPauseAndResume()
    {
        QTemporaryDir dir;
        ServerProcess server;
        QVERIFY2(server.start(socketConfig(dir)), server.error().c_str());
        QVERIFY(server.signal(SIGSTOP));
        Connection paused;
        const bool pausedAnswers = paused.connect(server.url(), {.connectTimeoutMs = 200, .commandTimeoutMs = 200})
            && paused.command({"PING"});
        QVERIFY(!pausedAnswers);
        QVERIFY(server.signal(SIGCONT));
        QVERIFY(answers(server.url()));
        server.kill();
        QVERIFY(!server.running());
        QVERIFY(!server.signal(SIGCONT));
    }

    void aFailedStartSaysWhy()
    {
        QTemporaryDir dir;
        ServerProcess server;
        ServerConfig config = socketConfig(dir);
        config.extraArgs = {"--no-such-option", "1"};
        QVERIFY(!server.start(config));
        QVERIFY2(server.error().find("exited at start") != std::string::npos, server.error().c_str());
        QVERIFY2(server.error().find("no-such-option") != std::string::npos, server.error().c_str()); // from its log
        QVERIFY(!server.running());
    }

    // PR_SET_PDEATHSIG fires when the thread that spawned the child ends: a server started
    // on a thread that ends is killed, as one started by a test process that is killed.
    void diesWithTheThreadThatStartedIt()
    {
        QTemporaryDir dir;
        ServerProcess server;
        bool started = false;
        std::thread([&] { started = server.start(socketConfig(dir)); }).join();
        QVERIFY2(started, server.error().c_str());
        QTRY_VERIFY_WITH_TIMEOUT(!server.running(), 5000);
        QVERIFY(!answers(server.url()));
    }
};

QTEST_GUILESS_MAIN(TestServerProcess)
#include "test_server_process.moc"
