// SnapshotStore against a real redis-server (DESIGN sections 4 and 5): what save writes and
// list reports, trimming to the newest N, one index entry per id, a consistent index under
// two concurrent writers, every way a snapshot can be unusable (passed over with a warning
// naming it, falling back to an older one, or to none), the untilId cut, and a loud refusal
// when the stream was trimmed past the snapshot.
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "core/snapshot_codec.hpp"
#include "core/stream_id.hpp"
#include "redis/keys.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <nlohmann/json.hpp>

#include <QStringList>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <thread>

using shop::ShopState;
using shop::redis::Connection;
using shop::redis::EntryBatch;
using shop::redis::RestoreOutcome;
using shop::redis::SnapshotListing;
using shop::redis::SnapshotStore;
using shop::redis::StreamReader;
using shop::redis::StreamWriter;

namespace {

QString text(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// A stream entry as read back from Redis, owned.
struct StoredEntry {
    std::string id;
    std::optional<std::string> type;
    std::optional<std::string> data;
    std::optional<std::string> v;
};

// The state after applying entries [0, count) in memory.
ShopState stateOf(const std::vector<StoredEntry>& entries, std::size_t count)
{
    ShopState state;
    shop::Event scratch;
    for (std::size_t i = 0; i < count && i < entries.size(); ++i) {
        shop::RawEntry raw;
        raw.id = entries[i].id;
        raw.type = entries[i].type;
        raw.data = entries[i].data;
        raw.v = entries[i].v;
        shop::processEntry(state, raw, scratch);
    }
    return state;
}

QString describe(const RestoreOutcome& o)
{
    return QStringLiteral("restored=%1 id=%2 error=\"%3\" warnings=[%4]")
        .arg(o.restored)
        .arg(text(o.snapshotId), text(o.error))
        .arg([&] {
            QStringList w;
            for (const auto& s : o.warnings)
                w << text(s);
            return w.join(QStringLiteral("; "));
        }());
}

std::string laterId(const std::string& id, std::uint64_t addMs)
{
    auto parsed = shop::StreamId::parse(id);
    parsed->ms += addMs;
    return parsed->toString();
}

} // namespace

class TestSnapshotStore : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void saveThenListAndRestore();
    void saveRefusesAStateWithoutEvents();
    void keepsTheNewestN();
    void keepsTenByDefault();
    void savingTheSameIdTwiceKeepsOneEntry();
    void storeOrdersSnapshotsWithinOneMillisecond();
    void concurrentWritersLeaveAConsistentIndex();
    void unusableNewestFallsBackToTheOlder_data();
    void unusableNewestFallsBackToTheOlder();
    void allUnusableMeansReplayFromTheStart();
    void noSnapshotsMeansReplayFromTheStart();
    void snapshotAfterTheLastEntryIsPassedOver();
    void untilIdChoosesAnOlderSnapshotQuietly();
    void streamTrimmedPastTheSnapshotIsRefused();
    void entryDeletedAfterTheSnapshotIsRefused();
    void streamTrimmedBeforeTheSnapshotStillRestores_data();
    void streamTrimmedBeforeTheSnapshotStillRestores();

private:
    // Appends `count` simulated entries and returns everything the stream holds.
    std::vector<StoredEntry> produce(const std::string& stream, std::size_t count, std::uint64_t seed = 1,
                                     bool legacy = false);
    std::vector<StoredEntry> readAll(const std::string& stream);
    bool exists(const std::string& key);
    std::int64_t zcard(const std::string& key);
    std::vector<std::string> indexIds(const std::string& stream, bool redisOrder = false);
    std::set<std::string> blobKeys(const std::string& stream);
    std::string get(const std::string& key);

    TestRedisServer server_;
    Connection c_;
};

void TestSnapshotStore::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

std::vector<StoredEntry> TestSnapshotStore::produce(const std::string& stream, std::size_t count, std::uint64_t seed,
                                                    bool legacy)
{
    shop::SimulatorOptions options;
    options.users = 40;
    options.items = 25;
    options.seed = seed;
    options.legacy = legacy;
    shop::ShopSimulator simulator(options);
    std::vector<shop::redis::AppendRequest> requests(count);
    shop::SimEntry e;
    for (auto& r : requests) {
        simulator.next(e);
        r.type = e.type;
        r.data = e.data;
        r.actor = "test";
        r.legacy = legacy;
    }
    StreamWriter writer(c_, stream);
    const std::size_t written = writer.appendBatch(requests);
    if (written != count)
        qWarning("appendBatch wrote %zu of %zu: %s", written, count, writer.error().c_str());
    return readAll(stream);
}

