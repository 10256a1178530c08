// The window's session behind Redis Sentinel (a master, its replica, three sentinels): the
// status line names the master in use; when the master is SIGKILLed and the replica
// promoted, the session follows it, says "The master moved from A to B" (a toast and the
// log), names the new master, and shows the same shop, with an edit appended after the
// failover applied once. With "Confirm each edit on 1 replica" set for the server, an edit
// the replica confirms is applied with nothing more to say, and one made while the replica
// is paused is applied and says "written, but not confirmed on 1 replica".
#include "shop_session.hpp"

#include "connection_settings.hpp"

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
const QString kStream = QStringLiteral("{shop}:events");
} // namespace

class TestSentinelUi : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void editsWaitForTheReplica();
    void statusBarShowsTheRole();
    void followsTheMasterThroughAFailover();

private:
    TestSentinelGroup group_;
    std::unique_ptr<ShopSession> session_;
};

void TestSentinelUi::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY2(group_.start(), qPrintable(group_.error()));
    shop::redis::Connection admin;
    QVERIFY(admin.connect(group_.master().url()));
    shop::redis::StreamWriter writer(admin, kStream.toStdString());
    for (int id = 1; id <= 5; ++id) {
        shop::redis::AppendRequest request;
        request.type = "RegisterUser";
        request.data = QStringLiteral(R"({"userId":%1,"name":"user %1"})").arg(id).toStdString();
        QVERIFY(writer.append(request).ok);
    }
    QCOMPARE(admin.command({"WAIT", "1", "5000"}).integer(), 1);
    session_ = std::make_unique<ShopSession>(nullptr);
}

void TestSentinelUi::cleanupTestCase()
{
    session_.reset();
    QSettings().clear();
}

void TestSentinelUi::editsWaitForTheReplica()
{
    shop::app::ConnectionSettings::setWaitReplicas(group_.url(), 1);
    QCOMPARE(session_->waitReplicasFor(group_.url()), 1);
    shop::app::SessionOptions options;
    options.redisUrl = group_.url();
    options.stream = QStringLiteral("{wait}:events");
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QVERIFY(!session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 1}, {QStringLiteral("name"), QStringLiteral("one")}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY(finished.at(0).at(1).toBool());
    QCOMPARE(finished.at(0).at(3).toString(), QString());

    group_.replica().pause();
    QVERIFY(!session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 2}, {QStringLiteral("name"), QStringLiteral("two")}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, kTimeoutMs);
    group_.replica().resume();
    QVERIFY(finished.at(1).at(1).toBool()); // applied all the same
    const QString message = finished.at(1).at(3).toString();
    QVERIFY2(message.startsWith(QStringLiteral("written, but not confirmed on 1 replica within 1000 ms")), qPrintable(message));
    session_->stop();
    shop::app::ConnectionSettings::setWaitReplicas(group_.url(), 0);
    QCOMPARE(session_->waitReplicasFor(group_.url()), 0);
}

// The status bar says which role the server in use has: master behind the sentinels; a
// plain URL to the replica says replica (and the warning bar why edits fail there).
void TestSentinelUi::statusBarShowsTheRole()
{
    shop::app::SessionOptions options;
    options.redisUrl = group_.url();
    options.stream = kStream;
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->serverRole(), QStringLiteral("master"), kTimeoutMs);
    session_->stop();
    options.redisUrl = group_.replica().urlText();
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->serverRole(), QStringLiteral("replica"), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session_->serverWarnings().join(QLatin1Char(' ')).contains(QStringLiteral("is a replica of")), kTimeoutMs);
    session_->stop();
}

void TestSentinelUi::followsTheMasterThroughAFailover()
{
    shop::app::SessionOptions options;
    options.redisUrl = group_.url();
    options.stream = kStream;
    QVERIFY(session_->start(options));
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 5, kTimeoutMs);
    const QString oldMaster = QStringLiteral("127.0.0.1:%1").arg(group_.master().port());
    const QString newMaster = QStringLiteral("127.0.0.1:%1").arg(group_.replica().port());
    QTRY_VERIFY2_WITH_TIMEOUT(session_->target().endsWith(QStringLiteral("master ") + oldMaster), qPrintable(session_->target()), kTimeoutMs);

    group_.master().kill();
    QTRY_COMPARE_WITH_TIMEOUT(group_.namedMasterPort(), group_.replica().port(), kTimeoutMs);
    QTRY_VERIFY2_WITH_TIMEOUT(session_->target().endsWith(QStringLiteral("master ") + newMaster), qPrintable(session_->target()), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    const QString said = session_->notifications()->allText();
    QVERIFY2(said.contains(QStringLiteral("The master moved from %1 to %2 (a failover); no event was lost").arg(oldMaster, newMaster)), qPrintable(said));
    QCOMPARE(session_->users()->rowCount(), 5);

    // An edit after the failover reaches the new master and is applied once.
    QVERIFY(!session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 6}, {QStringLiteral("name"), QStringLiteral("after")}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 6, kTimeoutMs);
    shop::redis::Connection c;
    QVERIFY(c.connect(group_.replica().url()));
    QCOMPARE(c.command({"XLEN", kStream.toStdString()}).integer(), 6);
    session_->stop();
}

QTEST_MAIN(TestSentinelUi)
#include "test_sentinel_ui.moc"
