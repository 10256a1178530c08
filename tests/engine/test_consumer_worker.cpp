// ConsumerWorker on its ConsumerThread against a real redis-server, observed the way the GUI
// observes it (queued signals on the test's thread): catch-up equals a rebuild from scratch,
// batches are coalesced yet carry every verdict once and in order, live entries arrive,
// a restarted consumer resumes from its snapshot, a killed and restarted server is survived
// with nothing lost or doubled, timed snapshots only when something changed, a stream
// trimmed past its position (a gap: stop, say so, go on when told, record it), a stream
// deleted and written again while followed (rebuilt, never merged), and clear failures for
// wrong credentials.
#include "engine/consumer_worker.hpp"
#include "engine/engine_types.hpp"

#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "redis/keys.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

using shop::Item;
using shop::Reason;
using shop::ShopState;
using shop::User;
using shop::UserId;
using shop::engine::ConnectionState;
using shop::engine::ConsumerBatch;
using shop::engine::ConsumerOptions;
using shop::engine::ConsumerStatus;
using shop::engine::ConsumerThread;
using shop::engine::ConsumerWorker;
using shop::redis::AppendRequest;
using shop::redis::Connection;
using shop::redis::StreamWriter;

namespace {

QString text(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// Every signal of one worker, received on the test's thread through queued connections,
// and the state a list model would hold after applying the batches.
struct Recorder {
    QObject context; // lives on the test's thread: connections to it are queued
    std::vector<ConsumerBatch> batches;
    std::vector<ConsumerStatus> statuses;
    QStringList restoredIds;
    qint64 restoredTotal = -1;
    QStringList restoredWarnings;
    int caughtUpCount = 0;
    qint64 caughtUpTotal = -1;
    qint64 caughtUpReplayed = -1;
    QStringList snapshots;
    QStringList snapshotFailures;
    QStringList failures;
    QStringList resets;
    std::vector<shop::engine::StreamGap> gaps;
    int stoppedCount = 0;

    std::map<UserId, User> users;
    std::map<std::string, Item> items;
    std::vector<std::string> verdictIds;
    std::vector<Reason> verdictReasons;

    void attach(ConsumerWorker* worker)
    {
        QObject::connect(worker, &ConsumerWorker::batchReady, &context, [this](const ConsumerBatch& b) {
            if (b.reset) {
                users.clear();
                items.clear();
            }
            for (const User& u : b.users)
                users[u.id] = u;
            for (const Item& i : b.items)
                items[i.id] = i;
            for (const auto& row : shop::engine::rowsOf(b.history)) {
                verdictIds.push_back(row.id.toString());
                verdictReasons.push_back(row.reason);
            }
            batches.push_back(b);
        });
        QObject::connect(worker, &ConsumerWorker::statusChanged, &context,
                         [this](const ConsumerStatus& s) { statuses.push_back(s); });
        QObject::connect(worker, &ConsumerWorker::restored, &context,
                         [this](const QString& id, qint64 total, const QStringList& warnings) {
                             restoredIds << id;
                             restoredTotal = total;
                             restoredWarnings << warnings;
                         });
        QObject::connect(worker, &ConsumerWorker::caughtUp, &context, [this](qint64 total, qint64 replayed, qint64) {
            ++caughtUpCount;
            caughtUpTotal = total;
            caughtUpReplayed = replayed;
        });
        QObject::connect(worker, &ConsumerWorker::snapshotSaved, &context,
                         [this](const QString& id, qint64) { snapshots << id; });
        QObject::connect(worker, &ConsumerWorker::snapshotFailed, &context,
                         [this](const QString& message) { snapshotFailures << message; });
        QObject::connect(worker, &ConsumerWorker::failed, &context, [this](const QString& message) { failures << message; });
        QObject::connect(worker, &ConsumerWorker::streamReset, &context, [this](const QString& why) { resets << why; });
        QObject::connect(worker, &ConsumerWorker::gapFound, &context,
                         [this](const shop::engine::StreamGap& gap) { gaps.push_back(gap); });
        QObject::connect(worker, &ConsumerWorker::stopped, &context, [this] { ++stoppedCount; });
    }

    qint64 total() const { return batches.empty() ? -1 : batches.back().counts.total; }
    QString lastEventId() const { return batches.empty() ? QString() : text(batches.back().lastEventId); }
    int statusCount(ConnectionState state) const
    {
        return int(std::count_if(statuses.begin(), statuses.end(), [&](const ConsumerStatus& s) { return s.state == state; }));
    }
    const ConsumerStatus* lastStatus(ConnectionState state) const
    {
        for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
            if (it->state == state)
                return &*it;
        }
        return nullptr;
    }
    bool isLive() const { return !statuses.empty() && statuses.back().state == ConnectionState::Live; }
};

// A worker on its thread with its recorder; destruction shuts the thread down first.
struct Consumer {
    explicit Consumer(ConsumerOptions options) : thread(std::move(options)) { recorder.attach(thread.worker()); }
    void start() { thread.start(); }
    ConsumerWorker* worker() const { return thread.worker(); }

