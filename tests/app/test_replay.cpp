// Replay against the CLI: a ShopSession follows a produced stream (restored from a snapshot
// in the middle, so the history before it loads behind), and the state the timeline shows
// at many random positions equals `shopstream-cli state --json --from-scratch --until <id>`
// of that entry. Steps, seeks, seeks by id and time, and Compare agree with it too.
#include "shop_session.hpp"

#include "core/shop_state.hpp"
#include "core/state_json.hpp"
#include "sanitized.hpp"
#include "test_redis_server.hpp"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <map>
#include <random>
#include <set>

using shop::app::ShopSession;
using nlohmann::json;

namespace {
const QString kStream = QStringLiteral("replay:events");
constexpr int kTimeoutMs = 20000;
// The long stream before a snapshot (a fifth in the sanitizer build, where everything,
// producing it included, runs several times slower; the history still takes far longer to
// replay than one append's round trip).
constexpr qint64 kLongEvents = kSanitized ? 120000 : 600000;
} // namespace

class TestReplay : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void historyIsCompleteAfterARestore();
    void statesMatchTheCliAtRandomPositions();
    void stepsAndSeeksAgree();
    void seekByIdAndTime();
    void compareListsWhatChanged();
    void historyModelsShowTheStateAtThePoint();
    void restoreFromAChosenSnapshot();
    void anEditIsAnsweredWhileTheHistoryLoads();
    void progressAgreesWithTheCounts();
    void restartsMidCatchUpLeaveNoStaleBatches();
    void liveAppendsLeaveTheCursorAlone();

private:
    QByteArray cli(const QStringList& args, const QString& stream = kStream);
    json cliState(const QString& untilId);
    json timelineState() const;
    // The history-mode tables' rows as `state --json` lists them (users by id, items by id).
    json historyModels() const;

    TestRedisServer server_;
    std::unique_ptr<ShopSession> session_;
    qint64 produced_ = 0;
};

