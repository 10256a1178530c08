// End to end on the original Go demo's stream: the real QML offscreen over a real ShopSession
// and a private redis-server, the stream written the way the demo writes it. The window must
// write what the demo's consumer can read (it deletes everything else): the actions that
// format has no event for are off, the Top up dialog takes whole units only, a top-up and a
// restock from the window land as the demo's MessagePack entries and are applied, what the
// format cannot hold is refused unwritten even when submitted directly, and a mixed stream
// follows its newest entry.
#include "window_test.hpp"

#include "event_list_model.hpp"
#include "replay_controller.hpp"
#include "what_if_controller.hpp"

#include "core/domain.hpp"
#include "core/legacy_encoder.hpp"
#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <nlohmann/json.hpp>

#include <QSignalSpy>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ItemListModel;
using shop::app::ShopSession;
using shop::app::UserListModel;

namespace {

const std::string kStream = "orders";

QString itemText(QQuickItem* item) { return item ? item->property("text").toString() : QString(); }

} // namespace

class TestEndToEndLegacy : public WindowTest {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void actionsTheDemosFormatLacksAreOff();
    void topUpTakesWholeUnitsAndLandsInTheDemosFormat();
    void restockLandsInTheDemosFormat();
    void whatTheFormatCannotHoldIsNotWritten();
    void whatIfEditsADemoEntryInTheNativeForm();
    void mixedStreamFollowsItsNewestEntry();

private:
    bool append(const std::string& type, const std::string& json, bool legacy);
    qint64 balanceOf(qint64 userId) const;
    qint64 stockOf(const QString& itemId) const;
    qint64 length();
    // The newest entry's fields, as bytes.
    QMap<QString, QByteArray> newestEntry();

    std::unique_ptr<TestRedisServer> server_;
    shop::redis::Connection c_;
};

// Appends as another client would: in the demo's format (the native JSON converted), or native.
bool TestEndToEndLegacy::append(const std::string& type, const std::string& json, bool legacy)
{
    shop::redis::StreamWriter writer(c_, kStream);
    shop::redis::AppendRequest request;
    request.type = type;
    request.data = json;
    request.actor = "test:e2e";
    request.legacy = legacy;
    if (legacy) {
        shop::LegacyEntry entry;
        std::string why;
        if (shop::legacyFromNative(type, json, entry, why) != shop::LegacyRefusal::None) {
            qWarning() << "no legacy form:" << QString::fromStdString(why);
            return false;
        }
        request.type = entry.type;
        request.data = entry.data;
    }
    const shop::redis::AppendResult result = writer.append(request);
    if (!result.ok)
        qWarning() << "append failed:" << QString::fromStdString(result.error);
    return result.ok;
}

qint64 TestEndToEndLegacy::balanceOf(qint64 userId) const
{
    UserListModel* users = session_->users();
    const int row = users->rowOf(userId);
    return row < 0 ? -1 : users->data(users->index(row), UserListModel::BalanceRole).toLongLong();
}

qint64 TestEndToEndLegacy::stockOf(const QString& itemId) const
{
    ItemListModel* items = session_->items();
    const int row = items->rowOf(itemId);
    return row < 0 ? -1 : items->data(items->index(row), ItemListModel::StockRole).toLongLong();
}

qint64 TestEndToEndLegacy::length() { return c_.command({"XLEN", kStream}).integer(); }

QMap<QString, QByteArray> TestEndToEndLegacy::newestEntry()
{
    QMap<QString, QByteArray> out;
    shop::redis::Reply r = c_.command({"XREVRANGE", kStream, "+", "-", "COUNT", "1"});
    const shop::redis::ReplyView fields = shop::redis::ReplyView(r.raw())[0][1];
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string_view name = fields[i].str();
        const std::string_view value = fields[i + 1].str();
        out.insert(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())),
                   QByteArray(value.data(), static_cast<qsizetype>(value.size())));
    }
    return out;
}

