// ReplayTimeline: the state at any position equals applying that prefix from scratch;
// seeks, steps and stateAt agree; checkpoints stay bounded as the history grows.
#include "engine/engine_types.hpp"
#include "engine/history_what_if.hpp"
#include "engine/replay_timeline.hpp"

#include "core/handlers.hpp"
#include "core/simulator.hpp"

#include <QTest>

#include <limits>
#include <random>

using namespace shop;
using shop::engine::HistoryStore;
using shop::engine::ReplayTimeline;
using shop::engine::TimelineCheckpoint;

namespace {

struct History {
    std::vector<std::string> ids, types, data;
};

History simulate(std::size_t n, bool legacy, std::uint64_t seed)
{
    History h;
    ShopSimulator sim({60, 25, seed, legacy});
    SimEntry e;
    for (std::size_t i = 0; i < n; ++i) {
        sim.next(e);
        h.ids.push_back(std::to_string(1000 + i / 3) + "-" + std::to_string(i % 3));
        h.types.push_back(e.type);
        h.data.push_back(e.data);
    }
    return h;
}

RawEntry raw(const History& h, std::size_t i)
{
    RawEntry r;
    r.id = h.ids[i];
    r.type = h.types[i];
    r.data = h.data[i];
    return r;
}

// Feeds the store and the timeline as a feeder thread and the window do: each entry recorded
// (its row, and a checkpoint of the feeder's own state where one is due; fixedEvery: the
// timeline's fixed K, or 0), handed over every 97 entries.
void feed(HistoryStore& store, ReplayTimeline& timeline, const History& h, std::size_t from, std::size_t to,
          ShopState& live, std::size_t fixedEvery)
{
    shop::engine::HistoryBuilder builder(store.sharedNames());
    std::vector<shop::engine::TimelineCheckpoint> checkpoints;
    const auto handOver = [&] {
        store.append(builder.take());
        for (auto& c : checkpoints)
            timeline.addCheckpoint(std::move(c));
        checkpoints.clear();
    };
    Event scratch;
    for (std::size_t i = from; i < to; ++i) {
        const RawEntry entry = raw(h, i);
        const Reason reason = processEntry(live, entry, scratch);
        shop::engine::recordEntry(entry, reason, scratch, live, builder, checkpoints, fixedEvery);
        if ((i + 1) % 97 == 0)
            handOver();
    }
    handOver();
}

ShopState prefix(const History& h, std::size_t p)
{
    ShopState s;
    Event scratch;
    for (std::size_t i = 0; i < p; ++i)
        processEntry(s, raw(h, i), scratch);
    return s;
}

} // namespace

class TestReplayTimeline : public QObject {
    Q_OBJECT
private slots:
    void seekEqualsPrefixFromScratch_data();
    void seekEqualsPrefixFromScratch();
    void stepsAndSeeksAgree();
    void stateAtDoesNotMoveTheCursor();
    void touchedNamesWhatTheStepsChanged();
    void lookups();
    void checkpointsStayBounded();
    void aKnownLengthCapturesOnlyWhatIsKept();
    void checkpointsKeepEveryValue();
    void twoFeedersMeetAtASnapshot();
    void seeksRestoreTheFeedersCheckpoints();
    void whatIfAgreesWithARebuild_data();
    void whatIfAgreesWithARebuild();
    void whatIfStopsWhenCancelled();
};

void TestReplayTimeline::seekEqualsPrefixFromScratch_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<int>("every");
    QTest::newRow("native, K=97") << false << 97;
    QTest::newRow("native, K=auto") << false << 0;
    QTest::newRow("legacy, K=50") << true << 50;
}

void TestReplayTimeline::seekEqualsPrefixFromScratch()
{
    QFETCH(bool, legacy);
    QFETCH(int, every);
    const History h = simulate(4000, legacy, 11);
    HistoryStore store;
    ReplayTimeline timeline(store, static_cast<std::size_t>(every));
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, static_cast<std::size_t>(every));
    QCOMPARE(timeline.size(), h.ids.size());
    timeline.seek(timeline.size());
    QVERIFY(timeline.state() == live);

    std::mt19937_64 rng(7);
    std::vector<std::size_t> points = {0, 1, 96, 97, 98, 1999, 3999, 4000};
    for (int i = 0; i < 40; ++i)
        points.push_back(rng() % (h.ids.size() + 1));
    for (std::size_t p : points) {
        timeline.seek(p);
        QCOMPARE(timeline.position(), p);
        QVERIFY2(timeline.state() == prefix(h, p), qPrintable(QStringLiteral("position %1").arg(p)));
    }
}

