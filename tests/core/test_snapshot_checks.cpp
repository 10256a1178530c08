// The snapshot content and identity checks of DESIGN section 5 (src/core/snapshot_codec),
// written from the contract alone (DESIGN sections 2, 3 and 5, docs/ARCHITECTURE.md
// "Snapshots", the header's comments), without reading snapshot_codec.cpp. A valid shop is
// built by applying simulated entries; its snapshot is then forged the way someone with write
// access to the key would: the body edited and its size and checksum recomputed, so only the
// content checks can refuse it. Then the header checks alone (checkSnapshotHeader), the
// identity of a snapshot against hand-built stream facts (checkSnapshotIdentity), and the
// round trip of the position fields (skipped, the last entry's fingerprint).
#include <QtTest> // first: moc's preprocessor fails on <concepts> when it is the first standard header

#include "core/entry.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "core/snapshot_codec.hpp"
#include "core/stream_continuity.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace shop;
using nlohmann::json;

namespace {

constexpr std::string_view kStream = "shop:events";
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k15 = 1'000'000'000'000'000; // 10^15: money one applied entry can bring in
constexpr std::int64_t k9 = 1'000'000'000;          // 10^9: units of stock one applied entry can add

// Entries kept as owned strings, so RawEntry views into them stay valid; ids "1-0", "2-0", ...
struct Entries {
    std::vector<std::string> ids;
    std::vector<std::string> types;
    std::vector<std::string> datas;

