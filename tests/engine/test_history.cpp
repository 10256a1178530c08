// History rows: what a feeder records is what the store gives back, row for row (ids of any
// shape, refs past the 16-bit columns, balances, every event type), whatever the points at
// which the feeder hands chunks over; two feeders share the names; lookups by id and time.
#include "engine/engine_types.hpp"
#include "engine/history.hpp"
#include "engine/history_recorder.hpp"

#include "core/handlers.hpp"
#include "core/simulator.hpp"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <optional>
#include <random>
#include <thread>

using namespace shop;
using namespace shop::engine;

namespace {

struct Expected {
    StreamId id;
    std::string type;
    Reason reason = Reason::None;
    UserId user = 0;
    std::string item;
    std::int64_t balance = -1;
    bool hasEvent = false;
    Event event;
};

Event orderOf(UserId user, std::vector<std::pair<std::string, std::int64_t>> lines)
{
    Event e;
    e.type = EventType::Order;
    e.userId = user;
    for (auto& [item, qty] : lines)
        e.lines.push_back({item, qty});
    return e;
}

// Every field applyEvent reads.
bool sameEvent(const Event& a, const Event& b)
{
    if (a.type != b.type || a.userId != b.userId || a.itemId != b.itemId || a.amount != b.amount || a.delta != b.delta
        || a.price != b.price || a.hasPrice != b.hasPrice || a.name != b.name || a.hasName != b.hasName
        || a.lines.size() != b.lines.size())
        return false;
    for (std::size_t i = 0; i < a.lines.size(); ++i) {
        if (a.lines[i].itemId != b.lines[i].itemId || a.lines[i].qty != b.lines[i].qty)
            return false;
    }
    return true;
}

// Compares two stores row for row (ids, verdicts, names, balances, events); gives the
// verdicts counted.
VerdictCounts expectSameRows(const HistoryStore& want, const HistoryStore& got)
{
    VerdictCounts counts;
    [&] {
        QCOMPARE(got.size(), want.size());
        HistoryNames::Reader a(want.names());
        HistoryNames::Reader b(got.names());
        Event ea, eb;
        for (std::size_t i = 0; i < want.size(); ++i) {
            ea.clear();
            eb.clear();
            const HistoryRow x = want.row(i, ea, a);
            const HistoryRow y = got.row(i, eb, b);
            QVERIFY(x.id == y.id);
            QCOMPARE(y.reason, x.reason);
            QCOMPARE(b.type(y.type), a.type(x.type));
            QCOMPARE(b.user(y.user), a.user(x.user));
            QCOMPARE(b.item(y.item), a.item(x.item));
            QCOMPARE(y.moreItems.size(), x.moreItems.size());
            for (std::size_t k = 0; k < x.moreItems.size(); ++k)
                QCOMPARE(b.item(y.moreItems[k]), a.item(x.moreItems[k]));
            QCOMPARE(y.balanceAfter, x.balanceAfter);
            QCOMPARE(y.hasOp, x.hasOp);
            QCOMPARE(y.hasEvent, x.hasEvent);
            QCOMPARE(y.orderTotal, x.orderTotal);
            if (x.hasEvent)
                QVERIFY2(sameEvent(ea, eb), qPrintable(QString::number(i)));
            counts.count(x.reason);
        }
    }();
    return counts;
}

// Simulated traffic, applied and recorded on the calling thread as the history job does:
// what a recorder's rows are compared with.
struct DirectFeed {
    explicit DirectFeed(SimulatorOptions options) : sim(options) {}

    // The next simulated entry, named `id` (which must outlive `raw`'s use).
    RawEntry draw(const std::string& id)
    {
        sim.next(entry);
        RawEntry raw;
        raw.id = id;
        raw.type = entry.type;
        raw.data = entry.data;
        return raw;
    }
    Reason apply(const RawEntry& raw)
    {
        const Reason reason = processEntry(live, raw, scratch);
        recordEntry(raw, reason, scratch, live, builder, checkpoints);
        return reason;
    }

