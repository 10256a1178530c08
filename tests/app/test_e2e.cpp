// End to end: the real QML (qrc:/ShopStream/Main.qml) offscreen over a real ShopSession and a
// private redis-server. The test clicks the toolbar, types into the dialogs and reads what
// the window shows, the way a user would: a top-up that is applied, orders the consumer
// rejects (out of stock, insufficient funds) with the reason in words, a user name with
// markup shown as plain text, and the outage banner while redis-server is down, with the
// state intact once it is back (same data directory, AOF on); and redis-server restarted on an
// empty data directory while the window follows: a reset, said in a banner, with the tables
// rebuilt from the new stream (never the old shop plus the new events) and no snapshot of a
// merged shop.
#include "window_test.hpp"

#include "redis/connection.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "core/shop_state.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include <limits>
#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;
using shop::app::UserListModel;

namespace {

const QString kStream = QStringLiteral("e2e:events");

// Every Text under `root` (QQuickText, including Labels) whose text is exactly `text`.
QList<QQuickItem*> findTexts(QQuickItem* root, const QString& text)
{
    QList<QQuickItem*> out;
    if (!root)
        return out;
    if (root->inherits("QQuickText") && root->property("text").toString() == text)
        out << root;
    for (QQuickItem* child : root->childItems())
        out << findTexts(child, text);
    return out;
}

QString itemText(QQuickItem* item) { return item ? item->property("text").toString() : QString(); }

} // namespace

class TestEndToEnd : public WindowTest {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void showsTheSeededShop();
    void topUpThroughTheDialog();
    void orderRejectedForStock();
    void orderRejectedForFunds();
    void markupInNamesIsPlainText();
    void userIdBeyondDoublePrecision();
    void outageBannerAndRecovery();
    void serverRestartedEmptyIsAReset();
    void resetWhileOldBatchesWait();

private:
    bool append(const std::string& type, const std::string& json)
    {
        return WindowTest::append(*server_, kStream.toStdString(), type, json, "test:e2e");
    }
    qint64 balanceOf(qint64 userId) const;
    QString verdictText() const { return itemText(item(QStringLiteral("verdictMessage"))); }

    // expectedWarnings: what the dialog says before sending, by the label's objectName.
    void placeOrder(const QString& qty, const QString& expectedTotal, const QString& expectedVerdict,
                    const QList<QPair<QString, QString>>& expectedWarnings);

    QTemporaryDir dataDir_;
    std::unique_ptr<TestRedisServer> server_;
};

qint64 TestEndToEnd::balanceOf(qint64 userId) const
{
    UserListModel* users = session_->users();
    const int row = users->rowOf(userId);
    return row < 0 ? -1 : users->data(users->index(row), UserListModel::BalanceRole).toLongLong();
}

void TestEndToEnd::initTestCase()
{
    QVERIFY(dataDir_.isValid());

    TestRedisServer::Options options;
    options.appendOnly = true; // the outage test restarts it on the same data
    options.dataDir = dataDir_.path();
    server_ = std::make_unique<TestRedisServer>(options);
    QVERIFY2(server_->start(), qPrintable(server_->error()));

    QVERIFY(append("RegisterUser", R"({"userId":7,"name":"Ada"})"));
    QVERIFY(append("AddItem", R"({"itemId":"mug","name":"Mug","price":1250,"count":3})"));
    QVERIFY(append("TopUp", R"({"userId":7,"amount":1000})"));

    shop::app::SessionOptions sessionOptions;
    sessionOptions.redisUrl = server_->urlText();
    sessionOptions.stream = kStream;
    sessionOptions.snapshotIntervalMs = 0;
    UI_CHECK(openWindow(sessionOptions));

    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(1000), kTimeoutMs);
}

void TestEndToEnd::cleanupTestCase()
{
    // The window goes before the session it binds to; the session before the server.
    closeWindow();
    server_.reset();
}

