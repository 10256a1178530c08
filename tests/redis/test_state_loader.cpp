// StateLoader against a real redis-server: the state it builds from a stream written with
// StreamWriter::appendBatch equals applying the simulator's entries in memory, from scratch,
// from a snapshot plus the tail, up to any untilId (never using a snapshot taken after it),
// in batches of any size; a stream that lost entries is refused unless allowGaps; an empty
// or missing stream is the empty state.
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "core/snapshot_codec.hpp"
#include "redis/keys.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QRandomGenerator>
#include <QStringList>
#include <QTest>

#include <algorithm>
#include <thread>

using shop::ShopState;
using shop::redis::AppendRequest;
using shop::redis::Connection;
using shop::redis::EntryBatch;
using shop::redis::LoadOptions;
using shop::redis::LoadReport;
using shop::redis::SnapshotStore;
using shop::redis::StateLoader;
using shop::redis::StreamReader;
using shop::redis::StreamWriter;

namespace {

QString text(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QString describe(const LoadReport& r)
{
    QStringList w;
    for (const auto& s : r.warnings)
        w << text(s);
    return QStringLiteral("snapshot=%1 replayed=%2 error=\"%3\" warnings=[%4]")
        .arg(text(r.snapshotId))
        .arg(r.replayed)
        .arg(text(r.error), w.join(QStringLiteral("; ")));
}

// What a stream was written with: the simulator's requests and the ids Redis gave them.
struct Written {
    std::vector<AppendRequest> requests;
    std::vector<std::string> ids;
};

// The state after applying the first `count` requests in memory, with the stream's ids.
ShopState applyInMemory(const Written& w, std::size_t begin, std::size_t end, ShopState state = {})
{
    shop::Event scratch;
    for (std::size_t i = begin; i < end; ++i) {
        shop::RawEntry raw;
        raw.id = w.ids[i];
        raw.type = w.requests[i].type;
        raw.data = w.requests[i].data;
        if (!w.requests[i].legacy)
            raw.v = "1";
        shop::processEntry(state, raw, scratch);
    }
    return state;
}

QString difference(const ShopState& a, const ShopState& b)
{
    return QStringLiteral("lastEventId %1 vs %2, total %3 vs %4, applied %5 vs %6, users %7 vs %8, items %9 vs %10")
        .arg(text(a.lastEventId), text(b.lastEventId))
        .arg(a.counts.total).arg(b.counts.total)
        .arg(a.counts.applied).arg(b.counts.applied)
        .arg(a.users().size()).arg(b.users().size())
        .arg(a.items().size()).arg(b.items().size());
}

} // namespace

class TestStateLoader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void fromScratchEqualsInMemory_data();
    void fromScratchEqualsInMemory();
    void snapshotPlusTailEqualsFromScratch_data();
    void snapshotPlusTailEqualsFromScratch();
    void untilIdStopsAtThatEntry_data();
    void untilIdStopsAtThatEntry();
    void batchSizeDoesNotMatter_data();
    void batchSizeDoesNotMatter();
    void batchSizeZeroIsNotASilentEmptyLoad();
    void budgetedStepsAskAheadAndSettle();
    void damagedNewestSnapshotFallsBack();
    void trimmedStreamIsRefusedFromScratch();
    void trimmedStreamLoadsWithAllowGaps();
    void streamTrimmedPastTheSnapshotIsRefused();
    void emptyAndMissingStreamsAreEmptyStates_data();
    void emptyAndMissingStreamsAreEmptyStates();

private:
    Written produce(const std::string& stream, std::size_t count, bool legacy, std::uint64_t seed);
    std::vector<std::string> idsOf(const std::string& stream);
    bool load(const std::string& stream, const LoadOptions& options, ShopState& state, LoadReport& report);

    TestRedisServer server_;
    Connection c_;
};

void TestStateLoader::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

