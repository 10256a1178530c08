// Why an entry got its verdict, in the window: the Events page's details pane shows the checks
// of DESIGN section 3 in order (passed, the one that decided with its values, the ones not
// reached) and the rows the entry changed, before and after; and every edit dialog shows what
// its event would do if sent now. The real QML offscreen over a real ShopSession and a private
// redis-server: the dialogs are typed into as a user would, and each preview's verdict is
// compared with the consumer's once the event is sent.
#include "window_test.hpp"

#include "event_list_model.hpp"
#include "replay_controller.hpp"
#include "what_if_controller.hpp"
#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QColor>
#include <QSignalSpy>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;

namespace {

const QString kStream = QStringLiteral("explain:events");

QString textOf(QQuickItem* item) { return item ? item->property("text").toString() : QString(); }

// One dialog case: the action that opens it, what is typed into which field, and the
// verdict the event gets ("" applied, else the reason's section 3 name).
struct DialogCase {
    QString action;
    QString dialog;
    QList<QPair<QString, QString>> fields; // objectName, text; "lineItem_0" is the order's item picker
    QString reason;
};

} // namespace

Q_DECLARE_METATYPE(DialogCase)

class TestExplainUi : public WindowTest {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void panelShowsTheLadderOfARejectedOrder();
    void panelShowsTheRowsAnAppliedOrderChanged();
    void previewIsTheConsumersVerdict_data();
    void previewIsTheConsumersVerdict();
    void verdictThatDiffersFromThePreviewSaysSo();
    void whatIfEditsTheEntryInItsOwnDialog_data();
    void whatIfEditsTheEntryInItsOwnDialog();
    void whatIfOfAnEntryThatDoesNotDecodeIsJson();
    void dialogsThatAreNotEditsSendNothing();

private:
    bool append(const std::string& type, const std::string& json, QString* id = nullptr)
    {
        return WindowTest::append(server_, kStream.toStdString(), type, json, "test:explain", id);
    }
    void selectEntry(const QString& id);
    void chooseWhatIfReplace(const QString& id); // the Events page's row menu: "What if it had been…"
    // The details pane's rung `index` (its text and outcome).
    QQuickItem* rung(int index) const
    {
        return findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("entryCheck%1").arg(index));
    }

    TestRedisServer server_{TestRedisServer::Options{}};
    QString fundsOrder_, stockOrder_, appliedOrder_;
};

void TestExplainUi::selectEntry(const QString& id)
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QObject* page = item(QStringLiteral("eventsPage"));
    QVERIFY(page);
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT((row = session_->events()->rowOfEntry(id)) >= 0, kTimeoutMs);
    QVERIFY(QMetaObject::invokeMethod(page, "selectRow", Q_ARG(int, row)));
    QCOMPARE(page->property("selectedEntryId").toString(), id);
}

void TestExplainUi::chooseWhatIfReplace(const QString& id)
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QObject* page = item(QStringLiteral("eventsPage"));
    QVERIFY(page);
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT((row = session_->events()->rowOfEntry(id)) >= 0, kTimeoutMs);
    QVERIFY(QMetaObject::invokeMethod(page, "openRowMenu", Q_ARG(int, row), Q_ARG(QPointF, QPointF(200, 200))));
    QObject* replace = window_->findChild<QObject*>(QStringLiteral("whatIfReplaceItem"));
    QVERIFY(replace);
    QTRY_VERIFY(replace->property("enabled").toBool());
    QVERIFY(QMetaObject::invokeMethod(replace, "triggered"));
}