void TestEndToEnd::showsTheSeededShop()
{
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("userRow_7")), kTimeoutMs);
    QQuickItem* row = item(QStringLiteral("userRow_7"));
    QVERIFY(row->isVisible());
    QCOMPARE(findTexts(row, QStringLiteral("Ada")).size(), 1);
    QCOMPARE(findTexts(row, session_->formatMoney(1000)).size(), 1);
    QCOMPARE(session_->items()->rowOf(QStringLiteral("mug")), 0);
    QCOMPARE(itemText(item(QStringLiteral("connectionStateLabel"))).isEmpty(), false);
    QCOMPARE(item(QStringLiteral("outageBanner"))->isVisible(), false);
    QCOMPARE(item(QStringLiteral("demoOffer"))->isVisible(), false);
}

void TestEndToEnd::topUpThroughTheDialog()
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QObject* topUp = nullptr;
    UI_CHECK(topUp = openDialog(QStringLiteral("topUpButton"), QStringLiteral("topUpDialog")));
    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("userIdField")), QStringLiteral("7")));
    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("amountField")), QStringLiteral("25.50")));
    QQuickItem* ok = dialogPart(topUp, "footer", QStringLiteral("topUpDialogOk"));
    QVERIFY(ok);
    QTRY_VERIFY(ok->isEnabled());
    UI_CHECK(click(ok));
    QTRY_VERIFY(!topUp->property("visible").toBool());

    // The consumer's verdict, the model, the row on the Users page, the toast.
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.at(0).at(1).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(1000 + 2550), kTimeoutMs);
    const QString balanceText = session_->formatMoney(3550);
    QTRY_COMPARE_WITH_TIMEOUT(findTexts(item(QStringLiteral("userRow_7")), balanceText).size(), 1, kTimeoutMs);
    QTRY_VERIFY2_WITH_TIMEOUT(verdictText().contains(QStringLiteral("applied")), qPrintable(verdictText()), kTimeoutMs);
    QVERIFY2(verdictText().contains(QStringLiteral("user 7")), qPrintable(verdictText()));
    QTRY_VERIFY(item(QStringLiteral("verdictMessage"))->isVisible()); // the toast fades in

    // The applied top-up selects user 7; its balance chart ends with the new balance.
    QQuickItem* canvas = item(QStringLiteral("balanceChart"));
    QVERIFY(canvas && canvas->parentItem());
    QTRY_VERIFY(canvas->isVisible());
    const auto points = [canvas] { return canvas->parentItem()->property("points").toList(); };
    // RegisterUser (0), TopUp (10.00), TopUp (35.50).
    QTRY_COMPARE_WITH_TIMEOUT(points().size(), 3, kTimeoutMs);
    QCOMPARE(points().last().toLongLong(), qint64(3550));

    // An event from elsewhere while the user stays selected: the chart follows it.
    QVERIFY(append("AdjustBalance", R"({"userId":7,"delta":-50,"reason":"e2e"})"));
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(3500), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(points().size(), 4, kTimeoutMs);
    QCOMPARE(points().last().toLongLong(), qint64(3500));
    QVERIFY(append("AdjustBalance", R"({"userId":7,"delta":50,"reason":"e2e"})"));
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(3550), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(points().size(), 5, kTimeoutMs);
}

