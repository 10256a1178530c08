// The admin's console in the real QML, offscreen over a real ShopSession and a private
// redis-server (issue: keyboard, feedback that stays). What an admin does with the keyboard
// on the Users page: a search typed while a row is selected keeps every character (it used
// to empty itself when it hid the selected row), Esc clears the selection and then the
// search, Down goes from the search into the list. And the feedback: toasts stack instead of
// replacing each other, timed snapshots go to the status bar and the log but never push a
// verdict out of its toast, and the log (Ctrl+J) keeps every verdict and error of the session.
// The Events page's user and item filters find the entries rejected as invalid that name them,
// and its entry pane says why an entry was rejected, with the values that decided it.
#include "window_test.hpp"

#include "display_text.hpp"
#include "redis/connection.hpp"
#include "test_redis_server.hpp"

#include <QClipboard>
#include <QGuiApplication>
#include <QSignalSpy>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::NotificationLog;
using shop::app::ShopSession;

namespace {

const QString kStream = QStringLiteral("console:events");

QString textOf(QQuickItem* item) { return item ? item->property("text").toString() : QString(); }

// The log's entries, one line each.
QStringList logLines(ShopSession& session)
{
    QStringList out;
    for (int row = 0; row < session.notifications()->count(); ++row)
        out << session.notifications()->line(row);
    return out;
}

} // namespace

class TestConsoleUi : public WindowTest {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void searchKeepsWhatIsTypedWithARowSelected();
    void escapeClearsTheSelectionThenTheSearch();
    void downFromTheSearchEntersTheList();
    void tabReachesTheListsAndShowsWhere();
    void timedSnapshotsLeaveTheVerdictsAlone();
    void toastsStack();
    void logKeepsEverything();
    void userAndItemFiltersFindInvalidEntries();
    void entryPaneSaysWhyWithTheValues();
    void notSentIsNotRejected();
    void smallScreenKeepsEveryColumn();
    void cutVerdictHasItsTooltip();
    void rowsCopyAndFilterFromTheirMenu();
    void streamInformationAndKeys();
    void eventColumnsResizeByTheirEdge();
    void dataSearchListsTheEntriesThatContainIt();
    void userColumnsResizeByTheirEdge();
    void pageKeysReachTheNewPage();

private:
    bool append(const std::string& type, const std::string& json, QString* id = nullptr)
    {
        return WindowTest::append(server_, kStream.toStdString(), type, json, "test:console", id);
    }
    QObject* usersPage() const { return item(QStringLiteral("usersPage")); }
    QString selectedUser() const { return usersPage()->property("selectedUserId").toString(); }
    void focus(const QString& name);

    TestRedisServer server_;
    int commandsFinished_ = 0; // commandFinished signals seen
};

void TestConsoleUi::focus(const QString& name)
{
    QQuickItem* target = item(name);
    QVERIFY2(target, qPrintable(name + QStringLiteral(" not found")));
    target->forceActiveFocus();
    QTRY_VERIFY(target->hasActiveFocus());
}

void TestConsoleUi::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    for (int id = 1; id <= 60; ++id)
        QVERIFY(append("RegisterUser", QStringLiteral(R"({"userId":%1,"name":"user %1"})").arg(id).toStdString()));
    QVERIFY(append("AddItem", R"({"itemId":"mug","name":"Mug","price":1250,"count":3})"));

    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = kStream;
    options.snapshotIntervalMs = 300; // timed snapshots while the tests run
    options.askBeforeSnapshots = false; // (test_viewer_mode covers the question)
    UI_CHECK(openWindow(options));
    connect(session_.get(), &ShopSession::commandFinished, this, [this] { ++commandsFinished_; });
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 60, kTimeoutMs);
}

void TestConsoleUi::cleanupTestCase()
{
    closeWindow();
}

void TestConsoleUi::searchKeepsWhatIsTypedWithARowSelected()
{
    QQuickItem* search = item(QStringLiteral("userSearch"));
    QVERIFY(search);
    QMetaObject::invokeMethod(usersPage(), "selectUser", Q_ARG(QString, QStringLiteral("5")));
    QCOMPARE(selectedUser(), QStringLiteral("5"));
    focus(QStringLiteral("userSearch"));
    // "5" still shows user 5; "59" hides it. Every character stays, and so does the selection.
    QTest::keyClick(window_, '5');
    QCOMPARE(textOf(search), QStringLiteral("5"));
    QTest::keyClick(window_, '9');
    QCOMPARE(textOf(search), QStringLiteral("59"));
    QTest::qWait(50); // the page resyncs after the model changes
    QCOMPARE(textOf(search), QStringLiteral("59"));
    QCOMPARE(selectedUser(), QStringLiteral("5"));
    QCOMPARE(item(QStringLiteral("userList"))->property("count").toInt(), 1); // user 59 only
}