void TestExplainUi::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));

    // User 7 has 25.00 and a cpu costs 15.00 (5 in stock): two cpus are 30.00, more than the
    // balance; nine are more than the stock; after a top-up of 50.00 two are applied.
    QVERIFY(append("RegisterUser", R"({"userId":7,"name":"Alan"})"));
    QVERIFY(append("TopUp", R"({"userId":7,"amount":2500})"));
    QVERIFY(append("AddItem", R"({"itemId":"cpu","name":"CPU","price":1500,"count":5})"));
    QVERIFY(append("Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})", &fundsOrder_));
    QVERIFY(append("Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":9}]})", &stockOrder_));
    QVERIFY(append("TopUp", R"({"userId":7,"amount":5000})"));
    QVERIFY(append("Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})", &appliedOrder_));
    // User 9 near the 64-bit limit (9223 top-ups of the largest amount): the only way a top-up
    // is rejected once its fields pass the dialog's checks is an overflow.
    {
        shop::redis::Connection connection;
        QVERIFY(connection.connect(server_.url()));
        shop::redis::StreamWriter writer(connection, kStream.toStdString());
        std::vector<shop::redis::AppendRequest> requests(9223);
        for (auto& r : requests) {
            r.type = "TopUp";
            r.data = R"({"userId":9,"amount":1000000000000000})";
        }
        QCOMPARE(writer.appendBatch(requests), requests.size());
    }

    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = kStream;
    options.snapshotIntervalMs = 0;
    options.askBeforeSnapshots = false;
    UI_CHECK(openWindow(options));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->totalEvents(), qint64(7 + 9223), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session_->historyComplete(), kTimeoutMs);
}

void TestExplainUi::cleanupTestCase()
{
    closeWindow();
}

// A case that failed leaves its (modal) dialog open: close it, so the next case can run.
void TestExplainUi::cleanup()
{
    for (const char* name : {"registerUserDialog", "topUpDialog", "adjustBalanceDialog", "addItemDialog",
                             "setPriceDialog", "adjustStockDialog", "placeOrderDialog", "whatIfDialog"}) {
        QObject* dialog = window_ ? window_->findChild<QObject*>(QLatin1String(name)) : nullptr;
        if (dialog && dialog->property("visible").toBool()) {
            QMetaObject::invokeMethod(dialog, "reject");
            QTRY_VERIFY(!dialog->property("visible").toBool());
        }
    }
}

void TestExplainUi::panelShowsTheLadderOfARejectedOrder()
{
    // An order's ladder: the five checks every entry meets, then unknown_user, unknown_item,
    // unpriced_item, out_of_stock, overflow, insufficient_funds.
    const QStringList checks = {QStringLiteral("too_large"),    QStringLiteral("unsupported_version"),
                                QStringLiteral("unknown_type"), QStringLiteral("malformed"),
                                QStringLiteral("invalid"),      QStringLiteral("unknown_user"),
                                QStringLiteral("unknown_item"), QStringLiteral("unpriced_item"),
                                QStringLiteral("out_of_stock"), QStringLiteral("overflow"),
                                QStringLiteral("insufficient_funds")};
    UI_CHECK(selectEntry(fundsOrder_));
    QTRY_VERIFY_WITH_TIMEOUT(rung(10) && textOf(rung(10)).contains(QStringLiteral("insufficient_funds")), kTimeoutMs);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(rung(i)->property("outcome").toString(), QStringLiteral("passed"));
        QCOMPARE(textOf(rung(i)), QStringLiteral("✓ ") + checks[i]);
        QVERIFY(rung(i)->isVisible());
    }
    QCOMPARE(rung(10)->property("outcome").toString(), QStringLiteral("decided"));
    QCOMPARE(textOf(rung(10)), QStringLiteral("✗ insufficient_funds: balance 25.00 < total 30.00"));
    QVERIFY(!rung(11));
    // The Why line stays, from the same explanation.
    QCOMPARE(textOf(findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("entryDetail"))),
             QStringLiteral("balance 25.00 < total 30.00"));
    const QColor passedColour = rung(0)->property("color").value<QColor>();
    const QColor decidedColour = rung(10)->property("color").value<QColor>();
    QVERIFY(passedColour != decidedColour);
    // A rejected entry changed nothing.
    QVERIFY(!findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("entryChange0")));

    // Out of stock: decided at the ninth rung; overflow and insufficient_funds not reached,
    // greyed (neither the passed nor the decided colour).
    UI_CHECK(selectEntry(stockOrder_));
    QTRY_COMPARE_WITH_TIMEOUT(rung(8) ? rung(8)->property("outcome").toString() : QString(), QStringLiteral("decided"),
                              kTimeoutMs);
    QVERIFY2(textOf(rung(8)).startsWith(QStringLiteral("✗ out_of_stock: ")), qPrintable(textOf(rung(8))));
    QVERIFY2(textOf(rung(8)).contains(QStringLiteral("5")) && textOf(rung(8)).contains(QStringLiteral("9")),
             qPrintable(textOf(rung(8))));
    for (int i = 9; i <= 10; ++i) {
        QCOMPARE(rung(i)->property("outcome").toString(), QStringLiteral("not_reached"));
        QCOMPARE(textOf(rung(i)), QStringLiteral("· %1 (not reached)").arg(checks[i]));
        const QColor colour = rung(i)->property("color").value<QColor>();
        QVERIFY(colour != passedColour);
        QVERIFY(colour != decidedColour);
    }
}