    void add(std::string type, std::string data)
    {
        ids.push_back(std::to_string(ids.size() + 1) + "-0");
        types.push_back(std::move(type));
        datas.push_back(std::move(data));
    }
    RawEntry raw(std::size_t i) const
    {
        RawEntry r;
        r.id = ids[i];
        r.type = types[i];
        r.data = datas[i];
        return r;
    }
};

Entries simulate(std::size_t n, std::uint64_t seed)
{
    SimulatorOptions options;
    options.users = 20;
    options.items = 15;
    options.seed = seed;
    ShopSimulator simulator(options);
    Entries entries;
    SimEntry e;
    for (std::size_t i = 0; i < n; ++i) {
        simulator.next(e);
        entries.add(e.type, e.data);
    }
    return entries;
}

ShopState build(const Entries& entries)
{
    ShopState state;
    Event scratch;
    for (std::size_t i = 0; i < entries.ids.size(); ++i)
        processEntry(state, entries.raw(i), scratch);
    if (!entries.ids.empty())
        state.lastEntryFingerprint = entryFingerprint(entries.raw(entries.ids.size() - 1));
    return state;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

struct Split {
    json header;
    json body;
};

Split split(const std::string& blob)
{
    const std::size_t newline = blob.find('\n');
    return {json::parse(blob.substr(0, newline)), json::parse(blob.substr(newline + 1))};
}

// What an attacker with write access does: any header and body, with bodyBytes and checksum
// made to match the body.
std::string forge(json header, const json& body)
{
    const std::string b = body.dump();
    header["bodyBytes"] = b.size();
    header["checksum"] = checksumHex(b);
    return header.dump() + "\n" + b;
}

// Rows sorted as the encoder writes them (users by id as numbers, items by id as bytes), so
// that a forgery breaks only what it means to break.
void resort(json& body)
{
    auto byId = [](const json& a, const json& b) {
        if (!a.is_array() || !b.is_array() || a.empty() || b.empty())
            return false;
        return a[0] < b[0];
    };
    std::stable_sort(body["users"].begin(), body["users"].end(), byId);
    std::stable_sort(body["items"].begin(), body["items"].end(), byId);
}

std::int64_t i64(const json& j) { return j.get<std::int64_t>(); }

// A user row with money and orders on both sides, so that edits to one field keep the others.
json& busyUser(json& body, int which = 0)
{
    int seen = 0;
    for (json& u : body["users"])
        if (i64(u[2]) > 0 && i64(u[3]) > 0 && i64(u[4]) > 0 && seen++ == which)
            return u;
    throw std::runtime_error("the simulated shop has too few busy users");
}

json& busyItem(json& body, int which = 0)
{
    int seen = 0;
    for (json& i : body["items"])
        if (i64(i[2]) > 0 && i64(i[3]) > 0 && i64(i[4]) > 0 && seen++ == which)
            return i;
    throw std::runtime_error("the simulated shop has too few busy items");
}

std::int64_t moneyIn(const json& body)
{
    std::int64_t sum = 0;
    for (const json& u : body["users"])
        sum += i64(u[2]) + i64(u[3]);
    return sum;
}

std::int64_t unitsIn(const json& body)
{
    std::int64_t sum = 0;
    for (const json& i : body["items"])
        sum += i64(i[3]) + i64(i[4]);
    return sum;
}

std::int64_t ordersIn(const json& body)
{
    std::int64_t sum = 0;
    for (const json& u : body["users"])
        sum += i64(u[4]);
    return sum;
}

// A rejection reason the shop has at least one of, other than "applied".
std::string someReason(const json& body)
{
    for (const auto& [name, count] : body["byReason"].items())
        if (name != "applied" && count.get<std::int64_t>() > 0)
            return name;
    throw std::runtime_error("the simulated shop has no rejections");
}

// A reason name of DESIGN section 3 that the shop has none of.
std::string absentReason(const json& body)
{
    for (const char* name : {"too_large", "unsupported_version", "unknown_type", "malformed", "invalid", "user_exists",
                             "unknown_user", "negative_balance", "overflow", "unknown_item", "negative_stock",
                             "unpriced_item", "out_of_stock", "insufficient_funds"}) {
        if (!body["byReason"].contains(name) || body["byReason"][name].get<std::int64_t>() == 0)
            return name;
    }
    throw std::runtime_error("the simulated shop has every reason");
}

using Edit = std::function<void(json& header, json& body)>;

struct Forgery {
    const char* name;
    bool accepted; // a control: a valid state, however unusual, must still load
    Edit edit;
};

void addUsers(json& header, json& body, std::int64_t count)
{
    for (std::int64_t k = 0; k < count; ++k)
        body["users"].push_back(json::array({1'000'000 + k, "extra", 0, 0, 0}));
    header["users"] = body["users"].size();
}

void addItems(json& header, json& body, std::int64_t count)
{
    for (std::int64_t k = 0; k < count; ++k)
        body["items"].push_back(json::array({"extra-" + std::to_string(k), "", 0, 0, 0}));
    header["items"] = body["items"].size();
}

const std::vector<Forgery>& forgeries()
{
    static const std::vector<Forgery> all = {
        // Controls: the forging itself breaks nothing.
        {"control: unchanged", true, [](json&, json&) {}},
        {"control: a user renamed", true, [](json&, json& b) { busyUser(b)[1] = "Renamed"; }},
        {"control: a name of exactly 100 bytes", true, [](json&, json& b) { busyUser(b)[1] = std::string(100, 'n'); }},
        {"control: a name of 50 two-byte characters (100 bytes)", true,
         [](json&, json& b) {
             std::string name;
             for (int k = 0; k < 50; ++k)
                 name += "\xc3\xa9";
             busyUser(b)[1] = name;
         }},
        {"control: an item id of exactly 64 characters", true,
         [](json&, json& b) { busyItem(b)[0] = std::string(64, 'z'); resort(b); }},
        {"control: an item id using every allowed kind of character", true,
         [](json&, json& b) { busyItem(b)[0] = "Az09_.-"; resort(b); }},
        {"control: a price of exactly 10^15", true, [](json&, json& b) { busyItem(b)[2] = k15; }},
        {"control: a user id of int64 max", true, [](json&, json& b) { busyUser(b)[0] = kMax; resort(b); }},
        {"control: balance plus spent exactly at 10^15 per applied entry", true,
         [](json& h, json& b) { busyUser(b)[2] = i64(busyUser(b)[2]) + (k15 * i64(h["applied"]) - moneyIn(b)); }},
        {"control: stock plus sold exactly at 10^9 per applied entry", true,
         [](json& h, json& b) { busyItem(b)[3] = i64(busyItem(b)[3]) + (k9 * i64(h["applied"]) - unitsIn(b)); }},
        {"control: orders exactly one per applied entry", true,
         [](json& h, json& b) { busyUser(b)[4] = i64(busyUser(b)[4]) + (i64(h["applied"]) - ordersIn(b)); }},
        {"control: as many users as applied entries", true,
         [](json& h, json& b) { addUsers(h, b, i64(h["applied"]) - std::int64_t(b["users"].size())); }},

        // Rows out of the ranges of DESIGN sections 2 and 3.
        {"negative stock", false, [](json&, json& b) { busyItem(b)[3] = -1; }},
        {"negative sold", false, [](json&, json& b) { busyItem(b)[4] = -1; }},
        {"negative balance", false, [](json&, json& b) { busyUser(b)[2] = -1; }},
        {"negative spent", false, [](json&, json& b) { busyUser(b)[3] = -1; }},
        {"negative orders", false, [](json&, json& b) { busyUser(b)[4] = -1; }},
        {"user id 0", false, [](json&, json& b) { busyUser(b)[0] = 0; resort(b); }},
        {"user id -7", false, [](json&, json& b) { busyUser(b)[0] = -7; resort(b); }},
        {"user id 2^63 (beyond int64)", false, [](json&, json& b) { busyUser(b)[0] = std::uint64_t(1) << 63; resort(b); }},
        {"user id as text", false, [](json&, json& b) { busyUser(b)[0] = "5"; }},
        {"item id with markup", false, [](json&, json& b) { busyItem(b)[0] = "<b>x</b>"; resort(b); }},
        {"item id of 65 characters", false, [](json&, json& b) { busyItem(b)[0] = std::string(65, 'z'); resort(b); }},
        {"empty item id", false, [](json&, json& b) { busyItem(b)[0] = ""; resort(b); }},
        {"item id with a space", false, [](json&, json& b) { busyItem(b)[0] = "a b"; resort(b); }},
        {"item id with a non-ASCII letter", false, [](json&, json& b) { busyItem(b)[0] = "caf\xc3\xa9"; resort(b); }},
        {"item id as a number", false, [](json&, json& b) { busyItem(b)[0] = 5; resort(b); }},
        {"user name of 101 bytes", false, [](json&, json& b) { busyUser(b)[1] = std::string(101, 'n'); }},
        {"user name of 51 two-byte characters (102 bytes)", false,
         [](json&, json& b) {
             std::string name;
             for (int k = 0; k < 51; ++k)
                 name += "\xc3\xa9";
             busyUser(b)[1] = name;
         }},
        {"item name of 101 bytes", false, [](json&, json& b) { busyItem(b)[1] = std::string(101, 'n'); }},
        {"user name as a number", false, [](json&, json& b) { busyUser(b)[1] = 7; }},
        {"price over 10^15", false, [](json&, json& b) { busyItem(b)[2] = k15 + 1; }},
        {"negative price", false, [](json&, json& b) { busyItem(b)[2] = -1; }},

        // Totals that the applied entries could not have produced.
        {"int64 max balance on a small shop", false, [](json&, json& b) { busyUser(b)[2] = kMax; }},
        {"int64 max spent on a small shop", false, [](json&, json& b) { busyUser(b)[3] = kMax; }},
        {"int64 max balance on two users", false,
         [](json&, json& b) { busyUser(b, 0)[2] = kMax; busyUser(b, 1)[2] = kMax; }},
        {"balance plus spent one over 10^15 per applied entry", false,
         [](json& h, json& b) { busyUser(b)[2] = i64(busyUser(b)[2]) + (k15 * i64(h["applied"]) - moneyIn(b)) + 1; }},
        {"two users each within 10^15 per applied entry, together over it", false,
         [](json& h, json& b) {
             const std::int64_t over = k15 * i64(h["applied"]) - moneyIn(b) + 2;
             busyUser(b, 0)[2] = i64(busyUser(b, 0)[2]) + over / 2;
             busyUser(b, 1)[2] = i64(busyUser(b, 1)[2]) + over / 2;
         }},
        {"int64 max stock", false, [](json&, json& b) { busyItem(b)[3] = kMax; }},
        {"int64 max sold", false, [](json&, json& b) { busyItem(b)[4] = kMax; }},
        {"stock plus sold one over 10^9 per applied entry", false,
         [](json& h, json& b) { busyItem(b)[3] = i64(busyItem(b)[3]) + (k9 * i64(h["applied"]) - unitsIn(b)) + 1; }},
        {"more orders than applied entries (one user)", false,
         [](json& h, json& b) { busyUser(b)[4] = i64(h["applied"]) + 1; }},
        {"more orders than applied entries (two users, each within)", false,
         [](json& h, json& b) {
             const std::int64_t over = i64(h["applied"]) - ordersIn(b) + 2;
             busyUser(b, 0)[4] = i64(busyUser(b, 0)[4]) + over / 2;
             busyUser(b, 1)[4] = i64(busyUser(b, 1)[4]) + over / 2;
         }},
        {"int64 max orders on two users", false,
         [](json&, json& b) { busyUser(b, 0)[4] = kMax; busyUser(b, 1)[4] = kMax; }},
        {"more users than applied entries", false,
         [](json& h, json& b) { addUsers(h, b, i64(h["applied"]) + 1 - std::int64_t(b["users"].size())); }},
        {"more items than applied entries", false,
         [](json& h, json& b) { addItems(h, b, i64(h["applied"]) + 1 - std::int64_t(b["items"].size())); }},

        // Ids twice, rows of the wrong shape, numbers of the wrong kind.
        {"a user row twice", false,
         [](json& h, json& b) { b["users"].push_back(busyUser(b)); h["users"] = b["users"].size(); resort(b); }},
        {"an item row twice", false,
         [](json& h, json& b) { b["items"].push_back(busyItem(b)); h["items"] = b["items"].size(); resort(b); }},
        {"two users with one id, different rows", false,
         [](json& h, json& b) {
             json twin = busyUser(b);
             twin[1] = "Twin";
             twin[2] = 0;
             twin[3] = 0;
             twin[4] = 0;
             b["users"].push_back(twin);
             h["users"] = b["users"].size();
             resort(b);
         }},
        {"two items with one id, different rows", false,
         [](json& h, json& b) {
             json twin = busyItem(b);
             twin[1] = "Twin";
             twin[3] = 0;
             twin[4] = 0;
             b["items"].push_back(twin);
             h["items"] = b["items"].size();
             resort(b);
         }},
        {"a user row of 4 fields", false, [](json&, json& b) { busyUser(b).erase(4); }},
        {"a user row of 6 fields", false, [](json&, json& b) { busyUser(b).push_back(0); }},
        {"an item row of 4 fields", false, [](json&, json& b) { busyItem(b).erase(4); }},
        {"an item row of 6 fields", false, [](json&, json& b) { busyItem(b).push_back(0); }},
        {"a user row as an object", false,
         [](json&, json& b) {
             json& u = busyUser(b);
             u = json{{"id", u[0]}, {"name", u[1]}, {"balance", u[2]}, {"spent", u[3]}, {"orders", u[4]}};
         }},
        {"a balance as a float of the same value", false,
         [](json&, json& b) { busyUser(b)[2] = static_cast<double>(i64(busyUser(b)[2])); }},
        {"orders as a float of the same value", false,
         [](json&, json& b) { busyUser(b)[4] = static_cast<double>(i64(busyUser(b)[4])); }},
        {"a user id as a float of the same value", false,
         [](json&, json& b) { busyUser(b)[0] = static_cast<double>(i64(busyUser(b)[0])); }},
        {"stock as a float", false, [](json&, json& b) { busyItem(b)[3] = 2.5; }},
        {"a price as a float of the same value", false,
         [](json&, json& b) { busyItem(b)[2] = static_cast<double>(i64(busyItem(b)[2])); }},

        // Header counts against the body and each other.
        {"header users one more", false, [](json& h, json&) { h["users"] = i64(h["users"]) + 1; }},
        {"header users one fewer", false, [](json& h, json&) { h["users"] = i64(h["users"]) - 1; }},
        {"header items one more", false, [](json& h, json&) { h["items"] = i64(h["items"]) + 1; }},
        {"header items one fewer", false, [](json& h, json&) { h["items"] = i64(h["items"]) - 1; }},
        {"header total 1, applied and rejected left alone", false, [](json& h, json&) { h["total"] = 1; }},
        {"header total + 1,000,000, applied and rejected left alone", false,
         [](json& h, json&) { h["total"] = i64(h["total"]) + 1'000'000; }},
        {"header total 1 = applied 1 + rejected 0, entriesAdded left alone", false,
         [](json& h, json&) { h["total"] = 1; h["applied"] = 1; h["rejected"] = 0; }},
        {"header total and rejected + 1,000,000, entriesAdded left alone", false,
         [](json& h, json&) {
             h["total"] = i64(h["total"]) + 1'000'000;
             h["rejected"] = i64(h["rejected"]) + 1'000'000;
         }},
        {"header total, rejected and entriesAdded + 1,000,000 (byReason left alone)", false,
         [](json& h, json&) {
             h["total"] = i64(h["total"]) + 1'000'000;
             h["rejected"] = i64(h["rejected"]) + 1'000'000;
             h["entriesAdded"] = i64(h["entriesAdded"]) + 1'000'000;
         }},
        {"header total 1 = applied 1 + rejected 0, skipped making entriesAdded agree", false,
         [](json& h, json&) {
             h["total"] = 1;
             h["applied"] = 1;
             h["rejected"] = 0;
             h["skipped"] = i64(h["entriesAdded"]) - 1;
         }},
        {"header entriesAdded one more than total + skipped", false,
         [](json& h, json&) { h["entriesAdded"] = i64(h["entriesAdded"]) + 1; }},
        {"header skipped one more than entriesAdded - total", false,
         [](json& h, json&) { h["skipped"] = i64(h["skipped"]) + 1; }},
        {"header skipped negative (entriesAdded below total, kept consistent)", false,
         [](json& h, json&) {
             h["skipped"] = -5;
             h["entriesAdded"] = i64(h["total"]) - 5;
         }},

        // byReason against the header.
        {"byReason: a reason one more than rejected", false,
         [](json&, json& b) { b["byReason"][someReason(b)] = b["byReason"][someReason(b)].get<std::int64_t>() + 1; }},
        {"byReason: applied one more", false,
         [](json&, json& b) { b["byReason"]["applied"] = b["byReason"]["applied"].get<std::int64_t>() + 1; }},
        {"byReason: a reason missing", false, [](json&, json& b) { b["byReason"].erase(someReason(b)); }},
        {"byReason: applied missing", false, [](json&, json& b) { b["byReason"].erase("applied"); }},
        {"byReason: one count moved to an unknown reason name", false,
         [](json&, json& b) {
             const std::string reason = someReason(b);
             b["byReason"][reason] = b["byReason"][reason].get<std::int64_t>() - 1;
             b["byReason"]["bribery"] = 1;
         }},
        {"byReason: a negative count, the sum kept", false,
         [](json&, json& b) {
             const std::string reason = someReason(b);
             b["byReason"][reason] = b["byReason"][reason].get<std::int64_t>() + 1;
             b["byReason"][absentReason(b)] = -1;
         }},
        {"byReason: a count as a float of the same value", false,
         [](json&, json& b) {
             const std::string reason = someReason(b);
             b["byReason"][reason] = static_cast<double>(b["byReason"][reason].get<std::int64_t>());
         }},

        // Header fields.
        {"version 1 without the identity fields", false,
         [](json& h, json&) {
             h["version"] = 1;
             h.erase("entriesAdded");
             h.erase("skipped");
             h.erase("lastEntry");
         }},
        {"version 1 with the identity fields kept", false, [](json& h, json&) { h["version"] = 1; }},
        {"version 3", false, [](json& h, json&) { h["version"] = 3; }},
        {"another stream key", false, [](json& h, json&) { h["stream"] = "orders"; }},
        {"a longer stream key", false, [](json& h, json&) { h["stream"] = "shop:events:x"; }},
        {"another format", false, [](json& h, json&) { h["format"] = "someone-elses-snapshot"; }},
        {"lastEventId not an entry id", false, [](json& h, json&) { h["lastEventId"] = "300"; }},
        {"lastEventId empty with 300 entries counted", false, [](json& h, json&) { h["lastEventId"] = ""; }},
        // 0-0 is no entry's id (Redis refuses XADD 0-0): it would read as "before the first
        // entry", and the whole stream would be replayed on top of the 300 entries' state.
        {"lastEventId 0-0 with 300 entries counted", false, [](json& h, json&) { h["lastEventId"] = "0-0"; }},
    };
    return all;
}

enum Entry { EntryGone, EntryRecorded, EntryOther };

// A stream key holding a stream, as in test_stream_continuity.
StreamFacts stream(std::int64_t length, std::int64_t added, std::optional<StreamId> first, StreamId lastGenerated,
                   std::optional<StreamId> maxDeleted = std::nullopt)
{
    StreamFacts f;
    f.exists = true;
    f.length = length;
    f.entriesAdded = added;
    f.firstId = first;
    f.lastGeneratedId = lastGenerated;
    f.maxDeletedId = maxDeleted;
    return f;
}

StreamId sid(std::uint64_t ms) { return StreamId{ms, 0}; }

const char* kindName(SnapshotIdentity::Kind k)
{
    switch (k) {
    case SnapshotIdentity::Kind::Fits: return "Fits";
    case SnapshotIdentity::Kind::Foreign: return "Foreign";
    case SnapshotIdentity::Kind::Gap: return "Gap";
    }
    return "?";
}

} // namespace

Q_DECLARE_METATYPE(shop::StreamFacts)

class TestSnapshotChecks : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void forgedBody_data();
    void forgedBody();
    void failedDecodeClearsThePositionToo();
    void headerAloneIsChecked_data();
    void headerAloneIsChecked();
    void identity_data();
    void identity();
    void emptySnapshotOfATrimmedStreamIsAGapFromTheStart();
    void positionSurvivesTheRoundTrip_data();
    void positionSurvivesTheRoundTrip();

private:
    Entries entries_;
    ShopState state_;
    std::string blob_;
};