    ShopSimulator sim;
    SimEntry entry;
    ShopState live;
    Event scratch; // the last entry applied, decoded
    HistoryStore direct;
    HistoryBuilder builder{direct.sharedNames()};
    std::vector<TimelineCheckpoint> checkpoints;
};

void record(HistoryBuilder& builder, const Expected& x)
{
    builder.add(x.id.toString(), x.type, x.reason, x.user, x.item, x.balance, x.hasEvent ? &x.event : nullptr);
}

// Compares the store's rows from `from` with `expected`, events included.
void compareRows(const HistoryStore& store, std::size_t from, const std::vector<Expected>& expected)
{
    QCOMPARE(store.size(), from + expected.size());
    const HistoryNames::Reader names(store.names());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const Expected& x = expected[i];
        Event event;
        const HistoryRow row = store.row(from + i, event, names);
        const QString where = QStringLiteral("row %1").arg(from + i);
        QVERIFY2(row.id == x.id, qPrintable(where + " id " + QString::fromStdString(row.id.toString())));
        QVERIFY2(row.reason == x.reason, qPrintable(where));
        QCOMPARE(names.type(row.type), std::string_view(x.type.substr(0, 32)));
        QCOMPARE(names.user(row.user), x.user);
        QCOMPARE(names.item(row.item), std::string_view(x.item));
        QCOMPARE(row.balanceAfter, x.balance);
        QCOMPARE(row.hasOp, x.hasEvent);
        if (x.hasEvent)
            QVERIFY2(sameEvent(event, x.event), qPrintable(where));
    }
}

} // namespace

class TestHistory : public QObject {
    Q_OBJECT
private slots:
    void rowsComeBackAsRecorded();
    void refsBeyondTheColumnsAndManyTypes();
    void chunksAtAnyPoint();
    void twoFeedersShareTheNames();
    void manyUsersKeepTheirRefs();
    void memoryFollowsTheBlocks();
    void lookups();
    void replayedRowsGiveTheConsumersState();
    void ordersNameEveryItem();
    void recorderWritesWhatTheBuilderWrites();
    void starvedRecorderRecordsInline();
};