void TestExplainUi::panelShowsTheRowsAnAppliedOrderChanged()
{
    UI_CHECK(selectEntry(appliedOrder_));
    QQuickItem* details = item(QStringLiteral("entryDetails"));
    QTRY_VERIFY_WITH_TIMEOUT(findQuickItem(details, QStringLiteral("entryChange1")), kTimeoutMs);
    QCOMPARE(textOf(findQuickItem(details, QStringLiteral("entryChange0"))),
             QStringLiteral("user 7 \"Alan\": balance 75.00 -> 45.00, spent +30.00, orders +1"));
    QCOMPARE(textOf(findQuickItem(details, QStringLiteral("entryChange1"))),
             QStringLiteral("item \"cpu\": stock 5 -> 3, sold +2"));
    QVERIFY(findQuickItem(details, QStringLiteral("entryChange0"))->isVisible());
    // Every rung passed.
    for (int i = 0; i <= 10; ++i)
        QCOMPARE(rung(i)->property("outcome").toString(), QStringLiteral("passed"));
}

void TestExplainUi::previewIsTheConsumersVerdict_data()
{
    QTest::addColumn<DialogCase>("dialogCase");
    // In order: each case starts from the shop the ones before left. User 7 has 45.00 here;
    // cpu costs 15.00 with 3 in stock.
    const auto add = [](const char* name, DialogCase c) { QTest::newRow(name) << c; };
    const QString user = QStringLiteral("userIdField"), item = QStringLiteral("itemIdField");
    add("RegisterUser applied", {"registerUserAction", "registerUserDialog", {{user, "8"}, {"nameField", "Bea"}}, ""});
    add("RegisterUser user_exists", {"registerUserAction", "registerUserDialog", {{user, "7"}, {"nameField", "Al"}}, "user_exists"});
    add("TopUp applied", {"topUpAction", "topUpDialog", {{user, "7"}, {"amountField", "10.00"}}, ""}); // 55.00
    add("TopUp overflow", {"topUpAction", "topUpDialog", {{user, "9"}, {"amountField", "10000000000000"}}, "overflow"});
    add("AdjustBalance applied", {"adjustBalanceAction", "adjustBalanceDialog",
                                  {{user, "7"}, {"deltaField", "-5.00"}, {"reasonField", "fee"}}, ""}); // 50.00
    add("AdjustBalance negative_balance", {"adjustBalanceAction", "adjustBalanceDialog",
                                           {{user, "7"}, {"deltaField", "-1000.00"}, {"reasonField", "x"}}, "negative_balance"});
    add("AdjustBalance unknown_user", {"adjustBalanceAction", "adjustBalanceDialog",
                                       {{user, "99"}, {"deltaField", "1.00"}, {"reasonField", "x"}}, "unknown_user"});
    // AddItem has no rejected case here: once its fields pass the dialog's checks, only a
    // stock past 2^63-1 rejects it (overflow), which would take about 9.2e9 AddItems.
    add("AddItem applied", {"addItemAction", "addItemDialog",
                            {{item, "gpu"}, {"countField", "4"}, {"priceField", "100.00"}, {"nameField", "GPU"}}, ""});
    add("SetPrice unknown_item", {"setPriceAction", "setPriceDialog", {{item, "nope"}, {"priceField", "1.00"}}, "unknown_item"});
    add("SetPrice applied", {"setPriceAction", "setPriceDialog", {{item, "cpu"}, {"priceField", "20.00"}}, ""});
    add("AdjustStock negative_stock", {"adjustStockAction", "adjustStockDialog",
                                       {{item, "cpu"}, {"deltaField", "-100"}, {"reasonField", "lost"}}, "negative_stock"});
    add("AdjustStock applied", {"adjustStockAction", "adjustStockDialog",
                                {{item, "cpu"}, {"deltaField", "2"}, {"reasonField", "found"}}, ""}); // 5 in stock
    add("Order applied", {"placeOrderAction", "placeOrderDialog",
                          {{user, "7"}, {"lineItem_0", "cpu"}, {"lineQty_0", "1"}}, ""}); // 50.00 -> 30.00
    add("Order insufficient_funds", {"placeOrderAction", "placeOrderDialog",
                                     {{user, "7"}, {"lineItem_0", "cpu"}, {"lineQty_0", "2"}}, "insufficient_funds"});
    add("Order out_of_stock", {"placeOrderAction", "placeOrderDialog",
                               {{user, "8"}, {"lineItem_0", "cpu"}, {"lineQty_0", "10"}}, "out_of_stock"});
    add("Order unknown_item", {"placeOrderAction", "placeOrderDialog",
                               {{user, "7"}, {"lineItem_0", "ram"}, {"lineQty_0", "1"}}, "unknown_item"});
}