QByteArray TestReplay::cli(const QStringList& args, const QString& stream)
{
    QProcess p;
    p.start(qEnvironmentVariable("SHOPSTREAM_CLI"),
            QStringList{QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--stream"), stream} + args);
    if (!p.waitForFinished(180000) || p.exitCode() != 0)
        qWarning().noquote() << "shopstream-cli" << args << "failed:" << p.readAllStandardError();
    return p.readAllStandardOutput();
}

json TestReplay::cliState(const QString& untilId)
{
    return json::parse(cli({QStringLiteral("state"), QStringLiteral("--json"), QStringLiteral("--from-scratch"),
                            QStringLiteral("--until"), untilId})
                           .toStdString());
}

json TestReplay::timelineState() const
{
    return json::parse(shop::stateToJson(session_->replay()->timeline().state(), kStream.toStdString()));
}

json TestReplay::historyModels() const
{
    using shop::app::ItemListModel;
    using shop::app::UserListModel;
    std::map<std::int64_t, json> users;
    const UserListModel* u = session_->replay()->users();
    for (int row = 0; row < u->rowCount(); ++row) {
        const QModelIndex i = u->index(row);
        const std::int64_t id = i.data(UserListModel::UserIdRole).toString().toLongLong();
        users[id] = {{"id", id},
                     {"name", i.data(UserListModel::NameRole).toString().toStdString()},
                     {"balance", i.data(UserListModel::BalanceRole).toLongLong()},
                     {"spent", i.data(UserListModel::SpentRole).toLongLong()},
                     {"orders", i.data(UserListModel::OrdersRole).toLongLong()}};
    }
    std::map<std::string, json> items;
    const ItemListModel* it = session_->replay()->items();
    for (int row = 0; row < it->rowCount(); ++row) {
        const QModelIndex i = it->index(row);
        const std::string id = i.data(ItemListModel::ItemIdRole).toString().toStdString();
        items[id] = {{"id", id},
                     {"name", i.data(ItemListModel::NameRole).toString().toStdString()},
                     {"price", i.data(ItemListModel::PriceRole).toLongLong()},
                     {"stock", i.data(ItemListModel::StockRole).toLongLong()},
                     {"sold", i.data(ItemListModel::SoldRole).toLongLong()}};
    }
    json out = {{"users", json::array()}, {"items", json::array()}};
    for (auto& [id, row] : users)
        out["users"].push_back(std::move(row));
    for (auto& [id, row] : items)
        out["items"].push_back(std::move(row));
    return out;
}

void TestReplay::initTestCase()
{
    QVERIFY2(!qEnvironmentVariableIsEmpty("SHOPSTREAM_CLI"), "SHOPSTREAM_CLI must name the shopstream-cli to use");
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    cli({QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("1500"), QStringLiteral("--users"),
         QStringLiteral("30"), QStringLiteral("--items"), QStringLiteral("15"), QStringLiteral("--seed"), QStringLiteral("9")});
    cli({QStringLiteral("snapshot"), QStringLiteral("save")});
    cli({QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("1000"), QStringLiteral("--users"),
         QStringLiteral("30"), QStringLiteral("--items"), QStringLiteral("15"), QStringLiteral("--seed"), QStringLiteral("10")});
    produced_ = 2500;

    session_ = std::make_unique<ShopSession>(nullptr);
    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = kStream;
    options.snapshotIntervalMs = 0;
    QVERIFY(session_->start(options));
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp() && session_->historyComplete(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->replay()->length(), produced_, kTimeoutMs);
}

void TestReplay::cleanupTestCase() { session_.reset(); }

void TestReplay::historyIsCompleteAfterARestore()
{
    // The consumer started from the snapshot at entry 1500; the events list and the
    // timeline still hold every entry, in order.
    QCOMPARE(session_->events()->totalCount(), produced_);
    QCOMPARE(session_->replay()->length(), produced_);
    QVERIFY(session_->replay()->available());
    const QByteArray ids = cli({QStringLiteral("events"), QStringLiteral("--count"), QStringLiteral("0"), QStringLiteral("--json")});
    const json rows = json::parse(ids.toStdString());
    QCOMPARE(qint64(rows.size()), produced_);
    for (qint64 i : {qint64(0), qint64(1499), qint64(1500), produced_ - 1})
        QCOMPARE(session_->replay()->entryIdAt(i + 1), QString::fromStdString(rows[std::size_t(i)]["id"].get<std::string>()));
}

void TestReplay::statesMatchTheCliAtRandomPositions()
{
    std::mt19937_64 rng(20261127);
    std::vector<qint64> positions = {1, 2, 1499, 1500, 1501, produced_};
    for (int i = 0; i < 24; ++i)
        positions.push_back(1 + qint64(rng() % std::uint64_t(produced_)));
    for (qint64 p : positions) {
        session_->replay()->seek(p);
        QCOMPARE(session_->replay()->position(), p);
        const QString id = session_->replay()->entryIdAt(p);
        const json ours = timelineState();
        const json theirs = cliState(id);
        QVERIFY2(ours == theirs, qPrintable(QStringLiteral("position %1 (%2):\nours   %3\ntheirs %4")
                                                .arg(p)
                                                .arg(id, QString::fromStdString(ours.dump().substr(0, 400)),
                                                     QString::fromStdString(theirs.dump().substr(0, 400)))));
        // The tables show the same rows, whichever way the seek went (rows that did not exist
        // yet removed, the others updated in place).
        const json tables = historyModels();
        QVERIFY2(tables["users"] == theirs["users"] && tables["items"] == theirs["items"],
                 qPrintable(QStringLiteral("position %1: the history tables differ from the state").arg(p)));
    }
    session_->replay()->goLive();
    QVERIFY(session_->replay()->live());
}

void TestReplay::stepsAndSeeksAgree()
{
    auto* replay = session_->replay();
    replay->seek(1200);
    for (int i = 0; i < 40; ++i)
        replay->stepForward();
    QCOMPARE(replay->position(), qint64(1240));
    const json stepped = timelineState();
    replay->seek(1240);
    QCOMPARE(timelineState(), stepped);
    for (int i = 0; i < 40; ++i)
        replay->stepBack();
    QCOMPARE(replay->position(), qint64(1200));
    const json back = timelineState();
    replay->seek(10);
    replay->seek(1200);
    QCOMPARE(timelineState(), back);
    replay->goLive();
}

void TestReplay::seekByIdAndTime()
{
    auto* replay = session_->replay();
    const QString id = replay->entryIdAt(777);
    QVERIFY(replay->seekToEntry(id));
    QCOMPARE(replay->position(), qint64(777));
    QCOMPARE(replay->current().value(QStringLiteral("entryId")).toString(), id);
    QVERIFY(!replay->seekToEntry(QStringLiteral("1-999999")));
    QVERIFY(!replay->seekToTime(QStringLiteral("not a time")));
    // A time after the last entry shows the head; before the first, the empty shop.
    QVERIFY(replay->seekToTime(QStringLiteral("2999-01-01 00:00")));
    QCOMPARE(replay->position(), produced_);
    QVERIFY(replay->seekToTime(QStringLiteral("1971-01-01")));
    QCOMPARE(replay->position(), qint64(0));
    replay->goLive();
}

void TestReplay::compareListsWhatChanged()
{
    const qint64 from = 400, to = 900;
    const QVariantMap diff = session_->replay()->compare(from, to);
    const json a = cliState(session_->replay()->entryIdAt(from));
    const json b = cliState(session_->replay()->entryIdAt(to));
    // Users that differ between the two CLI states, by id.
    std::map<std::int64_t, json> before, after;
    for (const json& u : a["users"])
        before[u["id"].get<std::int64_t>()] = u;
    for (const json& u : b["users"])
        after[u["id"].get<std::int64_t>()] = u;
    std::set<std::int64_t> changed;
    for (const auto& [id, u] : after) {
        if (!before.count(id) || before[id] != u)
            changed.insert(id);
    }
    std::set<std::int64_t> listed;
    for (const QVariant& row : diff.value(QStringLiteral("users")).toList()) {
        const QVariantMap m = row.toMap();
        listed.insert(m.value(QStringLiteral("id")).toLongLong());
        const QVariantMap newer = m.value(QStringLiteral("after")).toMap();
        QCOMPARE(newer.value(QStringLiteral("balance")).toLongLong(),
                 qint64(after[m.value(QStringLiteral("id")).toLongLong()]["balance"].get<std::int64_t>()));
    }
    QVERIFY(!changed.empty());
    QVERIFY(listed == changed);
    QCOMPARE(session_->replay()->compare(to, to).value(QStringLiteral("users")).toList().size(), 0);
}

void TestReplay::historyModelsShowTheStateAtThePoint()
{
    auto* replay = session_->replay();
    replay->seek(1000);
    const json at = cliState(replay->entryIdAt(1000));
    QCOMPARE(replay->users()->rowCount(), int(at["users"].size()));
    for (const json& u : at["users"]) {
        const int row = replay->users()->rowOf(u["id"].get<std::int64_t>());
        QVERIFY(row >= 0);
        const QModelIndex index = replay->users()->index(row);
        QCOMPARE(index.data(shop::app::UserListModel::BalanceRole).toLongLong(), qint64(u["balance"].get<std::int64_t>()));
    }
    // A step forward updates the touched rows in place.
    replay->stepForward();
    const json next = cliState(replay->entryIdAt(1001));
    for (const json& u : next["users"]) {
        const int row = replay->users()->rowOf(u["id"].get<std::int64_t>());
        QCOMPARE(replay->users()->index(row).data(shop::app::UserListModel::BalanceRole).toLongLong(),
                 qint64(u["balance"].get<std::int64_t>()));
    }
    replay->goLive();
}

// The Snapshots page's restore: drop the state, load the chosen snapshot, replay the tail
// (with progress), and end with the whole history again.
void TestReplay::restoreFromAChosenSnapshot()
{
    session_->refreshSnapshots();
    QTRY_VERIFY_WITH_TIMEOUT(session_->snapshots()->rowCount() > 0, kTimeoutMs);
    const QStringList ids = session_->snapshots()->snapshotIds();
    const QString id = ids.last(); // the oldest: newest first
    bool sawProgress = false;
    QObject::connect(session_.get(), &ShopSession::progressChanged, this, [&] {
        sawProgress = sawProgress || session_->progress() >= 0;
    });
    session_->restoreSnapshot(id);
    QTRY_VERIFY_WITH_TIMEOUT(!session_->caughtUp(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session_->caughtUp() && session_->historyComplete(), kTimeoutMs);
    QVERIFY(sawProgress);
    QTRY_COMPARE_WITH_TIMEOUT(session_->replay()->length(), produced_, kTimeoutMs);
    QCOMPARE(session_->events()->totalCount(), produced_);
    // The live state after the restore equals the CLI's from scratch.
    session_->replay()->seek(produced_);
    QCOMPARE(timelineState(), cliState(session_->replay()->entryIdAt(produced_)));
    const json head = cliState(session_->replay()->entryIdAt(produced_));
    for (const json& u : head["users"]) {
        const int row = session_->users()->rowOf(u["id"].get<std::int64_t>());
        QVERIFY(row >= 0);
        QCOMPARE(session_->users()->index(row).data(shop::app::UserListModel::BalanceRole).toLongLong(),
                 qint64(u["balance"].get<std::int64_t>()));
    }
    session_->replay()->goLive();
}

// While catching up, the progress row, the counts and the lag come from the same two
// numbers (the entries shown, the head): at every progress update "Replaying X of Y" has X the
// entries counted and Y - X the lag (they used to come from the consumer's status and the
// window's batches, a frame apart).
void TestReplay::progressAgreesWithTheCounts()
{
    const QString stream = QStringLiteral("replay:progress");
    cli({QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("150000"), QStringLiteral("--seed"),
         QStringLiteral("11")}, stream);
    ShopSession session(nullptr);
    int checked = 0;
    QStringList mismatches;
    const QRegularExpression numbers(QStringLiteral("^Replaying ([0-9,. \u00a0\u202f]+) of ([0-9,. \u00a0\u202f]+) events"));
    connect(&session, &ShopSession::progressChanged, this, [&] {
        const QRegularExpressionMatch m = numbers.match(session.progressText());
        if (session.progress() < 0 || !m.hasMatch())
            return;
        const auto value = [](QString text) { return text.remove(QRegularExpression(QStringLiteral("[^0-9]"))).toLongLong(); };
        const qint64 done = value(m.captured(1)), all = value(m.captured(2));
        ++checked;
        if (done != session.totalEvents() || all - done != session.lag())
            mismatches << QStringLiteral("%1 of %2 with %3 counted, lag %4").arg(done).arg(all).arg(session.totalEvents()).arg(session.lag());
    });
    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = stream;
    options.snapshotIntervalMs = 0;
    QVERIFY(session.start(options));
    QTRY_VERIFY_WITH_TIMEOUT(session.caughtUp(), 60000);
    QVERIFY2(checked > 0, "progress was reported");
    QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QStringLiteral("; "))));
    QCOMPARE(session.lag(), 0);
    session.stop();
}