void TestHistory::rowsComeBackAsRecorded()
{
    std::vector<Expected> rows;
    const auto add = [&](StreamId id, std::string type, Reason reason, UserId user, std::string item, std::int64_t balance,
                         std::optional<Event> event) {
        Expected x{id, std::move(type), reason, user, std::move(item), balance, event.has_value(), event.value_or(Event{})};
        rows.push_back(std::move(x));
    };
    Event reg;
    reg.type = EventType::RegisterUser;
    reg.userId = 7;
    reg.name = "Zoë «quoted» name";
    add({1000, 0}, "RegisterUser", Reason::None, 7, "", 0, reg);
    Event top;
    top.type = EventType::TopUp;
    top.userId = 7;
    top.amount = 1'000'000'000'000'000;
    add({1000, 1}, "TopUp", Reason::None, 7, "", 1'000'000'000'000'000, top);
    Event item;
    item.type = EventType::AddItem;
    item.itemId = "cpu";
    item.amount = 5;
    item.hasPrice = true;
    item.price = 1500;
    item.hasName = true;
    item.name = "a processor";
    add({1000, 2}, "AddItem", Reason::None, 0, "cpu", -1, item);
    Event bare = item;
    bare.hasPrice = bare.hasName = false;
    bare.price = 0;
    bare.name.clear();
    add({1000, 3}, "AddItem", Reason::None, 0, "cpu", -1, bare);
    Event price;
    price.type = EventType::SetPrice;
    price.itemId = "cpu";
    price.price = 2;
    add({1001, 0}, "SetPrice", Reason::None, 0, "cpu", -1, price);
    Event stock;
    stock.type = EventType::AdjustStock;
    stock.itemId = "cpu";
    stock.delta = -3;
    add({1001, 1}, "AdjustStock", Reason::None, 0, "cpu", -1, stock);
    Event adjust;
    adjust.type = EventType::AdjustBalance;
    adjust.userId = 7;
    adjust.delta = -250;
    add({1001, 2}, "AdjustBalance", Reason::None, 7, "", -250, adjust);
    add({1001, 3}, "OrderType", Reason::None, 7, "cpu", 12, orderOf(7, {{"cpu", 2}, {"ram", 1}, {"cpu", 3}}));
    // Rejections keep no event; an applied row may come without one.
    add({1001, 4}, "Order", Reason::InsufficientFunds, 7, "cpu", 12, std::nullopt);
    add({1001, 5}, "Order", Reason::UnknownUser, 5555, "ram", -1, std::nullopt);
    add({1001, 6}, "", Reason::Malformed, 0, "", -1, std::nullopt);
    add({1001, 7}, "TopUp", Reason::None, 7, "", 13, std::nullopt);
    // Ids of every shape: a seq past 32 bits, time going back, the largest id, 0-0.
    add({1001, (std::uint64_t(1) << 40) + 3}, "TopUp", Reason::Invalid, 0, "", -1, std::nullopt);
    add({999, 0}, "TopUp", Reason::Invalid, 0, "", -1, std::nullopt);
    add({~std::uint64_t(0), ~std::uint64_t(0)}, "TopUp", Reason::Invalid, 0, "", -1, std::nullopt);
    add({0, 0}, "TopUp", Reason::Invalid, 0, "", -1, std::nullopt);
    add({0, 0}, std::string(80, 'x'), Reason::UnknownType, 0, "", -1, std::nullopt); // clipped to 32 bytes
    add({5, 5}, "TopUp", Reason::None, 7, "", -1'000'000'000'000'000, std::nullopt);

    HistoryStore store;
    HistoryBuilder builder(store.sharedNames());
    for (const Expected& x : rows)
        record(builder, x);
    const HistoryChunk chunk = builder.take();
    QCOMPARE(chunk.count, rows.size());
    QCOMPARE(rowsOf(chunk).size(), rows.size());
    store.append(chunk);
    compareRows(store, 0, rows);
    QCOMPARE(builder.take().count, std::size_t(0));
}

void TestHistory::refsBeyondTheColumnsAndManyTypes()
{
    // More users and items than 16 bits number, and more types than 255: the refs past the
    // columns live in the byte stream, the types past 255 read as the "other" type.
    std::vector<Expected> rows;
    for (std::uint64_t n = 0; n < 70000; ++n) {
        Expected x;
        x.id = {2000 + n / 2, n % 2};
        x.type = "T" + std::to_string(n % 300);
        x.reason = n % 3 ? Reason::None : Reason::OutOfStock;
        x.user = UserId(n + 1);
        x.item = "item-" + std::to_string(n);
        x.balance = std::int64_t(n) * 7;
        if (x.reason == Reason::None) {
            x.hasEvent = true;
            x.event = orderOf(x.user, {{x.item, std::int64_t(n % 5 + 1)}});
        }
        rows.push_back(std::move(x));
    }
    HistoryStore store;
    HistoryBuilder builder(store.sharedNames());
    for (const Expected& x : rows)
        record(builder, x);
    store.append(builder.take());
    QCOMPARE(store.size(), rows.size());
    const HistoryNames::Reader names(store.names());
    for (std::size_t i : {std::size_t(0), std::size_t(65533), std::size_t(65534), std::size_t(65535), std::size_t(69999)}) {
        Event event;
        const HistoryRow row = store.row(i, event, names);
        QCOMPARE(names.user(row.user), rows[i].user);
        QCOMPARE(names.item(row.item), std::string_view(rows[i].item));
        QCOMPARE(row.balanceAfter, rows[i].balance);
        if (rows[i].hasEvent)
            QVERIFY(sameEvent(event, rows[i].event));
    }
    QCOMPARE(store.names().typeCount(), std::size_t(255));
    QCOMPARE(store.row(299).type, HistoryNames::kOtherType);
    QCOMPARE(names.type(store.row(254).type), std::string_view("T254"));
}

void TestHistory::chunksAtAnyPoint()
{
    // Handed over at random points (inside blocks, at their ends, twice in a row), the store
    // holds the rows once each, in order; each chunk's new rows are exactly those added.
    std::mt19937 rng(3);
    HistoryStore store;
    HistoryBuilder builder(store.sharedNames());
    std::vector<Expected> all;
    std::size_t handedOver = 0;
    for (std::uint64_t n = 0; n < 5000; ++n) {
        Expected x;
        x.id = {3000 + n, 0};
        x.type = "TopUp";
        x.user = UserId(n % 10 + 1);
        x.balance = std::int64_t(n);
        all.push_back(x);
        record(builder, x);
        const auto roll = rng() % 100;
        if (roll < 3 || n % 256 == 255 || n == 511) {
            const HistoryChunk chunk = builder.take();
            const auto fresh = rowsOf(chunk);
            QCOMPARE(fresh.size(), all.size() - handedOver);
            QVERIFY(fresh.front().id == all[handedOver].id);
            QVERIFY(fresh.back().id == all.back().id);
            store.append(chunk);
            QCOMPARE(store.size(), all.size());
            handedOver = all.size();
            if (roll == 0) // a take with nothing new
                QVERIFY(builder.take().empty());
        }
    }
    store.append(builder.take());
    compareRows(store, 0, all);
    std::size_t visited = 0;
    store.forEach(1234, 4321, [&](std::size_t index, const HistoryRow& row) {
        QCOMPARE(index, 1234 + visited);
        QVERIFY(row.id == all[index].id);
        ++visited;
    });
    QCOMPARE(visited, std::size_t(4321 - 1234));
}

void TestHistory::twoFeedersShareTheNames()
{
    // The history job and the consumer record on their own threads with their own builders;
    // their rows meet in one store and name users and items alike.
    HistoryStore store;
    HistoryBuilder first(store.sharedNames());
    HistoryBuilder second(store.sharedNames());
    std::vector<Expected> a, b;
    for (std::uint64_t n = 0; n < 600; ++n) {
        Expected x;
        x.id = {4000 + n, 0};
        x.type = n % 2 ? "Order" : "OrderType";
        x.user = UserId(n % 37 + 1);
        x.item = "i" + std::to_string(n % 11);
        x.balance = 1;
        (n < 300 ? a : b).push_back(x);
    }
    std::thread other([&] {
        for (const Expected& x : b)
            record(second, x);
    });
    for (const Expected& x : a)
        record(first, x);
    other.join();
    store.append(first.take());
    store.append(second.take());
    a.insert(a.end(), b.begin(), b.end());
    compareRows(store, 0, a);
    QCOMPARE(store.names().findUser(37), store.row(36).user);
    QCOMPARE(store.names().findItem("i10"), store.row(10).item);
}

void TestHistory::manyUsersKeepTheirRefs()
{
    // The feeder's user tables grow many times over 140 000 ids (small dense ones in the
    // plain array, large, negative and colliding ones in the hashed table, and the ids on
    // either side of the array's limit); every row names the user it was given, first time
    // and later.
    HistoryStore store;
    HistoryBuilder builder(store.sharedNames());
    std::vector<UserId> ids;
    for (std::int64_t n = 1; n <= 50000; ++n)
        ids.push_back(n % 3 == 0 ? n : n % 3 == 1 ? std::numeric_limits<std::int64_t>::max() - n : -n * 4096);
    for (std::int64_t dense = 50001; dense <= 140000; ++dense) // the array reaches its limit
        ids.push_back(dense);
    for (std::int64_t edge : {1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1})
        ids.push_back(edge);
    std::mt19937_64 random(7);
    std::vector<UserId> named;
    for (int round = 0; round < 2; ++round) {
        std::shuffle(ids.begin(), ids.end(), random);
        named.insert(named.end(), ids.begin(), ids.end());
    }
    for (std::size_t i = 0; i < named.size(); ++i)
        builder.add(StreamId{7000 + i, 0}.toString(), "TopUp", Reason::None, named[i], {}, 1, nullptr);
    store.append(builder.take());
    const HistoryNames::Reader names(store.names());
    for (std::size_t i = 0; i < named.size(); ++i) {
        if (names.user(store.row(i).user) != named[i])
            QFAIL(qPrintable(QStringLiteral("row %1 names user %2, not %3").arg(i).arg(names.user(store.row(i).user)).arg(named[i])));
    }
    QCOMPARE(names.lastUser(), std::uint32_t(ids.size()));
}

void TestHistory::memoryFollowsTheBlocks()
{
    // The store keeps its blocks' bytes as they come (the open block replaced by each newer
    // copy): fed in many small chunks it counts what it counts fed in one, and a cleared
    // store counts no blocks.
    HistoryStore often, once;
    HistoryBuilder a(often.sharedNames()), b(once.sharedNames());
    for (std::uint64_t n = 0; n < 5000; ++n) {
        for (HistoryBuilder* builder : {&a, &b})
            builder->add(StreamId{9000 + n, 0}.toString(), "TopUp", Reason::None, UserId(n % 50 + 1), {}, 1, nullptr);
        if (n % 7 == 0)
            often.append(a.take());
    }
    often.append(a.take());
    once.append(b.take());
    QCOMPARE(often.size(), once.size());
    QVERIFY(once.memoryBytes() > 5000 * 3);
    QCOMPARE(often.memoryBytes(), once.memoryBytes());
    often.clear();
    QVERIFY(often.memoryBytes() < 64);
}

void TestHistory::lookups()
{
    HistoryStore store;
    HistoryBuilder builder(store.sharedNames());
    for (std::uint64_t n = 0; n < 3000; ++n)
        builder.add(StreamId{5000 + n / 3, n % 3}.toString(), "TopUp", Reason::Invalid, 0, {}, -1, nullptr);
    store.append(builder.take());
    QCOMPARE(store.lowerBound({5000, 0}), std::size_t(0));
    QCOMPARE(store.lowerBound({5100, 1}), std::size_t(301));
    QCOMPARE(store.lowerBound({5100, 7}), std::size_t(303));
    QCOMPARE(store.lowerBound({5999, 2}), std::size_t(2999));
    QCOMPARE(store.lowerBound({6000, 0}), std::size_t(3000));
    QCOMPARE(store.lowerBound({1, 0}), std::size_t(0));
    QCOMPARE(store.indexAtTime(5256), std::size_t(768)); // a block's first row
    QVERIFY(store.id(2999) == (StreamId{5999, 2}));
}

// Rows re-applied from the store give the state the feeder had (what seeks rely on).
void TestHistory::replayedRowsGiveTheConsumersState()
{
    for (const bool legacy : {false, true}) {
        ShopSimulator sim({200, 40, 17, legacy});
        SimEntry entry;
        ShopState live;
        Event scratch;
        HistoryStore store;
        HistoryBuilder builder(store.sharedNames());
        for (std::size_t i = 0; i < 20000; ++i) {
            sim.next(entry);
            RawEntry raw;
            const std::string id = StreamId{10000 + i, 0}.toString();
            raw.id = id;
            raw.type = entry.type;
            raw.data = entry.data;
            const Reason reason = processEntry(live, raw, scratch);
            const bool decoded = reason == Reason::None || reason > Reason::Invalid;
            const User* user = decoded && scratch.userId ? live.findUser(scratch.userId) : nullptr;
            builder.add(id, entry.type, reason, decoded ? scratch.userId : 0, {}, user ? user->balance : -1,
                        reason == Reason::None ? &scratch : nullptr);
            if (i % 777 == 0)
                store.append(builder.take());
        }
        store.append(builder.take());
        ShopState replayed;
        store.apply(replayed, 0, store.size(), nullptr, nullptr);
        QCOMPARE(replayed.lastEventId, live.lastEventId);
        QCOMPARE(replayed.counts.applied, live.counts.applied);
        QCOMPARE(replayed.counts.rejected, live.counts.rejected);
        QCOMPARE(replayed.users().size(), live.users().size());
        QCOMPARE(replayed.items().size(), live.items().size());
        for (const auto& [id, user] : live.users())
            QVERIFY2(replayed.findUser(id) && *replayed.findUser(id) == user, qPrintable(QString::number(id)));
        for (const auto& [id, item] : live.items())
            QVERIFY2(replayed.findItem(id) && *replayed.findItem(id) == item, id.c_str());
        QVERIFY(replayed == live);
        QVERIFY(live.counts.rejected > 0);
    }
}

// An order's items beyond the first (its further lines) come back with the row, each once,
// for applied, rejected and invalid orders alike (the item filter matches any of them), in
// any block, read in order or at random.
void TestHistory::ordersNameEveryItem()
{
    auto names = std::make_shared<HistoryNames>();
    HistoryBuilder builder(names);
    HistoryStore store(names);
    const auto lines = [](std::vector<std::string> items) {
        std::vector<OrderLine> out;
        for (auto& item : items)
            out.push_back({std::move(item), 1});
        return out;
    };
    // Which items each row should name beyond its column, as ids.
    std::vector<std::vector<std::string>> expected;
    for (std::size_t i = 0; i < 600; ++i) {
        const std::string id = std::to_string(1000 + i) + "-0";
        switch (i % 5) {
        case 0: { // applied, items repeated
            Event order;
            order.type = EventType::Order;
            order.userId = 3;
            order.lines = lines({"cpu", "ram", "cpu", "gpu", "ram"});
            builder.add(id, "Order", Reason::None, 3, "cpu", 10, &order);
            expected.push_back({"ram", "gpu"});
            break;
        }
        case 1: { // rejected after decoding
            const auto named = lines({"ram", "ssd"});
            builder.add(id, "Order", Reason::InsufficientFunds, 3, "ram", 10, nullptr, &named);
            expected.push_back({"ssd"});
            break;
        }
        case 2: { // invalid: the first line's id is not well-formed, the second's is
            const auto named = lines({"bad id", "ssd", ""});
            builder.add(id, "Order", Reason::Invalid, 3, "", -1, nullptr, &named);
            expected.push_back({"ssd"});
            break;
        }
        case 3: { // one line: nothing more
            const auto named = lines({"cpu"});
            builder.add(id, "Order", Reason::OutOfStock, 3, "cpu", 10, nullptr, &named);
            expected.push_back({});
            break;
        }
        default: // no order at all
            builder.add(id, "TopUp", Reason::None, 3, "", 20, nullptr);
            expected.push_back({});
        }
        if (i % 97 == 0)
            store.append(builder.take());
    }
    store.append(builder.take());
    QCOMPARE(store.size(), expected.size());
    const HistoryNames::Reader reader(*names);
    const auto idsOf = [&](const HistoryRow& row) {
        std::vector<std::string> out;
        for (std::uint32_t ref : row.moreItems)
            out.emplace_back(reader.item(ref));
        return out;
    };
    std::size_t seen = 0;
    store.forEach(0, store.size(), [&](std::size_t index, const HistoryRow& row) {
        QCOMPARE(idsOf(row), expected[index]);
        ++seen;
    });
    QCOMPARE(seen, expected.size());
    for (std::size_t index : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(257), std::size_t(511), std::size_t(599)})
        QCOMPARE(idsOf(store.row(index)), expected[index]);
}

// The consumer's rows are written on a thread of their own (HistoryRecorder): whatever the
// points at which pages are handed over and chunks taken, they are the rows recordEntry
// writes on the applying thread, for every verdict (applied, rejected, invalid, malformed,
// unknown types), legacy entries too.
void TestHistory::recorderWritesWhatTheBuilderWrites()
{
    const std::string bad[] = {
        R"({"lines":[{"itemId":"bad id!","qty":1}],"userId":5})",                             // invalid, user named
        R"({"lines":[{"itemId":"item-0001","qty":1},{"itemId":"item-0002","qty":0}],"userId":7})", // invalid, items named
        R"({"lines":[)",                                                                      // malformed
    };
    for (const bool legacy : {false, true}) {
        std::mt19937 rng(legacy ? 11 : 5);
        DirectFeed feed({300, 30, 23, legacy});
        HistoryStore threaded;
        std::optional<HistoryRecorder> recorder(std::in_place, threaded.sharedNames());
        std::size_t taken = 0;
        for (std::size_t i = 0; i < 30000; ++i) {
            const std::string id = StreamId{20000 + i / 2, i % 2}.toString();
            RawEntry raw = feed.draw(id);
            if (i % 97 == 50) { // bad input among the traffic
                raw.type = i % 4 == 3 ? std::string_view("NoSuchType") : std::string_view("Order");
                raw.data = bad[i % 4 % 3];
            }
            const Reason reason = feed.apply(raw);
            recorder->stage(raw, reason, feed.scratch, feed.live);
            const auto roll = rng() % 1000;
            if (roll < 20)
                recorder->handOver();
            if (roll < 3) {
                threaded.append(recorder->take());
                feed.direct.append(feed.builder.take());
                QCOMPARE(threaded.size(), feed.direct.size());
                ++taken;
            }
        }
        // The rest, handed over or only staged: a take waits until all of it is written.
        recorder->handOver();
        threaded.append(recorder->take());
        recorder.reset();
        feed.direct.append(feed.builder.take());
        // A recorder that goes while its thread writes a hand-over waits for it, and drops
        // what was only staged (as a consumer's does when its state is restored again).
        {
            const std::string id = "1-1";
            RawEntry unknown;
            unknown.id = id;
            unknown.type = std::string_view("NoSuchType");
            HistoryRecorder dropped(std::make_shared<HistoryNames>());
            for (std::size_t i = 0; i < 3000; ++i)
                dropped.stage(unknown, Reason::UnknownType, feed.scratch, feed.live);
            dropped.handOver();
            dropped.stage(unknown, Reason::UnknownType, feed.scratch, feed.live);
        }
        QVERIFY(taken > 20);
        QCOMPARE(threaded.size(), std::size_t(30000));
        const VerdictCounts counts = expectSameRows(feed.direct, threaded);
        if (QTest::currentTestFailed())
            return;
        const auto of = [&counts](Reason r) { return counts.byReason[static_cast<std::size_t>(r)]; };
        const std::int64_t againstTheShop = counts.rejected - of(Reason::Invalid) - of(Reason::Malformed)
                                            - of(Reason::UnknownType) - of(Reason::TooLarge)
                                            - of(Reason::UnsupportedVersion);
        QVERIFY(againstTheShop > 0 && of(Reason::Invalid) > 0 && of(Reason::Malformed) > 0 && of(Reason::UnknownType) > 0);
    }
}

// A recording thread that gets no core (here: one held up for longer than starvedAfter)
// does not hold the consumer up for good: once the hand-over it has is written, the
// applying thread records every later one itself, and the rows are the same.
void TestHistory::starvedRecorderRecordsInline()
{
    DirectFeed feed({200, 20, 7, false});
    HistoryStore recorded;
    std::atomic<int> threadRecorded{0};
    HistoryRecorder::Options options;
    options.starvedAfter = std::chrono::milliseconds(20);
    options.beforeRecording = [&threadRecorded] {
        if (threadRecorded++ == 0) // the first hand-over waits as a starved thread would
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
    };
    HistoryRecorder recorder(recorded.sharedNames(), options);
    for (std::size_t i = 0; i < 8000; ++i) {
        const std::string id = StreamId{30000 + i, 0}.toString();
        const RawEntry raw = feed.draw(id);
        const Reason reason = feed.apply(raw);
        recorder.stage(raw, reason, feed.scratch, feed.live);
        if (i % 1000 == 999) {
            QElapsedTimer waited;
            waited.start();
            recorder.handOver();
            if (i == 999) // taken by the thread, which then sleeps
                QVERIFY(!recorder.recordsInline());
            if (i == 1999) { // waits for the sleeping thread, then records inline
                QVERIFY(recorder.recordsInline());
                QVERIFY(waited.elapsed() >= 100);
            }
            if (i == 3999)
                recorded.append(recorder.take());
        }
    }
    recorded.append(recorder.take());
    feed.direct.append(feed.builder.take());
    QCOMPARE(threadRecorded.load(), 1); // the thread wrote the first hand-over only
    QCOMPARE(recorded.size(), std::size_t(8000));
    expectSameRows(feed.direct, recorded);
}

QTEST_APPLESS_MAIN(TestHistory)
#include "test_history.moc"
