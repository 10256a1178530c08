// shopstream-cli's JSON and CSV output in bounded memory: `state` and `events` must stream,
// using about what the text output of the same command uses (the state itself), not a
// document of the whole shop or the whole stream. Each run's peak RSS is its own
// (wait4's rusage of that child).
#include "sanitized.hpp"
#include "test_redis_server.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char** environ;

namespace {

struct Run {
    bool ok = false;
    long maxRssKb = 0;
};

// The program with `args`, stdout and stderr to /dev/null; its exit and peak RSS.
Run spawnAndMeasure(const QString& program, const QStringList& args)
{
    std::vector<QByteArray> bytes{program.toUtf8()};
    for (const QString& a : args)
        bytes.push_back(a.toUtf8());
    std::vector<char*> argv;
    for (QByteArray& b : bytes)
        argv.push_back(b.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    Run run;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
        int status = 0;
        rusage usage{};
        while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
        run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        run.maxRssKb = usage.ru_maxrss;
    }
    posix_spawn_file_actions_destroy(&actions);
    return run;
}

} // namespace

class TestCliMemory : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void structuredOutputUsesAboutWhatTextUses_data();
    void structuredOutputUsesAboutWhatTextUses();

private:
    Run run(const QStringList& args);

    QString cli_;
    TestRedisServer server_;
    QTemporaryDir home_;
};

Run TestCliMemory::run(const QStringList& args)
{
    return spawnAndMeasure(cli_, QStringList{QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--data-dir"),
                                             home_.path(), QStringLiteral("--stream"), QStringLiteral("m:big")}
                                     + args);
}

void TestCliMemory::initTestCase()
{
    if (kSanitized)
        QSKIP("peak RSS says nothing under AddressSanitizer; this suite runs in the plain build");
    cli_ = qEnvironmentVariable("SHOPSTREAM_CLI");
    QVERIFY2(!cli_.isEmpty(), "SHOPSTREAM_CLI must name the shopstream-cli executable");
    QVERIFY(home_.isValid());
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    // 300k entries, one user each: a JSON DOM of the state or of the listing is several
    // times the size of the state.
    QVERIFY(run({QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("300000"), QStringLiteral("--users"),
                 QStringLiteral("300000")})
                .ok);
}

void TestCliMemory::structuredOutputUsesAboutWhatTextUses_data()
{
    QTest::addColumn<QStringList>("text");
    QTest::addColumn<QStringList>("json");
    QTest::newRow("state") << QStringList{"state", "--from-scratch"} << QStringList{"state", "--from-scratch", "--json"};
    QTest::newRow("events") << QStringList{"events", "--count", "0"} << QStringList{"events", "--count", "0", "--json"};
    QTest::newRow("state CSV") << QStringList{"state", "--from-scratch"} << QStringList{"state", "--from-scratch", "--csv"};
    QTest::newRow("events CSV") << QStringList{"events", "--count", "0"} << QStringList{"events", "--count", "0", "--csv"};
}

void TestCliMemory::structuredOutputUsesAboutWhatTextUses()
{
    QFETCH(QStringList, text);
    QFETCH(QStringList, json);
    const Run plain = run(text);
    QVERIFY(plain.ok);
    const Run structured = run(json);
    QVERIFY(structured.ok);
    qInfo("peak RSS: text %ld KiB, JSON or CSV %ld KiB", plain.maxRssKb, structured.maxRssKb);
    // Streamed, the JSON or CSV run stays near the text run's peak (the state, plus buffers); a DOM
    // would be several times over.
    QVERIFY2(structured.maxRssKb <= plain.maxRssKb + plain.maxRssKb / 4 + 16 * 1024,
             qPrintable(QStringLiteral("%1 KiB against %2 KiB").arg(structured.maxRssKb).arg(plain.maxRssKb)));
}

QTEST_GUILESS_MAIN(TestCliMemory)
#include "test_cli_memory.moc"