    Recorder recorder;
    ConsumerThread thread;
};

ConsumerOptions optionsFor(const TestRedisServer& server, const std::string& stream)
{
    ConsumerOptions o;
    o.url = server.url();
    o.targetDescription = server.urlText();
    o.stream = stream;
    o.snapshotIntervalMs = 0;
    o.blockMs = 50;
    o.statusIntervalMs = 100;
    return o;
}

// Simulated traffic into one stream; write() continues the same simulation.
class Producer {
public:
    Producer(Connection& c, std::string stream, std::uint64_t seed)
        : sim_(shop::SimulatorOptions{.users = 40, .items = 20, .seed = seed, .legacy = false}), writer_(c, std::move(stream))
    {
    }
    std::size_t write(std::size_t n)
    {
        std::vector<AppendRequest> requests(n);
        shop::SimEntry e;
        for (AppendRequest& r : requests) {
            sim_.next(e);
            r.type = e.type;
            r.data = e.data;
            r.actor = "simulator";
        }
        return writer_.appendBatch(requests);
    }
    QString error() const { return QString::fromStdString(writer_.error()); }

private:
    shop::ShopSimulator sim_;
    StreamWriter writer_;
};

// The in-memory truth: every entry read back with XRANGE and applied with processEntry.
struct Rebuild {
    ShopState state;
    std::vector<std::string> ids;
    std::vector<Reason> reasons;
};

bool rebuild(Connection& c, const std::string& stream, Rebuild& out, QString& error)
{
    shop::redis::StreamReader reader(c, stream);
    shop::redis::EntryBatch batch;
    shop::Event scratch;
    for (;;) {
        const std::string after = out.state.lastEventId.empty() ? std::string("0-0") : out.state.lastEventId;
        if (!reader.range(after, 1000, batch)) {
            error = QString::fromStdString(reader.error());
            return false;
        }
        for (const shop::RawEntry& entry : batch.entries) {
            out.ids.emplace_back(entry.id);
            out.reasons.push_back(shop::processEntry(out.state, entry, scratch));
        }
        if (batch.entries.size() < 1000)
            return true;
    }
}

qint64 xlen(Connection& c, const std::string& stream) { return c.command({"XLEN", stream}).integer(); }

// Empty when the recorder's model holds exactly the users and items of `state`.
QString modelDifference(const Recorder& r, const ShopState& state)
{
    if (r.users.size() != state.users().size())
        return QStringLiteral("%1 users in the model, %2 in the state").arg(r.users.size()).arg(state.users().size());
    if (r.items.size() != state.items().size())
        return QStringLiteral("%1 items in the model, %2 in the state").arg(r.items.size()).arg(state.items().size());
    for (const User* u : state.sortedUsers()) {
        const auto it = r.users.find(u->id);
        if (it == r.users.end())
            return QStringLiteral("user %1 missing").arg(u->id);
        const User& m = it->second;
        if (m.name != u->name || m.balance != u->balance || m.spent != u->spent || m.orders != u->orders)
            return QStringLiteral("user %1: model balance %2 spent %3 orders %4, state %5 %6 %7")
                .arg(u->id)
                .arg(m.balance)
                .arg(m.spent)
                .arg(m.orders)
                .arg(u->balance)
                .arg(u->spent)
                .arg(u->orders);
    }
    for (const Item* i : state.sortedItems()) {
        const auto it = r.items.find(i->id);
        if (it == r.items.end())
            return QStringLiteral("item %1 missing").arg(QString::fromStdString(i->id));
        const Item& m = it->second;
        if (m.name != i->name || m.price != i->price || m.stock != i->stock || m.sold != i->sold)
            return QStringLiteral("item %1: model price %2 stock %3 sold %4, state %5 %6 %7")
                .arg(QString::fromStdString(i->id))
                .arg(m.price)
                .arg(m.stock)
                .arg(m.sold)
                .arg(i->price)
                .arg(i->stock)
                .arg(i->sold);
    }
    return {};
}

QString countsText(const shop::VerdictCounts& c)
{
    return QStringLiteral("total %1 applied %2 rejected %3").arg(c.total).arg(c.applied).arg(c.rejected);
}

} // namespace

