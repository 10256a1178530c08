// The timeline controls in the real QML, driven by objectName: step back into history (the
// banner shows, editing turns off, the touched row is marked), the slider follows, play at
// a speed until the head brings it back to Live, the Live button, and Compare.
#include "window_test.hpp"

#include "display_text.hpp"
#include "event_list_model.hpp"
#include "redis/connection.hpp"
#include "test_redis_server.hpp"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;

namespace {
const QString kStream = QStringLiteral("timeline:events");
} // namespace

class TestTimelineUi : public WindowTest {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void stepBackEntersHistory();
    void sliderSeeks();
    void playReachesTheHeadAndGoesLive();
    void liveButtonReturns();
    void compareOpensWithChanges();
    void sliderStaysPutGoingIntoHistory();
    void dataLineShowsOnlyTheCurrentEntrysData();
    void listsStopAtTheCurrentEvent();
    void exportsAgreeWithTheCli();
    void whatIfFromTheEventsMenu();
    void historiesAndTheTimelineLeadToTheEntry();

private:
    QByteArray cli(const QStringList& args); // shopstream-cli on the test's stream: its stdout, or "cli failed"
    QString redisFacts();                    // the server's keys and the stream's length
    using WindowTest::click;
    void click(const QString& name); // once it is visible and enabled

    TestRedisServer server_;
};

void TestTimelineUi::click(const QString& name)
{
    QQuickItem* target = item(name);
    QVERIFY2(target, qPrintable(name + QStringLiteral(" not found")));
    QTRY_VERIFY_WITH_TIMEOUT(target->isVisible() && target->isEnabled(), kTimeoutMs);
    click(target);
}

void TestTimelineUi::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QProcess produce;
    produce.start(qEnvironmentVariable("SHOPSTREAM_CLI"),
                  {QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--stream"), kStream, QStringLiteral("produce"),
                   QStringLiteral("--events"), QStringLiteral("400"), QStringLiteral("--users"), QStringLiteral("12"),
                   QStringLiteral("--items"), QStringLiteral("8")});
    QVERIFY(produce.waitForFinished(30000) && produce.exitCode() == 0);

    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = kStream;
    options.snapshotIntervalMs = 0;
    UI_CHECK(openWindow(options));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->replay()->length(), qint64(400), kTimeoutMs);
}

void TestTimelineUi::cleanupTestCase()
{
    closeWindow();
}

void TestTimelineUi::stepBackEntersHistory()
{
    QVERIFY(session_->replay()->live());
    QVERIFY(!item(QStringLiteral("historyBanner"))->isVisible());
    QVERIFY(item(QStringLiteral("topUpButton"))->isEnabled());
    QVERIFY(item(QStringLiteral("userTopUpButton"))->isEnabled());
    QVERIFY(item(QStringLiteral("itemRestockButton"))->isEnabled());
    QCOMPARE(item(QStringLiteral("connectionStateLabel"))->property("text").toString(), QStringLiteral("Live"));
    click(QStringLiteral("stepBackButton"));
    QTRY_VERIFY_WITH_TIMEOUT(!session_->replay()->live(), kTimeoutMs);
    QCOMPARE(session_->replay()->position(), qint64(399));
    QTRY_VERIFY(item(QStringLiteral("historyBanner"))->isVisible());
    // Editing is off in history, the details panes' buttons too; the status bar says History.
    QVERIFY(!item(QStringLiteral("topUpButton"))->isEnabled());
    QVERIFY(!item(QStringLiteral("userTopUpButton"))->isEnabled());
    QVERIFY(!item(QStringLiteral("userPlaceOrderButton"))->isEnabled());
    QVERIFY(!item(QStringLiteral("itemRestockButton"))->isEnabled());
    QCOMPARE(item(QStringLiteral("connectionStateLabel"))->property("text").toString(), QStringLiteral("History"));
    QVERIFY(item(QStringLiteral("currentEventLabel"))->property("text").toString().contains(
        session_->replay()->entryIdAt(399)));
    // A step forward from there, then back, lands on the same point.
    click(QStringLiteral("stepForwardButton"));
    QTRY_COMPARE(session_->replay()->position(), qint64(400));
    click(QStringLiteral("stepBackButton"));
    QTRY_COMPARE(session_->replay()->position(), qint64(399));
}

