// Redis Sentinel against real servers started here: a master, its replica and three
// sentinels (quorum 2, down after 1 s). A redis+sentinel:// URL connects to the master the
// sentinels name (a dead sentinel is skipped, an unknown master name is one clear line); a
// plain URL to the replica reads, and says it is a replica and which URL to use;
// when the master is SIGKILLed under load and the replica promoted, a writer and a consumer
// follow it with nothing lost or doubled, and an append retried with its eid is not doubled.
#include "redis/connection.hpp"
#include "cli_run.hpp"
#include "failover_load.hpp"
#include "redis/keys.hpp"
#include "test_redis_server.hpp"

#include <QProcess>
#include <QTest>

#include <memory>
#include <string>

using shop::redis::Connection;
using shop::redis::RedisUrl;

class TestSentinel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void connectsToTheMasterTheSentinelsName();
    void unknownMasterAndDeadSentinels();
    void plainUrlToTheReplicaSaysSo();
    void waitReplicasConfirmsOrSaysNot();
    void followsAFailover();

private:
    QString sentinelUrl(const QString& master = QStringLiteral("shop")) const { return group_.url(master); }
    int namedMasterPort() const { return group_.namedMasterPort(); }

    QString cli_;
    TestSentinelGroup group_;
    TestRedisServer* master_ = nullptr;
    TestRedisServer* replica_ = nullptr;
};

void TestSentinel::initTestCase()
{
    cli_ = qEnvironmentVariable("SHOPSTREAM_CLI");
    QVERIFY2(!cli_.isEmpty(), "SHOPSTREAM_CLI must name the shopstream-cli executable");
    QVERIFY2(group_.start(), qPrintable(group_.error()));
    master_ = &group_.master();
    replica_ = &group_.replica();
}

void TestSentinel::connectsToTheMasterTheSentinelsName()
{
    RedisUrl url;
    std::string error;
    QVERIFY2(RedisUrl::parse(sentinelUrl().toStdString(), url, error), error.c_str());
    Connection c;
    QVERIFY2(c.connect(url), c.error().c_str());
    QCOMPARE(c.server().port, master_->port());
    QVERIFY(c.url().kind == RedisUrl::Kind::Sentinel);
    const shop::redis::Reply set = c.command({"SET", "sentinel:probe", "1"});
    QVERIFY2(set && !set.isError(), c.error().c_str());
}

void TestSentinel::unknownMasterAndDeadSentinels()
{
    // A sentinel that is not there is skipped: the next one answers.
    const int dead = pickFreePort();
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse(QStringLiteral("redis+sentinel://127.0.0.1:%1,127.0.0.1:%2/shop").arg(dead).arg(group_.sentinelPorts()[1]).toStdString(),
                            url, error));
    Connection c;
    QVERIFY2(c.connect(url), c.error().c_str());
    QCOMPARE(c.server().port, master_->port());

    const CliRun r = runCli({QStringLiteral("--redis"), sentinelUrl(QStringLiteral("nosuch")), QStringLiteral("state")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.count('\n') == 1 && r.err.contains("knows no master named nosuch"), qPrintable(r.describe()));
}

// redis:// to the replica: reading works, and one line says what it is and which URL to use.
void TestSentinel::plainUrlToTheReplicaSaysSo()
{
    const CliRun r = runCli({QStringLiteral("--redis"), replica_->urlText(), QStringLiteral("state")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QStringLiteral("is a replica of 127.0.0.1:%1").arg(master_->port()).toUtf8())
                 && r.err.contains("redis+sentinel://") && r.err.count('\n') == 1,
             qPrintable(r.describe()));
    const CliRun master = runCli({QStringLiteral("--redis"), master_->urlText(), QStringLiteral("state")});
    QVERIFY2(master.exitCode == 0 && master.err.isEmpty(), qPrintable(master.describe()));
    const CliRun viaSentinels = runCli({QStringLiteral("--redis"), sentinelUrl(), QStringLiteral("state")});
    QVERIFY2(viaSentinels.exitCode == 0 && viaSentinels.err.isEmpty(), qPrintable(viaSentinels.describe()));
}