// A shop of 300 simulated entries: users with money and orders, items sold, rejections.
void TestSnapshotChecks::initTestCase()
{
    entries_ = simulate(300, 17);
    state_ = build(entries_);
    QCOMPARE(q(state_.lastEventId), QStringLiteral("300-0"));
    QCOMPARE(state_.counts.total, qint64(300));
    QVERIFY(state_.counts.applied > 50 && state_.counts.rejected > 0);
    blob_ = encodeSnapshot(state_, kStream, 1700000000000);

    ShopState decoded;
    SnapshotHeader header;
    const std::string error = decodeSnapshot(blob_, kStream, decoded, &header);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY(decoded == state_);
    QCOMPARE(header.total, qint64(300));
    QCOMPARE(header.entriesAdded, qint64(300));
    QCOMPARE(header.skipped, qint64(0));
    QCOMPARE(header.lastEntryFingerprint, state_.lastEntryFingerprint);

    // The forgeries below need two busy users and items, and re-dumping must give the
    // encoder's bytes, so that an unchanged forgery is the original blob.
    Split parts = split(blob_);
    QVERIFY(busyUser(parts.body, 1).is_array());
    QVERIFY(busyItem(parts.body, 0).is_array());
    QVERIFY(!someReason(parts.body).empty());
    QCOMPARE(q(forge(parts.header, parts.body)), q(blob_));
}