void TestTimelineUi::sliderSeeks()
{
    QQuickItem* slider = item(QStringLiteral("timelineSlider"));
    QVERIFY(slider);
    QCOMPARE(slider->property("value").toDouble(), 399.0);
    // Click a quarter of the way along the groove: a seek near position 100.
    const double leftPadding = slider->property("leftPadding").toDouble();
    const double available = slider->property("availableWidth").toDouble();
    const QPointF at = slider->mapToScene(QPointF(leftPadding + available * 0.25, slider->height() / 2));
    QTest::mouseClick(window_, Qt::LeftButton, {}, at.toPoint());
    QTRY_VERIFY_WITH_TIMEOUT(std::abs(session_->replay()->position() - 100) <= 8, kTimeoutMs);
    QCOMPARE(qint64(slider->property("value").toDouble()), session_->replay()->position());
}

void TestTimelineUi::playReachesTheHeadAndGoesLive()
{
    session_->replay()->seek(300);
    session_->replay()->setSpeed(1000);
    // 99 entries at 1000 a second: playing may be over before a check could see it (it was,
    // under the sanitizers), so its start and end are counted as they happen.
    QVector<bool> playingSeen;
    const QMetaObject::Connection watch = connect(session_->replay(), &shop::app::ReplayController::playingChanged, this,
                                                  [&] { playingSeen.append(session_->replay()->playing()); });
    click(QStringLiteral("playButton"));
    QTRY_VERIFY_WITH_TIMEOUT(session_->replay()->live(), kTimeoutMs);
    disconnect(watch);
    QVERIFY2(playingSeen.size() >= 2 && playingSeen.first() && !playingSeen.last(), qPrintable(QString::number(playingSeen.size())));
    QVERIFY(session_->replay()->position() > 300);
    QVERIFY(!session_->replay()->playing());
    QTRY_VERIFY(!item(QStringLiteral("historyBanner"))->isVisible());
}

void TestTimelineUi::liveButtonReturns()
{
    session_->replay()->seek(50);
    QTRY_VERIFY(item(QStringLiteral("liveButton"))->isEnabled());
    click(QStringLiteral("liveButton"));
    QTRY_VERIFY_WITH_TIMEOUT(session_->replay()->live(), kTimeoutMs);
    QTRY_VERIFY(item(QStringLiteral("topUpButton"))->isEnabled());
}