std::vector<StoredEntry> TestSnapshotStore::readAll(const std::string& stream)
{
    std::vector<StoredEntry> out;
    StreamReader reader(c_, stream);
    EntryBatch batch;
    std::string after;
    for (;;) {
        if (!reader.range(after, 1000, batch)) {
            qWarning("XRANGE failed: %s", reader.error().c_str());
            return out;
        }
        if (batch.entries.empty())
            return out;
        for (const auto& raw : batch.entries) {
            StoredEntry& s = out.emplace_back();
            s.id = std::string(raw.id);
            if (raw.type)
                s.type = std::string(*raw.type);
            if (raw.data)
                s.data = std::string(*raw.data);
            if (raw.v)
                s.v = std::string(*raw.v);
        }
        after = out.back().id;
    }
}

bool TestSnapshotStore::exists(const std::string& key) { return c_.command({"EXISTS", key}).integer() == 1; }

std::int64_t TestSnapshotStore::zcard(const std::string& key) { return c_.command({"ZCARD", key}).integer(); }

std::vector<std::string> TestSnapshotStore::indexIds(const std::string& stream, bool redisOrder)
{
    std::vector<std::string> ids;
    shop::redis::Reply r = c_.command({"ZRANGE", shop::redis::snapshotIndexKey(stream), "0", "-1"});
    shop::redis::ReplyView list(r.raw());
    for (std::size_t i = 0; i < list.size(); ++i)
        ids.emplace_back(list[i].str());
    // Entries written in one millisecond share a score, and Redis orders those by member
    // text ("5-10" before "5-9"); unless asked for that order, sort as stream ids.
    if (!redisOrder) {
        std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
            return shop::StreamId::parse(a).value_or(shop::StreamId{}) < shop::StreamId::parse(b).value_or(shop::StreamId{});
        });
    }
    return ids;
}

std::set<std::string> TestSnapshotStore::blobKeys(const std::string& stream)
{
    std::set<std::string> keys;
    shop::redis::Reply r = c_.command({"KEYS", stream + ":snapshot:*"});
    shop::redis::ReplyView list(r.raw());
    for (std::size_t i = 0; i < list.size(); ++i)
        keys.emplace(list[i].str());
    return keys;
}

std::string TestSnapshotStore::get(const std::string& key)
{
    shop::redis::Reply r = c_.command({"GET", key});
    return r.isString() ? std::string(r.str()) : std::string();
}

void TestSnapshotStore::saveThenListAndRestore()
{
    const std::string stream = "st:basic";
    const auto entries = produce(stream, 300);
    QCOMPARE(entries.size(), std::size_t(300));
    ShopState state = stateOf(entries, entries.size());
    QVERIFY(state.counts.applied > 0 && state.counts.rejected > 0);
    // What a snapshot records of its last entry: the fingerprint of the entry as stored.
    EntryBatch last;
    QVERIFY(StreamReader(c_, stream).entry(entries.back().id, last));
    QCOMPARE(last.entries.size(), std::size_t(1));
    state.lastEntryFingerprint = shop::entryFingerprint(last.entries.front());

    SnapshotStore store(c_, stream);
    QVERIFY2(store.save(state, 1700000000123), store.error().c_str());
    QVERIFY(store.error().empty());

    // What lands in Redis: the blob under S:snapshot:<id>, the id in S:snapshots scored by
    // the entry's time.
    const std::string key = shop::redis::snapshotKey(stream, state.lastEventId);
    QCOMPARE(text(key), text(stream + ":snapshot:" + entries.back().id));
    const std::string blob = get(key);
    QCOMPARE(text(blob), text(shop::encodeSnapshot(state, stream, 1700000000123)));
    QCOMPARE(indexIds(stream), std::vector<std::string>{entries.back().id});
    const auto score = c_.command({"ZSCORE", shop::redis::snapshotIndexKey(stream), entries.back().id});
    QCOMPARE(text(score.str()), QString::number(shop::StreamId::parse(entries.back().id)->ms));

    std::vector<SnapshotListing> listing;
    QVERIFY2(store.list(listing), store.error().c_str());
    QCOMPARE(listing.size(), std::size_t(1));
    const SnapshotListing& l = listing[0];
    QCOMPARE(text(l.id), text(entries.back().id));
    QVERIFY2(l.checked, l.problem.c_str());
    QVERIFY(l.problem.empty());
    QCOMPARE(l.bytes, blob.size());
    QCOMPARE(text(l.header.format), QStringLiteral("shopstream-snapshot"));
    QCOMPARE(l.header.version, shop::kSnapshotVersion);
    QCOMPARE(text(l.header.stream), text(stream));
    QCOMPARE(text(l.header.lastEventId), text(entries.back().id));
    QCOMPARE(l.header.total, qint64(300));
    QCOMPARE(l.header.applied, state.counts.applied);
    QCOMPARE(l.header.rejected, state.counts.rejected);
    QCOMPARE(l.header.users, qint64(state.users().size()));
    QCOMPARE(l.header.items, qint64(state.items().size()));
    QCOMPARE(l.header.createdMs, qint64(1700000000123));

    ShopState restored;
    restored.addUser(77, "stale");
    const RestoreOutcome outcome = store.restoreNewest(restored);
    QVERIFY2(outcome.restored, qPrintable(describe(outcome)));
    QCOMPARE(text(outcome.snapshotId), text(entries.back().id));
    QVERIFY2(outcome.warnings.empty() && outcome.error.empty(), qPrintable(describe(outcome)));
    QVERIFY(restored == state);
}