void TestConsoleUi::escapeClearsTheSelectionThenTheSearch()
{
    QQuickItem* search = item(QStringLiteral("userSearch"));
    focus(QStringLiteral("userSearch"));
    QCOMPARE(textOf(search), QStringLiteral("59"));
    QCOMPARE(selectedUser(), QStringLiteral("5"));
    QTest::keyClick(window_, Qt::Key_Escape);
    QCOMPARE(selectedUser(), QString());
    QCOMPARE(textOf(search), QStringLiteral("59"));
    QTest::keyClick(window_, Qt::Key_Escape);
    QCOMPARE(textOf(search), QString());
    QTRY_COMPARE(item(QStringLiteral("userList"))->property("count").toInt(), 60);
}

void TestConsoleUi::downFromTheSearchEntersTheList()
{
    QQuickItem* list = item(QStringLiteral("userList"));
    focus(QStringLiteral("userSearch"));
    QCOMPARE(selectedUser(), QString());
    QTest::keyClick(window_, Qt::Key_Down);
    QTRY_VERIFY(list->hasActiveFocus());
    QCOMPARE(list->property("currentIndex").toInt(), 0); // the first row, selected
    QVERIFY(!selectedUser().isEmpty());
    const QString first = selectedUser();
    QTest::keyClick(window_, Qt::Key_Down);
    QCOMPARE(list->property("currentIndex").toInt(), 1);
    QVERIFY(selectedUser() != first);
    QTest::keyClick(window_, Qt::Key_Escape);
    QCOMPARE(selectedUser(), QString());
}

// Tab walks the window and stops at the lists (it used to go from the search to the column
// headers and on to the timeline); a page tab reached by Tab shows a focus ring.
void TestConsoleUi::tabReachesTheListsAndShowsWhere()
{
    const auto focusName = [this] {
        QQuickItem* at = window_->activeFocusItem();
        // The item itself or the nearest named ancestor (a TextField's inner parts are unnamed).
        while (at && at->objectName().isEmpty())
            at = at->parentItem();
        return at ? at->objectName() : QString();
    };
    focus(QStringLiteral("userSearch"));
    QStringList chain;
    for (int i = 0; i < 12 && !chain.contains(QStringLiteral("userList")); ++i) {
        QTest::keyClick(window_, Qt::Key_Tab);
        // The list is a focus scope: its current row holds the focus inside it.
        chain << (item(QStringLiteral("userList"))->hasActiveFocus() ? QStringLiteral("userList") : focusName());
    }
    QVERIFY2(chain.contains(QStringLiteral("userList")), qPrintable(chain.join(QStringLiteral(" > "))));
    QVERIFY2(!chain.contains(QStringLiteral("timelineSlider")), qPrintable(chain.join(QStringLiteral(" > ")))); // before the timeline
    // On to the end of the chain and round: the page tabs come, each with its ring when focused.
    QQuickItem* tab = item(QStringLiteral("usersTab"));
    QQuickItem* ring = item(QStringLiteral("usersTabFocusRing"));
    QVERIFY(tab && ring);
    QVERIFY(!ring->isVisible());
    bool ringSeen = false;
    for (int i = 0; i < 60 && !ringSeen; ++i) {
        QTest::keyClick(window_, Qt::Key_Tab);
        ringSeen = tab->hasActiveFocus() && ring->isVisible();
    }
    QVERIFY2(ringSeen, "Tab reaches the Users tab, and its focus ring shows");
    focus(QStringLiteral("userSearch"));
    QVERIFY(!ring->isVisible());
}

void TestConsoleUi::timedSnapshotsLeaveTheVerdictsAlone()
{
    // A rejection's toast, then timed snapshots (the stream changes under a 300 ms interval):
    // the toast still says the rejection, the status bar and the log have the snapshots.
    const int before = commandsFinished_;
    session_->submit(QStringLiteral("RegisterUser"), {{QStringLiteral("userId"), 5}, {QStringLiteral("name"), QStringLiteral("again")}});
    QTRY_COMPARE_WITH_TIMEOUT(commandsFinished_, before + 1, kTimeoutMs);
    const QString rejection = textOf(item(QStringLiteral("verdictMessage")));
    QVERIFY2(rejection.contains(QStringLiteral("rejected")), qPrintable(rejection));

    QSignalSpy taken(session_.get(), &ShopSession::snapshotTaken);
    QVERIFY(append("TopUp", R"({"userId":7,"amount":100})"));
    QTRY_VERIFY_WITH_TIMEOUT(!taken.isEmpty(), kTimeoutMs);
    QCOMPARE(taken.constFirst().at(1).toBool(), false); // timed, not asked for
    QTest::qWait(100);
    QCOMPARE(textOf(item(QStringLiteral("verdictMessage"))), rejection);
    QQuickItem* label = item(QStringLiteral("lastSnapshotLabel"));
    QVERIFY(label && label->isVisible());
    // The newest: on a slow machine the rejection's entry and the top-up may each have had
    // their timed snapshot by now (the label follows the signal in the same handler).
    QVERIFY2(textOf(label).contains(taken.constLast().at(0).toString()),
             qPrintable(textOf(label) + QStringLiteral("; %1 snapshots taken").arg(taken.size())));
    QVERIFY(logLines(*session_).filter(QStringLiteral("Timed snapshot taken: ") + taken.constFirst().at(0).toString()).size() == 1);
}