void TestTimelineUi::compareOpensWithChanges()
{
    session_->replay()->seek(100);
    click(QStringLiteral("compareButton"));
    QObject* dialog = engine_->rootObjects().constFirst()->findChild<QObject*>(QStringLiteral("compareDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->property("visible").toBool(), kTimeoutMs);
    QQuickItem* list = nullptr;
    QTRY_VERIFY((list = dialog->findChild<QQuickItem*>(QStringLiteral("compareList"))) != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(list->property("count").toInt() > 0, kTimeoutMs);
    QMetaObject::invokeMethod(dialog, "close");
    session_->replay()->goLive();
}

// Going into history and back leaves the slider where it was (the entry line under it was
// shown only in history, and the bar grew upwards: a second click at the same place missed).
void TestTimelineUi::sliderStaysPutGoingIntoHistory()
{
    QVERIFY(session_->replay()->live());
    QQuickItem* slider = item(QStringLiteral("timelineSlider"));
    QTest::qWait(50);
    const QPointF liveAt = slider->mapToScene(QPointF(0, 0));
    click(QStringLiteral("stepBackButton"));
    QTRY_VERIFY_WITH_TIMEOUT(!session_->replay()->live(), kTimeoutMs);
    QTest::qWait(50); // the layout settles
    QCOMPARE(slider->mapToScene(QPointF(0, 0)), liveAt);
    session_->replay()->goLive();
    QTest::qWait(50);
    QCOMPARE(slider->mapToScene(QPointF(0, 0)), liveAt);
}

// While the next entry's data loads, the line under the slider does not show the previous
// entry's data beside the new id.
void TestTimelineUi::dataLineShowsOnlyTheCurrentEntrysData()
{
    QQuickItem* data = item(QStringLiteral("currentEventData"));
    session_->replay()->seek(100);
    QTRY_VERIFY_WITH_TIMEOUT(data->property("text").toString().startsWith(QLatin1Char('{')), kTimeoutMs);
    session_->replay()->seek(101);
    QCoreApplication::processEvents();
    QCOMPARE(data->property("text").toString(), QStringLiteral("…"));
    QTRY_VERIFY_WITH_TIMEOUT(data->property("text").toString().startsWith(QLatin1Char('{')), kTimeoutMs);
    session_->replay()->goLive();
}

// In history the Events page, the selected user's history and balance chart stop at the
// timeline's current event, which the Events page marks.
void TestTimelineUi::listsStopAtTheCurrentEvent()
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QQuickItem* list = findQuickItem(item(QStringLiteral("eventsPage")), QStringLiteral("eventList"));
    QTRY_VERIFY(list && list->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), 400, kTimeoutMs);
    session_->replay()->seek(150);
    QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), 150, kTimeoutMs);
    const QString label = item(QStringLiteral("eventCount"))->property("text").toString();
    QVERIFY2(label.contains(QStringLiteral("up to event 150")), qPrintable(label));
    // Following the current event: its row is in view, and marked.
    const QString currentId = session_->replay()->entryIdAt(150); // event 150 (positions count from 1)
    QQuickItem* row = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((row = findQuickItem(list, QStringLiteral("eventRow_") + currentId)) != nullptr, kTimeoutMs);
    QVERIFY(row->property("touched").toBool());
    QQuickItem* earlier = findQuickItem(list, QStringLiteral("eventRow_") + session_->replay()->entryIdAt(149));
    QVERIFY(earlier && !earlier->property("touched").toBool());
    // The balance history of any user stops there too.
    for (int user = 1; user <= 12; ++user)
        for (const QVariant& point : session_->events()->balanceHistory(QString::number(user)))
            QVERIFY(point.toMap().value(QStringLiteral("index")).toLongLong() < 150);
    session_->replay()->goLive();
    QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), 400, kTimeoutMs);

    // A user's history on the Users page, in history: it ends at the user's last event before
    // the current point, scrolled to it.
    clickCentre(window_, item(QStringLiteral("usersTab")));
    QVERIFY(QMetaObject::invokeMethod(item(QStringLiteral("usersPage")), "selectUser", Q_ARG(QString, QStringLiteral("3"))));
    QQuickItem* history = item(QStringLiteral("userHistory"));
    QTRY_VERIFY(history && history->isVisible() && history->property("count").toInt() > 5);
    session_->replay()->seek(250);
    QTRY_VERIFY_WITH_TIMEOUT(!session_->replay()->live(), kTimeoutMs);
    const QVariantList points = session_->events()->balanceHistory(QStringLiteral("3"));
    QTRY_COMPARE(history->property("count").toInt(), points.size());
    QTRY_VERIFY2(history->property("atYEnd").toBool(), "the user's history is scrolled to its last event");
    session_->replay()->goLive();
}