void TestSnapshotStore::saveRefusesAStateWithoutEvents()
{
    SnapshotStore store(c_, "st:nothing");
    QVERIFY(!store.save(ShopState(), 1));
    QVERIFY2(text(store.error()).contains(QStringLiteral("nothing to snapshot")), store.error().c_str());
    QCOMPARE(zcard(shop::redis::snapshotIndexKey("st:nothing")), 0);
    QVERIFY(blobKeys("st:nothing").empty());
}

void TestSnapshotStore::keepsTheNewestN()
{
    const std::string stream = "st:keep3";
    const auto entries = produce(stream, 500);
    SnapshotStore store(c_, stream, 3);
    std::vector<std::string> saved;
    for (std::size_t k : {100, 200, 300, 400, 500}) {
        const ShopState state = stateOf(entries, k);
        QVERIFY2(store.save(state, static_cast<std::int64_t>(k)), store.error().c_str());
        saved.push_back(state.lastEventId);
        // Never more than three at any time.
        QVERIFY(zcard(shop::redis::snapshotIndexKey(stream)) <= 3);
    }
    QCOMPARE(zcard(shop::redis::snapshotIndexKey(stream)), 3);
    QCOMPARE(indexIds(stream), std::vector<std::string>(saved.begin() + 2, saved.end()));
    QVERIFY(!exists(shop::redis::snapshotKey(stream, saved[0])));
    QVERIFY(!exists(shop::redis::snapshotKey(stream, saved[1])));
    for (std::size_t i = 2; i < saved.size(); ++i)
        QVERIFY(exists(shop::redis::snapshotKey(stream, saved[i])));
    QCOMPARE(blobKeys(stream).size(), std::size_t(3));

    std::vector<SnapshotListing> listing;
    QVERIFY(store.list(listing));
    QCOMPARE(listing.size(), std::size_t(3));
    for (std::size_t i = 0; i < 3; ++i) { // oldest first
        QCOMPARE(text(listing[i].id), text(saved[i + 2]));
        QVERIFY2(listing[i].checked, listing[i].problem.c_str());
        QCOMPARE(listing[i].header.total, qint64(100 * (i + 3)));
    }

    // Saving an older one than all kept (a slow writer) stores nothing, says so, and leaves
    // the newest three alone.
    QVERIFY(!store.save(stateOf(entries, 50), 1));
    QVERIFY2(text(store.error()).contains(QStringLiteral("older than the 3 kept")), store.error().c_str());
    QCOMPARE(indexIds(stream), std::vector<std::string>(saved.begin() + 2, saved.end()));
    QCOMPARE(blobKeys(stream).size(), std::size_t(3));
}

void TestSnapshotStore::keepsTenByDefault()
{
    const std::string stream = "st:keep10";
    const auto entries = produce(stream, 120);
    SnapshotStore store(c_, stream);
    for (std::size_t k = 10; k <= 120; k += 10)
        QVERIFY2(store.save(stateOf(entries, k), 1), store.error().c_str());
    const auto ids = indexIds(stream);
    QCOMPARE(ids.size(), std::size_t(10));
    QCOMPARE(text(ids.front()), text(entries[29].id));
    QCOMPARE(text(ids.back()), text(entries[119].id));
    QCOMPARE(blobKeys(stream).size(), std::size_t(10));
}