void TestConsoleUi::toastsStack()
{
    QObject* stack = item(QStringLiteral("toastStack"));
    QVERIFY(stack);
    const int before = commandsFinished_;
    session_->submit(QStringLiteral("TopUp"), {{QStringLiteral("userId"), 8}, {QStringLiteral("amount"), 250}});
    session_->submit(QStringLiteral("SetPrice"), {{QStringLiteral("itemId"), QStringLiteral("nope")}, {QStringLiteral("price"), 100}});
    QTRY_COMPARE_WITH_TIMEOUT(commandsFinished_, before + 2, kTimeoutMs);
    // Both verdicts are on screen together, with what came before them.
    QVERIFY2(stack->property("count").toInt() >= 2, qPrintable(QString::number(stack->property("count").toInt())));
    QStringList shown;
    for (int i = 0; i < stack->property("count").toInt(); ++i)
        shown << textOf(findQuickItem(item(QStringLiteral("toast%1").arg(i)), QStringLiteral("verdictMessage")))
              << textOf(findQuickItem(item(QStringLiteral("toast%1").arg(i)), QStringLiteral("olderVerdictMessage")));
    QVERIFY2(shown.filter(QStringLiteral("user 8")).size() == 1, qPrintable(shown.join(QLatin1Char('|'))));
    QVERIFY2(shown.filter(QStringLiteral("rejected")).size() >= 1, qPrintable(shown.join(QLatin1Char('|'))));
}

void TestConsoleUi::logKeepsEverything()
{
    NotificationLog* log = session_->notifications();
    QVERIFY(log->unread() > 0);
    QVERIFY(log->unreadProblems() > 0); // the rejections
    QVERIFY2(textOf(item(QStringLiteral("logButton"))).contains(QString::number(log->unread())),
             qPrintable(textOf(item(QStringLiteral("logButton")))));

    // Every verdict of the session is there, in order, with the rejections' reasons.
    const QStringList lines = logLines(*session_);
    QCOMPARE(lines.filter(QStringLiteral("Registration rejected")).size(), 1);
    QCOMPARE(lines.filter(QStringLiteral("Top up applied: user 8")).size(), 1);
    QVERIFY2(lines.filter(QStringLiteral("Price change rejected")).size() == 1, qPrintable(lines.join(QLatin1Char('\n'))));

    focus(QStringLiteral("userSearch"));
    QTest::keyClick(window_, Qt::Key_J, Qt::ControlModifier);
    QObject* panel = window_->findChild<QObject*>(QStringLiteral("notificationPanel"));
    QVERIFY(panel);
    QTRY_VERIFY(panel->property("opened").toBool());
    QCOMPARE(log->unread(), 0);
    QCOMPARE(textOf(item(QStringLiteral("logButton"))), QStringLiteral("Log"));
    QQuickItem* list = findQuickItem(panel->property("contentItem").value<QQuickItem*>(), QStringLiteral("notificationList"));
    QVERIFY(list);
    QCOMPARE(list->property("count").toInt(), log->count());

    // Copy all puts every line on the clipboard.
    QQuickItem* copyAll = findQuickItem(panel->property("contentItem").value<QQuickItem*>(), QStringLiteral("notificationCopyAll"));
    QVERIFY(copyAll);
    QMetaObject::invokeMethod(copyAll, "clicked");
    QCOMPARE(QGuiApplication::clipboard()->text(), log->allText());
    QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("Registration rejected")));

    QTest::keyClick(window_, Qt::Key_J, Qt::ControlModifier);
    QTRY_VERIFY(!panel->property("opened").toBool());
    // The keyboard is back where it was.
    QTRY_VERIFY(item(QStringLiteral("userSearch"))->hasActiveFocus());
}