void TestReplayTimeline::stepsAndSeeksAgree()
{
    const History h = simulate(1500, false, 3);
    HistoryStore store;
    ReplayTimeline timeline(store, 64);
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 64);
    ReplayTimeline::Touched touched;
    // Forward one at a time from 700, then back one at a time, against direct seeks.
    timeline.seek(700);
    for (std::size_t p = 701; p <= 760; ++p) {
        timeline.seek(p);
        const ShopState stepped = timeline.state();
        QVERIFY(timeline.stateAt(p) == stepped);
    }
    for (std::size_t p = 760; p-- > 690;) {
        timeline.seek(p);
        QVERIFY2(timeline.state() == prefix(h, p), qPrintable(QStringLiteral("back to %1").arg(p)));
    }
}

void TestReplayTimeline::stateAtDoesNotMoveTheCursor()
{
    const History h = simulate(800, false, 5);
    HistoryStore store;
    ReplayTimeline timeline(store, 100);
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 100);
    timeline.seek(300);
    const ShopState at300 = timeline.state();
    QVERIFY(timeline.stateAt(650) == prefix(h, 650));
    QCOMPARE(timeline.position(), std::size_t(300));
    QVERIFY(timeline.state() == at300);
}

void TestReplayTimeline::touchedNamesWhatTheStepsChanged()
{
    const History h = simulate(600, false, 9);
    HistoryStore store;
    ReplayTimeline timeline(store, 1000);
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 1000);
    timeline.seek(400);
    timeline.seek(401); // one step forward: what entry 400 named, if it applied
    const auto info = timeline.entry(400);
    const auto& touched = timeline.lastTouched();
    QVERIFY(!touched.all);
    if (info.applied) {
        if (info.userId != 0)
            QVERIFY(std::find(touched.users.begin(), touched.users.end(), info.userId) != touched.users.end());
        for (const std::string& item : info.items)
            QVERIFY(std::find(touched.items.begin(), touched.items.end(), item) != touched.items.end());
    } else {
        QVERIFY(touched.users.empty() && touched.items.empty());
    }
    timeline.seek(10); // backwards past a checkpoint: a restore
    QVERIFY(timeline.lastTouched().all);
}

void TestReplayTimeline::lookups()
{
    const History h = simulate(30, false, 1);
    HistoryStore store;
    ReplayTimeline timeline(store, 10);
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 10);
    QCOMPARE(timeline.entryId(4), h.ids[4]);
    QCOMPARE(timeline.lowerBound(h.ids[17]), std::size_t(17));
    QCOMPARE(timeline.lowerBound("1003-1"), std::size_t(10)); // ids are 1000+i/3 - i%3
    QCOMPARE(timeline.lowerBound("99999-0"), timeline.size());
    QCOMPARE(timeline.indexAtTime(1005), std::size_t(15));
    QCOMPARE(timeline.entryTimeMs(15), std::uint64_t(1005));
}

// A checkpoint is packed (varints, zigzag): every value a state can hold comes back, the
// int64 limits, ids up to 2^63-1, empty and multi-byte names included.
void TestReplayTimeline::checkpointsKeepEveryValue()
{
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    ShopState state;
    const std::int64_t values[] = {0, 1, -1, 127, 128, -129, kMax, kMin, kMax - 1, kMin + 1};
    UserId id = 1;
    for (const std::int64_t v : values) {
        User& u = state.addUser(id, id % 2 ? std::string() : std::string("Zoë ") + std::to_string(v));
        u.balance = v;
        u.spent = ~v; // -v - 1: the limits swap places, with no overflow
        u.orders = v / 3;
        id = id * 7 + 3;
    }
    state.addUser(kMax, "the largest id").balance = kMax;
    for (const std::int64_t v : values) {
        Item& i = state.addItem("item " + std::to_string(v));
        i.name = v % 2 ? std::string() : std::string(200, 'n');
        i.price = v;
        i.stock = ~v;
        i.sold = v;
    }
    state.counts.total = 42;
    state.counts.applied = 40;
    const TimelineCheckpoint checkpoint = TimelineCheckpoint::capture(state, 42);
    ShopState restored;
    restored.addUser(5, "left over"); // restore starts from nothing
    checkpoint.restore(restored);
    restored.lastEventId = state.lastEventId;
    QVERIFY(restored == state);
    QCOMPARE(restored.users().size(), state.users().size());
    QCOMPARE(restored.counts.total, std::int64_t(42));
}