std::vector<std::string> TestStateLoader::idsOf(const std::string& stream)
{
    std::vector<std::string> ids;
    StreamReader reader(c_, stream);
    EntryBatch batch;
    std::string after;
    while (reader.range(after, 1000, batch) && !batch.entries.empty()) {
        for (const auto& e : batch.entries)
            ids.emplace_back(e.id);
        after = ids.back();
    }
    return ids;
}

Written TestStateLoader::produce(const std::string& stream, std::size_t count, bool legacy, std::uint64_t seed)
{
    shop::SimulatorOptions options;
    options.users = 50;
    options.items = 30;
    options.seed = seed;
    options.legacy = legacy;
    shop::ShopSimulator simulator(options);
    Written w;
    w.requests.resize(count);
    shop::SimEntry e;
    for (auto& r : w.requests) {
        simulator.next(e);
        r.type = e.type;
        r.data = e.data;
        r.actor = "test";
        r.legacy = legacy;
    }
    StreamWriter writer(c_, stream);
    const std::size_t written = writer.appendBatch(w.requests, 500);
    if (written != count)
        qWarning("appendBatch wrote %zu of %zu: %s", written, count, writer.error().c_str());
    w.ids = idsOf(stream);
    return w;
}

bool TestStateLoader::load(const std::string& stream, const LoadOptions& options, ShopState& state, LoadReport& report)
{
    report = LoadReport{};
    StateLoader loader(c_, stream);
    return loader.load(state, options, report);
}

void TestStateLoader::fromScratchEqualsInMemory_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::newRow("native") << false;
    QTest::newRow("legacy") << true;
}

void TestStateLoader::fromScratchEqualsInMemory()
{
    QFETCH(bool, legacy);
    const std::string stream = legacy ? "ld:scratch:legacy" : "ld:scratch:native";
    const Written w = produce(stream, 3000, legacy, 31);
    QCOMPARE(w.ids.size(), std::size_t(3000));
    const ShopState expected = applyInMemory(w, 0, w.ids.size());
    QVERIFY(expected.counts.applied > 0 && expected.counts.rejected > 0);
    QVERIFY(!expected.users().empty() && !expected.items().empty());

    for (bool fromScratch : {true, false}) { // no snapshot exists: both replay everything
        ShopState state;
        state.addUser(99, "stale");
        LoadReport report;
        LoadOptions options;
        options.fromScratch = fromScratch;
        QVERIFY2(load(stream, options, state, report), qPrintable(describe(report)));
        QVERIFY2(report.error.empty() && report.warnings.empty(), qPrintable(describe(report)));
        QVERIFY(report.snapshotId.empty());
        QCOMPARE(report.replayed, qint64(3000));
        QVERIFY2(state == expected, qPrintable(difference(state, expected)));
        QCOMPARE(text(state.lastEventId), text(w.ids.back()));
    }
}

void TestStateLoader::snapshotPlusTailEqualsFromScratch_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::newRow("native") << false;
    QTest::newRow("legacy") << true;
}

void TestStateLoader::snapshotPlusTailEqualsFromScratch()
{
    QFETCH(bool, legacy);
    const std::string stream = legacy ? "ld:snap:legacy" : "ld:snap:native";
    const Written w = produce(stream, 2000, legacy, 32);
    const std::size_t n = w.ids.size();
    const ShopState expected = applyInMemory(w, 0, n);
    SnapshotStore store(c_, stream);
    QRandomGenerator random(4242);
    for (int round = 0; round < 8; ++round) {
        // Snapshots are taken at ever later points, so each is the newest when loaded.
        const std::size_t k = static_cast<std::size_t>(round) * 240 + 1
                              + static_cast<std::size_t>(random.bounded(static_cast<quint32>(230)));
        QVERIFY2(store.save(applyInMemory(w, 0, k), round), store.error().c_str());
        ShopState state;
        LoadReport report;
        QVERIFY2(load(stream, LoadOptions{}, state, report), qPrintable(describe(report)));
        QCOMPARE(text(report.snapshotId), text(w.ids[k - 1]));
        QCOMPARE(report.replayed, qint64(n - k));
        QVERIFY2(report.warnings.empty(), qPrintable(describe(report)));
        QVERIFY2(state == expected, qPrintable(QStringLiteral("snapshot at %1: ").arg(k) + difference(state, expected)));
    }
    // A snapshot at the head: nothing to replay.
    QVERIFY(store.save(expected, 99));
    ShopState state;
    LoadReport report;
    QVERIFY2(load(stream, LoadOptions{}, state, report), qPrintable(describe(report)));
    QCOMPARE(text(report.snapshotId), text(w.ids.back()));
    QCOMPARE(report.replayed, qint64(0));
    QVERIFY(state == expected);
}