void TestConsoleUi::userAndItemFiltersFindInvalidEntries()
{
    // Orders and a top-up that fail check 5 (quantity 0, amount 0) still name user 5555 and
    // item mug; one whose user id is out of range names nobody.
    const qint64 total = session_->totalEvents() + 4;
    QVERIFY(append("Order", R"({"userId":5555,"lines":[{"itemId":"mug","qty":0}]})"));
    QVERIFY(append("Order", R"({"userId":5555,"lines":[{"itemId":"mug","qty":1},{"itemId":"bad id","qty":1}]})"));
    QVERIFY(append("TopUp", R"({"userId":5555,"amount":0})"));
    QVERIFY(append("TopUp", R"({"userId":-5555,"amount":10})"));
    QTRY_COMPARE_WITH_TIMEOUT(session_->totalEvents(), total, kTimeoutMs);

    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QQuickItem* list = findQuickItem(item(QStringLiteral("eventsPage")), QStringLiteral("eventList"));
    QTRY_VERIFY(list && list->isVisible());
    focus(QStringLiteral("userFilterField"));
    for (const char c : {'5', '5', '5', '5'})
        QTest::keyClick(window_, c);
    QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), 3, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->events()->rowCount(), 3, kTimeoutMs);
    for (int row = 0; row < 3; ++row)
        QCOMPARE(session_->events()->index(row).data(shop::app::EventListModel::ReasonRole).toString(), QStringLiteral("invalid"));

    // The item filter: the two orders name mug first, and two more orders name it on their
    // second line (one rejected for want of funds, one invalid for its first line's
    // quantity); with the user filter cleared, mug's events are the AddItem and those four.
    QVERIFY(append("Order", R"({"userId":7,"lines":[{"itemId":"pen","qty":1},{"itemId":"mug","qty":1}]})"));
    QVERIFY(append("Order", R"({"userId":7,"lines":[{"itemId":"pen","qty":0},{"itemId":"mug","qty":1}]})"));
    QTRY_COMPARE_WITH_TIMEOUT(session_->totalEvents(), total + 2, kTimeoutMs);
    QQuickItem* userField = item(QStringLiteral("userFilterField"));
    QMetaObject::invokeMethod(userField, "clear");
    focus(QStringLiteral("itemFilterField"));
    for (const char c : {'m', 'u', 'g'})
        QTest::keyClick(window_, c);
    QTRY_COMPARE_WITH_TIMEOUT(session_->events()->rowCount(), 5, kTimeoutMs);
    QMetaObject::invokeMethod(item(QStringLiteral("itemFilterField")), "clear");
}

void TestConsoleUi::entryPaneSaysWhyWithTheValues()
{
    // User 9 has 1.00; a mug costs 12.50. The pane shows the values the check compared, and
    // for an invalid entry the field that failed; an applied one shows no reason.
    QString topUp, order, invalid;
    const qint64 total = session_->totalEvents() + 3;
    QVERIFY(append("TopUp", R"({"userId":9,"amount":100})", &topUp));
    QVERIFY(append("Order", R"({"userId":9,"lines":[{"itemId":"mug","qty":1}]})", &order));
    QVERIFY(append("Order", R"({"userId":9,"lines":[{"itemId":"mug","qty":0}]})", &invalid));
    QTRY_COMPARE_WITH_TIMEOUT(session_->totalEvents(), total, kTimeoutMs);

    QObject* page = item(QStringLiteral("eventsPage"));
    QVERIFY(page);
    QQuickItem* detail = findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("entryDetail"));
    QVERIFY(detail);
    const auto select = [&](const QString& id) {
        // The filters of the test before are cleared on a timer, and the rows come with the
        // consumer's next batch: wait for the row.
        int row = -1;
        QTRY_VERIFY_WITH_TIMEOUT((row = session_->events()->rowOfEntry(id)) >= 0, kTimeoutMs);
        QVERIFY(QMetaObject::invokeMethod(page, "selectRow", Q_ARG(int, row)));
        QCOMPARE(page->property("selectedEntryId").toString(), id);
    };
    select(order);
    QTRY_COMPARE_WITH_TIMEOUT(textOf(detail), QStringLiteral("balance 1.00 < total 12.50"), kTimeoutMs);
    QTRY_VERIFY(detail->isVisible());
    select(invalid);
    QTRY_COMPARE_WITH_TIMEOUT(textOf(detail), QStringLiteral("lines[0].qty is 0; it must be from 1 to 1000000000"), kTimeoutMs);
    select(topUp);
    QTRY_COMPARE_WITH_TIMEOUT(textOf(detail), QString(), kTimeoutMs);
    QVERIFY(!detail->isVisible());
    // Beside the raw data, its amount with units; the id is selectable text, and copied whole.
    QQuickItem* money = findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("entryMoney"));
    QVERIFY(money);
    QTRY_COMPARE_WITH_TIMEOUT(textOf(money), QStringLiteral("amount 100 = 1.00"), kTimeoutMs);
    QQuickItem* idText = findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("entryIdText"));
    QVERIFY(idText);
    QCOMPARE(textOf(idText), topUp);
    QVERIFY(idText->property("selectByMouse").toBool());
    QMetaObject::invokeMethod(findQuickItem(item(QStringLiteral("entryDetails")), QStringLiteral("copyEntryIdButton")), "clicked");
    QCOMPARE(QGuiApplication::clipboard()->text(), topUp);
}