class TestConsumerWorker : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void catchUpEqualsRebuildFromScratch();
    void batchesAreCoalescedAndCarryEveryVerdictOnce();
    void followsEntriesAppendedAtTheHead();
    void restartedConsumerResumesFromItsSnapshot();
    void survivesServerKillAndRestart();
    void timedSnapshotsOnlyWhenSomethingChanged();
    void streamTrimmedPastSnapshotFailsLoudly_data();
    void streamTrimmedPastSnapshotFailsLoudly();
    void streamResetIsRebuilt();
    void wrongCredentialsFailQuicklyWithoutRetrying_data();
    void wrongCredentialsFailQuicklyWithoutRetrying();

private:
    TestRedisServer server_;
    Connection c_;
};

void TestConsumerWorker::initTestCase()
{
    shop::engine::registerEngineMetaTypes();
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

void TestConsumerWorker::catchUpEqualsRebuildFromScratch()
{
    const std::string stream = "cw:catchup";
    Producer producer(c_, stream, 7);
    QCOMPARE(producer.write(3000), std::size_t(3000));

    Consumer consumer(optionsFor(server_, stream));
    const Recorder& r = consumer.recorder;
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 20000);
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));

    Rebuild expected;
    QString error;
    QVERIFY2(rebuild(c_, stream, expected, error), qPrintable(error));
    QVERIFY(expected.state.counts.applied > 0 && expected.state.counts.rejected > 0); // mixed traffic

    QCOMPARE(r.restoredIds, QStringList{QString()}); // no snapshot: from the start
    QCOMPARE(r.caughtUpTotal, qint64(3000));
    QCOMPARE(r.caughtUpReplayed, qint64(3000));
    QVERIFY(!r.batches.empty());
    QVERIFY(r.batches.front().reset);
    const ConsumerBatch& last = r.batches.back();
    QVERIFY2(last.counts == expected.state.counts,
             qPrintable(countsText(last.counts) + QStringLiteral(" vs ") + countsText(expected.state.counts)));
    QCOMPARE(text(last.lastEventId), text(expected.state.lastEventId));
    const QString diff = modelDifference(r, expected.state);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
    QVERIFY(r.verdictIds == expected.ids);
    QVERIFY(r.verdictReasons == expected.reasons);

    // And the same as the Redis layer's own loader from scratch.
    ShopState loaded;
    shop::redis::LoadReport report;
    shop::redis::LoadOptions loadOptions;
    loadOptions.fromScratch = true;
    shop::redis::StateLoader loader(c_, stream);
    QVERIFY2(loader.load(loaded, loadOptions, report), report.error.c_str());
    QVERIFY(loaded == expected.state);

    QTRY_VERIFY_WITH_TIMEOUT(r.isLive(), 5000);
    const ConsumerStatus& status = r.statuses.back();
    QCOMPARE(status.stream, QStringLiteral("cw:catchup"));
    QCOMPARE(status.target, server_.urlText());
    QCOMPARE(status.lastEventId, text(expected.state.lastEventId));
}