void TestExplainUi::previewIsTheConsumersVerdict()
{
    QFETCH(DialogCase, dialogCase);
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QObject* dialog = nullptr;
    UI_CHECK(dialog = openDialog(dialogCase.action, dialogCase.dialog));
    for (const auto& [name, text] : dialogCase.fields) {
        QQuickItem* field = nullptr;
        QTRY_VERIFY2((field = dialogPart(dialog, "contentItem", name)) != nullptr, qPrintable(name));
        // The order's item picker: into its text (the right part is the drop-down arrow).
        UI_CHECK(typeInto(field, text, name == QLatin1String("lineItem_0") ? 0.25 : 0.5));
    }
    QQuickItem* preview = dialogPart(dialog, "contentItem", dialogCase.dialog + QStringLiteral("Preview"));
    QVERIFY(preview);
    QTRY_VERIFY2(preview->isVisible(), qPrintable(dialogCase.dialog));
    const QString predicted = preview->property("reason").toString();
    const QString predictedText = textOf(preview);
    QCOMPARE(predicted, dialogCase.reason);
    QVERIFY2(predictedText.startsWith(predicted.isEmpty() ? QStringLiteral("If sent now, it would be applied")
                                                          : QStringLiteral("If sent now, it would be rejected: ")),
             qPrintable(predictedText));
    if (dialogCase.dialog == QLatin1String("placeOrderDialog") && predicted.isEmpty()) {
        // The rows it would change, before and after.
        QCOMPARE(textOf(dialogPart(dialog, "contentItem", QStringLiteral("placeOrderDialogPreviewChange0"))),
                 QStringLiteral("user 7 \"Alan\": balance 50.00 -> 30.00, spent +20.00, orders +1"));
        QCOMPARE(textOf(dialogPart(dialog, "contentItem", QStringLiteral("placeOrderDialogPreviewChange1"))),
                 QStringLiteral("item \"cpu\": stock 5 -> 4, sold +1"));
    }
    if (dialogCase.reason == QLatin1String("insufficient_funds"))
        QVERIFY2(predictedText.contains(QStringLiteral("(balance 30.00 < total 40.00)")), qPrintable(predictedText));

    QQuickItem* ok = dialogPart(dialog, "footer", dialogCase.dialog + QStringLiteral("Ok"));
    QVERIFY(ok);
    QTRY_VERIFY(ok->isEnabled());
    UI_CHECK(click(ok));
    QTRY_VERIFY(!dialog->property("visible").toBool());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    const QList<QVariant> verdict = finished.at(0);
    QCOMPARE(verdict.at(1).toBool(), predicted.isEmpty()); // applied
    QCOMPARE(verdict.at(2).toString(), predicted);         // the consumer's reason
    QVERIFY2(!verdict.at(3).toString().contains(QStringLiteral("preview")), qPrintable(verdict.at(3).toString()));
    // The Events page's row says the same.
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT((row = session_->events()->rowOfEntry(verdict.at(4).toString())) >= 0, kTimeoutMs);
    QCOMPARE(session_->events()->index(row).data(shop::app::EventListModel::ReasonRole).toString(),
             predicted.isEmpty() ? QStringLiteral("applied") : predicted);
}

