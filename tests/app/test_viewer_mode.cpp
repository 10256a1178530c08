// Opening a stream writes nothing to it without the user's word (issue: "opening the original
// demo's orders created orders:snapshots within 30 s, without asking"). In the real QML,
// offscreen, over a real ShopSession and a private redis-server:
// - a stream with no snapshots on a server that is not the managed one is asked about once:
//   no snapshot key appears until "Keep snapshots", and the answer is remembered per stream;
// - "View only" and --read-only (SessionOptions::viewOnly) are viewer mode: the status bar
//   says Viewer, every edit control is off, and edits, snapshots and the demo shop are refused
//   unsent, so the server holds exactly the keys and stream lengths it held before;
// - a stream that has snapshots already is opened from them in viewer mode too, and one that
//   is not in viewer mode keeps writing its timed snapshots without a question.
#include "shop_session.hpp"

#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "quick_items.hpp"
#include "test_redis_server.hpp"

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include <map>
#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;

namespace {

constexpr int kTimeoutMs = 10000;
constexpr qint64 kSnapshotEveryMs = 200; // timed snapshots would come at once, if any were allowed

// Every key of the server with its stream length (-1 for other types): what "nothing was
// written" is checked against.
std::map<std::string, long long> keysAndLengths(shop::redis::Connection& c)
{
    std::map<std::string, long long> out;
    shop::redis::Reply keys = c.command({"KEYS", "*"});
    for (std::size_t i = 0; keys.isArray() && i < keys.size(); ++i) {
        const std::string key(shop::redis::ReplyView(keys.raw())[i].str());
        const bool stream = c.command({"TYPE", key}).str() == "stream";
        out[key] = stream ? c.command({"XLEN", key}).integer() : -1;
    }
    return out;
}

} // namespace

class TestViewerMode : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();
    void asksOnceBeforeTheFirstSnapshot();
    void viewOnlyAnswerWritesNothing();
    void readOnlyOptionRestoresFromSnapshotsAndWritesNothing();
    void streamWithSnapshotsKeepsThemWithoutAsking();

private:
    bool fill(const QString& stream, int users);
    bool open(const QString& stream, bool viewOnly);
    QQuickItem* item(const QString& name) const { return findQuickItem(window_->contentItem(), name); }
    bool visible(const QString& name) const
    {
        QQuickItem* found = item(name);
        return found && found->isVisible();
    }
    // Edits, a snapshot and the demo shop, all asked for: each must be refused unsent.
    void tryEveryWrite();

    TestRedisServer server_;
    shop::redis::Connection admin_;
    std::unique_ptr<ShopSession> session_;
    std::unique_ptr<QQmlApplicationEngine> engine_;
    QQuickWindow* window_ = nullptr;
};

bool TestViewerMode::fill(const QString& stream, int users)
{
    shop::redis::StreamWriter writer(admin_, stream.toStdString());
    for (int id = 1; id <= users; ++id) {
        shop::redis::AppendRequest request;
        request.type = "RegisterUser";
        request.data = QStringLiteral(R"({"userId":%1,"name":"user %1"})").arg(id).toStdString();
        request.actor = "test:viewer";
        if (!writer.append(request).ok)
            return false;
    }
    return true;
}

bool TestViewerMode::open(const QString& stream, bool viewOnly)
{
    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = stream;
    options.snapshotIntervalMs = kSnapshotEveryMs;
    options.viewOnly = viewOnly;
    return session_->start(options);
}

void TestViewerMode::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // the answers go to a settings file of the tests'
    QSettings().clear();
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY(admin_.connect(server_.url()));
    session_ = std::make_unique<ShopSession>(nullptr);
    ShopSession::setInstance(session_.get());
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QString problem;
    window_ = loadMainWindow(*engine_, problem);
    QVERIFY2(window_, qPrintable(problem));
}

void TestViewerMode::cleanup() { session_->stop(); }

void TestViewerMode::cleanupTestCase()
{
    engine_.reset();
    session_.reset();
    ShopSession::setInstance(nullptr);
    QSettings().clear();
}

void TestViewerMode::tryEveryWrite()
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QSignalSpy snapshotFailed(session_.get(), &ShopSession::snapshotFailed);
    session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 900}, {QStringLiteral("name"), QStringLiteral("new")}});
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished[0][1].toBool(), false);         // not applied
    QCOMPARE(finished[0][2].toString(), QString());   // no reason: never sent
    QVERIFY2(finished[0][3].toString().contains(QStringLiteral("viewer mode")), qPrintable(finished[0][3].toString()));
    session_->takeSnapshot();
    QTRY_COMPARE_WITH_TIMEOUT(snapshotFailed.size(), 1, kTimeoutMs);
    QVERIFY2(snapshotFailed[0][0].toString().contains(QStringLiteral("viewer mode")), qPrintable(snapshotFailed[0][0].toString()));
    session_->loadDemoShop(100);
    QTest::qWait(5 * kSnapshotEveryMs); // time for a demo shop or timed snapshots to land, if any could
}