void TestConsumerWorker::batchesAreCoalescedAndCarryEveryVerdictOnce()
{
    const std::string stream = "cw:coalesce";
    constexpr std::size_t entries = 20000;
    Producer producer(c_, stream, 21);
    QCOMPARE(producer.write(entries), entries);

    ConsumerOptions options = optionsFor(server_, stream);
    options.flushIntervalMs = 33;
    options.batchSize = 100; // 200 reads: one signal per read would be far too many
    Consumer consumer(options);
    const Recorder& r = consumer.recorder;
    QElapsedTimer clock;
    clock.start();
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 60000);
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));

    // At most one batch per flush interval (plus the one at catch-up), and far fewer than
    // the entries or the reads.
    const auto signals_ = static_cast<qint64>(r.batches.size());
    QVERIFY2(signals_ <= elapsed / 30 + 2,
             qPrintable(QStringLiteral("%1 batchReady signals in %2 ms").arg(signals_).arg(elapsed)));
    QVERIFY2(signals_ < qint64(entries / 20), qPrintable(QStringLiteral("%1 batchReady signals").arg(signals_)));

    // Yet every verdict, in order, each id once.
    Rebuild expected;
    QString error;
    QVERIFY2(rebuild(c_, stream, expected, error), qPrintable(error));
    QCOMPARE(expected.ids.size(), entries);
    QCOMPARE(r.verdictIds.size(), entries);
    QVERIFY(r.verdictIds == expected.ids);
    QVERIFY(r.verdictReasons == expected.reasons);
    QSet<QString> unique;
    for (const std::string& id : r.verdictIds)
        unique.insert(QString::fromStdString(id));
    QCOMPARE(unique.size(), qsizetype(entries));
    // Each batch's counts are the running totals after its verdicts.
    qint64 running = 0;
    for (const ConsumerBatch& b : r.batches) {
        running += static_cast<qint64>(b.history.count);
        QCOMPARE(b.counts.total, running);
        if (!b.history.empty())
            QCOMPARE(text(b.lastEventId), text(shop::engine::rowsOf(b.history).back().id.toString()));
    }
    QVERIFY(r.batches.back().counts == expected.state.counts);
    const QString diff = modelDifference(r, expected.state);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestConsumerWorker::followsEntriesAppendedAtTheHead()
{
    const std::string stream = "cw:live";
    Producer producer(c_, stream, 3);
    QCOMPARE(producer.write(200), std::size_t(200));

    ConsumerOptions options = optionsFor(server_, stream);
    options.historyNames = std::make_shared<shop::engine::HistoryNames>(); // to read its rows below
    Consumer consumer(options);
    const Recorder& r = consumer.recorder;
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 20000);
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));
    QTRY_VERIFY_WITH_TIMEOUT(r.isLive(), 5000);

    StreamWriter writer(c_, stream);
    auto append = [&](const char* type, const char* data) {
        AppendRequest request;
        request.type = type;
        request.data = data;
        request.actor = "tester";
        return writer.append(request);
    };
    auto seen = [&](const std::string& id) { return std::find(r.verdictIds.begin(), r.verdictIds.end(), id) != r.verdictIds.end(); };

    const auto topUp = append("TopUp", R"({"userId":424242,"amount":777})");
    const auto addItem = append("AddItem", R"({"itemId":"live-item","count":5,"price":250,"name":"Live"})");
    QVERIFY2(topUp.ok && addItem.ok, (topUp.error + addItem.error).c_str());
    QTRY_VERIFY_WITH_TIMEOUT(seen(addItem.id), 5000);
    QVERIFY(seen(topUp.id));
    QVERIFY(r.users.count(424242));
    QCOMPARE(r.users.at(424242).balance, std::int64_t(777));
    QVERIFY(r.items.count("live-item"));
    QCOMPARE(r.items.at("live-item").stock, std::int64_t(5));
    QCOMPARE(r.items.at("live-item").price, std::int64_t(250));
    QCOMPARE(text(r.items.at("live-item").name), QStringLiteral("Live"));

    const auto order = append("Order", R"({"userId":424242,"lines":[{"itemId":"live-item","qty":2}]})");
    QVERIFY2(order.ok, order.error.c_str());
    QTRY_VERIFY_WITH_TIMEOUT(seen(order.id), 5000);
    const User& user = r.users.at(424242);
    QCOMPARE(user.balance, std::int64_t(277));
    QCOMPARE(user.spent, std::int64_t(500));
    QCOMPARE(user.orders, std::int64_t(1));
    const Item& item = r.items.at("live-item");
    QCOMPARE(item.stock, std::int64_t(3));
    QCOMPARE(item.sold, std::int64_t(2));
    QCOMPARE(r.lastEventId(), text(order.id));

    // The batch that carried the order names only the rows it changed, with the verdict.
    const auto carrying = std::find_if(r.batches.begin(), r.batches.end(), [&](const ConsumerBatch& b) {
        return !b.history.empty() && shop::engine::rowsOf(b.history).back().id.toString() == order.id;
    });
    QVERIFY(carrying != r.batches.end());
    QVERIFY(!carrying->reset);
    QCOMPARE(carrying->users.size(), std::size_t(1));
    QCOMPARE(carrying->users.front().id, UserId(424242));
    QCOMPARE(carrying->items.size(), std::size_t(1));
    QCOMPARE(text(carrying->items.front().id), QStringLiteral("live-item"));
    // Its row: the verdict, the names it gave, and the event as applied.
    shop::engine::HistoryStore rows(options.historyNames);
    rows.append(carrying->history);
    const shop::engine::HistoryNames::Reader names(rows.names());
    shop::Event applied;
    const auto verdict = rows.row(rows.size() - 1, applied, names);
    QCOMPARE(verdict.reason, Reason::None);
    QVERIFY(verdict.hasOp);
    QCOMPARE(applied.type, shop::EventType::Order);
    QCOMPARE(names.user(verdict.user), UserId(424242));
    QCOMPARE(std::string(names.item(verdict.item)), std::string("live-item"));
    QCOMPARE(std::string(names.type(verdict.type)), std::string("Order"));

    // A rejected live entry arrives too, with its reason, and changes nothing.
    const auto tooMuch = append("Order", R"({"userId":424242,"lines":[{"itemId":"live-item","qty":3}]})");
    QTRY_VERIFY_WITH_TIMEOUT(seen(tooMuch.id), 5000);
    QCOMPARE(r.verdictReasons.back(), Reason::InsufficientFunds);
    QCOMPARE(r.users.at(424242).balance, std::int64_t(277));

    Rebuild expected;
    QString error;
    QVERIFY2(rebuild(c_, stream, expected, error), qPrintable(error));
    QVERIFY(r.batches.back().counts == expected.state.counts);
    QVERIFY(r.verdictIds == expected.ids);
    const QString diff = modelDifference(r, expected.state);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestConsumerWorker::restartedConsumerResumesFromItsSnapshot()
{
    const std::string stream = "cw:resume";
    Producer producer(c_, stream, 5);
    QCOMPARE(producer.write(1000), std::size_t(1000));
    ConsumerOptions options = optionsFor(server_, stream);
    options.snapshotOnStop = true;

    QString stoppedAt;
    {
        Consumer first(options);
        const Recorder& r = first.recorder;
        first.start();
        QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 20000);
        QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));
        const QString caughtUpAt = r.lastEventId();
        QVERIFY(!caughtUpAt.isEmpty());

        QMetaObject::invokeMethod(first.worker(), &ConsumerWorker::requestSnapshot, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(!r.snapshots.isEmpty() || !r.snapshotFailures.isEmpty(), 5000);
        QVERIFY2(r.snapshotFailures.isEmpty(), qPrintable(r.snapshotFailures.join(QLatin1Char('\n'))));
        QCOMPARE(r.snapshots, QStringList{caughtUpAt});

        QCOMPARE(producer.write(500), std::size_t(500));
        QTRY_COMPARE_WITH_TIMEOUT(r.total(), qint64(1500), 10000);
        stoppedAt = r.lastEventId();
        first.thread.shutdown(); // snapshotOnStop: a last snapshot, since 500 entries came
        QTRY_COMPARE_WITH_TIMEOUT(r.stoppedCount, 1, 5000);
        QCOMPARE(r.snapshots, (QStringList{caughtUpAt, stoppedAt}));
    }

    shop::redis::SnapshotStore store(c_, stream);
    std::vector<shop::redis::SnapshotListing> listing;
    QVERIFY2(store.list(listing), store.error().c_str());
    QCOMPARE(listing.size(), std::size_t(2));
    QCOMPARE(text(listing.back().id), stoppedAt);
    QVERIFY2(listing.back().checked, listing.back().problem.c_str());
    QCOMPARE(listing.back().header.total, std::int64_t(1500));

    QCOMPARE(producer.write(300), std::size_t(300));
    Consumer second(options);
    const Recorder& r = second.recorder;
    second.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 20000);
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));
    QCOMPARE(r.restoredIds, QStringList{stoppedAt});
    QVERIFY(r.restoredWarnings.isEmpty());
    QCOMPARE(r.restoredTotal, qint64(1500));
    QCOMPARE(r.caughtUpReplayed, qint64(300)); // only the tail
    QCOMPARE(r.caughtUpTotal, qint64(1800));

    Rebuild expected;
    QString error;
    QVERIFY2(rebuild(c_, stream, expected, error), qPrintable(error));
    QVERIFY2(r.batches.back().counts == expected.state.counts,
             qPrintable(countsText(r.batches.back().counts) + QStringLiteral(" vs ") + countsText(expected.state.counts)));
    QCOMPARE(r.batches.back().counts.total, xlen(c_, stream)); // nothing applied twice
    QCOMPARE(r.lastEventId(), text(expected.state.lastEventId));
    // The verdicts of the second run are exactly the 300 entries after the snapshot.
    QVERIFY(r.verdictIds == std::vector<std::string>(expected.ids.end() - 300, expected.ids.end()));
    QVERIFY(r.batches.front().reset); // the restored state, as a whole
    const QString diff = modelDifference(r, expected.state);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestConsumerWorker::survivesServerKillAndRestart()
{
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    TestRedisServer::Options serverOptions;
    serverOptions.appendOnly = true;
    serverOptions.dataDir = dataDir.path();
    TestRedisServer server(serverOptions);
    QVERIFY2(server.start(), qPrintable(server.error()));
    Connection c;
    QVERIFY2(c.connect(server.url()), c.error().c_str());

    const std::string stream = "cw:reconnect";
    Producer producer(c, stream, 9);
    QCOMPARE(producer.write(500), std::size_t(500));

    ConsumerOptions options = optionsFor(server, stream);
    Consumer consumer(options);
    const Recorder& r = consumer.recorder;
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 20000);
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));
    QTRY_VERIFY_WITH_TIMEOUT(r.isLive(), 5000);
    QCOMPARE(r.total(), qint64(500));

    server.kill();
    QTRY_VERIFY_WITH_TIMEOUT(r.statusCount(ConnectionState::Disconnected) > 0, 10000);
    const ConsumerStatus* down = r.lastStatus(ConnectionState::Disconnected);
    QVERIFY(down);
    QVERIFY2(!down->message.trimmed().isEmpty(), "a disconnected status says why");
    QVERIFY(r.failures.isEmpty()); // a lost server is not a reason to give up

    // The same data directory, AOF on: the 500 entries are still there.
    QVERIFY2(server.start(), qPrintable(server.error()));
    QVERIFY2(c.reconnect(), c.error().c_str());
    QCOMPARE(xlen(c, stream), qint64(500));
    QCOMPARE(producer.write(300), std::size_t(300));

    QTRY_COMPARE_WITH_TIMEOUT(r.total(), qint64(800), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(r.isLive(), 10000);
    QVERIFY(r.failures.isEmpty());

    Rebuild expected;
    QString error;
    QVERIFY2(rebuild(c, stream, expected, error), qPrintable(error));
    QCOMPARE(expected.ids.size(), std::size_t(800));
    // Nothing lost, nothing applied twice: every id exactly once, in order.
    QCOMPARE(r.verdictIds.size(), expected.ids.size());
    QVERIFY(r.verdictIds == expected.ids);
    QVERIFY(r.batches.back().counts == expected.state.counts);
    QCOMPARE(r.lastEventId(), text(expected.state.lastEventId));
    const QString diff = modelDifference(r, expected.state);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

void TestConsumerWorker::timedSnapshotsOnlyWhenSomethingChanged()
{
    const std::string stream = "cw:timed";
    Producer producer(c_, stream, 13);
    QCOMPARE(producer.write(300), std::size_t(300));

    ConsumerOptions options = optionsFor(server_, stream);
    options.snapshotIntervalMs = 200;
    Consumer consumer(options);
    const Recorder& r = consumer.recorder;
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.caughtUpCount == 1 || !r.failures.isEmpty(), 20000);
    QVERIFY2(r.failures.isEmpty(), qPrintable(r.failures.join(QLatin1Char('\n'))));
    const QString head = r.lastEventId();
    QTRY_VERIFY_WITH_TIMEOUT(!r.snapshots.isEmpty() && r.snapshots.back() == head, 5000);
    QVERIFY(r.snapshotFailures.isEmpty());

    // Five intervals with nothing new: no further snapshot. (Waiting is the only way to
    // see that something does not happen.)
    const qsizetype saved = r.snapshots.size();
    QTest::qWait(1000);
    QCOMPARE(r.snapshots.size(), saved);

    QCOMPARE(producer.write(10), std::size_t(10));
    QTRY_COMPARE_WITH_TIMEOUT(r.total(), qint64(310), 5000);
    const QString newHead = r.lastEventId();
    QTRY_VERIFY_WITH_TIMEOUT(r.snapshots.size() > saved && r.snapshots.back() == newHead, 5000);

    shop::redis::SnapshotStore store(c_, stream);
    std::vector<shop::redis::SnapshotListing> listing;
    QVERIFY2(store.list(listing), store.error().c_str());
    QVERIFY(!listing.empty());
    QCOMPARE(text(listing.back().id), newHead);
    QVERIFY2(listing.back().checked, listing.back().problem.c_str());
    QCOMPARE(listing.back().header.total, std::int64_t(310));
}