void TestSnapshotChecks::forgedBody_data()
{
    QTest::addColumn<int>("index");
    const auto& all = forgeries();
    for (std::size_t k = 0; k < all.size(); ++k)
        QTest::newRow(all[k].name) << int(k);
}

void TestSnapshotChecks::forgedBody()
{
    QFETCH(int, index);
    const Forgery& forgery = forgeries()[static_cast<std::size_t>(index)];
    Split parts = split(blob_);
    forgery.edit(parts.header, parts.body);
    const std::string blob = forge(parts.header, parts.body);

    ShopState decoded = state_; // stale content that a failed decode must not leave behind
    SnapshotHeader header;
    const std::string error = decodeSnapshot(blob, kStream, decoded, &header);
    if (forgery.accepted) {
        QVERIFY2(error.empty(), qPrintable(QStringLiteral("refused: ") + q(error)));
        QCOMPARE(decoded.counts.total, state_.counts.total);
        // What was written is what was loaded.
        QCOMPARE(q(encodeSnapshot(decoded, kStream, 1700000000000)).section(QLatin1Char('\n'), 1),
                 q(blob).section(QLatin1Char('\n'), 1));
        return;
    }
    QVERIFY2(!error.empty(), qPrintable(QStringLiteral("accepted: ") + q(parts.body.dump()).left(300)));
    QVERIFY2(!q(error).trimmed().isEmpty(), error.c_str());
    qInfo("refused: %s", error.c_str()); // in the log, to see that each forgery is caught for its own reason
    QVERIFY2(decoded == ShopState(), qPrintable(QStringLiteral("state not cleared after: ") + q(error)));
    QVERIFY(decoded.users().empty());
    QVERIFY(decoded.items().empty());
    QVERIFY(decoded.lastEventId.empty());
    QCOMPARE(decoded.counts.total, qint64(0));
}

