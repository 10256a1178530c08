// Redis Cluster against real servers started here: three masters and three replicas made
// with redis-cli --cluster create (node timeout 2 s). A redis+cluster:// URL reaches the node
// serving the stream key's slot from any node; MOVED and ASK are followed through a slot
// migration done by hand; on {shop}:events produce, append (idempotent by eid), snapshots
// and catch-up agree with a plain connection to the owner; a key without a hash tag reads
// and refuses every write with advice; and when the slot's master is SIGKILLed under load,
// a running consumer goes on from the promoted replica with nothing lost or doubled.
#include "redis/connection.hpp"
#include "redis/keys.hpp"
#include "redis/stream_writer.hpp"
#include "cli_run.hpp"
#include "failover_load.hpp"
#include "test_redis_server.hpp"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <functional>
#include <map>
#include <string>

using shop::redis::Connection;
using shop::redis::ErrorKind;
using shop::redis::RedisUrl;
using shop::redis::Reply;
using shop::redis::ReplyView;

class TestCluster : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void slotsAgreeWithTheServer();
    void findsTheSlotOwnerFromAnyNode();
    void plainUrlsAndNonClusterServersSaySo();
    void taggedStreamWorksEnd2End();
    void untaggedStreamReadsButRefusesWrites();
    void followsAskAndMovedThroughAMigration();
    void consumerFollowsAFailover();
    void entriesLostInAFailoverAreCountedAndRebuilt();
    void soakFailovers(); // only with SHOPSTREAM_SOAK=ROUNDS (ctest -L soak)

private:
    RedisUrl clusterUrl(int only = -1) const;
    QStringList via(const QString& stream) const
    {
        return {QStringLiteral("--redis"), cluster_.url(), QStringLiteral("--stream"), stream};
    }
    // Moves `slot` from master `from` to master `to` as redis-cli --cluster reshard does:
    // IMPORTING/MIGRATING, MIGRATE of its keys, then SETSLOT NODE on every node. `between`
    // runs after the keys moved and before the slot is handed over (ASK time).
    void moveSlot(int slot, int from, int to, const std::function<void()>& between = {});
    // `events` entries produced to `stream`; its master, and that master's replica.
    void produceOnAReplicatedMaster(const std::string& stream, int events, int& master, int& replica);
    // One failover under load on `stream`: `events` produced, a consumer following, `appends`
    // with eids and WAIT 1 while the master is SIGKILLed a third of the way and started again
    // (as a replica) once its replica took over; then checkAfterFailover().
    void failoverUnderLoad(const std::string& stream, int events, int appends);

    TestRedisCluster cluster_;
    const std::string shop_ = "{shop}:events";
};

void TestCluster::initTestCase()
{
    QVERIFY2(!qEnvironmentVariable("SHOPSTREAM_CLI").isEmpty(), "SHOPSTREAM_CLI must name the shopstream-cli executable");
    QVERIFY2(cluster_.start(), qPrintable(cluster_.error()));
}