// What the window exports is what the CLI prints: the shop live and at a past point equals
// `state --json` / `state --csv --until ID`; the events export holds the rows shown (in
// history, up to the current event; with a filter, those passing it). Through the dialog too.
QByteArray TestTimelineUi::cli(const QStringList& args)
{
    QProcess p;
    p.start(qEnvironmentVariable("SHOPSTREAM_CLI"), QStringList{QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--stream"), kStream} + args);
    return p.waitForFinished(30000) && p.exitCode() == 0 ? p.readAllStandardOutput() : QByteArray("cli failed");
}

void TestTimelineUi::exportsAgreeWithTheCli()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto read = [](const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("no file");
    };
    // The Events page owns the events model's filters while it is shown (none set here).
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QTRY_COMPARE(session_->events()->userFilter(), QString());
    QVERIFY(session_->replay()->live());
    const QString liveJson = dir.filePath(QStringLiteral("live.json"));
    QCOMPARE(session_->exportShop(liveJson, QStringLiteral("json")), QString());
    QCOMPARE(read(liveJson).trimmed(), cli({QStringLiteral("state"), QStringLiteral("--json")}).trimmed());

    session_->replay()->seek(150);
    QTRY_VERIFY(!session_->replay()->live());
    const QString pastCsv = dir.filePath(QStringLiteral("past.csv"));
    QCOMPARE(session_->exportShop(pastCsv, QStringLiteral("csv")), QString());
    QCOMPARE(read(pastCsv), cli({QStringLiteral("state"), QStringLiteral("--csv"), QStringLiteral("--until"),
                                 session_->replay()->entryIdAt(150)}));

    // The events shown: 150 rows up to the current event, then the rejected ones among them.
    // They are written on a thread of their own: eventsExported says when, and how many.
    QSignalSpy exported(session_.get(), &ShopSession::eventsExported);
    const QString events = dir.filePath(QStringLiteral("events.csv"));
    QCOMPARE(session_->exportEvents(events, QStringLiteral("csv")), QString());
    QTRY_COMPARE(exported.size(), 1);
    QVERIFY(exported.at(0).at(0).toBool());
    QVERIFY2(exported.at(0).at(1).toString().contains(QStringLiteral("150 events")), qPrintable(exported.at(0).at(1).toString()));
    QVERIFY(!session_->exporting());
    QList<QByteArray> lines = read(events).split('\n');
    lines.removeAll(QByteArray());
    QCOMPARE(lines.size(), 151);
    QCOMPARE(lines.first(), QByteArray("id,time,type,verdict,user,item\r"));
    QVERIFY(lines.last().startsWith(session_->replay()->entryIdAt(150).toLatin1() + ','));
    // The rows are those shown when the export was asked for, whatever the page does next.
    session_->events()->setVerdictFilter(QStringLiteral("rejected"));
    const int rejectedShown = session_->events()->rowCount();
    const QString rejected = dir.filePath(QStringLiteral("rejected.json"));
    QCOMPARE(session_->exportEvents(rejected, QStringLiteral("json")), QString());
    session_->events()->setVerdictFilter(QString());
    QTRY_COMPARE(exported.size(), 2);
    QVERIFY(exported.at(1).at(0).toBool());
    const QJsonArray rows = QJsonDocument::fromJson(read(rejected)).array();
    QCOMPARE(rows.size(), rejectedShown);
    QVERIFY(!rows.isEmpty());
    for (const QJsonValue& row : rows)
        QVERIFY(row.toObject().value(QStringLiteral("verdict")).toString() != QStringLiteral("applied"));
    // A file that cannot be written: said in the answer.
    QCOMPARE(session_->exportEvents(dir.filePath(QStringLiteral("no/such/dir/x.csv")), QStringLiteral("csv")), QString());
    QTRY_COMPARE(exported.size(), 3);
    QVERIFY(!exported.at(2).at(0).toBool());
    QVERIFY2(exported.at(2).at(1).toString().startsWith(QStringLiteral("Export failed")), qPrintable(exported.at(2).at(1).toString()));

    // Through the dialog: the file is written where its field says, and the window says so.
    session_->replay()->goLive();
    QObject* dialog = engine_->rootObjects().constFirst()->findChild<QObject*>(QStringLiteral("exportDialog"));
    QVERIFY(dialog);
    QMetaObject::invokeMethod(window_, "openDialog", Q_ARG(QVariant, QVariant::fromValue(dialog)),
                              Q_ARG(QVariant, QStringLiteral("shop")), Q_ARG(QVariant, QVariant()));
    QTRY_VERIFY(dialog->property("visible").toBool());
    QQuickItem* path = dialog->findChild<QQuickItem*>(QStringLiteral("exportPathField"));
    QVERIFY(path);
    QVERIFY(path->property("text").toString().endsWith(QStringLiteral(".csv")));
    const QString target = dir.filePath(QStringLiteral("dialog.csv"));
    path->setProperty("text", target);
    QMetaObject::invokeMethod(dialog, "accept");
    QTRY_VERIFY(QFile::exists(target));
    QCOMPARE(read(target), cli({QStringLiteral("state"), QStringLiteral("--csv")}));
    QTRY_VERIFY(findQuickItem(window_->contentItem(), QStringLiteral("verdictMessage"))->property("text").toString().startsWith(
        QStringLiteral("Exported to")));

    // The events through the dialog: the window says how many, once they are written.
    QMetaObject::invokeMethod(window_, "openDialog", Q_ARG(QVariant, QVariant::fromValue(dialog)),
                              Q_ARG(QVariant, QStringLiteral("events")), Q_ARG(QVariant, QVariant()));
    QTRY_VERIFY(dialog->property("visible").toBool());
    const QString viaDialog = dir.filePath(QStringLiteral("dialog-events.csv"));
    path->setProperty("text", viaDialog);
    QMetaObject::invokeMethod(dialog, "accept");
    QTRY_VERIFY(findQuickItem(window_->contentItem(), QStringLiteral("verdictMessage"))->property("text").toString().startsWith(
        QStringLiteral("Exported %1 events to").arg(shop::app::formatCount(session_->events()->rowCount()))));
    QCOMPARE(read(viaDialog).count('\n'), session_->events()->rowCount() + 1);
}

QString TestTimelineUi::redisFacts()
{
    shop::redis::Connection c;
    if (!c.connect(server_.url()))
        return QStringLiteral("no connection");
    shop::redis::Reply keys = c.command({"KEYS", "*"});
    const shop::redis::ReplyView list(keys.raw());
    QStringList facts;
    for (std::size_t i = 0; i < list.size(); ++i)
        facts << QString::fromUtf8(list[i].str().data(), qsizetype(list[i].str().size()));
    facts.sort();
    return facts.join(' ') + QStringLiteral(" xlen ") + QString::number(c.command({"XLEN", kStream.toStdString()}).integer());
}

// What-if from the Events page's row menu, left out and replaced: the later events whose
// verdict changes and the shop at the head are those `shopstream-cli whatif` finds reading
// Redis; a change clicked shows that event on the timeline; nothing is written.
void TestTimelineUi::whatIfFromTheEventsMenu()
{
    // An applied top-up whose removal changes later verdicts (the CLI says which).
    const QJsonArray rows = QJsonDocument::fromJson(cli({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--count"), QStringLiteral("0")})).array();
    QString id;
    QJsonObject expected;
    for (const QJsonValue& v : rows) {
        const QJsonObject row = v.toObject();
        if (row[QStringLiteral("type")].toString() != QStringLiteral("TopUp") || row[QStringLiteral("verdict")].toString() != QStringLiteral("applied"))
            continue;
        expected = QJsonDocument::fromJson(cli({QStringLiteral("whatif"), QStringLiteral("--without"), row[QStringLiteral("id")].toString(), QStringLiteral("--json")})).object();
        if (!expected[QStringLiteral("changed")].toArray().isEmpty()) {
            id = row[QStringLiteral("id")].toString();
            break;
        }
    }
    QVERIFY2(!id.isEmpty(), "some top-up's removal changes a later verdict");
    const QString before = redisFacts();

    clickCentre(window_, item(QStringLiteral("eventsTab")));
    session_->replay()->seek(399);
    QTRY_VERIFY(!session_->replay()->live());
    QObject* page = item(QStringLiteral("eventsPage"));
    int row = -1;
    QTRY_VERIFY((row = session_->events()->rowOfEntry(id)) >= 0);
    QMetaObject::invokeMethod(page, "openRowMenu", Q_ARG(int, row), Q_ARG(QPointF, QPointF(200, 200)));
    QObject* root = engine_->rootObjects().constFirst();
    QObject* without = root->findChild<QObject*>(QStringLiteral("whatIfWithoutItem"));
    QVERIFY(without && without->property("enabled").toBool());
    QMetaObject::invokeMethod(without, "triggered");
    QObject* dialog = root->findChild<QObject*>(QStringLiteral("whatIfDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(dialog->property("visible").toBool(), kTimeoutMs);
    shop::app::WhatIfController* whatIf = session_->replay()->whatIf();
    QTRY_VERIFY_WITH_TIMEOUT(!whatIf->running() && whatIf->result().contains(QStringLiteral("changes")), kTimeoutMs);

    const auto sameChanges = [&](const QJsonObject& cliResult) {
        const QVariantList shown = whatIf->result().value(QStringLiteral("changes")).toList();
        const QJsonArray changed = cliResult[QStringLiteral("changed")].toArray();
        if (shown.size() != changed.size())
            return QStringLiteral("%1 changes shown, the CLI found %2").arg(shown.size()).arg(changed.size());
        for (int i = 0; i < shown.size(); ++i) {
            const QVariantMap a = shown[i].toMap();
            const QJsonObject b = changed[i].toObject();
            if (a[QStringLiteral("id")] != b[QStringLiteral("id")].toString() || a[QStringLiteral("before")] != b[QStringLiteral("before")].toString()
                || a[QStringLiteral("after")] != b[QStringLiteral("after")].toString())
                return QStringLiteral("change %1 differs: %2").arg(i).arg(a[QStringLiteral("id")].toString());
        }
        return QString();
    };
    QCOMPARE(sameChanges(expected), QString());
    QQuickItem* list = findQuickItem(qobject_cast<QQuickItem*>(dialog->property("contentItem").value<QObject*>()), QStringLiteral("whatIfChanges"));
    QVERIFY(list);
    QTRY_COMPARE(list->property("count").toInt(), expected[QStringLiteral("changed")].toArray().size());
    // The shop at the head: the rows that differ between `state --json` and the CLI's what-if.
    const QJsonObject real = QJsonDocument::fromJson(cli({QStringLiteral("state"), QStringLiteral("--json")})).object();
    const QJsonObject changedState = expected[QStringLiteral("state")].toObject();
    int differing = 0;
    for (const char* table : {"users", "items"}) {
        QMap<QString, QJsonObject> a, b;
        for (const QJsonValue& v : real[QLatin1String(table)].toArray())
            a[v.toObject()[QStringLiteral("id")].toVariant().toString()] = v.toObject();
        for (const QJsonValue& v : changedState[QLatin1String(table)].toArray())
            b[v.toObject()[QStringLiteral("id")].toVariant().toString()] = v.toObject();
        QSet<QString> ids(a.keyBegin(), a.keyEnd());
        ids.unite(QSet<QString>(b.keyBegin(), b.keyEnd()));
        for (const QString& k : ids)
            differing += a.value(k) != b.value(k) ? 1 : 0;
    }
    QVERIFY(differing > 0);
    QQuickItem* comparison = findQuickItem(qobject_cast<QQuickItem*>(dialog->property("contentItem").value<QObject*>()), QStringLiteral("whatIfComparison"));
    QVERIFY(comparison);
    QTRY_COMPARE(comparison->property("count").toInt(), differing);

    // A change clicked shows that event on the timeline.
    const qint64 firstChange = whatIf->result().value(QStringLiteral("changes")).toList().first().toMap().value(QStringLiteral("position")).toLongLong();
    QTRY_VERIFY(list->property("contentItem").value<QQuickItem*>()->childItems().size() > 0);
    QQuickItem* firstRow = nullptr;
    for (QQuickItem* child : list->property("contentItem").value<QQuickItem*>()->childItems())
        if (child->y() == 0 && child->isVisible())
            firstRow = child;
    QVERIFY(firstRow);
    clickCentre(window_, firstRow);
    QTRY_COMPARE(session_->replay()->position(), firstChange + 1);
    QMetaObject::invokeMethod(dialog, "close");

    // Replaced: the same top-up of 0.01, edited in the top-up dialog, which opens filled from
    // the entry (its user and amount as typed) and replays rather than appends.
    QMetaObject::invokeMethod(page, "openRowMenu", Q_ARG(int, session_->events()->rowOfEntry(id)), Q_ARG(QPointF, QPointF(200, 200)));
    QMetaObject::invokeMethod(root->findChild<QObject*>(QStringLiteral("whatIfReplaceItem")), "triggered");
    QObject* topUp = root->findChild<QObject*>(QStringLiteral("topUpDialog"));
    QTRY_VERIFY_WITH_TIMEOUT(topUp->property("opened").toBool(), kTimeoutMs);
    QQuickItem* topUpFields = qobject_cast<QQuickItem*>(topUp->property("contentItem").value<QObject*>());
    QQuickItem* user = findQuickItem(topUpFields, QStringLiteral("userIdField"));
    QQuickItem* amount = findQuickItem(topUpFields, QStringLiteral("amountField"));
    QVERIFY(user && amount);
    QCOMPARE(user->property("text").toString(),
             session_->events()->index(session_->events()->rowOfEntry(id)).data(shop::app::EventListModel::UserIdRole).toString());
    QVERIFY(!amount->property("text").toString().isEmpty());
    QVERIFY(whatIf->result().isEmpty());
    amount->setProperty("text", QStringLiteral("0.01"));
    clickCentre(window_, findQuickItem(qobject_cast<QQuickItem*>(topUp->property("footer").value<QObject*>()), QStringLiteral("topUpDialogOk")));
    QTRY_VERIFY_WITH_TIMEOUT(dialog->property("visible").toBool(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!whatIf->running() && whatIf->result().contains(QStringLiteral("changes")), kTimeoutMs);
    QVERIFY(whatIf->result().value(QStringLiteral("replaced")).toBool());
    const QString editedText = QStringLiteral(R"({"userId":%1,"amount":1})").arg(user->property("text").toString());
    const QJsonObject replaced = QJsonDocument::fromJson(cli({QStringLiteral("whatif"), QStringLiteral("--replace"), id, QStringLiteral("TopUp"), editedText, QStringLiteral("--json")})).object();
    QVERIFY(!replaced.isEmpty());
    QCOMPARE(sameChanges(replaced), QString());
    QMetaObject::invokeMethod(dialog, "close");

    QCOMPARE(redisFacts(), before);
    session_->replay()->goLive();
}

// An entry chosen in a user's history, or the timeline's "Why…" beside its current event,
// opens the Events page with that entry selected (its pane explains the verdict).
void TestTimelineUi::historiesAndTheTimelineLeadToTheEntry()
{
    session_->replay()->seek(120);
    QTRY_VERIFY(!session_->replay()->live());
    const QString current = session_->replay()->entryIdAt(120);
    click(QStringLiteral("currentEventWhyButton"));
    QQuickItem* events = item(QStringLiteral("eventsPage"));
    QTRY_VERIFY(events->isVisible());
    QTRY_COMPARE(events->property("selectedEntryId").toString(), current);

    // A user with a history: the one the 100th event named.
    QString user;
    for (qint64 p = 100; p > 0 && user.isEmpty(); --p) {
        session_->replay()->seek(p);
        user = session_->replay()->current().value(QStringLiteral("userId")).toString();
    }
    QVERIFY(!user.isEmpty());
    session_->replay()->seek(120);
    clickCentre(window_, item(QStringLiteral("usersTab")));
    QQuickItem* users = item(QStringLiteral("usersPage"));
    QTRY_VERIFY(users->isVisible());
    QMetaObject::invokeMethod(users, "select", Q_ARG(QString, user));
    QQuickItem* row = nullptr;
    // A row inside the list's viewport (it keeps its newest rows in view).
    QQuickItem* history = findQuickItem(users, QStringLiteral("userHistory"));
    QVERIFY(history);
    const std::function<QQuickItem*(QQuickItem*)> shownRow = [&](QQuickItem* at) -> QQuickItem* {
        if (at->objectName().startsWith(QStringLiteral("historyRow_")) && at->isVisible() && at->height() > 0) {
            const QPointF centre = at->mapToItem(history, QPointF(at->width() / 2, at->height() / 2));
            if (centre.y() > 0 && centre.y() < history->height())
                return at;
        }
        for (QQuickItem* child : at->childItems())
            if (QQuickItem* found = shownRow(child))
                return found;
        return nullptr;
    };
    QTest::qWait(200); // the history list settles at its end
    QTRY_VERIFY_WITH_TIMEOUT((row = shownRow(history)) != nullptr, kTimeoutMs);
    const QString chosen = row->objectName().mid(int(qstrlen("historyRow_")));
    clickCentre(window_, row);
    QTRY_VERIFY(events->isVisible());
    QTRY_COMPARE(events->property("selectedEntryId").toString(), chosen);
    session_->replay()->goLive();
}

QTEST_MAIN(TestTimelineUi)
#include "test_timeline_ui.moc"