// "`out` is cleared on failure": the position fields too, or a later save could pair the
// stale fingerprint or skipped count with another state.
void TestSnapshotChecks::failedDecodeClearsThePositionToo()
{
    Split parts = split(blob_);
    busyUser(parts.body)[2] = -1;
    ShopState decoded = state_;
    decoded.skipped = 9;
    decoded.lastEntryFingerprint = 0x1234;
    QVERIFY(!decodeSnapshot(forge(parts.header, parts.body), kStream, decoded).empty());
    QVERIFY(decoded == ShopState());
    QCOMPARE(decoded.skipped, qint64(0));
    QCOMPARE(decoded.lastEntryFingerprint, quint64(0));
}

void TestSnapshotChecks::headerAloneIsChecked_data()
{
    QTest::addColumn<QString>("edit");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("control: as written") << "none" << true;
    QTest::newRow("control: a blob of exactly kMaxSnapshotBytes") << "blob=max" << true;
    QTest::newRow("a blob one byte over kMaxSnapshotBytes") << "blob=max+1" << false;
    QTest::newRow("a blob of 4 GiB") << "blob=4GiB" << false;
    QTest::newRow("bodyBytes uint64 max") << "bodyBytes=uint64max" << false;
    QTest::newRow("bodyBytes larger than the blob") << "bodyBytes=blob" << false;
    QTest::newRow("version 1") << "version=1" << false;
    QTest::newRow("version 3") << "version=3" << false;
    QTest::newRow("version 0") << "version=0" << false;
    QTest::newRow("another stream key") << "stream" << false;
    QTest::newRow("another format") << "format" << false;
    QTest::newRow("applied one more (applied + rejected != total)") << "applied+1" << false;
    QTest::newRow("rejected one fewer (applied + rejected != total)") << "rejected-1" << false;
    QTest::newRow("total one more, entriesAdded following") << "total+1" << false;
    QTest::newRow("entriesAdded one more than total + skipped") << "entriesAdded+1" << false;
    QTest::newRow("entriesAdded one fewer than total + skipped") << "entriesAdded-1" << false;
    QTest::newRow("skipped one more") << "skipped+1" << false;
    QTest::newRow("skipped negative, entriesAdded following") << "skipped=-1" << false;
    QTest::newRow("more users than applied entries") << "users>applied" << false;
    QTest::newRow("more items than applied entries") << "items>applied" << false;
    QTest::newRow("total, applied, entriesAdded near int64 max") << "huge" << false;
}