void TestStateLoader::untilIdStopsAtThatEntry_data()
{
    QTest::addColumn<bool>("withSnapshots");
    QTest::newRow("from scratch") << false;
    QTest::newRow("with snapshots before and after") << true;
}

void TestStateLoader::untilIdStopsAtThatEntry()
{
    QFETCH(bool, withSnapshots);
    const std::string stream = withSnapshots ? "ld:until:snap" : "ld:until:plain";
    const Written w = produce(stream, 1500, false, 33);
    const std::size_t n = w.ids.size();
    std::vector<std::size_t> snapshotAt; // entry counts the snapshots cover
    if (withSnapshots) {
        SnapshotStore store(c_, stream);
        for (std::size_t k : {300, 700, 1100, 1400}) {
            QVERIFY(store.save(applyInMemory(w, 0, k), 1));
            snapshotAt.push_back(k);
        }
    }

    QRandomGenerator random(777);
    std::vector<std::size_t> cuts = {0, n - 1, 299, 300, 699};
    for (int i = 0; i < 30; ++i)
        cuts.push_back(random.bounded(static_cast<quint32>(n)));
    for (std::size_t i : cuts) {
        const ShopState expected = applyInMemory(w, 0, i + 1); // up to and including entry i
        ShopState state;
        LoadReport report;
        LoadOptions options;
        options.untilId = w.ids[i];
        const QString where = QStringLiteral("until entry %1 (%2)").arg(i).arg(text(w.ids[i]));
        QVERIFY2(load(stream, options, state, report), qPrintable(where + describe(report)));
        QVERIFY2(report.warnings.empty(), qPrintable(where + describe(report)));
        QVERIFY2(state == expected, qPrintable(where + QStringLiteral(": ") + difference(state, expected)));
        QCOMPARE(text(state.lastEventId), text(w.ids[i]));
        // The snapshot used is the newest at or before untilId, never one after it.
        std::size_t used = 0;
        for (std::size_t k : snapshotAt)
            if (k <= i + 1)
                used = k;
        QCOMPARE(text(report.snapshotId), used ? text(w.ids[used - 1]) : QString());
        QCOMPARE(report.replayed, qint64(i + 1 - used));
    }
}

void TestStateLoader::batchSizeDoesNotMatter_data()
{
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<int>("entries");
    QTest::newRow("7") << 7 << 1000;
    QTest::newRow("7, a multiple of the stream") << 7 << 700;
    QTest::newRow("1") << 1 << 300;
    QTest::newRow("larger than the stream") << 5000 << 1000;
}