// Opens the order dialog, orders `qty` mugs for user 7 and waits for the toast to say
// `expectedVerdict` (the consumer rejects the order; the dialog only pre-checks).
void TestEndToEnd::placeOrder(const QString& qty, const QString& expectedTotal, const QString& expectedVerdict,
                              const QList<QPair<QString, QString>>& expectedWarnings)
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    const qint64 rejectedBefore = session_->rejectedEvents();
    QObject* order = nullptr;
    UI_CHECK(order = openDialog(QStringLiteral("placeOrderButton"), QStringLiteral("placeOrderDialog")));
    UI_CHECK(typeInto(dialogPart(order, "contentItem", QStringLiteral("userIdField")), QStringLiteral("7")));
    QTRY_VERIFY(dialogPart(order, "contentItem", QStringLiteral("lineItem_0")));
    // Into the editable picker's text (its left part; the right is the drop-down arrow).
    UI_CHECK(typeInto(dialogPart(order, "contentItem", QStringLiteral("lineItem_0")), QStringLiteral("mug"), 0.25));
    UI_CHECK(typeInto(dialogPart(order, "contentItem", QStringLiteral("lineQty_0")), qty));
    QTRY_COMPARE(itemText(dialogPart(order, "contentItem", QStringLiteral("orderTotalLabel"))),
                 QStringLiteral("Total: ") + expectedTotal);
    // Before it is sent, the dialog says what the tables say of it: the user's balance, the
    // item's price and stock, and (the preview: the consumer's checks on those rows) the
    // verdict it would get. Only one verdict is said: stock is checked before the balance.
    QTRY_COMPARE(itemText(dialogPart(order, "contentItem", QStringLiteral("orderBalanceLabel"))),
                 QStringLiteral("Balance: ") + session_->formatMoney(3550));
    for (const auto& [name, text] : expectedWarnings) {
        QQuickItem* label = dialogPart(order, "contentItem", name);
        QVERIFY2(label, qPrintable(name));
        QTRY_VERIFY2(label->isVisible() && itemText(label).contains(text), qPrintable(name + QStringLiteral(": ") + itemText(label)));
    }
    QQuickItem* ok = dialogPart(order, "footer", QStringLiteral("placeOrderDialogOk"));
    QVERIFY(ok);
    QTRY_VERIFY(ok->isEnabled());
    UI_CHECK(click(ok));
    QTRY_VERIFY(!order->property("visible").toBool());

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QTRY_VERIFY2_WITH_TIMEOUT(verdictText().contains(expectedVerdict), qPrintable(verdictText()), kTimeoutMs);
    QVERIFY2(verdictText().contains(QStringLiteral("rejected")), qPrintable(verdictText()));
    QTRY_COMPARE_WITH_TIMEOUT(session_->rejectedEvents(), rejectedBefore + 1, kTimeoutMs);
}

void TestEndToEnd::orderRejectedForStock()
{
    // 5 mugs, 3 in stock: 62.50, more than the balance too, but stock is checked first.
    UI_CHECK(placeOrder(QStringLiteral("5"), session_->formatMoney(5 * 1250),
                         QStringLiteral("there is not enough stock for the order"),
                         {{QStringLiteral("lineInfo_0"), QStringLiteral("12.50 each, only 3 in stock")},
                          {QStringLiteral("placeOrderDialogPreview"), QStringLiteral("would be rejected: there is not enough stock for the order")}}));
    QCOMPARE(balanceOf(7), qint64(3550));
    const int row = session_->items()->rowOf(QStringLiteral("mug"));
    QCOMPARE(session_->items()->data(session_->items()->index(row), shop::app::ItemListModel::StockRole).toLongLong(),
             qint64(3));
}

void TestEndToEnd::orderRejectedForFunds()
{
    // 3 mugs in stock, 37.50 against a balance of 35.50.
    UI_CHECK(placeOrder(QStringLiteral("3"), session_->formatMoney(3 * 1250),
                         QStringLiteral("the user's balance does not cover the order"),
                         {{QStringLiteral("lineInfo_0"), QStringLiteral("12.50 each, 3 in stock")},
                          {QStringLiteral("placeOrderDialogPreview"), QStringLiteral("would be rejected: the user's balance does not cover the order (balance 35.50 < total 37.50)")}}));
    QCOMPARE(balanceOf(7), qint64(3550));
}

void TestEndToEnd::markupInNamesIsPlainText()
{
    const QString markup = QStringLiteral("<b>x</b>");
    QVERIFY(append("RegisterUser", R"({"userId":8,"name":"<b>x</b>"})"));
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("userRow_8")), kTimeoutMs);
    const QList<QQuickItem*> cells = findTexts(item(QStringLiteral("userRow_8")), markup);
    QCOMPARE(cells.size(), 1);
    QCOMPARE(cells.first()->property("textFormat").toInt(), int(Qt::PlainText));
    QVERIFY(cells.first()->isVisible());
}