// checkSnapshotHeader: what the header alone tells, for a blob of a given size that the
// test never allocates.
void TestSnapshotChecks::headerAloneIsChecked()
{
    QFETCH(QString, edit);
    QFETCH(bool, accepted);
    SnapshotHeader h;
    QVERIFY(decodeSnapshotHeader(blob_, h).empty());
    const std::uint64_t headerLine = blob_.find('\n') + 1;
    std::uint64_t blobBytes = blob_.size();
    QCOMPARE(headerLine + h.bodyBytes, blobBytes);
    QCOMPARE(q(checkSnapshotHeader(h, kStream, blobBytes)), QString());

    auto blobOf = [&](std::uint64_t size) {
        blobBytes = size;
        h.bodyBytes = size - headerLine;
    };
    if (edit == QLatin1String("blob=max"))
        blobOf(kMaxSnapshotBytes);
    else if (edit == QLatin1String("blob=max+1"))
        blobOf(kMaxSnapshotBytes + 1);
    else if (edit == QLatin1String("blob=4GiB"))
        blobOf(4ULL << 30);
    else if (edit == QLatin1String("bodyBytes=uint64max"))
        h.bodyBytes = std::numeric_limits<std::uint64_t>::max();
    else if (edit == QLatin1String("bodyBytes=blob"))
        h.bodyBytes = blobBytes;
    else if (edit == QLatin1String("version=1"))
        h.version = 1;
    else if (edit == QLatin1String("version=3"))
        h.version = 3;
    else if (edit == QLatin1String("version=0"))
        h.version = 0;
    else if (edit == QLatin1String("stream"))
        h.stream = "orders";
    else if (edit == QLatin1String("format"))
        h.format = "someone-elses-snapshot";
    else if (edit == QLatin1String("applied+1"))
        h.applied += 1;
    else if (edit == QLatin1String("rejected-1"))
        h.rejected -= 1;
    else if (edit == QLatin1String("total+1")) {
        h.total += 1;
        h.entriesAdded += 1;
    } else if (edit == QLatin1String("entriesAdded+1"))
        h.entriesAdded += 1;
    else if (edit == QLatin1String("entriesAdded-1"))
        h.entriesAdded -= 1;
    else if (edit == QLatin1String("skipped+1"))
        h.skipped += 1;
    else if (edit == QLatin1String("skipped=-1")) {
        h.skipped = -1;
        h.entriesAdded = h.total - 1;
    } else if (edit == QLatin1String("users>applied"))
        h.users = h.applied + 1;
    else if (edit == QLatin1String("items>applied"))
        h.items = h.applied + 1;
    else if (edit == QLatin1String("huge")) {
        // applied + rejected and total + skipped overflow if added naively.
        h.applied = kMax;
        h.rejected = 1;
        h.total = kMax;
        h.skipped = 1;
        h.entriesAdded = kMax;
    } else
        QVERIFY2(edit == QLatin1String("none"), qPrintable(edit));

    const std::string error = checkSnapshotHeader(h, kStream, blobBytes);
    if (accepted)
        QVERIFY2(error.empty(), error.c_str());
    else
        QVERIFY2(!error.empty(), qPrintable(QStringLiteral("accepted: %1").arg(edit)));
}