void TestEndToEndLegacy::initTestCase()
{
    server_ = std::make_unique<TestRedisServer>();
    QVERIFY2(server_->start(), qPrintable(server_->error()));
    QVERIFY2(c_.connect(server_->url()), c_.error().c_str());

    // The demo's shop: user 7 with 10 whole units, 3 unpriced mugs.
    QVERIFY(append("TopUp", R"({"userId":7,"amount":1000})", true));
    QVERIFY(append("AddItem", R"({"itemId":"mug","count":3})", true));

    shop::app::SessionOptions options;
    options.redisUrl = server_->urlText();
    options.stream = QString::fromStdString(kStream);
    options.snapshotIntervalMs = 0;
    UI_CHECK(openWindow(options));

    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(1000), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->streamFormat(), QStringLiteral("legacy"), kTimeoutMs);
    QVERIFY(session_->legacyAppends());
}

void TestEndToEndLegacy::cleanupTestCase()
{
    closeWindow();
    server_.reset();
}

void TestEndToEndLegacy::actionsTheDemosFormatLacksAreOff()
{
    for (const char* name : {"registerUserButton", "adjustBalanceButton", "setPriceButton", "adjustStockButton"}) {
        QQuickItem* button = item(QString::fromLatin1(name));
        QVERIFY2(button, name);
        QVERIFY2(!button->isEnabled(), name);
    }
    for (const char* name : {"topUpButton", "addItemButton", "placeOrderButton"}) {
        QQuickItem* button = item(QString::fromLatin1(name));
        QVERIFY2(button && button->isEnabled(), name);
    }
    // The toolbar's tooltip says why.
    QObject* action = window_->findChild<QObject*>(QStringLiteral("registerUserAction"));
    QVERIFY(action);
    const QString hint = action->property("hint").toString();
    QVERIFY2(hint.contains(QStringLiteral("original demo's format")), qPrintable(hint));
    // Ctrl+U does not open it either.
    QTest::keyClick(window_, Qt::Key_U, Qt::ControlModifier);
    QTest::qWait(100);
    QCOMPARE(window_->findChild<QObject*>(QStringLiteral("registerUserDialog"))->property("visible").toBool(), false);
    QQuickItem* label = item(QStringLiteral("streamFormatLabel"));
    QVERIFY(label && label->isVisible());
}

void TestEndToEndLegacy::topUpTakesWholeUnitsAndLandsInTheDemosFormat()
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    const qint64 before = length();
    QObject* topUp = nullptr;
    UI_CHECK(topUp = openDialog(QStringLiteral("topUpButton"), QStringLiteral("topUpDialog")));
    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("userIdField")), QStringLiteral("7")));
    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("amountField")), QStringLiteral("12.50")));
    QQuickItem* ok = dialogPart(topUp, "footer", QStringLiteral("topUpDialogOk"));
    QVERIFY(ok);
    QTRY_VERIFY(!ok->isEnabled());
    QQuickItem* error = dialogPart(topUp, "contentItem", QStringLiteral("amountFieldError"));
    QVERIFY(error && error->isVisible());
    QVERIFY2(itemText(error).contains(QStringLiteral("whole units")), qPrintable(itemText(error)));

    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("amountField")), QStringLiteral("12.00")));
    QTRY_VERIFY(ok->isEnabled());
    // The preview processes the entry as it will be written, in the demo's format.
    QQuickItem* preview = dialogPart(topUp, "contentItem", QStringLiteral("topUpDialogPreview"));
    QTRY_VERIFY(preview && preview->isVisible());
    QCOMPARE(itemText(preview), QStringLiteral("If sent now, it would be applied"));
    QCOMPARE(itemText(dialogPart(topUp, "contentItem", QStringLiteral("topUpDialogPreviewChange0"))),
             QStringLiteral("user 7: balance 10.00 -> 22.00"));
    UI_CHECK(click(ok));
    QTRY_VERIFY(!topUp->property("visible").toBool());

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(3).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(1000 + 1200), kTimeoutMs);
    QCOMPARE(length(), before + 1);

    // Only type and data; the data the demo's struct, Amount in whole units.
    const QMap<QString, QByteArray> entry = newestEntry();
    QCOMPARE(QStringList(entry.keys()), (QStringList{QStringLiteral("data"), QStringLiteral("type")}));
    QCOMPARE(entry.value(QStringLiteral("type")), QByteArray("TopUp"));
    const QByteArray data = entry.value(QStringLiteral("data"));
    QCOMPARE(QString::fromStdString(nlohmann::json::from_msgpack(data.begin(), data.end()).dump()),
             QStringLiteral(R"({"Amount":12,"ID":"","Type":"TopUp","UserID":7})"));
}

