// The headless consumer (`shopstream-cli consume --snapshot-every 1`) SIGKILLed again and
// again while it catches up on a stream of 1M entries (growing by 100k a round): right
// after a snapshot was saved, about when the next one is being written (both while
// catching up from scratch, which takes a few seconds, so the saves land mid catch-up), at
// a random moment while it restores the newest snapshot and replays the tail, and at a
// random moment in the first half of a catch-up from scratch (as long as an earlier round
// said its catch-up took; so that kills land mid catch-up on a fast machine too). After every kill all
// stored snapshots still verify, and at the end the state from the newest snapshot plus the
// tail equals the state rebuilt from scratch, and `snapshot verify` passes.
#include "reliability_support.hpp"
#include "sanitized.hpp"
#include "test_redis_server.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <algorithm>

using namespace reliability;

namespace {
// The stream at the start and what each later round adds (a fifth in the sanitizer build,
// where everything runs a few times slower; the kills land the same ways).
constexpr int kFirstEvents = kSanitized ? 200000 : 1000000;
constexpr int kMoreEvents = kSanitized ? 20000 : 100000;
} // namespace

class TestConsumerKill : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void killedMidCatchUpAgainAndAgain();

private:
    QStringList base() const { return {QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--stream"), stream_}; }
    void checkSnapshotsVerify(int round);

    TestRedisServer server_;
    const QString stream_ = QStringLiteral("rel:kill");
};

void TestConsumerKill::initTestCase()
{
    QVERIFY2(!cliPath().isEmpty(), "SHOPSTREAM_CLI is not set");
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    // Many users and items make each snapshot a few hundred KB, so saving takes a moment.
    const CliResult produced = runCli(base() << QStringLiteral("produce") << QStringLiteral("--events") << QString::number(kFirstEvents)
                                             << QStringLiteral("--users") << QStringLiteral("20000") << QStringLiteral("--items")
                                             << QStringLiteral("5000") << QStringLiteral("--seed") << QStringLiteral("3"),
                                      120000);
    QVERIFY2(produced.ok(), qPrintable(produced.describe()));
}

void TestConsumerKill::checkSnapshotsVerify(int round)
{
    const CliResult list = runCli(base() << QStringLiteral("snapshot") << QStringLiteral("list") << QStringLiteral("--json"));
    QVERIFY2(list.ok(), qPrintable(list.describe()));
    const QJsonArray snapshots = QJsonDocument::fromJson(list.out).array();
    for (const QJsonValue& s : snapshots)
        QVERIFY2(s.toObject().value(QStringLiteral("checked")).toBool(),
                 qPrintable(QStringLiteral("round %1: snapshot %2 does not verify: %3")
                                .arg(round)
                                .arg(s.toObject().value(QStringLiteral("id")).toString(),
                                     s.toObject().value(QStringLiteral("problem")).toString())));
}

void TestConsumerKill::killedMidCatchUpAgainAndAgain()
{
    const int rounds = qEnvironmentVariableIntValue("RELIABILITY_KILL_ROUNDS") > 0
                           ? qEnvironmentVariableIntValue("RELIABILITY_KILL_ROUNDS")
                           : 10;
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("kill schedule seed %u", seed);
    QRandomGenerator random(seed);
    int killedBeforeCaughtUp = 0, killedRightAfterSave = 0, killedAroundNextSave = 0, killedAtRandom = 0,
        killedInCatchUp = 0;
    qint64 catchUpMs = 0; // what the last round that said so took to catch up from scratch

    for (int round = 0; round < rounds; ++round) {
        // More entries every round, so each restart has catching up to do.
        if (round > 0) {
            const CliResult more = runCli(base() << QStringLiteral("produce") << QStringLiteral("--events")
                                                 << QString::number(kMoreEvents) << QStringLiteral("--users") << QStringLiteral("20000")
                                                 << QStringLiteral("--items") << QStringLiteral("5000") << QStringLiteral("--seed")
                                                 << QString::number(100 + round));
            QVERIFY2(more.ok(), qPrintable(more.describe()));
        }
        QProcess consumer;
        prepareChild(consumer, QProcessEnvironment::systemEnvironment());
        // Four ways to pick the moment: right after "snapshot saved" shows, about one
        // interval later (while the next one is being written), at a random time, or at a
        // random time in the first half of a catch-up from scratch.
        const int mode = round % 4;
        QStringList args = base() << QStringLiteral("consume") << QStringLiteral("--snapshot-every") << QStringLiteral("1");
        if (mode != 2)
            args << QStringLiteral("--from-scratch"); // a long catch-up, with saves during it
        consumer.setArguments(args);
        consumer.start();
        QVERIFY(consumer.waitForStarted(5000));

        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        const int randomDelay = 20 + int(random.bounded(400));
        const int catchUpDelay = int(random.bounded(int(std::max<qint64>(1, catchUpMs / 2))));
        QElapsedTimer sinceStart; // since the consumer said it starts from the start
        bool sawSave = false;
        while (consumer.state() == QProcess::Running && timer.elapsed() < 20000) {
            consumer.waitForReadyRead(5);
            out += consumer.readAllStandardOutput();
            sawSave = out.contains("snapshot saved");
            if (mode == 0 && sawSave)
                break;
            if (mode == 1 && sawSave) {
                QThread::msleep(900 + random.bounded(150));
                break;
            }
            if (mode == 2 && timer.elapsed() >= randomDelay)
                break;
            if (mode == 3 && !sinceStart.isValid() && out.contains("from the start"))
                sinceStart.start();
            if (mode == 3 && sinceStart.isValid() && sinceStart.elapsed() >= catchUpDelay)
                break;
        }
        QVERIFY2(consumer.state() == QProcess::Running,
                 qPrintable(QStringLiteral("round %1: the consumer ended by itself: %2 %3")
                                .arg(round)
                                .arg(QString::fromUtf8(out), QString::fromUtf8(consumer.readAllStandardError()))));
        ::kill(static_cast<pid_t>(consumer.processId()), SIGKILL);
        QVERIFY(consumer.waitForFinished(5000));
        out += consumer.readAllStandardOutput();
        const int savedBefore = int(out.count("snapshot saved"));
        const bool caughtUp = out.contains("caught up");
        killedBeforeCaughtUp += caughtUp ? 0 : 1;
        (mode == 0 ? killedRightAfterSave : mode == 1 ? killedAroundNextSave : mode == 2 ? killedAtRandom : killedInCatchUp)++;
        static const QRegularExpression tookFromScratch(QStringLiteral("caught up: .* replayed in ([0-9.]+) s"));
        if (const auto took = tookFromScratch.match(QString::fromUtf8(out)); took.hasMatch() && mode != 2)
            catchUpMs = qint64(took.captured(1).toDouble() * 1000);
        qInfo("round %d: mode %s, killed after %lld ms, %d snapshot(s) saved, %s", round,
              mode == 0   ? "right after a save"
              : mode == 1 ? "about the next save"
              : mode == 2 ? "random"
                          : "in the first half of the catch-up",
              timer.elapsed(), savedBefore, caughtUp ? "after catching up" : "mid catch-up");
        checkSnapshotsVerify(round);
        if (QTest::currentTestFailed())
            return;
    }
    qInfo("%d rounds: %d mid catch-up; %d right after a save, %d about the next save, %d at random, %d in the first "
          "half of a catch-up",
          rounds, killedBeforeCaughtUp, killedRightAfterSave, killedAroundNextSave, killedAtRandom, killedInCatchUp);
    QVERIFY2(killedBeforeCaughtUp > 0, "at least one kill landed mid catch-up");

    // One clean run to the head, then: snapshot + tail == from scratch, and verify passes.
    const CliResult last = runCli(base() << QStringLiteral("consume") << QStringLiteral("--until-caught-up")
                                         << QStringLiteral("--snapshot-every") << QStringLiteral("1"));
    QVERIFY2(last.ok(), qPrintable(last.describe()));
    QVERIFY2(last.out.contains("restored snapshot"), qPrintable(last.describe()));
    const CliResult fromSnapshot = runCli(base() << QStringLiteral("state") << QStringLiteral("--json"));
    QVERIFY2(fromSnapshot.ok(), qPrintable(fromSnapshot.describe()));
    QVERIFY2(fromSnapshot.err.isEmpty(), qPrintable(fromSnapshot.describe())); // no snapshot passed over
    const CliResult fromScratch = runCli(base() << QStringLiteral("state") << QStringLiteral("--json") << QStringLiteral("--from-scratch"));
    QVERIFY2(fromScratch.ok(), qPrintable(fromScratch.describe()));
    QVERIFY(fromSnapshot.out == fromScratch.out);
    const QJsonObject state = QJsonDocument::fromJson(fromScratch.out).object();
    const qint64 expectedTotal = kFirstEvents + qint64(rounds - 1) * kMoreEvents;
    QCOMPARE(state.value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(), expectedTotal);
    const CliResult verify = runCli(base() << QStringLiteral("snapshot") << QStringLiteral("verify"));
    QVERIFY2(verify.ok(), qPrintable(verify.describe()));
    QVERIFY2(verify.out.contains("verified"), qPrintable(verify.describe()));
    checkSnapshotsVerify(rounds);
}

QTEST_GUILESS_MAIN(TestConsumerKill)
#include "test_consumer_kill.moc"