void TestExplainUi::verdictThatDiffersFromThePreviewSaysSo()
{
    // User 7 has 30.00 and a cpu costs 20.00: the preview says applied. Before OK, another
    // client takes the balance down to 10.00; the window has not seen it yet when the order
    // is sent (no event loop turn in between), so the consumer's verdict differs.
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    QObject* dialog = nullptr;
    UI_CHECK(dialog = openDialog(QStringLiteral("placeOrderAction"), QStringLiteral("placeOrderDialog")));
    UI_CHECK(typeInto(dialogPart(dialog, "contentItem", QStringLiteral("userIdField")), QStringLiteral("7")));
    QQuickItem* line = nullptr;
    QTRY_VERIFY((line = dialogPart(dialog, "contentItem", QStringLiteral("lineItem_0"))) != nullptr);
    UI_CHECK(typeInto(line, QStringLiteral("cpu"), 0.25));
    UI_CHECK(typeInto(dialogPart(dialog, "contentItem", QStringLiteral("lineQty_0")), QStringLiteral("1")));
    QQuickItem* preview = dialogPart(dialog, "contentItem", QStringLiteral("placeOrderDialogPreview"));
    QTRY_VERIFY(preview && preview->isVisible());
    QCOMPARE(preview->property("reason").toString(), QString());

    QVERIFY(append("AdjustBalance", R"({"userId":7,"delta":-2000,"reason":"elsewhere"})"));
    QVERIFY(QMetaObject::invokeMethod(dialog, "accept"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("insufficient_funds"));
    const QString message = finished.at(0).at(3).toString();
    QVERIFY2(message.endsWith(QStringLiteral("; the preview said it would be applied: another event came first")),
             qPrintable(message));
    // The toast says it too.
    QTRY_VERIFY2_WITH_TIMEOUT(textOf(item(QStringLiteral("verdictMessage"))).contains(QStringLiteral("the preview said")),
                              qPrintable(textOf(item(QStringLiteral("verdictMessage")))), kTimeoutMs);
}

// "What if it had been…" opens the entry's own edit dialog, its fields filled from the entry's
// decoded event (money as typed, 64-bit ids as text, an AddItem's missing price and name
// empty). Sent back unchanged, the replay in memory must find the same history: no later
// verdict changes and the shop at the head is the real one. A field filled wrongly (a price
// in minor units read as major ones, a line lost) changes the shop and fails the case.
void TestExplainUi::whatIfEditsTheEntryInItsOwnDialog_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("dialog");
    QTest::addColumn<QStringList>("fields"); // objectName=text, as the dialog shows them
    const auto add = [](const char* type, const char* data, const char* dialog, QStringList fields) {
        QTest::newRow(type) << QString::fromLatin1(type) << QString::fromUtf8(data) << QString::fromLatin1(dialog) << fields;
    };
    // In order (each entry is appended when its case runs): user 9223372036854775807 is new.
    add("RegisterUser", R"({"userId":9223372036854775807,"name":"Zoë"})", "registerUserDialog",
        {"userIdField=9223372036854775807", "nameField=Zoë"});
    add("TopUp", R"({"userId":9223372036854775807,"amount":123400})", "topUpDialog",
        {"userIdField=9223372036854775807", "amountField=1234.00"});
    add("AdjustBalance", R"({"userId":9223372036854775807,"delta":-234,"reason":"fee"})", "adjustBalanceDialog",
        {"userIdField=9223372036854775807", "deltaField=-2.34", "reasonField=fee"});
    add("AddItem", R"({"itemId":"ssd","count":3})", "addItemDialog",
        {"itemIdField=ssd", "countField=3", "priceField=", "nameField="});
    add("AddItem priced", R"({"itemId":"hdd","count":2,"price":4500,"name":"HDD"})", "addItemDialog",
        {"itemIdField=hdd", "countField=2", "priceField=45.00", "nameField=HDD"});
    add("SetPrice", R"({"itemId":"ssd","price":250})", "setPriceDialog", {"itemIdField=ssd", "priceField=2.50"});
    add("AdjustStock", R"({"itemId":"ssd","delta":-1,"reason":"broken"})", "adjustStockDialog",
        {"itemIdField=ssd", "deltaField=-1", "reasonField=broken"});
    add("Order", R"({"userId":9223372036854775807,"lines":[{"itemId":"ssd","qty":1},{"itemId":"hdd","qty":2}],"orderId":"o-70"})",
        "placeOrderDialog",
        {"userIdField=9223372036854775807", "lineItem_0=ssd", "lineQty_0=1", "lineItem_1=hdd", "lineQty_1=2", "orderIdField=o-70"});
}