void TestSnapshotStore::savingTheSameIdTwiceKeepsOneEntry()
{
    const std::string stream = "st:twice";
    const auto entries = produce(stream, 50);
    const ShopState state = stateOf(entries, 50);
    SnapshotStore store(c_, stream, 3);
    QVERIFY(store.save(state, 1));
    QVERIFY(store.save(state, 2));
    QCOMPARE(zcard(shop::redis::snapshotIndexKey(stream)), 1);
    QCOMPARE(blobKeys(stream).size(), std::size_t(1));
    shop::SnapshotHeader header;
    QVERIFY(shop::decodeSnapshotHeader(get(shop::redis::snapshotKey(stream, state.lastEventId)), header).empty());
    QCOMPARE(header.createdMs, qint64(2)); // the second one replaced the first

    // With keep=3, saving the same id three more times must not push older ones out.
    const ShopState older = stateOf(entries, 20);
    QVERIFY(store.save(older, 3));
    for (int i = 0; i < 3; ++i)
        QVERIFY(store.save(state, 10 + i));
    QCOMPARE(indexIds(stream), (std::vector<std::string>{older.lastEventId, state.lastEventId}));
}

// DESIGN section 4: S:snapshots is "newest last". The score is the entry's millisecond, so
// ids of one millisecond tie and Redis orders them by member text: "5000-10" before "5000-9".
// The store sorts ids itself, but anyone reading the index with ZRANGE gets the wrong newest.
void TestSnapshotStore::storeOrdersSnapshotsWithinOneMillisecond()
{
    const std::string stream = "st:same-ms";
    SnapshotStore store(c_, stream, 5);
    // A snapshot must be of an entry of the stream: entries 5000-0 .. 5000-11.
    for (int seq = 0; seq <= 11; ++seq)
        QVERIFY(c_.command({"XADD", stream, "5000-" + std::to_string(seq), "type", "TopUp", "data", "{}"}).isString());
    for (const char* id : {"5000-8", "5000-9", "5000-10", "5000-11"}) {
        ShopState state;
        state.lastEventId = id;
        for (int i = 0; i <= std::stoi(std::string(id).substr(5)); ++i)
            state.counts.count(shop::Reason::Invalid);
        QVERIFY2(store.save(state, 1), store.error().c_str());
    }
    // The store's own view is right.
    std::vector<SnapshotListing> listing;
    QVERIFY(store.list(listing));
    QCOMPARE(listing.size(), std::size_t(4));
    QCOMPARE(text(listing.back().id), QStringLiteral("5000-11"));
    // DESIGN section 4 fixes the score as the entry time in ms, so within one millisecond
    // Redis orders the index by member text; readers must sort by id (the store does).
    const auto redisOrder = indexIds(stream, true);
    QCOMPARE(redisOrder.size(), std::size_t(4));
}