void TestStateLoader::batchSizeDoesNotMatter()
{
    QFETCH(int, batchSize);
    QFETCH(int, entries);
    const std::string stream = "ld:batch:" + std::to_string(batchSize) + ":" + std::to_string(entries);
    const Written w = produce(stream, static_cast<std::size_t>(entries), false, 34);
    const ShopState expected = applyInMemory(w, 0, w.ids.size());

    LoadOptions options;
    options.batchSize = static_cast<std::size_t>(batchSize);
    ShopState state;
    LoadReport report;
    std::size_t seen = 0;
    std::int64_t applied = 0;
    bool shapesOk = true;
    StateLoader loader(c_, stream);
    std::size_t pages = 0;
    QVERIFY2(loader.restore(state, options, report), qPrintable(describe(report)));
    const auto step = loader.step(
        state, options, report, std::chrono::milliseconds::zero(),
        [&](const shop::RawEntry& entry, shop::Reason reason, const shop::Event&, const ShopState& after) {
            // Every entry once, in order, with the state right after it.
            shapesOk = shapesOk && seen < w.ids.size() && entry.id == w.ids[seen] && after.lastEventId == w.ids[seen];
            ++seen;
            applied += reason == shop::Reason::None;
        },
        [&](const shop::redis::StreamPage& page) {
            shapesOk = shapesOk && page.batch.entries.size() <= static_cast<std::size_t>(batchSize);
            ++pages;
        });
    QVERIFY2(step == StateLoader::Step::AtHead, qPrintable(describe(report)));
    QVERIFY(shapesOk);
    QVERIFY(pages >= w.ids.size() / static_cast<std::size_t>(batchSize));
    QCOMPARE(seen, w.ids.size());
    QCOMPARE(report.replayed, qint64(entries));
    QCOMPARE(applied, expected.counts.applied);
    QVERIFY2(state == expected, qPrintable(difference(state, expected)));

    // And with untilId in the middle of a batch.
    options.untilId = w.ids[w.ids.size() / 2];
    QVERIFY2(loader.load(state, options, report), qPrintable(describe(report)));
    const ShopState half = applyInMemory(w, 0, w.ids.size() / 2 + 1);
    QVERIFY2(state == half, qPrintable(difference(state, half)));
}

// A step that runs out of budget leaves the next page asked for. settle() receives it, so
// that other commands get their own replies, and the next step applies it: every entry
// once, in order. A restore meanwhile drops it, received or not, and so does the loader's end.
void TestStateLoader::budgetedStepsAskAheadAndSettle()
{
    const std::string stream = "ld:ahead";
    const Written w = produce(stream, 600, false, 40);
    const ShopState expected = applyInMemory(w, 0, w.ids.size());

    LoadOptions options;
    options.batchSize = 20;
    ShopState state;
    LoadReport report;
    StateLoader loader(c_, stream);
    QVERIFY2(loader.restore(state, options, report), qPrintable(describe(report)));
    std::size_t seen = 0;
    bool inOrder = true;
    const auto onEntry = [&](const shop::RawEntry& entry, shop::Reason, const shop::Event&, const ShopState&) {
        inOrder = inOrder && seen < w.ids.size() && entry.id == w.ids[seen];
        ++seen;
    };
    // Each page outlasts the budget: a step returns after a page or two.
    const auto onPage = [](const shop::redis::StreamPage&) { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };
    // The connection answers a command of its own with its own reply (not a page).
    const auto ownReply = [&] {
        const shop::redis::Reply length = c_.command({"XLEN", stream});
        return length && length.isInteger() && length.integer() == static_cast<std::int64_t>(w.ids.size());
    };
    int steps = 0;
    StateLoader::Step step = StateLoader::Step::More;
    while (step == StateLoader::Step::More && steps < 1000) {
        step = loader.step(state, options, report, std::chrono::milliseconds(1), onEntry, onPage);
        ++steps;
        if (steps % 2 == 0) { // every other step: the connection is used in between
            QVERIFY2(loader.settle(), loader.error().c_str());
            QVERIFY(loader.settle()); // a second call has nothing left to receive
            QVERIFY2(ownReply(), c_.error().c_str());
        }
    }
    QVERIFY2(step == StateLoader::Step::AtHead, qPrintable(describe(report)));
    QVERIFY2(steps >= 10, qPrintable(QString::number(steps))); // pages of at most 20, two or so a step
    QVERIFY(inOrder);
    QCOMPARE(seen, w.ids.size());
    QVERIFY2(state == expected, qPrintable(difference(state, expected)));

    for (bool settled : {false, true}) { // a page asked for ahead, then another start
        ShopState again;
        QVERIFY(loader.restore(again, options, report));
        QCOMPARE(loader.step(again, options, report, std::chrono::milliseconds(1), {}, onPage), StateLoader::Step::More);
        if (settled)
            QVERIFY(loader.settle());
        QVERIFY2(loader.restore(again, options, report), qPrintable(describe(report)));
        QVERIFY2(ownReply(), c_.error().c_str());
        QVERIFY2(loader.catchUp(again, options, report), qPrintable(describe(report)));
        QVERIFY2(again == expected, qPrintable(difference(again, expected)));
    }

    { // a loader that ends with a page asked for (a cancelled job) leaves the connection usable
        StateLoader ending(c_, stream);
        ShopState partial;
        QVERIFY(ending.restore(partial, options, report));
        QCOMPARE(ending.step(partial, options, report, std::chrono::milliseconds(1), {}, onPage), StateLoader::Step::More);
    }
    QVERIFY2(ownReply(), c_.error().c_str());
}

