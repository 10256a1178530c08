// The Overview page in the real QML, offscreen over a real ShopSession and a private
// redis-server: its figures are the stream's (entries by type and verdict, rejections by
// reason, the revenue the applied orders brought, who spent and what sold most), choosing a
// reason or a type lists those entries on the Events page, and in history every figure stops
// at the timeline's current event.
#include "window_test.hpp"

#include "test_redis_server.hpp"

#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;

namespace {

const QString kStream = QStringLiteral("overview:events");

QString textOf(QQuickItem* item) { return item ? item->property("text").toString() : QString(); }

qint64 sumOf(const QVariantList& rows, const QString& key)
{
    qint64 sum = 0;
    for (const QVariant& row : rows)
        sum += row.toMap().value(key).toLongLong();
    return sum;
}

} // namespace

class TestOverviewUi : public WindowTest {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void figuresAreTheStreams();
    void reasonListsItsEntries();
    void typeListsItsEntries();
    void historyStopsAtTheCurrentEvent();

private:
    bool append(const std::string& type, const std::string& json)
    {
        return WindowTest::append(server_, kStream.toStdString(), type, json, "test:overview");
    }
    shop::app::OverviewModel* overview() const { return session_->overview(); }
    void showOverview();

    TestRedisServer server_;
};

void TestOverviewUi::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    // 0-6: the shop opens; 7, 8: orders of 25.00 and 6.00; 9-12: four rejections; 13: an
    // order of 2.00.
    QVERIFY(append("AddItem", R"({"itemId":"mug","name":"Mug","price":1250,"count":3})"));
    QVERIFY(append("AddItem", R"({"itemId":"pen","name":"Pen","price":200,"count":100})"));
    QVERIFY(append("RegisterUser", R"({"userId":1,"name":"Ann"})"));
    QVERIFY(append("RegisterUser", R"({"userId":2,"name":"Bob"})"));
    QVERIFY(append("RegisterUser", R"({"userId":3,"name":"Cy"})"));
    QVERIFY(append("TopUp", R"({"userId":1,"amount":10000})"));
    QVERIFY(append("TopUp", R"({"userId":2,"amount":1000})"));
    QVERIFY(append("Order", R"({"userId":1,"lines":[{"itemId":"mug","qty":2}]})"));
    QVERIFY(append("Order", R"({"userId":2,"lines":[{"itemId":"pen","qty":3}]})"));
    QVERIFY(append("Order", R"({"userId":3,"lines":[{"itemId":"mug","qty":1}]})"));
    QVERIFY(append("Order", R"({"userId":1,"lines":[{"itemId":"mug","qty":5}]})"));
    QVERIFY(append("AdjustBalance", R"({"userId":99,"delta":5,"reason":"goodwill"})"));
    QVERIFY(append("RegisterUser", R"({"userId":1,"name":"Ann again"})"));
    QVERIFY(append("Order", R"({"userId":1,"lines":[{"itemId":"pen","qty":1}]})"));

    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = kStream;
    options.askBeforeSnapshots = false;
    UI_CHECK(openWindow(options));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->replay()->length(), qint64(14), kTimeoutMs);
}

void TestOverviewUi::cleanupTestCase()
{
    closeWindow();
}

void TestOverviewUi::showOverview()
{
    clickCentre(window_, item(QStringLiteral("overviewTab")));
    QTRY_VERIFY(item(QStringLiteral("overviewPage"))->isVisible());
    QVERIFY(overview()->active());
}