// Two writers on two connections saving at the same time: WATCH + MULTI/EXEC must keep the
// index and the blobs in step (every index id has its blob and every blob is indexed) and
// trimmed to the newest `keep` of what was saved.
void TestSnapshotStore::concurrentWritersLeaveAConsistentIndex()
{
    const std::string stream = "st:concurrent";
    constexpr int kPerWriter = 300;
    constexpr int kKeep = 3;
    // The entries the snapshots are of (a snapshot must be of an entry of the stream).
    for (int i = 0; i < 2 * kPerWriter; ++i)
        QVERIFY(c_.command({"XADD", stream, std::to_string(1000 + i) + "-0", "type", "TopUp", "data", "{}"}).isString());
    std::atomic<int> failures{0};
    std::vector<std::string> problems[2];
    std::vector<std::uint64_t> savedMs[2];
    std::atomic<bool> go{false};

    auto writer = [&](int which) {
        Connection connection;
        if (!connection.connect(server_.url())) {
            problems[which].push_back("connect: " + connection.error());
            return;
        }
        SnapshotStore store(connection, stream, kKeep);
        while (!go.load())
            std::this_thread::yield();
        for (int i = 0; i < kPerWriter; ++i) {
            // Interleaved ids: writer 0 the even milliseconds, writer 1 the odd ones.
            const std::uint64_t ms = 1000 + 2 * static_cast<std::uint64_t>(i) + static_cast<std::uint64_t>(which);
            ShopState state;
            state.addUser(1, "w" + std::to_string(which));
            state.counts.count(shop::Reason::None);
            state.lastEventId = std::to_string(ms) + "-0";
            if (store.save(state, static_cast<std::int64_t>(ms))) {
                savedMs[which].push_back(ms);
            } else {
                ++failures;
                // The only acceptable failures: the retries ran out under contention, or the
                // other writer had already kept newer ones (so this one would be trimmed at once).
                if (store.error().find("kept changing") == std::string::npos
                    && store.error().find("older than the") == std::string::npos)
                    problems[which].push_back(store.error());
            }
        }
    };
    // An observer reads the index and the blob keys in one transaction, over and over: at no
    // moment may they disagree or hold more than `keep` (a save without WATCH shows both).
    std::atomic<bool> done{false};
    int observations = 0;
    std::vector<std::string> inconsistencies;
    std::thread observer([&] {
        Connection connection;
        if (!connection.connect(server_.url())) {
            inconsistencies.push_back("connect: " + connection.error());
            return;
        }
        while (!go.load())
            std::this_thread::yield();
        while (!done.load()) {
            connection.append({"MULTI"});
            connection.append({"ZRANGE", shop::redis::snapshotIndexKey(stream), "0", "-1"});
            connection.append({"KEYS", stream + ":snapshot:*"});
            connection.append({"EXEC"});
            for (int i = 0; i < 3; ++i)
                connection.getReply();
            const shop::redis::Reply exec = connection.getReply();
            const shop::redis::ReplyView view(exec.raw());
            std::set<std::string> indexed;
            for (std::size_t i = 0; i < view[0].size(); ++i)
                indexed.insert(shop::redis::snapshotKey(stream, view[0][i].str()));
            std::set<std::string> blobs;
            for (std::size_t i = 0; i < view[1].size(); ++i)
                blobs.emplace(view[1][i].str());
            ++observations;
            if (indexed.size() > std::size_t(kKeep) || indexed != blobs)
                inconsistencies.push_back(std::to_string(indexed.size()) + " indexed, " + std::to_string(blobs.size())
                                          + " blobs");
        }
    });
    std::thread a(writer, 0);
    std::thread b(writer, 1);
    go = true;
    a.join();
    b.join();
    done = true;
    observer.join();
    QVERIFY(observations > 0);
    QVERIFY2(inconsistencies.empty(),
             qPrintable(QStringLiteral("%1 of %2 observations inconsistent, first: %3")
                            .arg(inconsistencies.size())
                            .arg(observations)
                            .arg(inconsistencies.empty() ? QString() : text(inconsistencies.front()))));
    for (int w = 0; w < 2; ++w)
        QVERIFY2(problems[w].empty(), problems[w].empty() ? "" : problems[w].front().c_str());
    QVERIFY2(failures.load() < kPerWriter, qPrintable(QString::number(failures.load())));

    std::vector<std::uint64_t> all = savedMs[0];
    all.insert(all.end(), savedMs[1].begin(), savedMs[1].end());
    std::sort(all.begin(), all.end());
    QVERIFY(all.size() >= std::size_t(kKeep));
    std::vector<std::string> expected;
    for (auto it = all.end() - kKeep; it != all.end(); ++it)
        expected.push_back(std::to_string(*it) + "-0");

    const auto ids = indexIds(stream);
    QCOMPARE(ids, expected);
    std::set<std::string> expectedKeys;
    for (const auto& id : ids)
        expectedKeys.insert(shop::redis::snapshotKey(stream, id));
    QCOMPARE(blobKeys(stream), expectedKeys);
    for (const auto& id : ids) {
        shop::SnapshotHeader header;
        QVERIFY(shop::verifySnapshot(get(shop::redis::snapshotKey(stream, id)), stream, &header).empty());
        QCOMPARE(text(header.lastEventId), text(id));
    }
}

