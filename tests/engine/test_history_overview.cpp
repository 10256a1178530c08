// HistoryOverview against a rebuild from scratch: at any position, the entries by type and
// verdict, the rejections by reason and the revenue (what the users spent, from the state
// itself) equal what applying that prefix gives; the time series' buckets split the same
// entries by time and add up to the same totals.
#include "engine/engine_types.hpp"
#include "engine/history_overview.hpp"

#include "core/handlers.hpp"
#include "core/simulator.hpp"

#include <QTest>

#include <map>
#include <random>

using namespace shop;
using namespace shop::engine;

namespace {

struct Reference {
    std::vector<std::string> types; // as written
    std::vector<std::uint64_t> ms;
    std::vector<Reason> reasons;
    std::vector<std::int64_t> spentAfter; // all users' spent after entry i
};

std::int64_t totalSpent(const ShopState& s)
{
    std::int64_t sum = 0;
    for (const auto& [id, user] : s.users())
        sum += user.spent;
    return sum;
}

// `n` entries of the simulated shop, several to a millisecond and with pauses between
// bursts, recorded into `store` as a feeder does and applied once more, apart, for the
// reference.
Reference build(HistoryStore& store, std::size_t n, bool legacy, std::uint64_t seed)
{
    Reference ref;
    ShopSimulator sim({40, 20, seed, legacy});
    std::mt19937_64 rng(seed);
    SimEntry e;
    std::uint64_t ms = 1'700'000'000'000;
    std::uint64_t seq = 0;
    ShopState live, again;
    Event scratch;
    HistoryBuilder builder(store.sharedNames());
    std::vector<TimelineCheckpoint> checkpoints;
    for (std::size_t i = 0; i < n; ++i) {
        sim.next(e);
        const std::uint64_t step = rng() % 10 == 0 ? rng() % 5000 : rng() % 2;
        seq = step == 0 ? seq + 1 : 0;
        ms += step;
        const std::string id = std::to_string(ms) + "-" + std::to_string(seq);
        RawEntry entry;
        entry.id = id;
        entry.type = e.type;
        entry.data = e.data;
        ref.types.push_back(e.type);
        const Reason reason = processEntry(live, entry, scratch);
        recordEntry(entry, reason, scratch, live, builder, checkpoints);
        if (i % 333 == 0)
            store.append(builder.take());
        ref.ms.push_back(ms);
        ref.reasons.push_back(processEntry(again, entry, scratch));
        ref.spentAfter.push_back(totalSpent(again));
    }
    store.append(builder.take());
    return ref;
}

void compareTally(const HistoryStore& store, const OverviewTally& t, const Reference& ref, std::size_t p)
{
    const QByteArray where = "at position " + QByteArray::number(qulonglong(p));
    std::map<std::string, std::array<std::int64_t, 2>> byType;
    std::array<std::int64_t, kReasonCount> byReason{};
    std::int64_t applied = 0;
    for (std::size_t i = 0; i < p; ++i) {
        const bool ok = ref.reasons[i] == Reason::None;
        applied += ok;
        ++byType[ref.types[i]][ok ? 0 : 1];
        ++byReason[static_cast<std::size_t>(ref.reasons[i])];
    }
    QVERIFY2(t.entries == p, where);
    QVERIFY2(t.applied == applied, where);
    QVERIFY2(t.rejected == std::int64_t(p) - applied, where);
    QVERIFY2(t.byReason == byReason, where);
    QVERIFY2(t.revenue == (p == 0 ? 0 : ref.spentAfter[p - 1]), where);
    const HistoryNames::Reader names(store.names());
    std::map<std::string, std::array<std::int64_t, 2>> seen;
    for (std::size_t ref = 0; ref < t.byType.size(); ++ref)
        if (t.byType[ref][0] + t.byType[ref][1] > 0)
            seen[std::string(names.type(static_cast<std::uint8_t>(ref)))] = t.byType[ref];
    QVERIFY2(seen == byType, where);
}

} // namespace

class TestHistoryOverview : public QObject {
    Q_OBJECT
private slots:
    void tallyEqualsAPrefixFromScratch_data();
    void tallyEqualsAPrefixFromScratch();
    void seriesSplitsThePrefixByTime();
    void readsInPiecesAndStartsAgain();
};