// --wait-replicas 1: done when the replica has the append; with the replica stopped, the
// append is written but not confirmed: exit 1, the id on stdout, and a retry with the eid
// adds nothing.
void TestSentinel::waitReplicasConfirmsOrSaysNot()
{
    const QStringList via{QStringLiteral("--redis"), sentinelUrl(), QStringLiteral("--stream"), QStringLiteral("{wait}:events")};
    const QStringList topUp{QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":100})")};
    CliRun r = runCli(via + QStringList{QStringLiteral("append"), QStringLiteral("--wait-replicas"), QStringLiteral("1")} + topUp);
    QVERIFY2(r.exitCode == 0 && r.err.isEmpty(), qPrintable(r.describe()));

    replica_->pause();
    const QStringList unconfirmed = via + QStringList{QStringLiteral("append"), QStringLiteral("--eid"), QStringLiteral("5d0c3a00-0000-4000-8000-0000000wait1"),
                                                      QStringLiteral("--wait-replicas"), QStringLiteral("1"), QStringLiteral("--wait-timeout"), QStringLiteral("300")}
                                    + topUp;
    r = runCli(unconfirmed);
    replica_->resume();
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.count('\n') == 1 && r.err.contains("but not confirmed on 1 replica within 300 ms") && r.err.contains("5d0c3a00"),
             qPrintable(r.describe()));
    const QByteArray id = r.out.trimmed();
    QVERIFY2(!id.isEmpty(), qPrintable(r.describe()));
    r = runCli(unconfirmed);
    QVERIFY2(r.exitCode == 0 && r.out.trimmed() == id, qPrintable(r.describe()));
    Connection c;
    QVERIFY(c.connect(master_->url()));
    QCOMPARE(c.command({"XLEN", "{wait}:events"}).integer(), 2);
}

// A consumer follows {shop}:events while a writer appends with eids and WAIT 1; the master is
// SIGKILLed a third of the way. The writer retries each append with its eid until it is
// acknowledged, a connection made before the failover reconnects to the promoted replica,
// and the consumer goes on there: every acknowledged append is in the stream exactly once,
// the consumer's snapshot at the head verifies by rebuild, and an append made before the
// failover, retried with its eid, is not doubled.
void TestSentinel::followsAFailover()
{
    const std::string stream = "{shop}:events";
    const QStringList via{QStringLiteral("--redis"), sentinelUrl(), QStringLiteral("--stream"), QString::fromStdString(stream)};
    CliRun r = runCli(via + QStringList{QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("2000"), QStringLiteral("--seed"), QStringLiteral("3")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QStringList append = via + QStringList{QStringLiteral("append"), QStringLiteral("--eid"), QStringLiteral("9b2f4c1e-0000-4000-8000-00000000a11c"),
                                                 QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":500})")};
    r = runCli(append);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QByteArray appendedId = r.out.trimmed();

    FollowingConsumer consumer;
    QVERIFY2(consumer.start(via), qPrintable(consumer.output()));

    // A connection made before the failover, and the replica up to date.
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse(sentinelUrl().toStdString(), url, error));
    Connection c;
    QVERIFY2(c.connect(url), c.error().c_str());
    QCOMPARE(c.command({"WAIT", "1", "5000"}).integer(), 1);

    Connection w;
    QVERIFY2(w.connect(url), w.error().c_str());
    const FailoverLoad load = appendThroughAFailover(w, stream, 90, [&](int i) {
        if (i == 30)
            master_->kill();
        return master_->isRunning() ? 1 : 0; // the replica, promoted, has none of its own
    });
    QVERIFY2(load.error.isEmpty(), qPrintable(load.error));
    QVERIFY(load.retries > 0); // the kill was felt
    QCOMPARE(w.server().port, replica_->port());
    QCOMPARE(namedMasterPort(), replica_->port());

    // The old connection fails; reconnecting asks the sentinels again.
    const shop::redis::Reply lost = c.command({"PING"});
    QVERIFY(!lost || lost.isError());
    QTRY_VERIFY_WITH_TIMEOUT(c.reconnect(), 15000);
    QCOMPARE(c.server().port, replica_->port());

    // The consumer reaches the head there (its periodic snapshot names the last entry).
    QVERIFY2(consumer.stopAtHead(c, stream), qPrintable(consumer.output()));
    const QString problem = checkAfterFailover(load, c, stream, via);
    QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral("\nconsumer: ") + consumer.output()));

    // The append retried with its eid is the first one, not a second entry.
    r = runCli(append);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out.trimmed(), appendedId);
    QCOMPARE(c.command({"XLEN", stream}).integer(), 2001 + 90);
}

QTEST_GUILESS_MAIN(TestSentinel)
#include "test_sentinel.moc"