void TestReplayTimeline::checkpointsStayBounded()
{
    const History h = simulate(300000, false, 2);
    HistoryStore store;
    ReplayTimeline timeline(store); // K chosen as it grows
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 0);
    QVERIFY(timeline.checkpointCount() <= 129);
    QVERIFY(timeline.checkpointEvery() >= 2000);
    timeline.seek(123457);
    QVERIFY(timeline.state() == prefix(h, 123457));
    qInfo("300k entries: K=%zu, %zu checkpoints, %.1f bytes per entry", timeline.checkpointEvery(),
          timeline.checkpointCount(), double(timeline.memoryBytes()) / double(timeline.size()));
}

// A feeder that knows how long the history will be (the stream's length) captures only the
// checkpoints the timeline keeps once it is that long: the same ones as a feeder that does
// not know, without those a doubling of K drops. Past the expected length, K grows as before.
void TestReplayTimeline::aKnownLengthCapturesOnlyWhatIsKept()
{
    const ShopState empty;
    for (const std::size_t length : {std::size_t(1000), std::size_t(250000), std::size_t(4096000), std::size_t(4096001),
                                     std::size_t(10000000), std::size_t(33000000)}) {
        const std::size_t end = length + length / 2; // then the stream grows by half
        HistoryStore store;
        ReplayTimeline unknown(store), known(store);
        std::size_t capturedUnknown = 0, capturedKnown = 0, keptAtLength = 0, unknownAtLength = 0;
        for (std::size_t p = 1; p <= end; ++p) {
            if (ReplayTimeline::checkpointDue(p)) {
                unknown.addCheckpoint(TimelineCheckpoint::capture(empty, p));
                ++capturedUnknown;
            }
            if (ReplayTimeline::checkpointDue(p, 0, length)) {
                known.addCheckpoint(TimelineCheckpoint::capture(empty, p));
                ++capturedKnown;
            }
            if (p == length) {
                QCOMPARE(known.checkpointCount(), unknown.checkpointCount());
                QCOMPARE(known.checkpointEvery(), unknown.checkpointEvery());
                keptAtLength = known.checkpointCount() - 1; // the first is the empty shop's
                unknownAtLength = capturedUnknown;
                QCOMPARE(capturedKnown, keptAtLength); // every capture is kept
            }
        }
        QCOMPARE(known.checkpointCount(), unknown.checkpointCount());
        QVERIFY(capturedKnown <= capturedUnknown);
        qInfo("length %zu: %zu captures up to it instead of %zu; %zu checkpoints at %zu", length, keptAtLength,
              unknownAtLength, known.checkpointCount(), end);
    }
    // A fixed K ignores the expected length.
    QVERIFY(ReplayTimeline::checkpointDue(97, 97, 10000000));
}

// The window's timeline is fed by two threads: the history job from the start up to a
// restored snapshot, and the consumer from the snapshot on, each with its own state. Their
// checkpoints fall on the same positions (a function of the position alone), and the
// timeline they make together equals one fed from scratch.
void TestReplayTimeline::twoFeedersMeetAtASnapshot()
{
    const History h = simulate(250000, false, 5);
    const std::size_t snapshotAt = 123456;
    HistoryStore store;
    ReplayTimeline timeline(store);
    ShopState history;
    feed(store, timeline, h, 0, snapshotAt, history, 0);
    ShopState consumer = prefix(h, snapshotAt); // as restored from the snapshot
    feed(store, timeline, h, snapshotAt, h.ids.size(), consumer, 0);
    QVERIFY(timeline.checkpointCount() >= 5); // from both feeders: K = 32 000 here
    std::mt19937 rng(9);
    for (int i = 0; i < 20; ++i) {
        const std::size_t p = rng() % (h.ids.size() + 1);
        timeline.seek(p);
        QVERIFY2(timeline.state() == prefix(h, p), qPrintable(QStringLiteral("position %1").arg(p)));
    }
}

// A seek starts from the checkpoint it was handed (the feeder's state), not from anything
// the timeline applied itself: a checkpoint that differs shows in the seeks after it.
void TestReplayTimeline::seeksRestoreTheFeedersCheckpoints()
{
    const History h = simulate(300, false, 6);
    HistoryStore store;
    ReplayTimeline timeline(store, 100);
    ShopState live;
    feed(store, timeline, h, 0, 100, live, 0); // no checkpoints
    ShopState marked = live;
    marked.addUser(987654321, "only in the checkpoint");
    timeline.addCheckpoint(shop::engine::TimelineCheckpoint::capture(marked, 100));
    feed(store, timeline, h, 100, h.ids.size(), live, 0);
    timeline.seek(150);
    QVERIFY(timeline.state().findUser(987654321) != nullptr);
    timeline.seek(99);
    QVERIFY(timeline.state().findUser(987654321) == nullptr);
    QVERIFY(timeline.state() == prefix(h, 99));
}