void TestConsoleUi::notSentIsNotRejected()
{
    // A command that never reached the stream (no reason: not connected, refused) is not a
    // rule's rejection: the toast and the log say it was not sent, and the log counts it as
    // an error.
    const int errorsBefore = session_->notifications()->allText().count(QStringLiteral("  error  "));
    QVERIFY(QMetaObject::invokeMethod(window_, "showVerdict", Q_ARG(bool, false), Q_ARG(QString, QString()),
                                      Q_ARG(QString, QStringLiteral("not connected to Redis")), Q_ARG(QString, QStringLiteral("TopUp")),
                                      Q_ARG(QString, QStringLiteral("7")), Q_ARG(QString, QString())));
    QCOMPARE(textOf(item(QStringLiteral("verdictMessage"))), QStringLiteral("Top up not sent: not connected to Redis"));
    QCOMPARE(session_->notifications()->allText().count(QStringLiteral("  error  ")), errorsBefore + 1);
    QVERIFY(session_->notifications()->allText().endsWith(QStringLiteral("Top up not sent: not connected to Redis")));
}

void TestConsoleUi::smallScreenKeepsEveryColumn()
{
    // The window fits a 1024x600 screen, and there the Events page still shows its Verdict.
    QVERIFY(window_->minimumWidth() <= 1024 && window_->minimumHeight() <= 600);
    window_->resize(1024, 600);
    QTRY_COMPARE(window_->width(), 1024);
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QQuickItem* verdict = item(QStringLiteral("eventVerdictHeader"));
    QVERIFY(verdict);
    QTRY_VERIFY(verdict->isVisible());
    QTRY_VERIFY2(verdict->width() >= 120, qPrintable(QString::number(verdict->width())));
    QQuickItem* details = item(QStringLiteral("entryDetails"));
    QVERIFY(details && details->width() >= 200);
    QVERIFY2(details->mapToScene(QPointF(details->width(), 0)).x() <= 1024,
             qPrintable(QStringLiteral("details %1 wide, ends at %2; verdict %3").arg(details->width()).arg(details->mapToScene(QPointF(details->width(), 0)).x()).arg(verdict->width())));
    // The page's tool bar fits too: its last control ends inside the window, and the count
    // keeps room to be read.
    QQuickItem* follow = item(QStringLiteral("followNewest"));
    QVERIFY(follow);
    QTRY_VERIFY2(follow->mapToScene(QPointF(follow->width(), 0)).x() <= 1024,
                 qPrintable(QString::number(follow->mapToScene(QPointF(follow->width(), 0)).x())));
    QVERIFY(item(QStringLiteral("eventCount"))->width() >= 120);
}

void TestConsoleUi::cutVerdictHasItsTooltip()
{
    // At 1024 wide (the test before) "the user's balance does not cover the order" is cut in
    // the Verdict column: hovering it shows the whole reason; an applied row shows none.
    QString order;
    QVERIFY(append("Order", R"({"userId":9,"lines":[{"itemId":"mug","qty":2}]})", &order));
    int index = -1;
    QTRY_VERIFY_WITH_TIMEOUT((index = session_->events()->rowOfEntry(order)) >= 0, kTimeoutMs);
    QVERIFY(QMetaObject::invokeMethod(item(QStringLiteral("eventsPage")), "selectRow", Q_ARG(int, index))); // in view
    QQuickItem* row = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((row = item(QStringLiteral("eventRow_") + order)) != nullptr, kTimeoutMs);
    QTRY_VERIFY(row->isVisible());
    QVERIFY2(row->property("verdictCut").toBool(), qPrintable(row->property("verdictText").toString()));
    QObject* tip = window_->findChild<QObject*>(QStringLiteral("verdictToolTip"));
    QVERIFY(tip);
    QVERIFY(!tip->property("visible").toBool());
    QQuickItem* verdict = item(QStringLiteral("eventVerdictHeader"));
    const QPointF over(verdict->mapToScene(QPointF(verdict->width() / 2, 0)).x(),
                       row->mapToScene(QPointF(0, row->height() / 2)).y());
    QTest::mouseMove(window_, over.toPoint());
    QTRY_VERIFY(tip->property("visible").toBool());
    QCOMPARE(tip->property("text").toString(), row->property("verdictText").toString());
    QVERIFY(tip->property("text").toString().contains(QStringLiteral("does not cover")));
    QTest::mouseMove(window_, QPoint(2, 2));
    QTRY_VERIFY(!tip->property("visible").toBool());
}