void TestSnapshotStore::unusableNewestFallsBackToTheOlder_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expected"); // a word the warning must hold
    QTest::newRow("flipped body byte") << "flip" << "checksum";
    QTest::newRow("truncated") << "truncate" << "truncated";
    QTest::newRow("cut inside the header") << "truncate-header" << "header";
    QTest::newRow("another stream's snapshot") << "other-stream" << "st:other";
    QTest::newRow("version 2") << "version2" << "version";
    QTest::newRow("older state under the newer key") << "wrong-id" << "differs from its key";
    QTest::newRow("blob missing") << "missing" << "missing";
    QTest::newRow("not a snapshot") << "garbage" << "snapshot";
    QTest::newRow("header counts disagree with the body") << "counts" << "counts";
}

void TestSnapshotStore::unusableNewestFallsBackToTheOlder()
{
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    const std::string stream = "st:bad:" + damage.toStdString();
    const auto entries = produce(stream, 500, 5);
    const ShopState older = stateOf(entries, 200);
    const ShopState newer = stateOf(entries, 400);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(older, 1));
    QVERIFY(store.save(newer, 2));
    const std::string key = shop::redis::snapshotKey(stream, newer.lastEventId);
    const std::string blob = get(key);
    const std::size_t newline = blob.find('\n');
    QVERIFY(newline != std::string::npos);

    if (damage == QLatin1String("flip")) {
        // SETRANGE one byte in the body to another value.
        const std::size_t offset = newline + 1 + (blob.size() - newline - 1) / 2;
        const char flipped[1] = {static_cast<char>(blob[offset] ^ 0x04)};
        QCOMPARE(c_.command({"SETRANGE", key, std::to_string(offset), std::string_view(flipped, 1)}).integer(),
                 qint64(blob.size()));
    } else if (damage == QLatin1String("truncate")) {
        QVERIFY(c_.command({"SET", key, blob.substr(0, blob.size() - 10)}).isString());
    } else if (damage == QLatin1String("truncate-header")) {
        QVERIFY(c_.command({"SET", key, blob.substr(0, newline / 2)}).isString());
    } else if (damage == QLatin1String("other-stream")) {
        QVERIFY(c_.command({"SET", key, shop::encodeSnapshot(newer, "st:other", 2)}).isString());
    } else if (damage == QLatin1String("version2")) {
        nlohmann::json header = nlohmann::json::parse(blob.substr(0, newline));
        header["version"] = 3;
        QVERIFY(c_.command({"SET", key, header.dump() + blob.substr(newline)}).isString());
    } else if (damage == QLatin1String("wrong-id")) {
        QVERIFY(c_.command({"SET", key, shop::encodeSnapshot(older, stream, 2)}).isString());
    } else if (damage == QLatin1String("missing")) {
        QCOMPARE(c_.command({"DEL", key}).integer(), qint64(1));
    } else if (damage == QLatin1String("garbage")) {
        QVERIFY(c_.command({"SET", key, "hello"}).isString());
    } else if (damage == QLatin1String("counts")) {
        nlohmann::json header = nlohmann::json::parse(blob.substr(0, newline));
        header["users"] = header["users"].get<std::int64_t>() + 1;
        QVERIFY(c_.command({"SET", key, header.dump() + blob.substr(newline)}).isString());
    }

    ShopState state;
    const RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY2(outcome.restored, qPrintable(describe(outcome)));
    QVERIFY2(outcome.error.empty(), qPrintable(describe(outcome)));
    QCOMPARE(text(outcome.snapshotId), text(older.lastEventId));
    QVERIFY(state == older);
    QCOMPARE(outcome.warnings.size(), std::size_t(1));
    const QString warning = text(outcome.warnings[0]);
    QVERIFY2(warning.contains(text(newer.lastEventId)), qPrintable(warning));
    QVERIFY2(warning.contains(expected), qPrintable(warning));

    // The listing tells the same story (except for what only loading the body can see).
    std::vector<SnapshotListing> listing;
    QVERIFY(store.list(listing));
    QCOMPARE(listing.size(), std::size_t(2));
    QVERIFY(listing[0].checked);
    if (damage != QLatin1String("counts")) {
        QVERIFY2(!listing[1].checked, qPrintable(damage));
        QVERIFY(!listing[1].problem.empty());
    }
}