void TestSnapshotChecks::identity_data()
{
    // The snapshot (initTestCase): lastEventId 300-0, total 300; `skipped` added to both its
    // skipped and entriesAdded.
    QTest::addColumn<int>("skipped");
    QTest::addColumn<StreamFacts>("facts");
    QTest::addColumn<int>("entry"); // Entry: what the stream holds at 300-0
    QTest::addColumn<int>("kind");  // SnapshotIdentity::Kind
    QTest::addColumn<int>("unconfirmed"); // 0, 1, or -1: not fixed by the contract
    const int fits = int(SnapshotIdentity::Kind::Fits);
    const int foreign = int(SnapshotIdentity::Kind::Foreign);
    const int gap = int(SnapshotIdentity::Kind::Gap);
    StreamFacts missing;
    StreamFacts hash;
    hash.exists = true;
    hash.otherType = "hash";

    QTest::newRow("fits: its entry, nothing after") << 0 << stream(300, 300, sid(1), sid(300)) << int(EntryRecorded) << fits << 0;
    QTest::newRow("fits: its entry, 20 after") << 0 << stream(320, 320, sid(1), sid(320)) << int(EntryRecorded) << fits << 0;
    QTest::newRow("fits: older entries trimmed") << 0 << stream(50, 320, sid(271), sid(320)) << int(EntryRecorded) << fits << 0;
    QTest::newRow("fits: an XDEL before it") << 0 << stream(319, 320, sid(1), sid(320), sid(100)) << int(EntryRecorded) << fits << 0;
    // Its own entry gone: the counts fit, but a recreated stream whose counts line up would
    // look the same, so the code marks it unconfirmed (a restore says so) even with counts.
    QTest::newRow("fits: trimmed exactly up to it, 20 after") << 0 << stream(20, 320, sid(301), sid(320)) << int(EntryGone) << fits << 1;
    QTest::newRow("fits: trimmed exactly up to it, nothing after") << 0 << stream(0, 300, std::nullopt, sid(300)) << int(EntryGone) << fits << 1;
    QTest::newRow("fits: 3 skipped, counts continue") << 3 << stream(323, 323, sid(1), sid(320)) << int(EntryRecorded) << fits << 0;
    QTest::newRow("fits: unknown counts, its entry present") << 0 << stream(320, -1, sid(1), sid(320)) << int(EntryRecorded) << fits << -1;
    QTest::newRow("unconfirmed: unknown counts, its entry gone, all present after it")
        << 0 << stream(20, -1, sid(301), sid(320)) << int(EntryGone) << fits << 1;

    QTest::newRow("foreign: another entry at its id") << 0 << stream(320, 320, sid(1), sid(320)) << int(EntryOther) << foreign << -1;
    QTest::newRow("foreign: another entry at its id, unknown counts") << 0 << stream(320, -1, sid(1), sid(320)) << int(EntryOther) << foreign << -1;
    QTest::newRow("foreign: its entry gone, older entries remain") << 0 << stream(319, 320, sid(1), sid(320)) << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: its entry gone, older entries remain, unknown counts")
        << 0 << stream(319, -1, sid(1), sid(320)) << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: recreated with fewer entries, same entry at its id")
        << 0 << stream(250, 250, sid(51), sid(300)) << int(EntryRecorded) << foreign << -1;
    QTest::newRow("foreign: recreated with fewer entries, its entry gone")
        << 0 << stream(5, 5, sid(400), sid(404)) << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: 3 skipped, entries-added below its 303")
        << 3 << stream(302, 302, sid(1), sid(320)) << int(EntryRecorded) << foreign << -1;
    QTest::newRow("foreign: recreated with more entries after it than were added since (30 > 20)")
        << 0 << stream(30, 320, sid(301), sid(330)) << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: rewound, the newest id before it") << 0 << stream(250, 250, sid(1), sid(250)) << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: rewound, unknown counts") << 0 << stream(250, -1, sid(1), sid(250)) << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: key missing") << 0 << missing << int(EntryGone) << foreign << -1;
    QTest::newRow("foreign: key of another type") << 0 << hash << int(EntryGone) << foreign << -1;

    QTest::newRow("gap: 15 of the 20 entries after it trimmed") << 0 << stream(5, 320, sid(316), sid(320)) << int(EntryGone) << gap << -1;
    QTest::newRow("gap: an entry after it deleted") << 0 << stream(319, 320, sid(1), sid(320), sid(310)) << int(EntryRecorded) << gap << -1;
}