// On the Events page Ctrl+C copies the selected row (tab-separated), and a right click on a
// row opens a menu: copy its id, copy it, or filter by its user or item.
void TestConsoleUi::rowsCopyAndFilterFromTheirMenu()
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QObject* page = item(QStringLiteral("eventsPage"));
    QQuickItem* list = findQuickItem(item(QStringLiteral("eventsPage")), QStringLiteral("eventList"));
    QTRY_VERIFY(list && list->isVisible() && list->property("count").toInt() > 3);
    QVERIFY(QMetaObject::invokeMethod(page, "selectRow", Q_ARG(int, 2))); // and stops following the newest
    QVERIFY(QMetaObject::invokeMethod(list, "positionViewAtBeginning"));
    const QModelIndex at = session_->events()->index(2);
    const QString id = at.data(shop::app::EventListModel::EntryIdRole).toString();
    const QString user = at.data(shop::app::EventListModel::UserIdRole).toString();
    QVERIFY(!user.isEmpty());
    list->forceActiveFocus();
    QTRY_VERIFY(list->hasActiveFocus());
    QGuiApplication::clipboard()->clear();
    QTest::keySequence(window_, QKeySequence::Copy);
    const QStringList cells = QGuiApplication::clipboard()->text().split(QLatin1Char('\t'));
    QCOMPARE(cells.size(), 6);
    QCOMPARE(cells[0], id);
    QCOMPARE(cells[2], QStringLiteral("RegisterUser"));
    QCOMPARE(cells[3], QStringLiteral("applied"));
    QCOMPARE(cells[4], user);

    // The menu of another row, by a right click on it.
    QQuickItem* row = nullptr;
    const QString otherId = session_->events()->index(1).data(shop::app::EventListModel::EntryIdRole).toString();
    QTRY_VERIFY((row = findQuickItem(list, QStringLiteral("eventRow_") + otherId)) != nullptr);
    QTest::mouseClick(window_, Qt::RightButton, {}, row->mapToScene(QPointF(row->width() / 3, row->height() / 2)).toPoint());
    QObject* menu = window_->findChild<QObject*>(QStringLiteral("eventRowMenu"));
    QVERIFY(menu);
    QTRY_VERIFY(menu->property("opened").toBool());
    QCOMPARE(page->property("selectedEntryId").toString(), otherId);
    QObject* copyId = menu->findChild<QObject*>(QStringLiteral("copyEntryIdItem"));
    QVERIFY(copyId);
    QMetaObject::invokeMethod(copyId, "triggered");
    QCOMPARE(QGuiApplication::clipboard()->text(), otherId);
    const QString otherUser = session_->events()->index(1).data(shop::app::EventListModel::UserIdRole).toString();
    QObject* byUser = menu->findChild<QObject*>(QStringLiteral("filterByUserItem"));
    QVERIFY(byUser);
    QVERIFY(byUser->property("text").toString().contains(otherUser));
    QMetaObject::invokeMethod(byUser, "triggered");
    QCOMPARE(session_->events()->userFilter(), otherUser);
    QCOMPARE(textOf(item(QStringLiteral("userFilterField"))), otherUser);
    QMetaObject::invokeMethod(menu, "close");
    QMetaObject::invokeMethod(item(QStringLiteral("userFilterField")), "clear");
    QTRY_COMPARE(session_->events()->userFilter(), QString());
}

// The stream panel says what XINFO STREAM and MEMORY USAGE say; the Connection dialog lists
// the server's stream keys (and only those) to pick from.
void TestConsoleUi::streamInformationAndKeys()
{
    shop::redis::Connection admin;
    QVERIFY(admin.connect(server_.url()));
    QVERIFY(admin.command({"SET", "not-a-stream", "x"}).isString());
    QVERIFY(admin.command({"XADD", "other:events", "*", "k", "v"}).isString());
    const qint64 length = admin.command({"XLEN", kStream.toStdString()}).integer();

    session_->refreshStreamInfo();
    QTRY_VERIFY_WITH_TIMEOUT(session_->streamInfo().value(QStringLiteral("length")).toLongLong() == length, kTimeoutMs);
    const QVariantMap info = session_->streamInfo();
    QCOMPARE(info.value(QStringLiteral("format")).toString(), QStringLiteral("native"));
    QCOMPARE(info.value(QStringLiteral("entriesAdded")).toLongLong(), length);
    QCOMPARE(info.value(QStringLiteral("groups")).toLongLong(), 0);
    QVERIFY(info.value(QStringLiteral("memoryBytes")).toLongLong() > 0);
    QCOMPARE(info.value(QStringLiteral("lastId")).toString(), session_->lastEventId());

    // The dialog, from its action: the same figures.
    QObject* dialog = window_->findChild<QObject*>(QStringLiteral("streamInfoDialog"));
    QVERIFY(dialog);
    QVERIFY(QMetaObject::invokeMethod(window_, "openDialog", Q_ARG(QVariant, QVariant::fromValue(dialog)),
                                      Q_ARG(QVariant, QVariant()), Q_ARG(QVariant, QVariant())));
    QTRY_VERIFY(dialog->property("visible").toBool());
    QQuickItem* lengthLabel = dialog->findChild<QQuickItem*>(QStringLiteral("streamInfoLength"));
    QVERIFY(lengthLabel);
    QTRY_COMPARE(textOf(lengthLabel), shop::app::formatCount(length));
    QMetaObject::invokeMethod(dialog, "close");

    // The Connection dialog: the stream keys of the server in use, a click picks one.
    QObject* connection = window_->findChild<QObject*>(QStringLiteral("connectionDialog"));
    QVERIFY(connection);
    QVERIFY(QMetaObject::invokeMethod(window_, "openDialog", Q_ARG(QVariant, QVariant::fromValue(connection)),
                                      Q_ARG(QVariant, session_->currentConnection()), Q_ARG(QVariant, kStream)));
    QTRY_VERIFY(connection->property("visible").toBool());
    QTRY_COMPARE_WITH_TIMEOUT(connection->property("streamKeys").toStringList(),
                              (QStringList{kStream, QStringLiteral("other:events")}), kTimeoutMs);
    QQuickItem* other = nullptr;
    QQuickItem* content = connection->property("contentItem").value<QQuickItem*>();
    QTRY_VERIFY((other = findQuickItem(content, QStringLiteral("streamKey_other:events"))) != nullptr);
    QMetaObject::invokeMethod(other, "clicked");
    QCOMPARE(textOf(connection->findChild<QQuickItem*>(QStringLiteral("streamField"))), QStringLiteral("other:events"));
    QMetaObject::invokeMethod(connection, "close");
}