void TestSnapshotStore::allUnusableMeansReplayFromTheStart()
{
    const std::string stream = "st:allbad";
    const auto entries = produce(stream, 300, 6);
    SnapshotStore store(c_, stream);
    std::vector<std::string> ids;
    for (std::size_t k : {100, 200, 300}) {
        const ShopState s = stateOf(entries, k);
        QVERIFY(store.save(s, 1));
        ids.push_back(s.lastEventId);
    }
    for (const auto& id : ids) {
        const std::string key = shop::redis::snapshotKey(stream, id);
        QVERIFY(c_.command({"SETRANGE", key, std::to_string(get(key).size() - 3), "#"}).isInteger());
    }
    ShopState state;
    state.addUser(5, "stale");
    const RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY2(!outcome.restored, qPrintable(describe(outcome)));
    QVERIFY2(outcome.error.empty(), qPrintable(describe(outcome)));
    QVERIFY(outcome.snapshotId.empty());
    QVERIFY(state == ShopState());
    QCOMPARE(outcome.warnings.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) // newest first
        QVERIFY2(text(outcome.warnings[i]).contains(text(ids[ids.size() - 1 - i])), outcome.warnings[i].c_str());
}

void TestSnapshotStore::noSnapshotsMeansReplayFromTheStart()
{
    produce("st:none", 20);
    SnapshotStore store(c_, "st:none");
    ShopState state;
    const RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY(!outcome.restored);
    QVERIFY2(outcome.error.empty() && outcome.warnings.empty(), qPrintable(describe(outcome)));
    QVERIFY(state == ShopState());
}

void TestSnapshotStore::snapshotAfterTheLastEntryIsPassedOver()
{
    const std::string stream = "st:future";
    const auto entries = produce(stream, 300, 7);
    const ShopState good = stateOf(entries, 200);
    ShopState future = stateOf(entries, 300);
    future.lastEventId = laterId(entries.back().id, 60000); // a minute after the last entry
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(good, 1));
    // The store will not save it (no such entry): planted by hand, as a bad clock or another
    // tool could leave it.
    QVERIFY(!store.save(future, 2));
    QVERIFY(c_.command({"SET", shop::redis::snapshotKey(stream, future.lastEventId), shop::encodeSnapshot(future, stream, 2)})
                .isString());
    QVERIFY(c_.command({"ZADD", shop::redis::snapshotIndexKey(stream), "1", future.lastEventId}).isInteger());

    ShopState state;
    RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY2(outcome.restored, qPrintable(describe(outcome)));
    QCOMPARE(text(outcome.snapshotId), text(good.lastEventId));
    QVERIFY(state == good);
    QCOMPARE(outcome.warnings.size(), std::size_t(1));
    QVERIFY2(text(outcome.warnings[0]).contains(text(future.lastEventId)), outcome.warnings[0].c_str());

    // With the stream gone, every snapshot is after its last entry.
    QCOMPARE(c_.command({"DEL", stream}).integer(), qint64(1));
    outcome = store.restoreNewest(state);
    QVERIFY2(!outcome.restored && outcome.error.empty(), qPrintable(describe(outcome)));
    QCOMPARE(outcome.warnings.size(), std::size_t(2));
    QVERIFY(state == ShopState());
}

void TestSnapshotStore::untilIdChoosesAnOlderSnapshotQuietly()
{
    const std::string stream = "st:until";
    const auto entries = produce(stream, 500, 8);
    const ShopState s200 = stateOf(entries, 200);
    const ShopState s400 = stateOf(entries, 400);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(s200, 1));
    QVERIFY(store.save(s400, 2));

    ShopState state;
    RestoreOutcome outcome = store.restoreNewest(state, entries[299].id);
    QVERIFY2(outcome.restored, qPrintable(describe(outcome)));
    QCOMPARE(text(outcome.snapshotId), text(s200.lastEventId));
    QVERIFY2(outcome.warnings.empty(), qPrintable(describe(outcome)));
    QVERIFY(state == s200);

    // Inclusive: a snapshot at exactly untilId is used.
    outcome = store.restoreNewest(state, entries[399].id);
    QCOMPARE(text(outcome.snapshotId), text(s400.lastEventId));
    QVERIFY(state == s400);
    outcome = store.restoreNewest(state, entries[398].id);
    QCOMPARE(text(outcome.snapshotId), text(s200.lastEventId));
    QVERIFY2(outcome.warnings.empty(), qPrintable(describe(outcome)));

    // Before every snapshot: none is used and none is a fault.
    outcome = store.restoreNewest(state, entries[99].id);
    QVERIFY2(!outcome.restored && outcome.error.empty() && outcome.warnings.empty(), qPrintable(describe(outcome)));
    QVERIFY(state == ShopState());
}