// While live, appended entries move the position (the slider) but not the shown point's
// entry, touched rows and counts: nothing shows them live, and their bindings cost the window
// at every batch. A seek into history notifies them, with the entry there.
void TestReplay::liveAppendsLeaveTheCursorAlone()
{
    auto* replay = session_->replay();
    replay->goLive();
    QSignalSpy position(replay, &shop::app::ReplayController::positionChanged);
    QSignalSpy cursor(replay, &shop::app::ReplayController::cursorChanged);
    cli({QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("40"), QStringLiteral("--users"),
         QStringLiteral("30"), QStringLiteral("--items"), QStringLiteral("15"), QStringLiteral("--seed"), QStringLiteral("12")});
    produced_ += 40;
    QTRY_COMPARE_WITH_TIMEOUT(replay->length(), produced_, kTimeoutMs);
    QVERIFY(position.count() > 0);
    QCOMPARE(cursor.count(), 0);
    replay->seek(produced_ - 1);
    QVERIFY(cursor.count() > 0);
    QCOMPARE(replay->current().value(QStringLiteral("entryId")).toString(), replay->entryIdAt(produced_ - 1));
    replay->goLive();
}

QTEST_MAIN(TestReplay)
// The history before a restored snapshot loads on a job of its own: the window is live at
// once, and an edit made meanwhile is appended and answered without waiting for it (the
// writer's thread no longer replays the history; the answer does not wait in line with the
// older entries). kLongEvents entries before the snapshot take far longer to replay than one
// append's round trip.
void TestReplay::anEditIsAnsweredWhileTheHistoryLoads()
{
    const QString stream = QStringLiteral("replay:long");
    cli({QStringLiteral("produce"), QStringLiteral("--events"), QString::number(kLongEvents), QStringLiteral("--users"),
         QStringLiteral("2000"), QStringLiteral("--items"), QStringLiteral("200"), QStringLiteral("--seed"), QStringLiteral("4")},
        stream);
    cli({QStringLiteral("snapshot"), QStringLiteral("save")}, stream);

    ShopSession session(nullptr);
    qint64 listedWhenAnswered = -1; // entries in the events list when the answer came
    QString finished;
    QObject::connect(&session, &ShopSession::commandFinished, this,
                     [&](const QString&, bool applied, const QString& reason) {
                         listedWhenAnswered = session.events()->totalCount();
                         finished = applied ? QStringLiteral("applied") : reason;
                     });
    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = stream;
    options.snapshotIntervalMs = 0;
    QVERIFY(session.start(options));
    QTRY_VERIFY_WITH_TIMEOUT(session.caughtUp(), kTimeoutMs);
    QVERIFY2(!session.historyComplete(), "the history loaded before the test could edit; make it longer");
    session.submit(QStringLiteral("TopUp"), QVariantMap{{QStringLiteral("userId"), 1}, {QStringLiteral("amount"), 500}});
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kTimeoutMs);
    QCOMPARE(finished, QStringLiteral("applied"));
    QVERIFY2(listedWhenAnswered < kLongEvents,
             qPrintable(QStringLiteral("the edit's answer waited for the history (%1 entries listed)").arg(listedWhenAnswered)));
    // And the history then arrives whole, the edit last.
    QTRY_VERIFY_WITH_TIMEOUT(session.historyComplete(), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(session.replay()->length(), kLongEvents + 1, kTimeoutMs);
    QCOMPARE(session.events()->totalCount(), kLongEvents + 1);
}