// Ids go up to 2^63-1 and QML's numbers are doubles (exact to 2^53): the largest id is
// shown, selected, filtered on and topped up exactly, not as 9223372036854776000.
void TestEndToEnd::userIdBeyondDoublePrecision()
{
    const QString maxId = QStringLiteral("9223372036854775807");
    const QString rounded = QStringLiteral("9223372036854776000");
    const qint64 max = std::numeric_limits<qint64>::max();
    QVERIFY(append("RegisterUser", R"({"userId":9223372036854775807,"name":"Max"})"));

    // The Users page shows the id exactly, in the row's id cell and its objectName.
    QObject* tabs = item(QStringLiteral("pageTabs"));
    QVERIFY(tabs);
    tabs->setProperty("currentIndex", 0);
    const QString rowName = QStringLiteral("userRow_") + maxId;
    QTRY_VERIFY_WITH_TIMEOUT(item(rowName), kTimeoutMs);
    QQuickItem* row = item(rowName);
    QTRY_VERIFY(row->isVisible());
    QCOMPARE(findTexts(row, maxId).size(), 1);
    QCOMPARE(findTexts(row, rounded).size(), 0);
    QCOMPARE(findTexts(row, QStringLiteral("Max")).size(), 1);

    // Clicking selects it: the selection and the details pane hold the exact id.
    UI_CHECK(click(row));
    QObject* page = item(QStringLiteral("usersPage"));
    QVERIFY(page);
    QTRY_COMPARE(page->property("selectedUserId").toString(), maxId);
    QTRY_COMPARE(itemText(item(QStringLiteral("userDetailsTitle"))), QStringLiteral("User ") + maxId);
    QCOMPARE(itemText(item(QStringLiteral("userDetailsName"))), QStringLiteral("Max"));
    QCOMPARE(itemText(item(QStringLiteral("userDetailsBalance"))), session_->formatMoney(0));
    // Its history: the events model filtered on the exact id (RegisterUser).
    QQuickItem* history = item(QStringLiteral("userHistory"));
    QVERIFY(history);
    QTRY_COMPARE_WITH_TIMEOUT(history->property("count").toInt(), 1, kTimeoutMs);

    // The details pane's Top up opens the dialog pre-filled with the exact id; the top-up
    // goes through the writer and the consumer to this user.
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QObject* topUp = nullptr;
    UI_CHECK(topUp = openDialog(QStringLiteral("userTopUpButton"), QStringLiteral("topUpDialog")));
    QQuickItem* userField = dialogPart(topUp, "contentItem", QStringLiteral("userIdField"));
    QVERIFY(userField);
    QCOMPARE(itemText(userField), maxId);
    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("amountField")), QStringLiteral("42")));
    QQuickItem* ok = dialogPart(topUp, "footer", QStringLiteral("topUpDialogOk"));
    QVERIFY(ok);
    QTRY_VERIFY(ok->isEnabled());
    UI_CHECK(click(ok));
    QTRY_VERIFY(!topUp->property("visible").toBool());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(3).toString()));
    QCOMPARE(finished.at(0).at(6).toString(), maxId);
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(max), qint64(4200), kTimeoutMs);
    QTRY_VERIFY2_WITH_TIMEOUT(verdictText().contains(QStringLiteral("user ") + maxId), qPrintable(verdictText()),
                              kTimeoutMs);

    // Still selected, with its balance and both entries in its history.
    QCOMPARE(page->property("selectedUserId").toString(), maxId);
    QCOMPARE(itemText(item(QStringLiteral("userDetailsTitle"))), QStringLiteral("User ") + maxId);
    QTRY_COMPARE_WITH_TIMEOUT(itemText(item(QStringLiteral("userDetailsBalance"))), session_->formatMoney(4200),
                              kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(findTexts(item(rowName), session_->formatMoney(4200)).size(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(history->property("count").toInt(), 2, kTimeoutMs);

    // The Place order dialog takes the selected id as it is, too.
    QObject* order = nullptr;
    UI_CHECK(order = openDialog(QStringLiteral("userPlaceOrderButton"), QStringLiteral("placeOrderDialog")));
    QCOMPARE(itemText(dialogPart(order, "contentItem", QStringLiteral("userIdField"))), maxId);
    UI_CHECK(click(dialogPart(order, "footer", QStringLiteral("placeOrderDialogCancel"))));
    QTRY_VERIFY(!order->property("visible").toBool());
}

void TestEndToEnd::outageBannerAndRecovery()
{
    QQuickItem* banner = item(QStringLiteral("outageBanner"));
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());
    const qint64 totalBefore = session_->totalEvents();

    server_->stop();
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kTimeoutMs);
    const QString message = itemText(item(QStringLiteral("outageMessage")));
    QVERIFY2(message.contains(QStringLiteral("Redis")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("last known state")), qPrintable(message));
    // What is shown stays.
    QCOMPARE(balanceOf(7), qint64(3550));
    QVERIFY(item(QStringLiteral("userRow_8")));
    // Listing the snapshots fails meanwhile: said on the Snapshots page (not in a banner that
    // outlives the outage), and gone once a listing works again.
    session_->refreshSnapshots();
    QTRY_VERIFY_WITH_TIMEOUT(session_->snapshotsError().contains(QStringLiteral("could not be listed")), kTimeoutMs);
    QVERIFY(!item(QStringLiteral("noticeBanner"))->isVisible());

    QVERIFY2(server_->start(), qPrintable(server_->error()));
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), shop::app::ShopSession::ConnectionState::Live, kTimeoutMs);
    QCOMPARE(session_->totalEvents(), totalBefore);
    QCOMPARE(balanceOf(7), qint64(3550));
    QTRY_COMPARE_WITH_TIMEOUT(session_->snapshotsError(), QString(), kTimeoutMs);
    // The log keeps the outage (once, however long it lasted) and its end, in that order.
    QStringList log = session_->notifications()->allText().split(QLatin1Char('\n'));
    QCOMPARE(log.filter(QStringLiteral("could not be listed")).size(), 1);
    log.removeAll(log.filter(QStringLiteral("could not be listed")).constFirst());
    QCOMPARE(log.filter(QStringLiteral("  error  ")).size(), 1);
    QCOMPARE(log.filter(QStringLiteral("Connected again to ")).size(), 1);
    QVERIFY2(log.indexOf(log.filter(QStringLiteral("  error  ")).constFirst())
                 < log.indexOf(log.filter(QStringLiteral("Connected again to ")).constFirst()),
             qPrintable(log.join(QLatin1Char('\n'))));

    // The consumer goes on from where it was: the next event is applied once.
    QVERIFY(append("TopUp", R"({"userId":7,"amount":100})"));
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(3650), kTimeoutMs);
    QCOMPARE(session_->totalEvents(), totalBefore + 1);
    QTRY_COMPARE_WITH_TIMEOUT(findTexts(item(QStringLiteral("userRow_7")), session_->formatMoney(3650)).size(), 1,
                              kTimeoutMs);
}

