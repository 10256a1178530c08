// redis-server SIGKILLed and restarted on the same data (AOF on, appendfsync always) while
// the consumer follows the stream and two writers append with StreamWriter::append, each
// retrying the same eid after a failure until it lands. Afterwards: every eid attempted
// was acknowledged and is in the stream exactly once, its eid key names its entry, a
// deliberate retry of an acknowledged eid adds nothing, and the consumer's total is XLEN
// with a state equal to the one rebuilt from scratch (nothing lost, nothing applied twice).
#include "consumer_recorder.hpp"
#include "reliability_support.hpp"
#include "test_redis_server.hpp"

#include "redis/keys.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_writer.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

using namespace reliability;
using shop::redis::Connection;

namespace {

const std::string kStream = "rel:restart";

struct WriterLog {
    std::map<std::string, std::string> acked; // eid -> entry id
    std::vector<std::string> attempted;
    int failures = 0;        // appends that failed and were retried
    int deliberateRetries = 0;
    int duplicatesAcked = 0; // deliberate retries that came back as duplicates of the same id
    QString problem;
};

std::string eidFor(int writer, int seq)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", writer + 1, seq);
    return buf;
}

// Appends until `stop`, each eid until it lands; every 25th acknowledged eid once more.
void runWriter(int writer, shop::redis::RedisUrl url, std::atomic<bool>& stop, WriterLog& log)
{
    const shop::redis::ConnectOptions options{.connectTimeoutMs = 1000, .commandTimeoutMs = 2000};
    Connection c;
    for (int seq = 0; !stop.load(); ++seq) {
        shop::redis::AppendRequest request;
        request.type = "TopUp";
        request.data = "{\"userId\":" + std::to_string(writer * 1000 + seq % 50 + 1) + ",\"amount\":" + std::to_string(seq + 1) + "}";
        request.eid = eidFor(writer, seq);
        request.actor = "writer-" + std::to_string(writer);
        log.attempted.push_back(request.eid);
        const auto started = std::chrono::steady_clock::now();
        for (;;) {
            if (std::chrono::steady_clock::now() - started > std::chrono::seconds(60)) {
                log.problem = QStringLiteral("eid %1 did not land within 60 s").arg(QString::fromStdString(request.eid));
                return;
            }
            if (!c.isConnected() && !c.connect(url, options)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            shop::redis::StreamWriter w(c, kStream);
            const shop::redis::AppendResult result = w.append(request);
            if (result.ok) {
                log.acked[request.eid] = result.id;
                break;
            }
            ++log.failures;
            if (c.isConnected()) { // an error reply, not a lost connection: retrying would not help
                log.problem = QString::fromStdString(result.error);
                return;
            }
        }
        if (seq % 25 == 0) {
            shop::redis::StreamWriter w(c, kStream);
            const shop::redis::AppendResult again = w.append(request);
            if (again.ok) {
                ++log.deliberateRetries;
                if (again.duplicate && again.id == log.acked[request.eid])
                    ++log.duplicatesAcked;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

} // namespace

class TestServerRestart : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        shop::engine::registerEngineMetaTypes();
        // Qt Test installs a fatal handler for SIGPIPE, so Connection's SIG_IGN (which never
        // replaces someone's handler) does not apply here: a write to a killed server would
        // end the test. Ignore it, as a process without Qt Test's handler does.
        std::signal(SIGPIPE, SIG_IGN);
    }
    void serverKilledWhileConsumerFollowsAndWritersAppend();
};

void TestServerRestart::serverKilledWhileConsumerFollowsAndWritersAppend()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    TestRedisServer::Options serverOptions;
    serverOptions.appendOnly = true;
    serverOptions.dataDir = dataDir.path();
    serverOptions.extraArgs = QStringList{QStringLiteral("--appendfsync"), QStringLiteral("always")};
    TestRedisServer server(serverOptions);
    QVERIFY2(server.start(), qPrintable(server.error()));

    shop::engine::ConsumerOptions options;
    options.url = server.url();
    options.targetDescription = server.urlText();
    options.stream = kStream;
    options.snapshotIntervalMs = 500;
    options.batchSize = 500;
    shop::engine::ConsumerThread consumer(options);
    ConsumerRecorder r;
    r.attach(consumer.worker());
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.isLive() || !r.failures.isEmpty(), 10000);

    std::atomic<bool> stop{false};
    WriterLog logs[2];
    std::thread writers[2];
    for (int w = 0; w < 2; ++w)
        writers[w] = std::thread(runWriter, w, server.url(), std::ref(stop), std::ref(logs[w]));

    const int kills = 4;
    int disconnectedSeen = 0;
    for (int k = 0; k < kills; ++k) {
        QTest::qWait(1200);
        server.kill();
        QTest::qWait(400 + 200 * k);
        QVERIFY2(server.start(), qPrintable(server.error()));
    }
    QTest::qWait(1000);
    stop = true;
    for (auto& t : writers)
        t.join();
    for (const auto& s : r.statuses)
        disconnectedSeen += s.state == shop::engine::ConnectionState::Disconnected ? 1 : 0;

    Connection c;
    QVERIFY2(c.connect(server.url()), c.error().c_str());
    const qint64 length = xlen(c, kStream);
    QTRY_COMPARE_WITH_TIMEOUT(r.counts.total, length, 30000);
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));

    // Every entry of the stream, by eid.
    std::map<std::string, int> countByEid;
    std::map<std::string, std::string> idByEid;
    std::vector<std::string> streamIds;
    std::string after = "-";
    for (;;) {
        const shop::redis::Reply page = c.command({"XRANGE", kStream, after, "+", "COUNT", "5000"});
        QVERIFY(page && page.isArray());
        const shop::redis::ReplyView list(page.raw());
        if (list.size() == 0)
            break;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const shop::redis::ReplyView e = list[i];
            const std::string id(e[0].str());
            streamIds.push_back(id);
            const shop::redis::ReplyView fields = e[1];
            for (std::size_t f = 0; f + 1 < fields.size(); f += 2)
                if (fields[f].str() == "eid") {
                    const std::string eid(fields[f + 1].str());
                    ++countByEid[eid];
                    idByEid[eid] = id;
                }
            after = "(" + id;
        }
    }
    QCOMPARE(qint64(streamIds.size()), length);

    int attempted = 0, failures = 0, retries = 0, duplicates = 0;
    for (const WriterLog& log : logs) {
        QVERIFY2(log.problem.isEmpty(), qPrintable(log.problem));
        attempted += int(log.attempted.size());
        failures += log.failures;
        retries += log.deliberateRetries;
        duplicates += log.duplicatesAcked;
        QCOMPARE(log.acked.size(), log.attempted.size()); // every attempt ended acknowledged
        for (const std::string& eid : log.attempted) {
            QVERIFY2(countByEid[eid] == 1, qPrintable(QStringLiteral("eid %1 is in the stream %2 times")
                                                          .arg(QString::fromStdString(eid))
                                                          .arg(countByEid[eid])));
            QCOMPARE(QString::fromStdString(idByEid[eid]), QString::fromStdString(log.acked.at(eid)));
            const shop::redis::Reply key = c.command({"GET", shop::redis::eidKey(kStream, eid)});
            QVERIFY(key && key.isString());
            QCOMPARE(QString::fromStdString(std::string(key.str())), QString::fromStdString(log.acked.at(eid)));
        }
    }
    QCOMPARE(qint64(countByEid.size()), length); // nothing in the stream that was not attempted
    QCOMPARE(duplicates, retries);
    qInfo("%d kills; %d eids appended, %d append failures retried with the same eid, %d deliberate retries, "
          "%d disconnected statuses; XLEN %lld",
          kills, attempted, failures, retries, disconnectedSeen, length);
    QVERIFY(failures > 0);       // the kills did hit appends
    QVERIFY(disconnectedSeen > 0); // and the consumer

    // The consumer: every entry once, in order, and the state from scratch.
    QVERIFY(r.verdictIds == streamIds);
    shop::ShopState scratch;
    shop::redis::LoadReport report;
    shop::redis::LoadOptions loadOptions;
    loadOptions.fromScratch = true;
    shop::redis::StateLoader loader(c, kStream);
    QVERIFY2(loader.load(scratch, loadOptions, report), report.error.c_str());
    const QString diff = r.differenceFrom(scratch);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    consumer.shutdown();
}

QTEST_GUILESS_MAIN(TestServerRestart)
#include "test_server_restart.moc"