void TestEndToEndLegacy::restockLandsInTheDemosFormat()
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QObject* addItem = nullptr;
    UI_CHECK(addItem = openDialog(QStringLiteral("addItemButton"), QStringLiteral("addItemDialog")));
    QQuickItem* price = dialogPart(addItem, "contentItem", QStringLiteral("priceField"));
    QVERIFY(price && !price->isEnabled());
    UI_CHECK(typeInto(dialogPart(addItem, "contentItem", QStringLiteral("itemIdField")), QStringLiteral("mug")));
    UI_CHECK(typeInto(dialogPart(addItem, "contentItem", QStringLiteral("countField")), QStringLiteral("2")));
    QQuickItem* ok = dialogPart(addItem, "footer", QStringLiteral("addItemDialogOk"));
    QTRY_VERIFY(ok && ok->isEnabled());
    UI_CHECK(click(ok));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(3).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(stockOf(QStringLiteral("mug")), qint64(5), kTimeoutMs);
    const QMap<QString, QByteArray> entry = newestEntry();
    QCOMPARE(entry.size(), 2);
    const QByteArray data = entry.value(QStringLiteral("data"));
    QCOMPARE(QString::fromStdString(nlohmann::json::from_msgpack(data.begin(), data.end()).dump()),
             QStringLiteral(R"({"Count":2,"ID":"","ItemID":"mug","Type":"AddItem"})"));
}

// What reaches the writer anyway (a dialog opened before the format was known, a script) is
// refused there, unwritten, with the reason.
void TestEndToEndLegacy::whatTheFormatCannotHoldIsNotWritten()
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    const qint64 before = length();
    // The preview says so before: the entry would not be written.
    const QVariantMap preview =
        session_->preview(QStringLiteral("TopUp"), {{QStringLiteral("userId"), 7}, {QStringLiteral("amount"), 1250}});
    QVERIFY2(preview.value(QStringLiteral("refused")).toString().contains(QStringLiteral("whole currency units")),
             qPrintable(preview.value(QStringLiteral("refused")).toString()));
    QVERIFY(preview.value(QStringLiteral("verdictText")).toString().startsWith(QStringLiteral("would not be written: ")));
    session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 8}, {QStringLiteral("name"), QStringLiteral("Bo")}});
    session_->submit(QStringLiteral("TopUp"), {{QStringLiteral("userId"), 7}, {QStringLiteral("amount"), 1250}});
    session_->submit(QStringLiteral("AddItem"), {{QStringLiteral("itemId"), QStringLiteral("mug")},
                                                 {QStringLiteral("count"), 1},
                                                 {QStringLiteral("price"), 500}});
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, kTimeoutMs);
    const char* expected[] = {"has no RegisterUser", "whole currency units", "has no price"};
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(finished.at(i).at(1).toBool(), false);
        const QString message = finished.at(i).at(3).toString();
        QVERIFY2(message.contains(QLatin1String(expected[i])) && message.contains(QStringLiteral("nothing was written")),
                 qPrintable(message));
    }
    QCOMPARE(length(), before);
    QCOMPARE(balanceOf(7), qint64(2200));
}

