// A stalled server (SIGSTOP, then SIGCONT): the consumer's reads time out, it reports
// Disconnected with a message that says the server did not answer, reconnects with backoff
// once the server runs again, and ends with the right state. And the CLI: `state` against a
// stopped server ends with one clear line within its command timeout (60 s) instead of
// hanging.
#include "consumer_recorder.hpp"
#include "reliability_support.hpp"
#include "test_redis_server.hpp"

#include "redis/state_loader.hpp"
#include "redis/stream_writer.hpp"

#include <QTest>

using namespace reliability;
using shop::engine::ConnectionState;
using shop::redis::Connection;

namespace {

bool appendTopUps(Connection& c, const std::string& stream, int n, int from)
{
    std::vector<shop::redis::AppendRequest> requests(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        requests[std::size_t(i)].type = "TopUp";
        requests[std::size_t(i)].data = "{\"userId\":" + std::to_string((from + i) % 40 + 1) + ",\"amount\":100}";
        requests[std::size_t(i)].actor = "test";
    }
    shop::redis::StreamWriter writer(c, stream);
    return writer.appendBatch(requests) == std::size_t(n);
}

} // namespace

class TestStall : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { shop::engine::registerEngineMetaTypes(); }
    void consumerSurvivesAStalledServer();
    void cliStateAgainstAStoppedServerFailsWithinItsTimeout();
};

void TestStall::consumerSurvivesAStalledServer()
{
    TestRedisServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    Connection c;
    QVERIFY2(c.connect(server.url()), c.error().c_str());
    const std::string stream = "rel:stall";
    QVERIFY(appendTopUps(c, stream, 1000, 0));

    shop::engine::ConsumerOptions options;
    options.url = server.url();
    options.targetDescription = server.urlText();
    options.stream = stream;
    options.snapshotIntervalMs = 0;
    shop::engine::ConsumerThread consumer(options);
    ConsumerRecorder r;
    r.attach(consumer.worker());
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.isLive() && r.counts.total == 1000, 10000);

    // The consumer's command timeout is 5 s (ConsumerWorker::ensureConnected): stalled for 9 s,
    // it sees a timeout, and its next attempt waits on the stopped server until SIGCONT.
    server.pause();
    QElapsedTimer stalled;
    stalled.start();
    QTRY_VERIFY_WITH_TIMEOUT(!r.statuses.empty() && r.statuses.back().state == ConnectionState::Disconnected, 12000);
    const qint64 noticedAfter = stalled.elapsed();
    const QString message = r.statuses.back().message;
    QVERIFY2(message.contains(QStringLiteral("did not answer within 5000 ms")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("retrying in")), qPrintable(message));
    QVERIFY(r.failures.isEmpty());
    QTest::qWait(int(std::max<qint64>(0, 9000 - stalled.elapsed())));
    server.resume();
    const qint64 resumedAt = QDateTime::currentMSecsSinceEpoch();

    QTRY_VERIFY_WITH_TIMEOUT(r.isLive(), 15000);
    QVERIFY2(c.reconnect(), c.error().c_str());
    QVERIFY(appendTopUps(c, stream, 500, 1000));
    QTRY_COMPARE_WITH_TIMEOUT(r.counts.total, qint64(1500), 10000);
    QVERIFY(r.failures.isEmpty());

    int disconnected = 0;
    qint64 liveAfterResumeMs = -1;
    for (std::size_t i = 0; i < r.statuses.size(); ++i) {
        if (r.statuses[i].state == ConnectionState::Disconnected)
            ++disconnected;
        if (liveAfterResumeMs < 0 && r.statuses[i].state == ConnectionState::Live && r.statusTimesMs[i] >= resumedAt)
            liveAfterResumeMs = r.statusTimesMs[i] - resumedAt;
    }
    qInfo("stall noticed after %lld ms (Disconnected: \"%s\"); %d disconnected statuses; live again %lld ms after SIGCONT",
          noticedAfter, qPrintable(message), disconnected, liveAfterResumeMs);
    QVERIFY(liveAfterResumeMs >= 0 && liveAfterResumeMs < 10000);

    shop::ShopState scratch;
    shop::redis::LoadReport report;
    shop::redis::LoadOptions loadOptions;
    loadOptions.fromScratch = true;
    shop::redis::StateLoader loader(c, stream);
    QVERIFY2(loader.load(scratch, loadOptions, report), report.error.c_str());
    const QString diff = r.differenceFrom(scratch);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    consumer.shutdown();
}

void TestStall::cliStateAgainstAStoppedServerFailsWithinItsTimeout()
{
    TestRedisServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    server.pause();
    // The connect handshake has the 3 s connect timeout (the CLI's commands then get 60 s),
    // so a stopped server is reported in seconds.
    const CliResult r = runCli({QStringLiteral("--redis"), server.urlText(), QStringLiteral("state")}, 90000);
    server.resume();
    QVERIFY2(r.finished, qPrintable(r.describe())); // ended by itself, not by our kill
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("did not answer within 3000 ms"), qPrintable(r.describe()));
    QVERIFY2(r.elapsedMs < 10000, qPrintable(r.describe()));
    qInfo("state against a stopped server: exit %d after %lld ms: %s", r.exitCode, r.elapsedMs, r.err.trimmed().constData());
}

QTEST_GUILESS_MAIN(TestStall)
#include "test_stall.moc"