// A batch size of 0 is a caller's mistake; it must not come back as success with none of
// the stream applied.
void TestStateLoader::batchSizeZeroIsNotASilentEmptyLoad()
{
    const std::string stream = "ld:batch-zero";
    const Written w = produce(stream, 50, false, 39);
    LoadOptions options;
    options.batchSize = 0;
    ShopState state;
    LoadReport report;
    const bool ok = load(stream, options, state, report);
    const bool complete = state == applyInMemory(w, 0, w.ids.size());
    QVERIFY2(ok ? complete : !report.error.empty(),
             qPrintable(QStringLiteral("ok=%1, %2 entries applied: ").arg(ok).arg(state.counts.total) + describe(report)));
}

void TestStateLoader::damagedNewestSnapshotFallsBack()
{
    const std::string stream = "ld:damaged";
    const Written w = produce(stream, 800, false, 35);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(applyInMemory(w, 0, 300), 1));
    QVERIFY(store.save(applyInMemory(w, 0, 600), 2));
    const std::string key = shop::redis::snapshotKey(stream, w.ids[599]);
    const std::int64_t size = c_.command({"STRLEN", key}).integer();
    QVERIFY(c_.command({"SETRANGE", key, std::to_string(size - 2), "#"}).isInteger());

    ShopState state;
    LoadReport report;
    QVERIFY2(load(stream, LoadOptions{}, state, report), qPrintable(describe(report)));
    QCOMPARE(text(report.snapshotId), text(w.ids[299]));
    QCOMPARE(report.warnings.size(), std::size_t(1));
    QVERIFY2(text(report.warnings[0]).contains(text(w.ids[599])), qPrintable(describe(report)));
    QCOMPARE(report.replayed, qint64(500));
    QVERIFY(state == applyInMemory(w, 0, w.ids.size()));
}

void TestStateLoader::trimmedStreamIsRefusedFromScratch()
{
    const std::string stream = "ld:trimmed";
    produce(stream, 500, false, 36);
    QCOMPARE(c_.command({"XTRIM", stream, "MAXLEN", "100"}).integer(), qint64(400));
    for (bool fromScratch : {true, false}) { // no snapshot: the same start either way
        ShopState state;
        LoadReport report;
        LoadOptions options;
        options.fromScratch = fromScratch;
        QVERIFY2(!load(stream, options, state, report), qPrintable(describe(report)));
        const QString error = text(report.error);
        QVERIFY2(error.contains(QStringLiteral("400")) && error.contains(QStringLiteral("500")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("lost")), qPrintable(error));
        QVERIFY(state == ShopState());
    }
}