void TestExplainUi::whatIfEditsTheEntryInItsOwnDialog()
{
    QFETCH(QString, type);
    QFETCH(QString, data);
    QFETCH(QString, dialog);
    QFETCH(QStringList, fields);
    QString id;
    QVERIFY(append(type.section(QLatin1Char(' '), 0, 0).toStdString(), data.toStdString(), &id));
    QTRY_VERIFY_WITH_TIMEOUT(session_->events()->rowOfEntry(id) >= 0, kTimeoutMs);
    const int row = session_->events()->rowOfEntry(id);
    QCOMPARE(session_->events()->index(row).data(shop::app::EventListModel::ReasonRole).toString(), QStringLiteral("applied"));

    UI_CHECK(chooseWhatIfReplace(id));
    QObject* edit = window_->findChild<QObject*>(dialog);
    QVERIFY(edit);
    QTRY_VERIFY_WITH_TIMEOUT(edit->property("opened").toBool(), kTimeoutMs);
    QVERIFY(edit->property("whatIfMode").toBool());
    QCOMPARE(edit->property("whatIfEntryId").toString(), id);
    for (const QString& field : fields) {
        const QString name = field.section(QLatin1Char('='), 0, 0);
        QQuickItem* input = nullptr; // the order's lines are delegates, made as the view lays out
        QTRY_VERIFY2((input = dialogPart(edit, "contentItem", name)) != nullptr, qPrintable(name));
        const char* property = name.startsWith(QLatin1String("lineItem_")) ? "editText" : "text";
        QCOMPARE(input->property(property).toString(), field.section(QLatin1Char('='), 1));
    }
    // Nothing is written: no preview against the shop as it is now, and OK replays.
    QVERIFY(dialogPart(edit, "contentItem", dialog + QStringLiteral("WhatIfNote"))->isVisible());
    QVERIFY(!dialogPart(edit, "contentItem", dialog + QStringLiteral("Preview"))->isVisible());
    QQuickItem* ok = dialogPart(edit, "footer", dialog + QStringLiteral("Ok"));
    QCOMPARE(textOf(ok), QStringLiteral("Replay with it"));
    const qint64 total = session_->totalEvents();
    UI_CHECK(click(ok));

    QObject* whatIfDialog = window_->findChild<QObject*>(QStringLiteral("whatIfDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(whatIfDialog->property("opened").toBool(), kTimeoutMs);
    QVERIFY(!edit->property("visible").toBool());
    shop::app::WhatIfController* whatIf = session_->replay()->whatIf();
    QTRY_VERIFY_WITH_TIMEOUT(!whatIf->running() && whatIf->result().contains(QStringLiteral("changes")), kTimeoutMs);
    const QVariantMap result = whatIf->result();
    QVERIFY(result.value(QStringLiteral("replaced")).toBool());
    QCOMPARE(result.value(QStringLiteral("entryId")).toString(), id);
    QCOMPARE(result.value(QStringLiteral("changesTotal")).toLongLong(), 0);
    const QVariantMap comparison = result.value(QStringLiteral("comparison")).toMap();
    QVERIFY2(comparison.value(QStringLiteral("users")).toList().isEmpty() && comparison.value(QStringLiteral("items")).toList().isEmpty(),
             qPrintable(result.value(QStringLiteral("countsText")).toString()));
    QVERIFY(QMetaObject::invokeMethod(whatIfDialog, "close"));
    QTRY_VERIFY(!whatIfDialog->property("visible").toBool());
    QCOMPARE(session_->totalEvents(), total);

    // The same dialog opened to append is an edit again.
    UI_CHECK(edit = openDialog(QString(dialog).replace(QStringLiteral("Dialog"), QStringLiteral("Action")), dialog));
    QVERIFY(!edit->property("whatIfMode").toBool());
    QVERIFY(textOf(dialogPart(edit, "footer", dialog + QStringLiteral("Ok"))) != QStringLiteral("Replay with it"));
    QVERIFY(QMetaObject::invokeMethod(edit, "reject"));
    QTRY_VERIFY(!edit->property("visible").toBool());
}

// An entry that does not decode has no dialog of its own: its data is edited as JSON. From an
// entry's own dialog, "Another type…" leads there too.
void TestExplainUi::whatIfOfAnEntryThatDoesNotDecodeIsJson()
{
    QString invalid, topUp;
    QVERIFY(append("TopUp", R"({"userId":7,"amount":"12"})", &invalid));
    QVERIFY(append("TopUp", R"({"userId":7,"amount":100})", &topUp));
    QObject* whatIfDialog = window_->findChild<QObject*>(QStringLiteral("whatIfDialog"));
    QQuickItem* data = dialogPart(whatIfDialog, "contentItem", QStringLiteral("whatIfData"));
    QVERIFY(data);

    UI_CHECK(chooseWhatIfReplace(invalid));
    QTRY_VERIFY_WITH_TIMEOUT(whatIfDialog->property("opened").toBool(), kTimeoutMs);
    QVERIFY(whatIfDialog->property("replacing").toBool());
    QTRY_COMPARE_WITH_TIMEOUT(data->property("text").toString(), QStringLiteral(R"({"userId":7,"amount":"12"})"), kTimeoutMs);
    QVERIFY(QMetaObject::invokeMethod(whatIfDialog, "close"));
    QTRY_VERIFY(!whatIfDialog->property("visible").toBool());

    UI_CHECK(chooseWhatIfReplace(topUp));
    QObject* edit = window_->findChild<QObject*>(QStringLiteral("topUpDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(edit->property("opened").toBool(), kTimeoutMs);
    UI_CHECK(click(dialogPart(edit, "contentItem", QStringLiteral("topUpDialogWhatIfJson"))));
    QTRY_VERIFY_WITH_TIMEOUT(whatIfDialog->property("opened").toBool(), kTimeoutMs);
    QVERIFY(!edit->property("visible").toBool());
    QVERIFY(whatIfDialog->property("replacing").toBool());
    QTRY_COMPARE_WITH_TIMEOUT(data->property("text").toString(), QStringLiteral(R"({"userId":7,"amount":100})"), kTimeoutMs);
    QVERIFY(QMetaObject::invokeMethod(whatIfDialog, "close"));
    QTRY_VERIFY(!whatIfDialog->property("visible").toBool());
}

// The frame's OK sends the dialog's event; About, Confirm, Connection and Export share the
// frame and have none: accepting them appends nothing.
void TestExplainUi::dialogsThatAreNotEditsSendNothing()
{
    QSignalSpy finished(session_.get(), &ShopSession::commandFinished);
    const qint64 total = session_->totalEvents();
    QObject* about = window_->findChild<QObject*>(QStringLiteral("aboutDialog"));
    QVERIFY(about);
    QMetaObject::invokeMethod(about, "open");
    QTRY_VERIFY(about->property("opened").toBool());
    QMetaObject::invokeMethod(about, "accept");
    QTRY_VERIFY(!about->property("visible").toBool());
    QTest::qWait(1000); // long enough for an append and its verdict to come back
    QCOMPARE(finished.size(), 0);
    QCOMPARE(session_->totalEvents(), total);
}

QTEST_MAIN(TestExplainUi)

#include "test_explain_ui.moc"