void TestCluster::produceOnAReplicatedMaster(const std::string& stream, int events, int& master, int& replica)
{
    const CliRun r = runCli(via(QString::fromStdString(stream))
                            + QStringList{QStringLiteral("produce"), QStringLiteral("--events"), QString::number(events), QStringLiteral("--seed"),
                                          QString::number(events % 97)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    master = cluster_.masterOf(stream);
    replica = master >= 0 ? cluster_.replicaOf(master) : -1;
    QVERIFY2(master >= 0 && replica >= 0, stream.c_str());
}

RedisUrl TestCluster::clusterUrl(int only) const
{
    RedisUrl url;
    std::string error;
    if (!RedisUrl::parse(cluster_.url(only).toStdString(), url, error))
        qFatal("%s", error.c_str());
    return url;
}

// Our CRC16 slot function and hash tag rule give the slot the server gives, for keys with
// and without tags and for binary ones.
void TestCluster::slotsAgreeWithTheServer()
{
    Connection c;
    QVERIFY2(c.connect(cluster_.node(0).url()), c.error().c_str());
    QRandomGenerator random(7);
    for (int i = 0; i < 400; ++i) {
        std::string key;
        const int length = random.bounded(1, 24);
        for (int b = 0; b < length; ++b)
            key += char(i % 2 ? random.bounded(256) : "ab{}:x"[random.bounded(6)]);
        const Reply slot = c.command({"CLUSTER", "KEYSLOT", key});
        QVERIFY(slot && slot.isInteger());
        QVERIFY2(slot.integer() == shop::redis::keySlot(key), qPrintable(QByteArray::fromStdString(key).toHex()));
    }
}

void TestCluster::findsTheSlotOwnerFromAnyNode()
{
    const int owner = cluster_.masterOf(shop_);
    QVERIFY(owner >= 0);
    for (int from = 0; from < cluster_.size(); ++from) {
        Connection c;
        c.setClusterKey(shop_);
        QVERIFY2(c.connect(clusterUrl(from)), c.error().c_str());
        QCOMPARE(c.server().port, cluster_.node(owner).port());
        const Reply set = c.command({"SET", "{shop}:probe", "1"});
        QVERIFY2(set && !set.isError(), set ? set.str().data() : c.error().c_str());
    }
    // A node that is down is passed over.
    RedisUrl url = clusterUrl();
    url.endpoints.insert(url.endpoints.begin(), RedisUrl::Endpoint{.host = "127.0.0.1", .port = pickFreePort()});
    Connection c;
    c.setClusterKey(shop_);
    QVERIFY2(c.connect(url), c.error().c_str());
    QCOMPARE(c.server().port, cluster_.node(owner).port());
}

// redis:// to a cluster node says to use redis+cluster://; redis+cluster:// to a server
// without cluster support says to use redis://. One line each.
void TestCluster::plainUrlsAndNonClusterServersSaySo()
{
    const CliRun plain = runCli({QStringLiteral("--redis"), cluster_.node(0).urlText(), QStringLiteral("--stream"),
                                 QString::fromStdString(shop_), QStringLiteral("state")});
    QVERIFY2(plain.err.contains("is a node of a Redis Cluster") && plain.err.contains("redis+cluster://127.0.0.1:")
                 && plain.err.count('\n') == 1,
             qPrintable(plain.describe()));

    TestRedisServer::Options options;
    options.tcp = true;
    TestRedisServer standalone(options);
    QVERIFY2(standalone.start(), qPrintable(standalone.error()));
    const CliRun r = runCli({QStringLiteral("--redis"), QStringLiteral("redis+cluster://127.0.0.1:%1").arg(standalone.port()),
                             QStringLiteral("state")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("is not a node of a Redis Cluster")
                 && r.err.contains(QStringLiteral("redis://127.0.0.1:%1").arg(standalone.port()).toUtf8()),
             qPrintable(r.describe()));
}

// Everything that writes and reads, on a tagged stream through the cluster URL, agrees with
// a plain connection to the node that holds it.
void TestCluster::taggedStreamWorksEnd2End()
{
    const QStringList on = via(QString::fromStdString(shop_));
    CliRun r = runCli(on + QStringList{QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("1500"), QStringLiteral("--seed"), QStringLiteral("5")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QStringList append = on + QStringList{QStringLiteral("append"), QStringLiteral("--eid"), QStringLiteral("6a1e2c00-0000-4000-8000-0000c1u57e01"),
                                                QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":700})")};
    r = runCli(append);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QByteArray id = r.out.trimmed();
    r = runCli(append);
    QVERIFY2(r.exitCode == 0 && r.out.trimmed() == id, qPrintable(r.describe()));

    r = runCli(on + QStringList{QStringLiteral("snapshot"), QStringLiteral("save")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = runCli(on + QStringList{QStringLiteral("snapshot"), QStringLiteral("verify")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    const CliRun fromSnapshot = runCli(on + QStringList{QStringLiteral("state"), QStringLiteral("--json")});
    QVERIFY2(fromSnapshot.exitCode == 0 && fromSnapshot.err.isEmpty(), qPrintable(fromSnapshot.describe()));
    const CliRun fromScratch = runCli(on + QStringList{QStringLiteral("state"), QStringLiteral("--from-scratch"), QStringLiteral("--json")});
    QVERIFY2(fromScratch.exitCode == 0, qPrintable(fromScratch.describe()));
    QCOMPARE(fromSnapshot.out, fromScratch.out);
    const int owner = cluster_.masterOf(shop_);
    const CliRun direct = runCli({QStringLiteral("--redis"), cluster_.node(owner).urlText(), QStringLiteral("--stream"),
                                  QString::fromStdString(shop_), QStringLiteral("state"), QStringLiteral("--from-scratch"), QStringLiteral("--json")});
    QVERIFY2(direct.exitCode == 0, qPrintable(direct.describe()));
    QCOMPARE(direct.out, fromScratch.out);

    r = runCli(on + QStringList{QStringLiteral("consume"), QStringLiteral("--until-caught-up"), QStringLiteral("--snapshot-every"), QStringLiteral("0")});
    QVERIFY2(r.exitCode == 0 && r.out.contains("caught up: 1501 events"), qPrintable(r.describe()));

    Connection c;
    c.setClusterKey(shop_);
    QVERIFY(c.connect(clusterUrl()));
    QCOMPARE(c.command({"XLEN", shop_}).integer(), 1501);
}

// A key without a hash tag: everything that reads works, everything that writes is refused
// with one line that says how to name the stream, and nothing is written.
void TestCluster::untaggedStreamReadsButRefusesWrites()
{
    const std::string orders = "orders";
    const int owner = cluster_.masterOf(orders);
    Connection admin; // straight to the owner, as another program would write
    QVERIFY2(admin.connect(cluster_.node(owner).url()), admin.error().c_str());
    for (const char* data : {R"({"userId":1,"amount":500})", R"({"userId":2,"amount":300})"})
        QVERIFY(!admin.command({"XADD", orders, "*", "type", "TopUp", "data", data, "v", "1", "actor", "test"}).isError());

    const QStringList on = via(QStringLiteral("orders"));
    const CliRun state = runCli(on + QStringList{QStringLiteral("state"), QStringLiteral("--json")});
    QVERIFY2(state.exitCode == 0 && state.out.contains("\"balance\"") && state.err.isEmpty(), qPrintable(state.describe()));
    const CliRun list = runCli(on + QStringList{QStringLiteral("snapshot"), QStringLiteral("list")});
    QVERIFY2(list.exitCode == 0, qPrintable(list.describe()));

    const QList<QStringList> writes{
        {QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("10")},
        {QStringLiteral("append"), QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":100})")},
        {QStringLiteral("snapshot"), QStringLiteral("save")},
    };
    for (const QStringList& write : writes) {
        const CliRun r = runCli(on + write);
        QVERIFY2(r.exitCode == 1 && r.oneErrorLine() && r.err.contains("{orders} instead of orders"), qPrintable(r.describe()));
    }
    QCOMPARE(admin.command({"XLEN", orders}).integer(), 2);
    QCOMPARE(admin.command({"EXISTS", shop::redis::snapshotIndexKey(orders)}).integer(), 0);
    // The same words on the connection itself, for every write, and nothing sent.
    Connection c;
    c.setClusterKey(orders);
    QVERIFY(c.connect(clusterUrl()));
    const Reply refused = c.command({"XADD", orders, "*", "type", "TopUp", "data", "{}"});
    QVERIFY(refused.isError());
    QCOMPARE(refused.errorKind(), ErrorKind::NoHashTag);
    QVERIFY(c.isConnected());
    QCOMPARE(c.command({"XLEN", orders}).integer(), 2);
}

void TestCluster::moveSlot(int slot, int from, int to, const std::function<void()>& between)
{
    const auto idOf = [this](int node) {
        Connection c;
        if (!c.connect(cluster_.node(node).url()))
            return std::string();
        return std::string(c.command({"CLUSTER", "MYID"}).str());
    };
    const std::string fromId = idOf(from);
    const std::string toId = idOf(to);
    QVERIFY(!fromId.empty() && !toId.empty());
    Connection source;
    Connection target;
    QVERIFY(source.connect(cluster_.node(from).url()) && target.connect(cluster_.node(to).url()));
    const std::string slotText = std::to_string(slot);
    QVERIFY(!target.command({"CLUSTER", "SETSLOT", slotText, "IMPORTING", fromId}).isError());
    QVERIFY(!source.command({"CLUSTER", "SETSLOT", slotText, "MIGRATING", toId}).isError());
    const Reply keys = source.command({"CLUSTER", "GETKEYSINSLOT", slotText, "1000"});
    const std::string port = std::to_string(cluster_.node(to).port());
    std::vector<std::string_view> migrate{"MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS"};
    const ReplyView list(keys.raw());
    for (std::size_t i = 0; i < list.size(); ++i)
        migrate.push_back(list[i].str());
    if (list.size() > 0) {
        const Reply moved = source.command(migrate);
        QVERIFY2(moved && !moved.isError(), moved ? moved.str().data() : source.error().c_str());
    }
    if (between)
        between();
    for (int n = 0; n < cluster_.size(); ++n) {
        Connection c;
        if (c.connect(cluster_.node(n).url()))
            c.command({"CLUSTER", "SETSLOT", slotText, "NODE", toId});
    }
    QVERIFY(cluster_.waitHealthy(10000));
}

// A connection on the slot's master, while the slot is migrated to another master: ASK
// (the keys are already there) is followed for one command without moving; MOVED (the slot
// handed over) moves the connection. A pipelined read that meets MOVED closes and says where
// the slot went; reconnecting lands there.
void TestCluster::followsAskAndMovedThroughAMigration()
{
    const int slot = shop::redis::keySlot(shop_);
    const int from = cluster_.masterOf(shop_);
    int to = -1;
    for (int n = 0; n < cluster_.size() && to < 0; ++n)
        if (n != from && cluster_.replicaOf(n) >= 0)
            to = n;
    QVERIFY(to >= 0);
    Connection c;
    c.setClusterKey(shop_);
    QVERIFY(c.connect(clusterUrl()));
    QCOMPARE(c.server().port, cluster_.node(from).port());
    const long long length = c.command({"XLEN", shop_}).integer();
    QVERIFY(length > 0);

    moveSlot(slot, from, to, [&] {
        const Reply asked = c.command({"XLEN", shop_}); // the source answers ASK
        QVERIFY2(asked && asked.isInteger(), asked ? asked.str().data() : c.error().c_str());
        QCOMPARE(asked.integer(), length);
        QCOMPARE(c.server().port, cluster_.node(from).port());
    });
    const Reply moved = c.command({"XLEN", shop_});
    QVERIFY2(moved && moved.isInteger(), moved ? moved.str().data() : c.error().c_str());
    QCOMPARE(moved.integer(), length);
    QCOMPARE(c.server().port, cluster_.node(to).port());

    // And back, met by a pipelined read.
    moveSlot(slot, to, from);
    QVERIFY(c.send({"XRANGE", shop_, "-", "+", "COUNT", "10"}));
    shop::redis::FlatReply page;
    QVERIFY(!c.readFlat(page));
    QCOMPARE(c.errorKind(), ErrorKind::Moved);
    QVERIFY2(c.error().find("moved from 127.0.0.1:" + std::to_string(cluster_.node(to).port()) + " to 127.0.0.1:"
                            + std::to_string(cluster_.node(from).port()))
                 != std::string::npos,
             c.error().c_str());
    QVERIFY2(c.reconnect(), c.error().c_str());
    QCOMPARE(c.server().port, cluster_.node(from).port());
    QCOMPARE(c.command({"XLEN", shop_}).integer(), length);
}

// A consumer follows {fail}:events while a writer appends with eids and --wait-replicas 1;
// the slot's master is SIGKILLed a third of the way, and started again (as the new master's
// replica) once its replica has taken over. The writer retries each append with its eid
// until it is acknowledged; the consumer goes on from the promoted replica. In the end every
// acknowledged append is in the stream exactly once, and the consumer's snapshot at the
// stream's head verifies by rebuild (an entry applied twice or missed would not).
void TestCluster::consumerFollowsAFailover() { failoverUnderLoad("{fail}:events", 2000, 120); }

void TestCluster::failoverUnderLoad(const std::string& stream, int events, int appends)
{
    const QStringList on = via(QString::fromStdString(stream));
    int master = -1;
    int replica = -1;
    produceOnAReplicatedMaster(stream, events, master, replica);
    if (QTest::currentTestFailed())
        return;

    FollowingConsumer consumer;
    QVERIFY2(consumer.start(on), qPrintable(consumer.output()));

    Connection w;
    w.setClusterKey(stream);
    QVERIFY2(w.connect(clusterUrl()), w.error().c_str());
    TestRedisServer& old = cluster_.node(master);
    const int killAt = appends / 3;
    const FailoverLoad load = appendThroughAFailover(w, stream, appends, [&](int i) {
        if (i == killAt)
            old.kill();
        if (i > killAt && !old.isRunning() && w.server().port == cluster_.node(replica).port() && !old.start())
            qWarning("the old master did not start again: %s", qPrintable(old.error())); // it rejoins as a replica
        return old.isRunning() ? 1 : 0; // until it is back as the new master's replica, none can confirm
    });
    QVERIFY2(load.error.isEmpty(), qPrintable(load.error));
    QVERIFY(load.retries > 0); // the kill was felt
    QCOMPARE(w.server().port, cluster_.node(replica).port());
    QVERIFY2(cluster_.waitHealthy(30000), qPrintable(cluster_.error()));

    Connection reader;
    reader.setClusterKey(stream);
    QVERIFY(reader.connect(clusterUrl()));
    QVERIFY2(consumer.stopAtHead(reader, stream), qPrintable(consumer.output()));
    const QString problem = checkAfterFailover(load, reader, stream, on);
    QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral("\nconsumer: ") + consumer.output()));
    qInfo("%s: %zu appends acknowledged, %d retried, the slot now on port %d", stream.c_str(), load.acknowledged.size(), load.retries,
          w.server().port);
}

// Asynchronous replication can lose what a master acknowledged: the replica is paused and
// cut off while 10 entries reach the master and the consumer, then the master is SIGKILLed
// and the stale replica promoted. The consumer notices that entries it applied are gone,
// says how many, and rebuilds the shop from the stream as it now is; an entry appended
// after is applied.
void TestCluster::entriesLostInAFailoverAreCountedAndRebuilt()
{
    const std::string stream = "{lost}:events";
    const QStringList on = via(QString::fromStdString(stream));
    int master = -1;
    int replica = -1;
    produceOnAReplicatedMaster(stream, 500, master, replica);
    if (QTest::currentTestFailed())
        return;
    CliRun r;
    Connection admin;
    QVERIFY(admin.connect(cluster_.node(master).url()));
    QCOMPARE(admin.command({"WAIT", "1", "5000"}).integer(), 1);

    FollowingConsumer consumer;
    QVERIFY2(consumer.start(on), qPrintable(consumer.output()));

    // Paused, and its link dropped (what the master sent before stays in the socket's
    // buffers and would still arrive): the next entries reach the master alone.
    cluster_.node(replica).pause();
    QVERIFY(admin.command({"CLIENT", "KILL", "TYPE", "replica"}).integer() >= 1);
    r = runCli(on + QStringList{QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("10"), QStringLiteral("--seed"), QStringLiteral("5")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const Reply last = admin.command({"XREVRANGE", stream, "+", "-", "COUNT", "1"});
    const std::string head(ReplyView(last.raw())[0][0].str());
    // The consumer has applied them: its snapshot (on the master only) names the newest.
    QTRY_VERIFY_WITH_TIMEOUT(admin.command({"ZSCORE", shop::redis::snapshotIndexKey(stream), head}).isString(), 30000);
    cluster_.node(master).kill();
    cluster_.node(replica).resume();
    QVERIFY2(cluster_.waitHealthy(30000), qPrintable(cluster_.error()));
    QCOMPARE(cluster_.masterOf(stream), replica);

    QTRY_VERIFY2_WITH_TIMEOUT(consumer.output().contains("read before are gone"), qPrintable(consumer.output()), 30000);
    QVERIFY2(consumer.output().contains("10 entries read before are gone") && consumer.output().contains("rebuilt"), qPrintable(consumer.output()));
    QVERIFY2(cluster_.node(master).start(), qPrintable(cluster_.node(master).error())); // back, as a replica

    r = runCli(on + QStringList{QStringLiteral("append"), QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":100})")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    Connection now;
    now.setClusterKey(stream);
    QVERIFY(now.connect(clusterUrl()));
    QCOMPARE(now.command({"XLEN", stream}).integer(), 501);
    QVERIFY2(consumer.stopAtHead(now, stream), qPrintable(consumer.output())); // it applied the append
    r = runCli(on + QStringList{QStringLiteral("snapshot"), QStringLiteral("verify")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

// The longer run, for a manual run or the bench machine (ctest -L soak; CI skips it):
// SHOPSTREAM_SOAK rounds, each on a stream of its own whose master has a replica, of the
// failover above: a consumer following, 300 appends with eids and WAIT 1, the master
// SIGKILLed at 100 and started again (as a replica) once its replica took over.
void TestCluster::soakFailovers()
{
    const int rounds = qEnvironmentVariableIntValue("SHOPSTREAM_SOAK");
    if (rounds <= 0)
        QSKIP("a soak: set SHOPSTREAM_SOAK=ROUNDS (ctest -L soak does)");
    for (int round = 0; round < rounds && !QTest::currentTestFailed(); ++round) {
        std::string stream;
        for (int i = 0; i < 100; ++i) { // a slot whose master still has a replica
            stream = "{soak" + std::to_string(round) + "-" + std::to_string(i) + "}:events";
            const int master = cluster_.masterOf(stream);
            if (master >= 0 && cluster_.replicaOf(master) >= 0)
                break;
        }
        failoverUnderLoad(stream, 5000, 300);
    }
}

QTEST_GUILESS_MAIN(TestCluster)
#include "test_cluster.moc"