// The window's what-if (the history's rows replayed from the timeline's state before the
// changed entry) against the changed list of entries applied from scratch: the same shop at
// the end, and exactly the later entries whose verdict differs.
void TestReplayTimeline::whatIfAgreesWithARebuild_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<bool>("replace");
    QTest::newRow("native, left out") << false << false;
    QTest::newRow("native, replaced") << false << true;
    QTest::newRow("legacy, left out") << true << false;
}

void TestReplayTimeline::whatIfAgreesWithARebuild()
{
    QFETCH(bool, legacy);
    QFETCH(bool, replace);
    const History h = simulate(6000, legacy, 23);
    HistoryStore store;
    ReplayTimeline timeline(store, 0);
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 0);

    std::vector<Reason> real;
    {
        ShopState s;
        Event scratch;
        for (std::size_t i = 0; i < h.ids.size(); ++i)
            real.push_back(processEntry(s, raw(h, i), scratch));
    }
    // The first, an early one, an applied top-up in the middle, and the head.
    std::vector<std::size_t> picks{0, 7, h.ids.size() - 1};
    for (std::size_t i = 3000; i < h.ids.size(); ++i) {
        if (h.types[i] == "TopUp" && real[i] == Reason::None) {
            picks.push_back(i);
            break;
        }
    }
    const std::string newType = "TopUp", newData = R"({"userId":3,"amount":500000})";
    bool flippedToRejected = false;
    for (const std::size_t index : picks) {
        shop::engine::HistoryWhatIfRequest request;
        request.index = index;
        request.end = store.size();
        request.before = timeline.stateAt(index);
        if (replace)
            request.replacement = std::pair{newType, newData};
        const shop::engine::HistoryWhatIfResult result = shop::engine::runHistoryWhatIf(store, std::move(request));

        ShopState rebuilt;
        std::vector<Reason> changed(h.ids.size());
        Event scratch;
        for (std::size_t i = 0; i < h.ids.size(); ++i) {
            if (i == index) {
                if (replace) {
                    RawEntry r = raw(h, i);
                    r.type = newType;
                    r.data = newData;
                    r.v = "1";
                    QCOMPARE(processEntry(rebuilt, r, scratch), result.replacementReason);
                }
                continue;
            }
            changed[i] = processEntry(rebuilt, raw(h, i), scratch);
        }
        QVERIFY2(result.state == rebuilt, describeDifference(result.state, rebuilt).c_str());
        QCOMPARE(result.state.lastEventId, rebuilt.lastEventId);
        QCOMPARE(result.unknown, std::size_t(0));
        QVERIFY(!result.cancelled);
        std::size_t k = 0;
        for (std::size_t i = index + 1; i < h.ids.size(); ++i) {
            if (changed[i] == real[i])
                continue;
            QVERIFY2(k < result.changes.size(), qPrintable(QStringLiteral("missing change at %1").arg(i)));
            QCOMPARE(result.changes[k].position, i);
            QCOMPARE(result.changes[k].id, h.ids[i]);
            QVERIFY(result.changes[k].before == real[i] && result.changes[k].after == changed[i]);
            flippedToRejected = flippedToRejected || (real[i] == Reason::None && changed[i] != Reason::None);
            ++k;
        }
        QCOMPARE(k, result.changes.size());
    }
    // (The original demo's items have no price, so its orders are all refused: nothing flips.)
    if (!replace && !legacy)
        QVERIFY2(flippedToRejected, "some removal turns a later applied entry into a rejected one");
}

void TestReplayTimeline::whatIfStopsWhenCancelled()
{
    const History h = simulate(3000, false, 5);
    HistoryStore store;
    ReplayTimeline timeline(store, 0);
    ShopState live;
    feed(store, timeline, h, 0, h.ids.size(), live, 0);
    shop::engine::HistoryWhatIfRequest request;
    request.index = 10;
    request.end = store.size();
    request.before = timeline.stateAt(10);
    std::atomic<bool> cancel{true};
    std::atomic<std::size_t> done{0};
    const auto result = shop::engine::runHistoryWhatIf(store, std::move(request), &cancel, &done);
    QVERIFY(result.cancelled);
    QCOMPARE(done.load(), std::size_t(0));
}

QTEST_APPLESS_MAIN(TestReplayTimeline)
#include "test_replay_timeline.moc"