void TestViewerMode::asksOnceBeforeTheFirstSnapshot()
{
    const QString stream = QStringLiteral("ask:events");
    QVERIFY(fill(stream, 5));
    QVERIFY(open(stream, false));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(visible(QStringLiteral("snapshotQuestionBanner")), kTimeoutMs);
    const QString question = item(QStringLiteral("snapshotQuestionMessage"))->property("text").toString();
    QVERIFY2(question.contains(QStringLiteral("ask:events:snapshots, ask:events:snapshot:*")), qPrintable(question));
    QVERIFY(!session_->viewOnly());
    QVERIFY(!visible(QStringLiteral("viewerLabel")));
    QTest::qWait(5 * kSnapshotEveryMs);
    QCOMPARE(admin_.command({"EXISTS", "ask:events:snapshots"}).integer(), 0); // nothing before the answer

    QQuickItem* keep = item(QStringLiteral("keepSnapshotsButton"));
    QVERIFY(keep);
    QMetaObject::invokeMethod(keep, "clicked");
    QTRY_VERIFY(!visible(QStringLiteral("snapshotQuestionBanner")));
    QTRY_COMPARE_WITH_TIMEOUT(admin_.command({"EXISTS", "ask:events:snapshots"}).integer(), 1, kTimeoutMs);

    // Remembered: opened again, with the snapshots gone, it does not ask and keeps writing.
    session_->stop();
    QVERIFY(admin_.command({"DEL", "ask:events:snapshots"}).isInteger());
    QVERIFY(open(stream, false));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QVERIFY(fill(stream, 6)); // something changed: a timed snapshot is due
    QTRY_COMPARE_WITH_TIMEOUT(admin_.command({"EXISTS", "ask:events:snapshots"}).integer(), 1, kTimeoutMs);
    QVERIFY(!visible(QStringLiteral("snapshotQuestionBanner")));
}

void TestViewerMode::viewOnlyAnswerWritesNothing()
{
    const QString stream = QStringLiteral("view:events");
    QVERIFY(fill(stream, 4));
    const auto before = keysAndLengths(admin_);
    QVERIFY(open(stream, false));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(visible(QStringLiteral("snapshotQuestionBanner")), kTimeoutMs);
    QQuickItem* viewOnly = item(QStringLiteral("viewOnlyButton"));
    QVERIFY(viewOnly);
    QMetaObject::invokeMethod(viewOnly, "clicked");
    QTRY_VERIFY(session_->viewOnly());
    QTRY_VERIFY(visible(QStringLiteral("viewerLabel")));
    QVERIFY(!visible(QStringLiteral("snapshotQuestionBanner")));
    QCOMPARE(window_->property("editable").toBool(), false);
    QCOMPARE(item(QStringLiteral("takeSnapshotButton"))->isEnabled(), false);
    tryEveryWrite();
    QCOMPARE(keysAndLengths(admin_), before);
    QCOMPARE(session_->users()->rowCount(), 4); // the shop is still shown

    // Remembered for this stream: opened again, it is in viewer mode at once, and asks nothing.
    session_->stop();
    QVERIFY(open(stream, false));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QVERIFY(session_->viewOnly());
    QTest::qWait(3 * kSnapshotEveryMs);
    QVERIFY(!visible(QStringLiteral("snapshotQuestionBanner")));
    QCOMPARE(keysAndLengths(admin_), before);

    // The Connection dialog's switch, turned off, forgets it: the question comes again.
    session_->connectTo(server_.urlText(), {}, {}, stream, false, false);
    QTRY_VERIFY_WITH_TIMEOUT(!session_->viewOnly(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(visible(QStringLiteral("snapshotQuestionBanner")), kTimeoutMs);
    QCOMPARE(keysAndLengths(admin_), before);
}

void TestViewerMode::readOnlyOptionRestoresFromSnapshotsAndWritesNothing()
{
    // A stream with a snapshot (taken by a session that keeps them) and a tail after it.
    const QString stream = QStringLiteral("ro:events");
    QVERIFY(fill(stream, 3));
    shop::app::SessionOptions keeping;
    keeping.redisUrl = server_.urlText();
    keeping.stream = stream;
    keeping.snapshotIntervalMs = 0;
    keeping.askBeforeSnapshots = false;
    QVERIFY(session_->start(keeping));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QSignalSpy taken(session_.get(), &ShopSession::snapshotTaken);
    session_->takeSnapshot();
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 1, kTimeoutMs);
    session_->stop();
    QVERIFY(fill(stream, 5)); // users 4 and 5 come after the snapshot (1 to 3 again: rejected)

    const auto before = keysAndLengths(admin_);
    QSignalSpy restored(session_.get(), &ShopSession::notice);
    QVERIFY(open(stream, true)); // --read-only
    QVERIFY(session_->viewOnly());
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 5, kTimeoutMs);
    QCOMPARE(session_->appliedEvents(), 5);
    QCOMPARE(session_->rejectedEvents(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(session_->snapshots()->rowCount(), 1, kTimeoutMs); // listed: reading is fine
    QVERIFY(visible(QStringLiteral("viewerLabel")));
    QVERIFY(!visible(QStringLiteral("demoOffer")));
    QCOMPARE(window_->property("editable").toBool(), false);
    tryEveryWrite();
    QCOMPARE(keysAndLengths(admin_), before);
}

void TestViewerMode::streamWithSnapshotsKeepsThemWithoutAsking()
{
    // ro:events has a snapshot: opened normally, it asks nothing and writes its timed ones.
    const QString stream = QStringLiteral("ro:events");
    QVERIFY(open(stream, false));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->snapshots()->rowCount(), 1, kTimeoutMs);
    QVERIFY(fill(stream, 6)); // user 6: a change, so a timed snapshot is due
    QTRY_COMPARE_WITH_TIMEOUT(admin_.command({"ZCARD", "ro:events:snapshots"}).integer(), 2, kTimeoutMs);
    QVERIFY(!visible(QStringLiteral("snapshotQuestionBanner")));
    QVERIFY(!session_->viewOnly());
}

QTEST_MAIN(TestViewerMode)
#include "test_viewer_mode.moc"