void TestConsumerWorker::streamTrimmedPastSnapshotFailsLoudly_data()
{
    QTest::addColumn<bool>("withSnapshot");
    QTest::addColumn<bool>("failOnGap");
    QTest::newRow("trimmed past the newest snapshot, one-shot") << true << true;
    QTest::newRow("trimmed, no snapshot, one-shot") << false << true;
    QTest::newRow("trimmed past the newest snapshot, waits") << true << false;
    QTest::newRow("trimmed, no snapshot, waits") << false << false;
}

// Entries lost before the consumer read them: it applies nothing past the gap and says how
// many, between which ids, and why. A one-shot run fails; otherwise it waits until told to go
// on without them, then the next snapshot records them and a new consumer is not asked again.
void TestConsumerWorker::streamTrimmedPastSnapshotFailsLoudly()
{
    QFETCH(bool, withSnapshot);
    QFETCH(bool, failOnGap);
    const std::string stream = std::string(withSnapshot ? "cw:trimmed" : "cw:trimmed-bare") + (failOnGap ? ":fail" : ":wait");
    Producer producer(c_, stream, 17);
    QCOMPARE(producer.write(100), std::size_t(100));
    if (withSnapshot) {
        ShopState state;
        shop::redis::LoadReport report;
        shop::redis::StateLoader loader(c_, stream);
        QVERIFY2(loader.load(state, {}, report), report.error.c_str());
        shop::redis::SnapshotStore store(c_, stream);
        QVERIFY2(store.save(state, QDateTime::currentMSecsSinceEpoch()), store.error().c_str());
    }
    QCOMPARE(producer.write(100), std::size_t(100));
    QStringList ids; // every id before the trim
    {
        const shop::redis::Reply all = c_.command({"XRANGE", stream, "-", "+"});
        const shop::redis::ReplyView view(all.raw());
        for (std::size_t i = 0; i < view.size(); ++i)
            ids << text(view[i][0].str());
    }
    QCOMPARE(ids.size(), 200);
    QCOMPARE(c_.command({"XTRIM", stream, "MAXLEN", "20"}).integer(), std::int64_t(180));
    const qint64 lost = withSnapshot ? 80 : 180;

    ConsumerOptions options = optionsFor(server_, stream);
    options.failOnGap = failOnGap;
    auto consumer = std::make_unique<Consumer>(options);
    const Recorder& r = consumer->recorder;
    consumer->start();
    QTRY_COMPARE_WITH_TIMEOUT(r.gaps.size(), std::size_t(1), 10000);
    const shop::engine::StreamGap gap = r.gaps.front();
    QCOMPARE(gap.missing, lost);
    QCOMPARE(gap.cause, QStringLiteral("trimmed"));
    QVERIFY2(gap.message.contains(QString::number(lost)) && gap.message.contains(QLatin1String("trimmed")),
             qPrintable(gap.message));
    QCOMPARE(gap.after, withSnapshot ? ids[99] : QString());
    QCOMPARE(gap.before, ids[180]);
    QCOMPARE(r.restoredIds, QStringList{withSnapshot ? ids[99] : QString()});
    // Nothing past the gap was applied.
    for (const ConsumerBatch& b : r.batches)
        QVERIFY(b.history.empty());
    QCOMPARE(r.caughtUpCount, 0);
    if (failOnGap) {
        QTRY_COMPARE_WITH_TIMEOUT(r.stoppedCount, 1, 5000);
        QCOMPARE(r.failures.size(), 1);
        QVERIFY2(r.failures.front().contains(QLatin1String("trimmed")), qPrintable(r.failures.front()));
        const ConsumerStatus* failed = r.lastStatus(ConnectionState::Failed);
        QVERIFY(failed);
        QCOMPARE(failed->message, r.failures.front());
        return;
    }
    QTRY_VERIFY(r.lastStatus(ConnectionState::Gap));
    QVERIFY(r.failures.isEmpty());
    // No snapshot across the gap, timed or asked for.
    QMetaObject::invokeMethod(consumer->worker(), &ConsumerWorker::requestSnapshot, Qt::QueuedConnection);
    QTRY_COMPARE(r.snapshotFailures.size(), 1);
    QVERIFY2(r.snapshotFailures.front().contains(QLatin1String("gap")), qPrintable(r.snapshotFailures.front()));

    // Go on without them: the rest arrives, the skipped entries are counted as covered.
    QMetaObject::invokeMethod(consumer->worker(), &ConsumerWorker::acceptGap, Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(r.caughtUpCount, 1, 10000);
    QTRY_COMPARE(r.total(), withSnapshot ? qint64(120) : qint64(20));
    QTRY_VERIFY(r.isLive());
    QTRY_VERIFY(!r.statuses.empty() && r.statuses.back().lag == 0);
    QMetaObject::invokeMethod(consumer->worker(), &ConsumerWorker::requestSnapshot, Qt::QueuedConnection);
    QTRY_COMPARE(r.snapshots.size(), 1);
    consumer.reset();

    // A new consumer restores that snapshot and finds no gap: it was recorded.
    Consumer again(optionsFor(server_, stream));
    again.start();
    QTRY_COMPARE_WITH_TIMEOUT(again.recorder.caughtUpCount, 1, 10000);
    QVERIFY(again.recorder.gaps.empty());
    QCOMPARE(again.recorder.restoredIds, QStringList{ids.back()});
    QCOMPARE(again.recorder.total(), withSnapshot ? qint64(120) : qint64(20));
}

// The stream deleted and written again while the consumer follows: it says so, drops the
// old shop, and ends with exactly what the new stream holds; no snapshot of a merged shop.
void TestConsumerWorker::streamResetIsRebuilt()
{
    const std::string stream = "cw:reset";
    Producer producer(c_, stream, 23);
    QCOMPARE(producer.write(300), std::size_t(300));
    ConsumerOptions options = optionsFor(server_, stream);
    options.snapshotIntervalMs = 100;
    Consumer consumer(options);
    const Recorder& r = consumer.recorder;
    consumer.start();
    QTRY_COMPARE_WITH_TIMEOUT(r.caughtUpCount, 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!r.snapshots.isEmpty(), 5000);

    // Deleted and written again with fewer entries, then with more than before (so that
    // neither the count nor the ids alone could tell).
    for (int round = 0; round < 2; ++round) {
        const int resetsBefore = int(r.resets.size());
        QCOMPARE(c_.command({"DEL", stream}).integer(), qint64(1));
        Producer fresh(c_, stream, 100 + static_cast<std::uint64_t>(round));
        const std::size_t count = round == 0 ? 50 : 700;
        QCOMPARE(fresh.write(count), count);
        QTRY_VERIFY_WITH_TIMEOUT(int(r.resets.size()) > resetsBefore, 10000);
        QVERIFY2(r.resets.back().contains(QLatin1String("reset")), qPrintable(r.resets.back()));
        // Ends with the new stream's shop, from scratch.
        ShopState expected;
        shop::redis::LoadReport report;
        shop::redis::LoadOptions fromScratch;
        fromScratch.fromScratch = true;
        shop::redis::StateLoader loader(c_, stream);
        QVERIFY2(loader.load(expected, fromScratch, report), report.error.c_str());
        QTRY_COMPARE_WITH_TIMEOUT(r.total(), expected.counts.total, 10000);
        QTRY_VERIFY(r.isLive());
        QCOMPARE(r.lastEventId(), text(expected.lastEventId));
        QCOMPARE(qint64(r.users.size()), qint64(expected.users().size()));
        for (const auto& [id, user] : expected.users())
            QVERIFY(r.users.count(id) && r.users.at(id) == user);
    }
    QVERIFY(r.failures.isEmpty());
    // The old streams' snapshots are still in the index (DEL took only the stream key): none
    // passes its checks. Every snapshot that does equals a rebuild of the new stream up to
    // it: none holds a merged shop.
    QTRY_VERIFY_WITH_TIMEOUT(!r.snapshots.isEmpty() && r.snapshots.back() == r.lastEventId(), 5000);
    shop::redis::SnapshotStore store(c_, stream);
    std::vector<shop::redis::SnapshotListing> listing;
    QVERIFY(store.list(listing));
    QVERIFY(!listing.empty());
    QVERIFY(listing.back().checked);
    for (const auto& l : listing) {
        if (!l.checked) {
            QVERIFY2(QString::fromStdString(l.problem).contains(QLatin1String("not the stream")), l.problem.c_str());
            continue;
        }
        std::string blob;
        QVERIFY(store.loadBlob(l.id, blob));
        ShopState saved, rebuilt;
        QVERIFY(shop::decodeSnapshot(blob, stream, saved).empty());
        shop::redis::LoadReport report;
        shop::redis::LoadOptions upTo;
        upTo.fromScratch = true;
        upTo.untilId = l.id;
        shop::redis::StateLoader loader(c_, stream);
        QVERIFY2(loader.load(rebuilt, upTo, report), report.error.c_str());
        QVERIFY2(saved == rebuilt, l.id.c_str());
    }
}

void TestConsumerWorker::wrongCredentialsFailQuicklyWithoutRetrying_data()
{
    QTest::addColumn<QString>("password");
    QTest::newRow("wrong password") << QStringLiteral("not-the-password");
    QTest::newRow("no password") << QString();
}

void TestConsumerWorker::wrongCredentialsFailQuicklyWithoutRetrying()
{
    QFETCH(QString, password);
    TestRedisServer::Options serverOptions;
    serverOptions.extraArgs = {QStringLiteral("--requirepass"), QStringLiteral("s3cret-pass")};
    TestRedisServer server(serverOptions);
    QVERIFY2(server.start(), qPrintable(server.error()));

    ConsumerOptions options = optionsFor(server, "cw:auth");
    options.url.password = password.toStdString();
    Consumer consumer(options);
    const Recorder& r = consumer.recorder;
    QElapsedTimer clock;
    clock.start();
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(!r.failures.isEmpty(), 5000);
    QVERIFY2(clock.elapsed() < 5000, "credentials that are refused are not retried with backoff");
    const QString message = r.failures.front();
    QVERIFY2(message.contains(QLatin1String("password"), Qt::CaseInsensitive)
                 || message.contains(QLatin1String("credentials"), Qt::CaseInsensitive),
             qPrintable(message));
    QVERIFY2(!message.contains(QLatin1String("s3cret-pass")), qPrintable(message));
    if (!password.isEmpty())
        QVERIFY2(!message.contains(password), qPrintable(message));
    QTRY_COMPARE_WITH_TIMEOUT(r.stoppedCount, 1, 5000);
    QCOMPARE(r.failures.size(), 1);
    QCOMPARE(r.statusCount(ConnectionState::Disconnected), 0); // no retry loop
    QVERIFY(r.restoredIds.isEmpty());
    const ConsumerStatus* failed = r.lastStatus(ConnectionState::Failed);
    QVERIFY(failed);
    QVERIFY(!failed->target.contains(QLatin1String("s3cret-pass")));
}

QTEST_GUILESS_MAIN(TestConsumerWorker)
#include "test_consumer_worker.moc"