// The Events page's columns can be dragged wider or narrower by their edge in the header;
// the columns after it move with the edge.
void TestConsoleUi::eventColumnsResizeByTheirEdge()
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QObject* page = item(QStringLiteral("eventsPage"));
    QQuickItem* list = findQuickItem(item(QStringLiteral("eventsPage")), QStringLiteral("eventList"));
    QTRY_VERIFY(list && list->isVisible() && list->property("count").toInt() > 0);
    const auto widthOf = [&](int column) { return page->property("widths").toList().at(column).toInt(); };
    const int before = widthOf(1);
    QQuickItem* verdict = item(QStringLiteral("eventVerdictHeader"));
    const double verdictXBefore = settledSceneX(verdict);
    QQuickItem* handle = findQuickItem(item(QStringLiteral("eventsPage")), QStringLiteral("columnHandle_1"));
    QVERIFY(handle);
    const QPoint from = handle->mapToScene(QPointF(handle->width() / 2, handle->height() / 2)).toPoint();
    QTest::mousePress(window_, Qt::LeftButton, {}, from);
    for (int dx = 5; dx <= 60; dx += 5)
        QTest::mouseMove(window_, from + QPoint(dx, 0));
    QTest::mouseRelease(window_, Qt::LeftButton, {}, from + QPoint(60, 0));
    QTRY_VERIFY2(widthOf(1) > before + 30, qPrintable(QString::number(widthOf(1))));
    // The columns after it moved by as much (the verdict column, or the entry pane beside the
    // table, gives the room).
    QTRY_COMPARE(qRound(verdict->mapToScene(QPointF(0, 0)).x() - verdictXBefore), widthOf(1) - before);
    // The handle moved with the edge, and a column never goes below 40.
    QVERIFY(handle->mapToScene(QPointF(0, 0)).x() > from.x() + 30 - handle->width());
    QVERIFY(QMetaObject::invokeMethod(page, "setColumnWidth", Q_ARG(int, 1), Q_ARG(double, 3)));
    QCOMPARE(widthOf(1), 40);
    QVERIFY(QMetaObject::invokeMethod(page, "setColumnWidth", Q_ARG(int, 1), Q_ARG(double, before)));
}