void TestOverviewUi::figuresAreTheStreams()
{
    showOverview();
    QTRY_COMPARE_WITH_TIMEOUT(overview()->position(), qint64(14), kTimeoutMs);
    QCOMPARE(overview()->applied(), session_->appliedEvents());
    QCOMPARE(overview()->rejected(), session_->rejectedEvents());
    QCOMPARE(overview()->applied(), qint64(10));
    QCOMPARE(overview()->rejected(), qint64(4));
    QCOMPARE(overview()->revenueText(), QStringLiteral("33.00")); // 25.00 + 6.00 + 2.00
    QVERIFY2(textOf(item(QStringLiteral("overviewRevenue"))).contains(QStringLiteral("33.00")),
             qPrintable(textOf(item(QStringLiteral("overviewRevenue")))));

    // By type, the most frequent first: 5 orders (3 applied), 4 registrations (1 rejected), ...
    const QVariantMap first = overview()->types().value(0).toMap();
    QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("Order"));
    QCOMPARE(first.value(QStringLiteral("applied")).toLongLong(), qint64(3));
    QCOMPARE(first.value(QStringLiteral("rejected")).toLongLong(), qint64(2));
    QCOMPARE(sumOf(overview()->types(), QStringLiteral("applied")) + sumOf(overview()->types(), QStringLiteral("rejected")), qint64(14));
    // Each reason once, named as section 3 names it.
    QStringList reasons;
    for (const QVariant& r : overview()->reasons()) {
        reasons << r.toMap().value(QStringLiteral("reason")).toString();
        QCOMPARE(r.toMap().value(QStringLiteral("count")).toLongLong(), qint64(1));
    }
    reasons.sort();
    QCOMPARE(reasons, (QStringList{QStringLiteral("insufficient_funds"), QStringLiteral("out_of_stock"),
                                   QStringLiteral("unknown_user"), QStringLiteral("user_exists")}));
    QVERIFY(item(QStringLiteral("reasonRow_out_of_stock")));

    // Over time: the buckets hold every entry and all the revenue.
    const QVariantList series = overview()->series();
    QVERIFY(!series.isEmpty());
    QCOMPARE(sumOf(series, QStringLiteral("applied")), qint64(10));
    QCOMPARE(sumOf(series, QStringLiteral("rejected")), qint64(4));
    double revenue = 0;
    for (const QVariant& b : series)
        revenue += b.toMap().value(QStringLiteral("revenue")).toDouble();
    QCOMPARE(revenue, 33.0);

    // Ann spent 27.00 in 2 orders, Bob 6.00; pen sold 4, mug 2.
    QCOMPARE(overview()->topUsers().size(), 2);
    QCOMPARE(overview()->topUsers().value(0).toMap().value(QStringLiteral("userId")).toString(), QStringLiteral("1"));
    QCOMPARE(overview()->topUsers().value(0).toMap().value(QStringLiteral("spentText")).toString(), QStringLiteral("27.00"));
    QCOMPARE(overview()->topUsers().value(0).toMap().value(QStringLiteral("orders")).toLongLong(), qint64(2));
    QCOMPARE(overview()->topItems().value(0).toMap().value(QStringLiteral("itemId")).toString(), QStringLiteral("pen"));
    QCOMPARE(overview()->topItems().value(0).toMap().value(QStringLiteral("sold")).toLongLong(), qint64(4));
    QVERIFY(textOf(item(QStringLiteral("overviewPoint"))).contains(QStringLiteral("14")));

    // Without the timeline (the history before a restored snapshot could not be loaded) the
    // page still counts what the window holds, and says that this is all it counts.
    QVERIFY(!item(QStringLiteral("overviewPartial"))->isVisible());
    session_->replay()->setAvailable(false, QStringLiteral("the history could not be loaded"));
    overview()->refresh();
    QCOMPARE(overview()->position(), qint64(14));
    QTRY_VERIFY(item(QStringLiteral("overviewPartial"))->isVisible());
    session_->replay()->setAvailable(true);
}

void TestOverviewUi::reasonListsItsEntries()
{
    showOverview();
    QQuickItem* row = item(QStringLiteral("reasonRow_insufficient_funds"));
    QTRY_VERIFY(row && row->isVisible());
    clickCentre(window_, row);
    QTRY_VERIFY(item(QStringLiteral("eventsPage"))->isVisible());
    QCOMPARE(session_->events()->verdictFilter(), QStringLiteral("insufficient_funds"));
    QCOMPARE(session_->events()->rowCount(), 1);
    QCOMPARE(textOf(item(QStringLiteral("verdictFilter"))->property("contentItem").value<QQuickItem*>()),
             QStringLiteral("Rejected: insufficient_funds"));
}

void TestOverviewUi::typeListsItsEntries()
{
    showOverview();
    QQuickItem* row = item(QStringLiteral("typeRow_Order"));
    QTRY_VERIFY(row && row->isVisible());
    QVERIFY(row->isEnabled());
    clickCentre(window_, row);
    QTRY_VERIFY(item(QStringLiteral("eventsPage"))->isVisible());
    QCOMPARE(session_->events()->typeFilter(), QStringLiteral("Order"));
    QCOMPARE(session_->events()->verdictFilter(), QString()); // the reason chosen before is gone
    QCOMPARE(session_->events()->rowCount(), 5);
}

void TestOverviewUi::historyStopsAtTheCurrentEvent()
{
    showOverview();
    // After entry 8: the first two orders only.
    session_->replay()->seek(9);
    QTRY_COMPARE_WITH_TIMEOUT(overview()->position(), qint64(9), kTimeoutMs);
    QCOMPARE(overview()->applied(), session_->replay()->appliedAt());
    QCOMPARE(overview()->applied(), qint64(9));
    QCOMPARE(overview()->rejected(), qint64(0));
    QCOMPARE(overview()->reasons().size(), 0);
    QCOMPARE(overview()->revenueText(), QStringLiteral("31.00"));
    QCOMPARE(overview()->topUsers().value(0).toMap().value(QStringLiteral("spentText")).toString(), QStringLiteral("25.00"));
    QCOMPARE(overview()->topItems().value(0).toMap().value(QStringLiteral("itemId")).toString(), QStringLiteral("pen"));
    QCOMPARE(overview()->topItems().value(0).toMap().value(QStringLiteral("sold")).toLongLong(), qint64(3));
    QVERIFY2(textOf(item(QStringLiteral("overviewPoint"))).contains(QStringLiteral("History")),
             qPrintable(textOf(item(QStringLiteral("overviewPoint")))));
    // And back to the head.
    session_->replay()->goLive();
    QTRY_COMPARE_WITH_TIMEOUT(overview()->position(), qint64(14), kTimeoutMs);
    QCOMPARE(overview()->revenueText(), QStringLiteral("33.00"));
}

QTEST_MAIN(TestOverviewUi)
#include "test_overview_ui.moc"