// Replaying from scratch again and again while the consumer is catching up: batches and
// signals the replaced consumers had already sent must not land in the new one's window (each
// consumer's batches carry its generation). In the end every entry is listed exactly once.
void TestReplay::restartsMidCatchUpLeaveNoStaleBatches()
{
    const QString stream = QStringLiteral("replay:long"); // kLongEvents + 1 entries (the test above)
    ShopSession session(nullptr);
    shop::app::SessionOptions options;
    options.redisUrl = server_.urlText();
    options.stream = stream;
    options.snapshotIntervalMs = 0;
    QVERIFY(session.start(options));
    for (int i = 0; i < 4; ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(session.events()->totalCount() > 0, kTimeoutMs);
        session.replayFromScratch();
    }
    QTRY_VERIFY_WITH_TIMEOUT(session.caughtUp() && session.historyComplete(), 60000);
    QTRY_COMPARE_WITH_TIMEOUT(session.totalEvents(), kLongEvents + 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session.events()->totalCount(), kLongEvents + 1, kTimeoutMs);
    QCOMPARE(session.replay()->length(), kLongEvents + 1);
    QTest::qWait(300); // anything still on its way would land now
    QCOMPARE(session.events()->totalCount(), kLongEvents + 1);
    QCOMPARE(session.replay()->length(), kLongEvents + 1);
}

#include "test_replay.moc"