void TestEndToEnd::serverRestartedEmptyIsAReset()
{
    QQuickItem* banner = item(QStringLiteral("resetBanner"));
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());
    QVERIFY(balanceOf(7) > 0);
    const qint64 oldTotal = session_->totalEvents();

    // The server's data is lost (a new machine, a wiped volume): the same address, nothing in it.
    server_->stop();
    QDir data(dataDir_.path());
    QVERIFY(data.removeRecursively());
    QVERIFY(QDir().mkpath(dataDir_.path()));
    QVERIFY2(server_->start(), qPrintable(server_->error()));
    // A new shop written to it: user 7 again (the old shop had one), with another balance.
    QVERIFY(append("RegisterUser", R"({"userId":7,"name":"Grace"})"));
    QVERIFY(append("TopUp", R"({"userId":7,"amount":250})"));
    QVERIFY(append("RegisterUser", R"({"userId":9,"name":"Linus"})"));

    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 15000);
    const QString message = itemText(item(QStringLiteral("resetMessage")));
    QVERIFY2(message.contains(QStringLiteral("reset")) && message.contains(kStream), qPrintable(message));
    QTRY_COMPARE_WITH_TIMEOUT(session_->totalEvents(), qint64(3), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), shop::app::ShopSession::ConnectionState::Live, kTimeoutMs);
    QVERIFY(oldTotal > 3);

    // The tables are the new stream's, from scratch (RegisterUser 7 applied, not "already exists").
    shop::redis::Connection c;
    QVERIFY2(c.connect(server_->url()), c.error().c_str());
    shop::ShopState expected;
    shop::redis::LoadReport report;
    shop::redis::LoadOptions fromScratch;
    fromScratch.fromScratch = true;
    shop::redis::StateLoader loader(c, kStream.toStdString());
    QVERIFY2(loader.load(expected, fromScratch, report), report.error.c_str());
    QCOMPARE(expected.counts.applied, qint64(3));
    QCOMPARE(session_->appliedEvents(), qint64(3));
    QCOMPARE(session_->users()->rowCount(), int(expected.users().size()));
    for (const auto& [id, user] : expected.users())
        QCOMPARE(balanceOf(id), user.balance);
    QCOMPARE(session_->items()->rowCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(item(QStringLiteral("userRow_9")), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(findTexts(item(QStringLiteral("userRow_7")), QStringLiteral("Grace")).size(), 1, kTimeoutMs);

    // A snapshot taken now is of the new shop; every stored snapshot equals a rebuild.
    QSignalSpy taken(session_.get(), &ShopSession::snapshotTaken);
    session_->takeSnapshot();
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 1, kTimeoutMs);
    shop::redis::SnapshotStore store(c, kStream.toStdString());
    std::vector<shop::redis::SnapshotListing> listing;
    QVERIFY(store.list(listing));
    QVERIFY(!listing.empty());
    std::vector<shop::redis::SnapshotVerification> results;
    std::vector<std::string> warnings;
    QVERIFY2(store.verifyByRebuild(listing, results, warnings), store.error().c_str());
    for (const auto& r : results)
        QVERIFY2(r.verified, (r.id + ": " + r.why).c_str());

    // Dismissed, it stays away.
    click(item(QStringLiteral("resetBannerClose")));
    QTRY_VERIFY(!banner->isVisible());
}