void TestHistoryOverview::tallyEqualsAPrefixFromScratch_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::newRow("native") << false;
    QTest::newRow("legacy") << true;
}

void TestHistoryOverview::tallyEqualsAPrefixFromScratch()
{
    QFETCH(bool, legacy);
    HistoryStore store;
    const std::size_t n = 3 * HistoryOverview::kStride + 777;
    const Reference ref = build(store, n, legacy, legacy ? 7 : 11);
    if (!legacy) // the original demo's items have no price: its orders bring nothing
        QVERIFY(ref.spentAfter.back() > 0);
    HistoryOverview overview(store);
    QCOMPARE(overview.extend(), n);
    std::vector<std::size_t> points{0, 1, 2, n - 1, n};
    for (std::size_t k = 1; k <= 3; ++k)
        for (std::size_t d : {HistoryOverview::kStride * k - 1, HistoryOverview::kStride * k, HistoryOverview::kStride * k + 1})
            points.push_back(d);
    std::mt19937 rng(5);
    for (int i = 0; i < 20; ++i)
        points.push_back(rng() % (n + 1));
    for (std::size_t p : points) {
        compareTally(store, overview.tallyAt(p), ref, p);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestHistoryOverview::seriesSplitsThePrefixByTime()
{
    HistoryStore store;
    const std::size_t n = 2 * HistoryOverview::kStride + 100;
    const Reference ref = build(store, n, false, 23);
    HistoryOverview overview(store);
    overview.extend();
    std::mt19937 rng(9);
    for (std::size_t p : {std::size_t(1), std::size_t(500), n / 2, n - 1, n, std::size_t(rng() % n)}) {
        for (std::size_t count : {1, 7, 60}) {
            const std::vector<OverviewBucket> buckets = overview.series(p, count);
            const QByteArray where = "position " + QByteArray::number(qulonglong(p)) + ", " + QByteArray::number(qulonglong(count)) + " buckets";
            QVERIFY2(!buckets.empty() && buckets.size() <= count, where);
            QVERIFY2(buckets.front().fromMs == ref.ms.front(), where);
            QVERIFY2(buckets.back().toMs == ref.ms[p - 1] + 1, where);
            std::size_t i = 0;
            std::int64_t spentBefore = 0;
            for (const OverviewBucket& b : buckets) {
                std::int64_t applied = 0, rejected = 0;
                for (; i < p && ref.ms[i] < b.toMs; ++i) {
                    QVERIFY2(ref.ms[i] >= b.fromMs, where);
                    (ref.reasons[i] == Reason::None ? applied : rejected) += 1;
                }
                const std::int64_t spent = i == 0 ? 0 : ref.spentAfter[i - 1];
                QVERIFY2(b.applied == applied, where);
                QVERIFY2(b.rejected == rejected, where);
                QVERIFY2(b.revenue == spent - spentBefore, where);
                spentBefore = spent;
            }
            QVERIFY2(i == p, where);
        }
    }
    QVERIFY(overview.series(0, 10).empty());
}

void TestHistoryOverview::readsInPiecesAndStartsAgain()
{
    HistoryStore store;
    const std::size_t n = HistoryOverview::kStride + 900;
    const Reference ref = build(store, n, false, 3);
    HistoryOverview overview(store);
    std::size_t read = 0;
    while (std::size_t got = overview.extend(1000))
        read += got;
    QCOMPARE(read, n);
    QCOMPARE(overview.scanned(), n);
    compareTally(store, overview.tallyAt(n), ref, n);
    compareTally(store, overview.tallyAt(HistoryOverview::kStride + 3), ref, HistoryOverview::kStride + 3);
    // The store cleared and filled again (a reset): the overview starts again.
    store.clear();
    overview.clear();
    QCOMPARE(overview.scanned(), std::size_t(0));
    QCOMPARE(overview.tallyAt(10).entries, std::size_t(0));
}

QTEST_GUILESS_MAIN(TestHistoryOverview)
#include "test_history_overview.moc"