void TestStateLoader::trimmedStreamLoadsWithAllowGaps()
{
    const std::string stream = "ld:trimmed-gaps";
    Written w = produce(stream, 500, false, 37);
    QCOMPARE(c_.command({"XTRIM", stream, "MAXLEN", "100"}).integer(), qint64(400));
    ShopState state;
    LoadReport report;
    LoadOptions options;
    options.fromScratch = true;
    options.allowGaps = true;
    QVERIFY2(load(stream, options, state, report), qPrintable(describe(report)));
    QVERIFY(report.error.empty());
    QCOMPARE(report.warnings.size(), std::size_t(1));
    QVERIFY2(text(report.warnings[0]).contains(QStringLiteral("400")), qPrintable(describe(report)));
    QCOMPARE(report.replayed, qint64(100));
    // What is left, applied to an empty shop.
    const std::vector<std::string> left = idsOf(stream);
    QCOMPARE(text(left.front()), text(w.ids[400]));
    const ShopState expected = applyInMemory(w, 400, 500);
    QVERIFY2(state == expected, qPrintable(difference(state, expected)));
}

void TestStateLoader::streamTrimmedPastTheSnapshotIsRefused()
{
    const std::string stream = "ld:trimmed-past";
    Written w = produce(stream, 600, false, 38);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(applyInMemory(w, 0, 200), 1));
    QVERIFY(c_.command({"XTRIM", stream, "MINID", w.ids[400]}).isInteger());

    ShopState state;
    LoadReport report;
    QVERIFY2(!load(stream, LoadOptions{}, state, report), qPrintable(describe(report)));
    QVERIFY2(text(report.error).contains(QStringLiteral("trimmed")), qPrintable(describe(report)));
    QVERIFY(state == ShopState());

    // allowGaps: it says so, and goes on from the snapshot without the 200 lost entries
    // (what the snapshot holds was not lost), counting them as skipped.
    LoadOptions options;
    options.allowGaps = true;
    report = {};
    QVERIFY2(load(stream, options, state, report), qPrintable(describe(report)));
    QCOMPARE(text(report.snapshotId), text(w.ids[199]));
    QCOMPARE(report.warnings.size(), std::size_t(1));
    QVERIFY2(text(report.warnings[0]).contains(QStringLiteral("200 entries between")), qPrintable(describe(report)));
    QCOMPARE(report.replayed, qint64(200));
    const ShopState expected = applyInMemory(w, 400, 600, applyInMemory(w, 0, 200));
    QVERIFY2(state == expected, qPrintable(difference(state, expected)));
    QCOMPARE(state.skipped, qint64(200));
    QCOMPARE(state.covered(), qint64(600));
}

void TestStateLoader::emptyAndMissingStreamsAreEmptyStates_data()
{
    QTest::addColumn<bool>("create");
    QTest::addColumn<bool>("fromScratch");
    QTest::newRow("missing") << false << false;
    QTest::newRow("missing, from scratch") << false << true;
    QTest::newRow("empty") << true << false;
    QTest::newRow("empty, from scratch") << true << true;
}

void TestStateLoader::emptyAndMissingStreamsAreEmptyStates()
{
    QFETCH(bool, create);
    QFETCH(bool, fromScratch);
    const std::string stream = std::string(create ? "ld:empty:" : "ld:missing:") + (fromScratch ? "s" : "n");
    if (create) {
        QVERIFY(c_.command({"XGROUP", "CREATE", stream, "g", "$", "MKSTREAM"}).isString());
        QCOMPARE(c_.command({"EXISTS", stream}).integer(), qint64(1));
    }
    ShopState state;
    state.addUser(3, "stale");
    state.lastEventId = "5-0";
    LoadReport report;
    LoadOptions options;
    options.fromScratch = fromScratch;
    QVERIFY2(load(stream, options, state, report), qPrintable(describe(report)));
    QVERIFY2(report.error.empty() && report.warnings.empty(), qPrintable(describe(report)));
    QVERIFY(report.snapshotId.empty());
    QCOMPARE(report.replayed, qint64(0));
    QVERIFY(state == ShopState());
    QVERIFY(state.lastEventId.empty());
}

QTEST_GUILESS_MAIN(TestStateLoader)
#include "test_state_loader.moc"