// The consumer's batches from before a reset can still wait for the window when the
// consumer restores: they belong to the old stream and must not reach the new history.
void TestEndToEnd::resetWhileOldBatchesWait()
{
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), shop::app::ShopSession::ConnectionState::Live, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    const qint64 before = session_->totalEvents();
    QCOMPARE(session_->replay()->length(), before);

    // The window's thread is kept busy (no events delivered) while the consumer reads five
    // entries, the stream is wiped and two new entries arrive: everything the consumer
    // sends in that time waits in the queue, the old stream's batch first.
    for (int i = 0; i < 5; ++i)
        QVERIFY(append("TopUp", R"({"userId":7,"amount":100})"));
    QThread::msleep(800);
    {
        shop::redis::Connection c;
        QVERIFY2(c.connect(server_->url()), c.error().c_str());
        const shop::redis::Reply flushed = c.command({"FLUSHALL"});
        QVERIFY(flushed && !flushed.isError());
    }
    QVERIFY(append("RegisterUser", R"({"userId":7,"name":"Hedy"})"));
    QVERIFY(append("TopUp", R"({"userId":7,"amount":40})"));
    QThread::msleep(2500);

    QTRY_COMPARE_WITH_TIMEOUT(session_->totalEvents(), qint64(2), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), shop::app::ShopSession::ConnectionState::Live, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(40), kTimeoutMs);
    // The events list and the timeline hold the new stream's two entries, nothing else.
    QCOMPARE(session_->replay()->length(), qint64(2));
    QCOMPARE(session_->events()->totalCount(), qint64(2));
    session_->replay()->seek(2);
    QCOMPARE(session_->replay()->users()->rowCount(), 1);
    const QModelIndex row = session_->replay()->users()->index(0);
    QCOMPARE(row.data(UserListModel::BalanceRole).toLongLong(), qint64(40));
    session_->replay()->goLive();
}

QTEST_MAIN(TestEndToEnd)

#include "test_e2e.moc"