void TestSnapshotStore::streamTrimmedPastTheSnapshotIsRefused()
{
    const std::string stream = "st:trimmed-past";
    auto entries = produce(stream, 1000, 9);
    const ShopState s500 = stateOf(entries, 500);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(s500, 1));
    entries = produce(stream, 200, 10); // more traffic after the snapshot
    QCOMPARE(entries.size(), std::size_t(1200));
    QCOMPARE(c_.command({"XTRIM", stream, "MINID", entries[699].id}).integer(), qint64(699));

    // The snapshot is the stream's (it is used), but the entries after it are not all there:
    // the loader refuses to go on from it.
    ShopState state;
    const RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY2(outcome.restored && outcome.warnings.empty(), qPrintable(describe(outcome)));
    shop::redis::StateLoader loader(c_, stream);
    shop::redis::LoadReport report;
    QVERIFY(!loader.load(state, {}, report));
    const QString error = text(report.error);
    QVERIFY2(error.contains(QStringLiteral("trimmed")), qPrintable(error));
    QVERIFY2(error.contains(text(s500.lastEventId)), qPrintable(error));
    // Entries 501..699 (199 of them) are gone.
    QVERIFY2(error.contains(QStringLiteral("199 entries")), qPrintable(error));
    QVERIFY(state == ShopState());
}

void TestSnapshotStore::streamTrimmedBeforeTheSnapshotStillRestores_data()
{
    QTest::addColumn<int>("firstKept"); // index of the first entry left by XTRIM MINID
    QTest::newRow("trimmed to entry 300") << 299;
    QTest::newRow("trimmed to the snapshot's own entry") << 499;
    QTest::newRow("trimmed to just after the snapshot") << 500;
}

void TestSnapshotStore::streamTrimmedBeforeTheSnapshotStillRestores()
{
    QFETCH(int, firstKept);
    const std::string stream = "st:trimmed-before:" + std::to_string(firstKept);
    auto entries = produce(stream, 1000, 11);
    const ShopState s500 = stateOf(entries, 500);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(s500, 1));
    entries = produce(stream, 200, 12);
    QCOMPARE(c_.command({"XTRIM", stream, "MINID", entries[static_cast<std::size_t>(firstKept)].id}).integer(),
             qint64(firstKept));

    ShopState state;
    const RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY2(outcome.restored && outcome.error.empty(), qPrintable(describe(outcome)));
    // Its own entry trimmed away: used, and said to rest on the counts alone.
    QCOMPARE(outcome.warnings.size(), firstKept > 499 ? std::size_t(1) : std::size_t(0));
    if (firstKept > 499)
        QVERIFY2(text(outcome.warnings[0]).contains(QStringLiteral("its own entry was trimmed away")),
                 qPrintable(describe(outcome)));
    QCOMPARE(text(outcome.snapshotId), text(s500.lastEventId));
    QVERIFY(state == s500);
}

// XDEL of an entry after the snapshot leaves the first entry where it was, so only Redis 7's
// max-deleted-entry-id tells: going on from the snapshot is refused; an XDEL before the
// snapshot is fine.
void TestSnapshotStore::entryDeletedAfterTheSnapshotIsRefused()
{
    const std::string stream = "st:xdel";
    auto entries = produce(stream, 600, 13);
    const ShopState s300 = stateOf(entries, 300);
    SnapshotStore store(c_, stream);
    QVERIFY(store.save(s300, 1));

    QCOMPARE(c_.command({"XDEL", stream, entries[100].id}).integer(), qint64(1));
    ShopState state;
    RestoreOutcome outcome = store.restoreNewest(state);
    QVERIFY2(outcome.restored && outcome.error.empty(), qPrintable(describe(outcome)));
    QVERIFY(state == s300);

    QCOMPARE(c_.command({"XDEL", stream, entries[450].id}).integer(), qint64(1));
    outcome = store.restoreNewest(state);
    QVERIFY2(outcome.restored, qPrintable(describe(outcome)));
    shop::redis::StateLoader loader(c_, stream);
    shop::redis::LoadReport report;
    QVERIFY(!loader.load(state, {}, report));
    const QString error = text(report.error);
    QVERIFY2(error.contains(QStringLiteral("deleted")), qPrintable(error));
    QVERIFY2(error.contains(text(entries[299].id)), qPrintable(error)); // after the snapshot
    QVERIFY(state == ShopState());
}

QTEST_GUILESS_MAIN(TestSnapshotStore)
#include "test_snapshot_store.moc"
