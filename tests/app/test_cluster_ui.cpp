// The window's session on a Redis Cluster (three masters, three replicas): the status line
// names the node serving the stream's slot; when that master is SIGKILLed and its replica
// takes over, the session follows, says "The stream's slot moved from node A to B", names
// the new node and shows the same shop, with an edit after the failover applied once. A
// stream key without a hash tag opens, says why it cannot be written, and an edit is
// refused with that advice; the next session, on a tagged stream, does not repeat it.
#include "shop_session.hpp"

#include "notification_log.hpp"
#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include <memory>

using shop::app::ShopSession;

namespace {
constexpr int kTimeoutMs = 30000;
} // namespace

class TestClusterUi : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void untaggedStreamSaysWhyItIsReadOnly();
    void followsTheSlotThroughAFailover();
    void aFailoverThatLostEventsSaysSo();

private:
    void registerUsers(const std::string& stream, int count);

    TestRedisCluster cluster_;
    std::unique_ptr<ShopSession> session_;
};

void TestClusterUi::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY2(cluster_.start(), qPrintable(cluster_.error()));
    session_ = std::make_unique<ShopSession>(nullptr);
}

void TestClusterUi::cleanupTestCase()
{
    session_.reset();
    QSettings().clear();
}

// Straight to the node that holds the stream, as another program would write.
void TestClusterUi::registerUsers(const std::string& stream, int count)
{
    shop::redis::Connection admin;
    QVERIFY(admin.connect(cluster_.node(cluster_.masterOf(stream)).url()));
    for (int id = 1; id <= count; ++id) {
        const std::string data = QStringLiteral(R"({"userId":%1,"name":"user %1"})").arg(id).toStdString();
        QVERIFY(!admin.command({"XADD", stream, "*", "type", "RegisterUser", "data", data, "v", "1", "actor", "test"}).isError());
    }
}

void TestClusterUi::untaggedStreamSaysWhyItIsReadOnly()
{
    registerUsers("orders", 3);
    shop::app::SessionOptions options;
    options.redisUrl = cluster_.url();
    options.stream = QStringLiteral("orders");
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 3, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session_->serverWarnings().join(QLatin1Char('\n')).contains(QStringLiteral("{orders} instead of orders")), kTimeoutMs);
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QVERIFY(!session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 4}, {QStringLiteral("name"), QStringLiteral("four")}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.at(0).at(1).toBool(), false); // not applied
    const QString message = finished.at(0).at(3).toString();
    QVERIFY2(message.contains(QStringLiteral("{orders} instead of orders")), qPrintable(message));
    shop::redis::Connection c;
    QVERIFY(c.connect(cluster_.node(cluster_.masterOf("orders")).url()));
    QCOMPARE(c.command({"XLEN", "orders"}).integer(), 3);
    session_->stop();
}

void TestClusterUi::followsTheSlotThroughAFailover()
{
    const std::string stream = "{shop}:events";
    registerUsers(stream, 5);
    const int master = cluster_.masterOf(stream);
    const int replica = cluster_.replicaOf(master);
    QVERIFY(replica >= 0);
    shop::redis::Connection admin;
    QVERIFY(admin.connect(cluster_.node(master).url()));
    QCOMPARE(admin.command({"WAIT", "1", "5000"}).integer(), 1);

    shop::app::SessionOptions options;
    options.redisUrl = cluster_.url(replica); // any node will do as a start
    options.stream = QString::fromStdString(stream);
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 5, kTimeoutMs);
    const QString oldNode = QStringLiteral("127.0.0.1:%1").arg(cluster_.node(master).port());
    const QString newNode = QStringLiteral("127.0.0.1:%1").arg(cluster_.node(replica).port());
    QTRY_VERIFY2_WITH_TIMEOUT(session_->target().endsWith(QStringLiteral("node ") + oldNode), qPrintable(session_->target()), kTimeoutMs);
    QVERIFY2(session_->serverWarnings().isEmpty(), qPrintable(session_->serverWarnings().join(QLatin1Char('\n'))));

    cluster_.node(master).kill();
    QTRY_VERIFY2_WITH_TIMEOUT(session_->target().endsWith(QStringLiteral("node ") + newNode), qPrintable(session_->target()), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    const QString said = session_->notifications()->allText();
    QVERIFY2(said.contains(QStringLiteral("The stream's slot moved from node %1 to %2 (a failover or a resharding); no event was lost").arg(oldNode, newNode)),
             qPrintable(said));
    QCOMPARE(session_->users()->rowCount(), 5);

    QVERIFY(!session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 6}, {QStringLiteral("name"), QStringLiteral("after")}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 6, kTimeoutMs);
    shop::redis::Connection c;
    QVERIFY(c.connect(cluster_.node(replica).url()));
    QCOMPARE(c.command({"XLEN", stream}).integer(), 6);
    session_->stop();
}

// The replica is paused and cut off while 4 events reach the master and the window; the
// master dies and the stale replica takes over. The window must not say "no event was lost":
// it says the new master lacks events it had applied, shows the reset, and rebuilds.
void TestClusterUi::aFailoverThatLostEventsSaysSo()
{
    std::string stream;
    int master = -1;
    int replica = -1;
    for (int i = 0; i < 50 && replica < 0; ++i) { // a stream on a master that still has a replica
        stream = "{lost" + std::to_string(i) + "}:events";
        master = cluster_.masterOf(stream);
        replica = master >= 0 ? cluster_.replicaOf(master) : -1;
    }
    QVERIFY(replica >= 0);
    registerUsers(stream, 3);
    shop::redis::Connection admin;
    QVERIFY(admin.connect(cluster_.node(master).url()));
    QCOMPARE(admin.command({"WAIT", "1", "5000"}).integer(), 1);

    shop::app::SessionOptions options;
    options.redisUrl = cluster_.url();
    options.stream = QString::fromStdString(stream);
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 3, kTimeoutMs);
    cluster_.node(replica).pause();
    QVERIFY(admin.command({"CLIENT", "KILL", "TYPE", "replica"}).integer() >= 1);
    registerUsers(stream, 7); // users 1 to 7 again: 4 new ones, and 3 rejected as existing
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 7, kTimeoutMs);
    const int before = session_->notifications()->allText().size();
    cluster_.node(master).kill();
    cluster_.node(replica).resume();

    QTRY_VERIFY2_WITH_TIMEOUT(!session_->resetNotice().isEmpty(), qPrintable(session_->notifications()->allText()), kTimeoutMs);
    QVERIFY2(session_->resetNotice().contains(QStringLiteral("7 entries read before are gone")), qPrintable(session_->resetNotice()));
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 3, kTimeoutMs);
    const QString said = session_->notifications()->allText().mid(before);
    QVERIFY2(said.contains(QStringLiteral("and it lacks events the shop had applied")), qPrintable(said));
    QVERIFY2(!said.contains(QStringLiteral("no event was lost")), qPrintable(said));
    QVERIFY2(!said.contains(QStringLiteral("could not be listed")), qPrintable(said)); // the writer's connection went to the old node
    session_->stop();
}

QTEST_MAIN(TestClusterUi)
#include "test_cluster_ui.moc"