// The Events page's search in the entries' data: typed and Enter, the list shows the entries
// whose data contains the text (letters in either case), as many as a reading of the stream
// here finds; Esc in the field brings every entry back.
void TestConsoleUi::dataSearchListsTheEntriesThatContainIt()
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QTRY_VERIFY(item(QStringLiteral("eventsPage"))->isVisible());
    const QString needle = QStringLiteral("USER 5");
    shop::redis::Connection c;
    QVERIFY(c.connect(server_.url()));
    const shop::redis::Reply all = c.command({"XRANGE", kStream.toStdString(), "-", "+"});
    QVERIFY(all && !all.isError());
    int expected = 0;
    const shop::redis::ReplyView entries(all.raw());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const shop::redis::ReplyView fields = entries[i][1];
        for (std::size_t f = 0; f + 1 < fields.size(); f += 2)
            if (fields[f].str() == "data" && QString::fromUtf8(fields[f + 1].str().data(), qsizetype(fields[f + 1].str().size()))
                                                 .contains(needle, Qt::CaseInsensitive))
                ++expected;
    }
    QCOMPARE(expected, 11); // "user 5" and "user 50" to "user 59"
    QTRY_COMPARE_WITH_TIMEOUT(session_->events()->totalCount(), qint64(entries.size()), kTimeoutMs);

    focus(QStringLiteral("dataSearchField"));
    for (const QChar ch : needle)
        QTest::keyClick(window_, ch.toLatin1());
    QTest::keyClick(window_, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(session_->events()->textFilter(), needle, kTimeoutMs);
    QCOMPARE(session_->events()->rowCount(), expected);
    QVERIFY2(session_->replay()->live(), "Enter in the field searched, and did nothing else");
    QCOMPARE(textOf(item(QStringLiteral("dataSearchField"))), needle);
    QVERIFY(!session_->dataSearch()->running());
    QVERIFY2(session_->dataSearch()->status().contains(QStringLiteral("11")), qPrintable(session_->dataSearch()->status()));
    QVERIFY2(textOf(item(QStringLiteral("eventCount"))).contains(needle), qPrintable(textOf(item(QStringLiteral("eventCount")))));
    // With another filter too: both apply.
    session_->events()->setTypeFilter(QStringLiteral("TopUp"));
    QCOMPARE(session_->events()->rowCount(), 0);
    session_->events()->setTypeFilter(QString());

    QTest::keyClick(window_, Qt::Key_Escape);
    QTRY_COMPARE(session_->events()->textFilter(), QString());
    QCOMPARE(qint64(session_->events()->rowCount()), session_->events()->totalCount());
    QCOMPARE(textOf(item(QStringLiteral("dataSearchField"))), QString());
}

// The Users page's columns resize the same way; a column after the one that fills (Name) by
// its left edge, and its rows follow the header.
void TestConsoleUi::userColumnsResizeByTheirEdge()
{
    clickCentre(window_, item(QStringLiteral("usersTab")));
    QObject* page = usersPage();
    QTRY_VERIFY(item(QStringLiteral("userList"))->isVisible());
    const auto widthOf = [&](int column) { return page->property("widths").toList().at(column).toInt(); };
    const int before = widthOf(3);
    QQuickItem* spentHeader = item(QStringLiteral("userHeader_spent"));
    QVERIFY(spentHeader);
    const double leftBefore = settledSceneX(spentHeader);
    QQuickItem* handle = findQuickItem(item(QStringLiteral("usersPage")), QStringLiteral("columnHandle_3"));
    QVERIFY(handle && handle->isVisible());
    QVERIFY(!findQuickItem(item(QStringLiteral("usersPage")), QStringLiteral("columnHandle_1"))->isVisible()); // Name fills
    const QPoint from = handle->mapToScene(QPointF(handle->width() / 2, handle->height() / 2)).toPoint();
    QTest::mousePress(window_, Qt::LeftButton, {}, from);
    for (int dx = 5; dx <= 60; dx += 5)
        QTest::mouseMove(window_, from - QPoint(dx, 0));
    QTest::mouseRelease(window_, Qt::LeftButton, {}, from - QPoint(60, 0));
    QTRY_VERIFY2(widthOf(3) > before + 30, qPrintable(QString::number(widthOf(3))));
    spentHeader = item(QStringLiteral("userHeader_spent"));
    QTRY_COMPARE(qRound(leftBefore - spentHeader->mapToScene(QPointF(0, 0)).x()), widthOf(3) - before);
    QCOMPARE(qRound(spentHeader->width()), widthOf(3));
}

// A page shown by its key takes the keyboard: a field of the page left behind does not keep
// it (Ctrl+U there deleted the field's text instead of opening Register user, and what was
// typed next went to the hidden field).
void TestConsoleUi::pageKeysReachTheNewPage()
{
    clickCentre(window_, item(QStringLiteral("eventsTab")));
    QTRY_VERIFY(item(QStringLiteral("eventsPage"))->isVisible());
    focus(QStringLiteral("dataSearchField"));
    QTest::keyClick(window_, 'x');
    QTest::keyClick(window_, Qt::Key_1, Qt::ControlModifier);
    QTRY_VERIFY(usersPage()->property("visible").toBool());
    QVERIFY(!item(QStringLiteral("dataSearchField"))->hasActiveFocus());
    QTest::keyClick(window_, Qt::Key_U, Qt::ControlModifier);
    QObject* dialog = engine_->rootObjects().constFirst()->findChild<QObject*>(QStringLiteral("registerUserDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->property("opened").toBool());
    QMetaObject::invokeMethod(dialog, "close");
    QTRY_VERIFY(!dialog->property("visible").toBool());
    QCOMPARE(textOf(item(QStringLiteral("dataSearchField"))), QStringLiteral("x"));
    QQuickItem* field = item(QStringLiteral("dataSearchField"));
    field->setProperty("text", QString());
}

QTEST_MAIN(TestConsoleUi)
#include "test_console_ui.moc"