void TestSnapshotChecks::identity()
{
    QFETCH(int, skipped);
    QFETCH(StreamFacts, facts);
    QFETCH(int, entry);
    QFETCH(int, kind);
    QFETCH(int, unconfirmed);
    SnapshotHeader h;
    QVERIFY(decodeSnapshotHeader(blob_, h).empty());
    QCOMPARE(q(h.lastEventId), QStringLiteral("300-0"));
    QVERIFY(h.lastEntryFingerprint != 0);
    h.skipped = skipped;
    h.entriesAdded = h.total + skipped;

    std::optional<std::uint64_t> entryAtId;
    if (entry == EntryRecorded)
        entryAtId = h.lastEntryFingerprint;
    else if (entry == EntryOther)
        entryAtId = h.lastEntryFingerprint ^ 0x5a5a;

    const SnapshotIdentity id = checkSnapshotIdentity(h, facts, entryAtId);
    const QString got = QStringLiteral("%1 (unconfirmed %2) why \"%3\", gap missing %4 \"%5\"")
                            .arg(QLatin1String(kindName(id.kind)))
                            .arg(id.unconfirmed)
                            .arg(q(id.why))
                            .arg(id.gap.missing)
                            .arg(id.kind == SnapshotIdentity::Kind::Gap ? q(describeGap(id.gap)) : QString());
    QVERIFY2(int(id.kind) == kind, qPrintable(QStringLiteral("expected %1, got %2")
                                                  .arg(QLatin1String(kindName(SnapshotIdentity::Kind(kind))), got)));
    if (unconfirmed >= 0)
        QVERIFY2(id.unconfirmed == (unconfirmed == 1), qPrintable(got));
    if (id.kind != SnapshotIdentity::Kind::Fits)
        QVERIFY2(!q(id.why).trimmed().isEmpty() || !q(id.gap.why).trimmed().isEmpty(), qPrintable(got));
    if (id.kind == SnapshotIdentity::Kind::Gap) {
        QVERIFY2(id.gap.kind == Continuity::Kind::Gap, qPrintable(got));
        QVERIFY2(id.gap.after == sid(300), qPrintable(got));
        if (QTest::currentDataTag() == QByteArray("gap: 15 of the 20 entries after it trimmed")) {
            QCOMPARE(id.gap.missing, qint64(15));
            QVERIFY2(id.gap.cause == Continuity::Cause::Trimmed, qPrintable(got));
            QVERIFY2(id.gap.before == sid(316), qPrintable(got));
            QVERIFY2(q(describeGap(id.gap)).contains(QStringLiteral("15")), qPrintable(got));
        } else {
            QVERIFY2(id.gap.cause == Continuity::Cause::Deleted, qPrintable(got));
        }
    }
}

// A snapshot of the empty shop stands before the first entry: when the stream has lost 300
// of its 320 entries since, the gap is "from the start" (no `after`, Continuity's contract)
// and says how many the stream ever had.
void TestSnapshotChecks::emptySnapshotOfATrimmedStreamIsAGapFromTheStart()
{
    SnapshotHeader h;
    QVERIFY(decodeSnapshotHeader(encodeSnapshot(ShopState(), kStream, 1), h).empty());
    QCOMPARE(q(h.lastEventId), QString());
    QCOMPARE(h.entriesAdded, qint64(0));
    const SnapshotIdentity id = checkSnapshotIdentity(h, stream(20, 320, sid(301), sid(320)), std::nullopt);
    const QString got = QStringLiteral("%1: after %2, added %3, \"%4\"")
                            .arg(QLatin1String(kindName(id.kind)))
                            .arg(id.gap.after ? q(id.gap.after->toString()) : QStringLiteral("(none)"))
                            .arg(id.gap.added)
                            .arg(q(describeGap(id.gap)));
    QVERIFY2(id.kind == SnapshotIdentity::Kind::Gap, qPrintable(got));
    QCOMPARE(id.gap.missing, qint64(300));
    QVERIFY2(!id.gap.after, qPrintable(got));
    QVERIFY2(id.gap.added == 320, qPrintable(got));
    // The same snapshot fits the stream when nothing is missing.
    QVERIFY(checkSnapshotIdentity(h, stream(320, 320, sid(1), sid(320)), std::nullopt).kind == SnapshotIdentity::Kind::Fits);
}

void TestSnapshotChecks::positionSurvivesTheRoundTrip_data()
{
    QTest::addColumn<qint64>("skipped");
    QTest::addColumn<quint64>("fingerprint"); // 0: the real entry's
    QTest::newRow("1 skipped, the real fingerprint") << qint64(1) << quint64(0);
    QTest::newRow("1,000,000 skipped, the real fingerprint") << qint64(1'000'000) << quint64(0);
    QTest::newRow("7 skipped, fingerprint 1") << qint64(7) << quint64(1);
    QTest::newRow("7 skipped, fingerprint 2^63") << qint64(7) << (quint64(1) << 63);
    QTest::newRow("7 skipped, fingerprint 2^64 - 1") << qint64(7) << std::numeric_limits<quint64>::max();
}

void TestSnapshotChecks::positionSurvivesTheRoundTrip()
{
    QFETCH(qint64, skipped);
    QFETCH(quint64, fingerprint);
    ShopState original = state_;
    original.skipped = skipped;
    if (fingerprint != 0)
        original.lastEntryFingerprint = fingerprint;
    QCOMPARE(original.covered(), qint64(300) + skipped);

    const std::string blob = encodeSnapshot(original, kStream, 1700000000000);
    ShopState decoded;
    SnapshotHeader header;
    const std::string error = decodeSnapshot(blob, kStream, decoded, &header);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY(decoded == original);
    QCOMPARE(decoded.skipped, skipped);
    QCOMPARE(decoded.lastEntryFingerprint, original.lastEntryFingerprint);
    QCOMPARE(decoded.covered(), original.covered());
    QCOMPARE(header.skipped, skipped);
    QCOMPARE(header.entriesAdded, qint64(300) + skipped);
    QCOMPARE(header.lastEntryFingerprint, original.lastEntryFingerprint);

    // And the stream it came from recognises it: its entry is there, the counts continue.
    const SnapshotIdentity id = checkSnapshotIdentity(header, stream(310, 310 + skipped, sid(1), sid(310)), original.lastEntryFingerprint);
    QVERIFY2(id.kind == SnapshotIdentity::Kind::Fits && !id.unconfirmed, id.why.c_str());
}

QTEST_APPLESS_MAIN(TestSnapshotChecks)
#include "test_snapshot_checks.moc"