// "What if it had been…" on the demo's first top-up (10 whole units): the top-up dialog opens
// with 10.00, and takes cents, because the replacement is replayed in memory in the native
// form and never written in the demo's. The shop at the head then differs by just that.
void TestEndToEndLegacy::whatIfEditsADemoEntryInTheNativeForm()
{
    const qint64 before = length();
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QObject* page = item(QStringLiteral("eventsPage"));
    QVERIFY(page);
    const QString first = session_->replay()->entryIdAt(1); // position 1: after the first entry
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT((row = session_->events()->rowOfEntry(first)) >= 0, kTimeoutMs);
    QVERIFY(QMetaObject::invokeMethod(page, "openRowMenu", Q_ARG(int, row), Q_ARG(QPointF, QPointF(200, 200))));
    QVERIFY(QMetaObject::invokeMethod(window_->findChild<QObject*>(QStringLiteral("whatIfReplaceItem")), "triggered"));
    QObject* topUp = window_->findChild<QObject*>(QStringLiteral("topUpDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(topUp->property("opened").toBool(), kTimeoutMs);
    QVERIFY(topUp->property("whatIfMode").toBool());
    QVERIFY(!topUp->property("legacy").toBool());
    QCOMPARE(itemText(dialogPart(topUp, "contentItem", QStringLiteral("userIdField"))), QStringLiteral("7"));
    QCOMPARE(itemText(dialogPart(topUp, "contentItem", QStringLiteral("amountField"))), QStringLiteral("10.00"));
    QVERIFY(!dialogPart(topUp, "contentItem", QStringLiteral("topUpDialogLegacyNote"))->isVisible());
    UI_CHECK(typeInto(dialogPart(topUp, "contentItem", QStringLiteral("amountField")), QStringLiteral("10.50")));
    QQuickItem* ok = dialogPart(topUp, "footer", QStringLiteral("topUpDialogOk"));
    QTRY_VERIFY(ok->isEnabled());
    UI_CHECK(click(ok));

    QObject* whatIfDialog = window_->findChild<QObject*>(QStringLiteral("whatIfDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(whatIfDialog->property("opened").toBool(), kTimeoutMs);
    shop::app::WhatIfController* whatIf = session_->replay()->whatIf();
    QTRY_VERIFY_WITH_TIMEOUT(!whatIf->running() && whatIf->result().contains(QStringLiteral("changes")), kTimeoutMs);
    const QVariantList users = whatIf->result().value(QStringLiteral("comparison")).toMap().value(QStringLiteral("users")).toList();
    QCOMPARE(users.size(), 1);
    const QVariantMap user = users.at(0).toMap(); // before: the real shop; after: what if
    QCOMPARE(user.value(QStringLiteral("id")).toString(), QStringLiteral("7"));
    QCOMPARE(user.value(QStringLiteral("before")).toMap().value(QStringLiteral("balance")).toLongLong(), qint64(2200));
    QCOMPARE(user.value(QStringLiteral("after")).toMap().value(QStringLiteral("balance")).toLongLong(), qint64(2250));
    QVERIFY(QMetaObject::invokeMethod(whatIfDialog, "close"));
    QTRY_VERIFY(!whatIfDialog->property("visible").toBool());
    QCOMPARE(length(), before);
    // Opened to append again, the dialog takes the demo's whole units once more.
    UI_CHECK(topUp = openDialog(QStringLiteral("topUpButton"), QStringLiteral("topUpDialog")));
    QVERIFY(topUp->property("legacy").toBool());
    QVERIFY(QMetaObject::invokeMethod(topUp, "reject"));
    QTRY_VERIFY(!topUp->property("visible").toBool());
}

void TestEndToEndLegacy::mixedStreamFollowsItsNewestEntry()
{
    // Someone appends natively: both formats, the newest native, so the window writes native.
    QVERIFY(append("TopUp", R"({"userId":7,"amount":5})", false));
    QTRY_COMPARE_WITH_TIMEOUT(balanceOf(7), qint64(2205), kTimeoutMs);
    session_->detectStreamFormat();
    QTRY_COMPARE_WITH_TIMEOUT(session_->streamFormat(), QStringLiteral("mixed"), kTimeoutMs);
    QVERIFY(!session_->legacyAppends());
    QTRY_VERIFY(item(QStringLiteral("registerUserButton"))->isEnabled());

    // The demo writes again: its format is the newest, the actions go off again.
    QVERIFY(append("TopUp", R"({"userId":7,"amount":100})", true));
    session_->detectStreamFormat();
    QTRY_VERIFY_WITH_TIMEOUT(session_->legacyAppends(), kTimeoutMs);
    QCOMPARE(session_->streamFormat(), QStringLiteral("mixed"));
    QTRY_VERIFY(!item(QStringLiteral("registerUserButton"))->isEnabled());
}

QTEST_MAIN(TestEndToEndLegacy)

#include "test_e2e_legacy.moc"
