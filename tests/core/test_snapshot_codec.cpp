// The snapshot codec (DESIGN section 5): a state survives encode + decode exactly, a damaged,
// truncated, foreign or future-version blob is refused with a reason, the encoding is
// deterministic, and restoring a snapshot then applying the tail gives the same state as
// applying the whole stream from scratch, at any cut point, for native and legacy streams.
#include "core/entry.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "core/snapshot_codec.hpp"

#include <nlohmann/json.hpp>

#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

using namespace shop;
using nlohmann::json;

namespace {

constexpr std::string_view kStream = "shop:events";

// Entries kept as owned strings, so RawEntry views into them stay valid.
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
    std::size_t size() const { return ids.size(); }
};

Entries simulate(std::size_t n, bool legacy, std::uint64_t seed = 7)
{
    SimulatorOptions options;
    options.users = 60;
    options.items = 40;
    options.seed = seed;
    options.legacy = legacy;
    ShopSimulator simulator(options);
    Entries entries;
    SimEntry e;
    for (std::size_t i = 0; i < n; ++i) {
        simulator.next(e);
        entries.add(e.type, e.data);
    }
    return entries;
}

void apply(ShopState& state, const Entries& entries, std::size_t begin, std::size_t end)
{
    Event scratch;
    for (std::size_t i = begin; i < end; ++i) {
        RawEntry raw;
        raw.id = entries.ids[i];
        raw.type = entries.types[i];
        raw.data = entries.datas[i];
        processEntry(state, raw, scratch);
    }
}

ShopState build(const Entries& entries)
{
    ShopState state;
    apply(state, entries, 0, entries.size());
    return state;
}

// Where two states differ, in words, for failure messages.
QString difference(const ShopState& a, const ShopState& b)
{
    if (a.lastEventId != b.lastEventId)
        return QStringLiteral("lastEventId %1 vs %2").arg(QString::fromStdString(a.lastEventId), QString::fromStdString(b.lastEventId));
    if (a.counts.total != b.counts.total || a.counts.applied != b.counts.applied || a.counts.rejected != b.counts.rejected)
        return QStringLiteral("counts %1/%2/%3 vs %4/%5/%6")
            .arg(a.counts.total).arg(a.counts.applied).arg(a.counts.rejected)
            .arg(b.counts.total).arg(b.counts.applied).arg(b.counts.rejected);
    for (int r = 0; r < kReasonCount; ++r) {
        if (a.counts.byReason[r] != b.counts.byReason[r])
            return QStringLiteral("byReason[%1] %2 vs %3")
                .arg(QString::fromUtf8(reasonName(static_cast<Reason>(r)).data()))
                .arg(a.counts.byReason[r]).arg(b.counts.byReason[r]);
    }
    if (a.users().size() != b.users().size() || a.items().size() != b.items().size())
        return QStringLiteral("%1 users, %2 items vs %3 users, %4 items")
            .arg(a.users().size()).arg(a.items().size()).arg(b.users().size()).arg(b.items().size());
    for (const auto& [id, u] : a.users()) {
        const User* o = b.findUser(id);
        if (!o || o->name != u.name || o->balance != u.balance || o->spent != u.spent || o->orders != u.orders)
            return QStringLiteral("user %1 differs").arg(id);
    }
    for (const auto& [id, i] : a.items()) {
        const Item* o = b.findItem(id);
        if (!o || o->name != i.name || o->price != i.price || o->stock != i.stock || o->sold != i.sold)
            return QStringLiteral("item %1 differs").arg(QString::fromStdString(id));
    }
    return QStringLiteral("(no difference found by the test's own comparison)");
}

std::size_t headerLength(const std::string& blob) { return blob.find('\n'); }

// Rewrites the header line only; the body (and so its checksum) is left as it was.
std::string editHeader(const std::string& blob, const std::function<void(json&)>& edit)
{
    const std::size_t newline = headerLength(blob);
    json header = json::parse(blob.substr(0, newline));
    edit(header);
    return header.dump() + blob.substr(newline);
}

// Replaces the body and fixes bodyBytes and checksum, so only the body's content is wrong.
std::string replaceBody(const std::string& blob, const std::string& body)
{
    const std::string withBody = blob.substr(0, headerLength(blob) + 1) + body;
    return editHeader(withBody, [&](json& h) {
        h["bodyBytes"] = body.size();
        h["checksum"] = checksumHex(body);
    });
}

std::string bodyOf(const std::string& blob) { return blob.substr(headerLength(blob) + 1); }

QString q(const std::string& s) { return QString::fromStdString(s); }

} // namespace

class TestSnapshotCodec : public QObject {
    Q_OBJECT

private slots:
    void roundTripOfASimulatedShop_data();
    void roundTripOfASimulatedShop();
    void roundTripKeepsUnicodeAndQuotes();
    void loneSurrogateEscapesInNamesRoundTrip();
    void floatsWhereIntegersBelongAreRefused();
    void emptyStateRoundTrips();
    void onlyRejectedEntriesRoundTrip();
    void decodeReplacesWhatTheStateHeld();
    void flippedBodyByteIsRefused();
    void truncatedBlobIsRefused_data();
    void truncatedBlobIsRefused();
    void otherVersionIsRefused_data();
    void otherVersionIsRefused();
    void otherStreamIsRefused();
    void damagedHeaderIsRefused_data();
    void damagedHeaderIsRefused();
    void headerBodyCountMismatchIsRefused_data();
    void headerBodyCountMismatchIsRefused();
    void invalidBodyWithAGoodChecksumIsRefused_data();
    void invalidBodyWithAGoodChecksumIsRefused();
    void rejectedCountIsCheckedAgainstTheReasons();
    void encodingIsDeterministic();
    void checksumIsFnv1a64();
    void restorePlusTailEqualsFromScratch_data();
    void restorePlusTailEqualsFromScratch();

private:
    // A state with users, items, orders and several rejection reasons.
    ShopState richState();
};

ShopState TestSnapshotCodec::richState() { return build(simulate(3000, false)); }

void TestSnapshotCodec::roundTripOfASimulatedShop_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<int>("entries");
    QTest::newRow("native") << false << 3000;
    QTest::newRow("legacy") << true << 3000;
}

void TestSnapshotCodec::roundTripOfASimulatedShop()
{
    QFETCH(bool, legacy);
    QFETCH(int, entries);
    const ShopState original = build(simulate(static_cast<std::size_t>(entries), legacy));
    // The state must be worth round-tripping: users, items, and several reasons.
    QVERIFY(!original.users().empty());
    QVERIFY(!original.items().empty());
    QVERIFY(original.counts.applied > 0);
    QVERIFY(original.counts.rejected > 0);
    int reasons = 0;
    for (int r = 1; r < kReasonCount; ++r)
        reasons += original.counts.byReason[r] != 0 ? 1 : 0;
    QVERIFY2(reasons >= (legacy ? 1 : 4), qPrintable(QString::number(reasons)));
    QCOMPARE(q(original.lastEventId), QStringLiteral("%1-0").arg(entries));

    const std::string blob = encodeSnapshot(original, kStream, 1700000000123);
    ShopState decoded;
    SnapshotHeader header;
    const std::string error = decodeSnapshot(blob, kStream, decoded, &header);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(decoded == original, qPrintable(difference(decoded, original)));

    QCOMPARE(q(header.format), QStringLiteral("shopstream-snapshot"));
    QCOMPARE(header.version, kSnapshotVersion);
    QCOMPARE(q(header.stream), q(std::string(kStream)));
    QCOMPARE(q(header.lastEventId), q(original.lastEventId));
    QCOMPARE(header.total, qint64(entries));
    QCOMPARE(header.applied, original.counts.applied);
    QCOMPARE(header.rejected, original.counts.rejected);
    QCOMPARE(header.users, qint64(original.users().size()));
    QCOMPARE(header.items, qint64(original.items().size()));
    QCOMPARE(header.bodyBytes, quint64(bodyOf(blob).size()));
    QCOMPARE(q(header.checksum), q(checksumHex(bodyOf(blob))));
    QCOMPARE(header.createdMs, qint64(1700000000123));

    // The header alone reads the same, and verification agrees.
    SnapshotHeader alone;
    QVERIFY(decodeSnapshotHeader(blob, alone).empty());
    QCOMPARE(alone.checksum, header.checksum);
    QCOMPARE(alone.total, header.total);
    SnapshotHeader verified;
    QCOMPARE(q(verifySnapshot(blob, kStream, &verified)), QString());
    QCOMPARE(verified.lastEventId, header.lastEventId);
}

// Regression (found by fuzz/entry_fuzzer): a lone surrogate escape in a name was kept as
// WTF-8 bytes, which are not UTF-8, so the snapshot's JSON replaced them and the state
// restored from it differed from the one rebuilt from scratch. It reads as U+FFFD now.
void TestSnapshotCodec::loneSurrogateEscapesInNamesRoundTrip()
{
    Entries entries;
    entries.add("RegisterUser", R"({"userId":9,"name":"\u00e9\ud83d]ude00<b>"})");
    entries.add("AddItem", R"({"itemId":"mug","count":1,"name":"a\udc00b\ud800"})");
    const ShopState original = build(entries);
    QCOMPARE(original.counts.applied, qint64(2));
    QCOMPARE(QByteArray::fromStdString(original.findUser(9)->name), QByteArray("\xc3\xa9\xef\xbf\xbd]ude00<b>"));
    QCOMPARE(QByteArray::fromStdString(original.findItem("mug")->name), QByteArray("a\xef\xbf\xbd" "b\xef\xbf\xbd"));

    const std::string blob = encodeSnapshot(original, kStream, 1);
    ShopState decoded;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(decoded == original, qPrintable(difference(decoded, original)));
}

// Regression (found by fuzz/snapshot_fuzzer under UBSan): a float too large for int64 where
// the codec expects an integer (1.7e30 as createdMs, or as a balance) was cast, which is
// undefined behaviour. Such numbers are not integers: an optional field is ignored, a
// required one makes the snapshot unreadable.
void TestSnapshotCodec::floatsWhereIntegersBelongAreRefused()
{
    Entries entries;
    entries.add("RegisterUser", R"({"userId":1,"name":"a"})");
    const ShopState original = build(entries);
    const std::string blob = encodeSnapshot(original, kStream, 5);
    const std::size_t newline = blob.find('\n');
    json header = json::parse(blob.substr(0, newline));
    const std::string body = blob.substr(newline + 1);

    json floatTime = header;
    floatTime["createdMs"] = 1.7e30;
    ShopState decoded;
    SnapshotHeader h;
    std::string error = decodeSnapshot(floatTime.dump() + "\n" + body, kStream, decoded, &h);
    QVERIFY2(error.empty(), error.c_str());
    QCOMPARE(h.createdMs, qint64(0));
    QVERIFY(decoded == original);

    json floatTotal = header;
    floatTotal["total"] = 1e300;
    error = decodeSnapshot(floatTotal.dump() + "\n" + body, kStream, decoded);
    QVERIFY2(error.find("misses a field") != std::string::npos, error.c_str());

    json b = json::parse(body);
    b["users"][0][2] = 1.7e30;
    const std::string floatBody = b.dump();
    json fixed = header;
    fixed["bodyBytes"] = floatBody.size();
    fixed["checksum"] = checksumHex(floatBody);
    error = decodeSnapshot(fixed.dump() + "\n" + floatBody, kStream, decoded);
    QVERIFY2(QString::fromStdString(error).startsWith(QStringLiteral("the body does not hold a valid state")), error.c_str());
    QVERIFY(decoded.users().empty());
}

void TestSnapshotCodec::roundTripKeepsUnicodeAndQuotes()
{
    const std::string zoe = "Zoë \"the\" Ñandú 🚀";
    const std::string odd = "back\\slash, new\nline, tab\t, {\"json\": [1]}";
    const std::string japanese = "日本語のマグ \"特\"";
    Entries entries;
    entries.add("RegisterUser", json({{"userId", 1}, {"name", zoe}}).dump());
    entries.add("RegisterUser", json({{"userId", 9223372036854775807LL}, {"name", odd}}).dump());
    entries.add("TopUp", json({{"userId", 1}, {"amount", 100000}}).dump());
    entries.add("TopUp", json({{"userId", 5}, {"amount", 1}}).dump()); // creates user 5 with name ""
    entries.add("AddItem", json({{"itemId", "mug.1"}, {"count", 10}, {"price", 450}, {"name", japanese}}).dump());
    entries.add("AddItem", json({{"itemId", "Z_9-x"}, {"count", 3}}).dump()); // unpriced, unnamed
    entries.add("Order", json({{"userId", 1}, {"lines", {{{"itemId", "mug.1"}, {"qty", 3}}}}}).dump());
    entries.add("Order", json({{"userId", 1}, {"lines", {{{"itemId", "Z_9-x"}, {"qty", 1}}}}}).dump()); // unpriced_item
    entries.add("RegisterUser", json({{"userId", 1}, {"name", "again"}}).dump()); // user_exists
    entries.add("Order", "{\"userId\": 1,"); // malformed
    const ShopState original = build(entries);
    QCOMPARE(original.counts.applied, qint64(7));
    QCOMPARE(original.counts.rejected, qint64(3));
    QCOMPARE(original.findUser(1)->spent, qint64(1350));

    const std::string blob = encodeSnapshot(original, kStream, 1);
    ShopState decoded;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(decoded == original, qPrintable(difference(decoded, original)));
    QCOMPARE(q(decoded.findUser(1)->name), q(zoe));
    QCOMPARE(q(decoded.findUser(9223372036854775807LL)->name), q(odd));
    QCOMPARE(q(decoded.findUser(5)->name), QString());
    QCOMPARE(q(decoded.findItem("mug.1")->name), q(japanese));
    QCOMPARE(decoded.findItem("Z_9-x")->price, qint64(0));
    QCOMPARE(q(decoded.lastEventId), QStringLiteral("10-0"));
    // The header stays one line whatever the names hold.
    QCOMPARE(std::count(blob.begin(), blob.end(), '\n'), std::ptrdiff_t(1));
}

void TestSnapshotCodec::emptyStateRoundTrips()
{
    const ShopState empty;
    const std::string blob = encodeSnapshot(empty, kStream, 0);
    ShopState decoded;
    decoded.addUser(3, "stale");
    decoded.lastEventId = "9-9";
    SnapshotHeader header;
    const std::string error = decodeSnapshot(blob, kStream, decoded, &header);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY(decoded == empty);
    QVERIFY(decoded.users().empty());
    QVERIFY(decoded.lastEventId.empty());
    QCOMPARE(header.total, qint64(0));
    QCOMPARE(header.users, qint64(0));
}

void TestSnapshotCodec::onlyRejectedEntriesRoundTrip()
{
    Entries entries;
    entries.add("Order", "not json");
    entries.add("Refund", "{}");
    entries.add("TopUp", R"({"userId": 1, "amount": "5"})");
    const ShopState original = build(entries);
    QVERIFY(original.users().empty() && original.items().empty());
    QCOMPARE(original.counts.rejected, qint64(3));

    ShopState decoded;
    const std::string error = decodeSnapshot(encodeSnapshot(original, kStream, 5), kStream, decoded);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(decoded == original, qPrintable(difference(decoded, original)));
    QCOMPARE(q(decoded.lastEventId), QStringLiteral("3-0"));
    QCOMPARE(decoded.counts.byReason[static_cast<int>(Reason::UnknownType)], qint64(1));
    QCOMPARE(decoded.counts.byReason[static_cast<int>(Reason::Invalid)], qint64(1));
    QCOMPARE(decoded.counts.byReason[static_cast<int>(Reason::Malformed)], qint64(1));
}

void TestSnapshotCodec::decodeReplacesWhatTheStateHeld()
{
    const ShopState original = build(simulate(400, false, 3));
    ShopState target = build(simulate(900, false, 4)); // other users, other counts
    QVERIFY(!(target == original));
    const std::string error = decodeSnapshot(encodeSnapshot(original, kStream, 0), kStream, target);
    QVERIFY2(error.empty(), error.c_str());
    QVERIFY2(target == original, qPrintable(difference(target, original)));
}

void TestSnapshotCodec::flippedBodyByteIsRefused()
{
    const ShopState original = richState();
    const std::string blob = encodeSnapshot(original, kStream, 0);
    const std::size_t bodyStart = headerLength(blob) + 1;
    const std::size_t bodySize = blob.size() - bodyStart;
    for (std::size_t offset : {std::size_t(0), bodySize / 3, bodySize / 2, bodySize - 1}) {
        for (unsigned char mask : {0x01, 0x20, 0x80}) {
            std::string damaged = blob;
            damaged[bodyStart + offset] = static_cast<char>(damaged[bodyStart + offset] ^ mask);
            ShopState decoded = original;
            const std::string error = decodeSnapshot(damaged, kStream, decoded);
            const QString where = QStringLiteral("offset %1 mask %2: %3").arg(offset).arg(mask).arg(q(error));
            QVERIFY2(q(error).contains(QStringLiteral("checksum")), qPrintable(where));
            QVERIFY2(decoded == ShopState(), qPrintable(where)); // cleared on failure
            QCOMPARE(q(verifySnapshot(damaged, kStream)), q(error));
        }
    }
}

void TestSnapshotCodec::truncatedBlobIsRefused_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QString>("expected"); // a word the message must hold
    QTest::newRow("empty") << "0" << "header";
    QTest::newRow("one byte") << "1" << "header";
    QTest::newRow("inside the header") << "header/2" << "header";
    QTest::newRow("just before the newline") << "header" << "header";
    QTest::newRow("just after the newline") << "header+1" << "truncated";
    QTest::newRow("one body byte") << "header+2" << "truncated";
    QTest::newRow("half the body") << "body/2" << "truncated";
    QTest::newRow("all but the last byte") << "size-1" << "truncated";
}

void TestSnapshotCodec::truncatedBlobIsRefused()
{
    QFETCH(QString, where);
    QFETCH(QString, expected);
    const ShopState original = richState();
    const std::string blob = encodeSnapshot(original, kStream, 0);
    const std::size_t header = headerLength(blob);
    std::size_t cut = 0;
    if (where == QLatin1String("0") || where == QLatin1String("1"))
        cut = where.toULongLong();
    else if (where == QLatin1String("header/2"))
        cut = header / 2;
    else if (where == QLatin1String("header"))
        cut = header;
    else if (where == QLatin1String("header+1"))
        cut = header + 1;
    else if (where == QLatin1String("header+2"))
        cut = header + 2;
    else if (where == QLatin1String("body/2"))
        cut = header + 1 + (blob.size() - header - 1) / 2;
    else if (where == QLatin1String("size-1"))
        cut = blob.size() - 1;
    QVERIFY(cut < blob.size());
    const std::string truncated = blob.substr(0, cut);

    ShopState decoded = original;
    const std::string error = decodeSnapshot(truncated, kStream, decoded);
    QVERIFY2(!error.empty(), qPrintable(QStringLiteral("a blob cut at %1 of %2 bytes was accepted").arg(cut).arg(blob.size())));
    QVERIFY2(q(error).contains(expected), error.c_str());
    QVERIFY(decoded == ShopState());
    QCOMPARE(q(verifySnapshot(truncated, kStream)), q(error));
    SnapshotHeader h;
    if (cut <= header)
        QVERIFY(!decodeSnapshotHeader(truncated, h).empty());
}

void TestSnapshotCodec::otherVersionIsRefused_data()
{
    QTest::addColumn<int>("version");
    QTest::newRow("3") << 3;
    QTest::newRow("1 (no stream identity)") << 1;
    QTest::newRow("0") << 0;
    QTest::newRow("-1") << -1;
}

void TestSnapshotCodec::otherVersionIsRefused()
{
    QFETCH(int, version);
    const ShopState original = richState();
    const std::string blob = editHeader(encodeSnapshot(original, kStream, 0), [&](json& h) { h["version"] = version; });
    SnapshotHeader header;
    QVERIFY(decodeSnapshotHeader(blob, header).empty()); // the header itself still reads
    QCOMPARE(header.version, version);
    ShopState decoded = original;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY2(q(error).contains(QStringLiteral("version")), error.c_str());
    QVERIFY2(q(error).contains(QString::number(version)), error.c_str());
    QVERIFY(decoded == ShopState());
    QCOMPARE(q(verifySnapshot(blob, kStream)), q(error));
}

void TestSnapshotCodec::otherStreamIsRefused()
{
    const ShopState original = richState();
    const std::string blob = encodeSnapshot(original, "orders", 0);
    ShopState decoded = original;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY(!error.empty());
    QVERIFY2(q(error).contains(QStringLiteral("orders")) && q(error).contains(QStringLiteral("shop:events")), error.c_str());
    QVERIFY(decoded == ShopState());
    QCOMPARE(q(verifySnapshot(blob, kStream)), q(error));
    // The same blob is fine for its own stream; a prefix or a longer name is not the stream.
    QVERIFY(decodeSnapshot(blob, "orders", decoded).empty());
    QVERIFY(!decodeSnapshot(blob, "order", decoded).empty());
    QVERIFY(!decodeSnapshot(blob, "orders:x", decoded).empty());
}

void TestSnapshotCodec::damagedHeaderIsRefused_data()
{
    QTest::addColumn<QString>("field");
    QTest::newRow("format") << "format";
    QTest::newRow("no version") << "-version";
    QTest::newRow("no stream") << "-stream";
    QTest::newRow("no lastEventId") << "-lastEventId";
    QTest::newRow("no total") << "-total";
    QTest::newRow("no checksum") << "-checksum";
    QTest::newRow("no bodyBytes") << "-bodyBytes";
    QTest::newRow("version as text") << "version-text";
    QTest::newRow("bodyBytes one more") << "bodyBytes+1";
    QTest::newRow("checksum of something else") << "checksum";
    QTest::newRow("header not JSON") << "garbage";
    QTest::newRow("header an array") << "array";
}

void TestSnapshotCodec::damagedHeaderIsRefused()
{
    QFETCH(QString, field);
    const ShopState original = richState();
    const std::string good = encodeSnapshot(original, kStream, 0);
    std::string blob;
    if (field == QLatin1String("garbage")) {
        blob = "{not json" + good.substr(headerLength(good));
    } else if (field == QLatin1String("array")) {
        blob = "[1,2]" + good.substr(headerLength(good));
    } else {
        blob = editHeader(good, [&](json& h) {
            if (field.startsWith(QLatin1Char('-')))
                h.erase(field.mid(1).toStdString());
            else if (field == QLatin1String("format"))
                h["format"] = "someone-elses-snapshot";
            else if (field == QLatin1String("version-text"))
                h["version"] = "1";
            else if (field == QLatin1String("bodyBytes+1"))
                h["bodyBytes"] = h["bodyBytes"].get<std::uint64_t>() + 1;
            else if (field == QLatin1String("checksum"))
                h["checksum"] = checksumHex("something else");
        });
    }
    ShopState decoded = original;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY2(!error.empty(), qPrintable(QStringLiteral("accepted with %1").arg(field)));
    QVERIFY(decoded == ShopState());
    QCOMPARE(q(verifySnapshot(blob, kStream)), q(error));
}

void TestSnapshotCodec::headerBodyCountMismatchIsRefused_data()
{
    QTest::addColumn<QString>("edit");
    QTest::newRow("users + 1") << "users+1";
    QTest::newRow("users - 1") << "users-1";
    QTest::newRow("items + 1") << "items+1";
    QTest::newRow("applied + 1") << "applied+1";
    QTest::newRow("total + 1") << "total+1";
    QTest::newRow("applied and total + 1") << "applied+total+1";
}

void TestSnapshotCodec::headerBodyCountMismatchIsRefused()
{
    QFETCH(QString, edit);
    const ShopState original = richState();
    const std::string blob = editHeader(encodeSnapshot(original, kStream, 0), [&](json& h) {
        if (edit == QLatin1String("users+1"))
            h["users"] = h["users"].get<std::int64_t>() + 1;
        else if (edit == QLatin1String("users-1"))
            h["users"] = h["users"].get<std::int64_t>() - 1;
        else if (edit == QLatin1String("items+1"))
            h["items"] = h["items"].get<std::int64_t>() + 1;
        else if (edit == QLatin1String("applied+1"))
            h["applied"] = h["applied"].get<std::int64_t>() + 1;
        else if (edit == QLatin1String("total+1"))
            h["total"] = h["total"].get<std::int64_t>() + 1;
        else if (edit == QLatin1String("applied+total+1")) {
            h["applied"] = h["applied"].get<std::int64_t>() + 1;
            h["total"] = h["total"].get<std::int64_t>() + 1;
        }
    });
    ShopState decoded = original;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY2(!error.empty(), qPrintable(QStringLiteral("accepted with %1").arg(edit)));
    QVERIFY2(q(error).contains(QStringLiteral("counts")), error.c_str());
    QVERIFY(decoded == ShopState());
    // verifySnapshot reads the header only (its documented contract), so it cannot see this.
}

void TestSnapshotCodec::invalidBodyWithAGoodChecksumIsRefused_data()
{
    QTest::addColumn<QString>("body");
    QTest::newRow("not JSON") << R"({"users": [)";
    QTest::newRow("an array") << R"([1, 2])";
    QTest::newRow("no users") << R"({"items": [], "byReason": {}})";
    QTest::newRow("user id as text") << R"({"users": [["1", "a", 0, 0, 0]], "items": [], "byReason": {}})";
    QTest::newRow("short user row") << R"({"users": [[1, "a", 0]], "items": [], "byReason": {}})";
    QTest::newRow("unknown reason") << R"({"users": [], "items": [], "byReason": {"bribery": 1}})";
    QTest::newRow("price as text") << R"({"users": [], "items": [["x", "", "5", 0, 0]], "byReason": {}})";
}

void TestSnapshotCodec::invalidBodyWithAGoodChecksumIsRefused()
{
    QFETCH(QString, body);
    const ShopState original = richState();
    const std::string blob = replaceBody(encodeSnapshot(original, kStream, 0), body.toStdString());
    QVERIFY(verifySnapshot(blob, kStream).empty()); // size and checksum hold
    ShopState decoded = original;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    QVERIFY2(!error.empty(), qPrintable(body));
    QVERIFY(decoded == ShopState());
}

// The checksum covers the body only, so the header's counts must be checked against the
// body: rejected (and total) raised together still disagree with the reasons in the body.
void TestSnapshotCodec::rejectedCountIsCheckedAgainstTheReasons()
{
    const ShopState original = richState();
    const std::string blob = editHeader(encodeSnapshot(original, kStream, 0), [](json& h) {
        h["rejected"] = h["rejected"].get<std::int64_t>() + 5;
        h["total"] = h["total"].get<std::int64_t>() + 5;
    });
    ShopState decoded;
    const std::string error = decodeSnapshot(blob, kStream, decoded);
    std::int64_t reasons = 0;
    for (int r = 1; r < kReasonCount; ++r)
        reasons += decoded.counts.byReason[r];
    QVERIFY2(!error.empty(), qPrintable(QStringLiteral("accepted: rejected %1, reasons sum to %2")
                                            .arg(decoded.counts.rejected).arg(reasons)));
}

void TestSnapshotCodec::encodingIsDeterministic()
{
    const Entries entries = simulate(2000, false, 11);
    const ShopState a = build(entries);
    const ShopState b = build(entries);
    const std::string blobA = encodeSnapshot(a, kStream, 42);
    QCOMPARE(q(encodeSnapshot(b, kStream, 42)), q(blobA));
    QCOMPARE(q(encodeSnapshot(a, kStream, 42)), q(blobA)); // encoding twice changes nothing

    // A later createdMs changes that field alone.
    const std::string later = encodeSnapshot(a, kStream, 43);
    QVERIFY(later != blobA);
    QCOMPARE(q(bodyOf(later)), q(bodyOf(blobA)));
    QCOMPARE(q(editHeader(later, [](json& h) { h["createdMs"] = 42; })), q(editHeader(blobA, [](json&) {})));

    // The same content reached through another insertion order (the decoded copy is built
    // in sorted order, the original in stream order) encodes to the same bytes.
    ShopState decoded;
    QVERIFY(decodeSnapshot(blobA, kStream, decoded).empty());
    QCOMPARE(q(encodeSnapshot(decoded, kStream, 42)), q(blobA));

    Entries forward;
    Entries backward;
    for (int u = 1; u <= 30; ++u)
        forward.add("RegisterUser", json({{"userId", u}, {"name", "u" + std::to_string(u)}}).dump());
    for (int u = 30; u >= 1; --u)
        backward.add("RegisterUser", json({{"userId", u}, {"name", "u" + std::to_string(u)}}).dump());
    for (int i = 1; i <= 30; ++i)
        forward.add("AddItem", json({{"itemId", "i" + std::to_string(i)}, {"count", i}}).dump());
    for (int i = 30; i >= 1; --i)
        backward.add("AddItem", json({{"itemId", "i" + std::to_string(i)}, {"count", i}}).dump());
    const ShopState f = build(forward);
    const ShopState g = build(backward);
    QVERIFY(f == g);
    QCOMPARE(q(encodeSnapshot(f, kStream, 1)), q(encodeSnapshot(g, kStream, 1)));

    // And a different state does not encode to the same body.
    const ShopState other = build(simulate(2001, false, 11));
    QVERIFY(bodyOf(encodeSnapshot(other, kStream, 42)) != bodyOf(blobA));
}

void TestSnapshotCodec::checksumIsFnv1a64()
{
    // The header promises "hex FNV-1a 64 of the body": the published test vectors, so that
    // other tools can check a snapshot and the sum never drifts between versions.
    QCOMPARE(q(checksumHex("")).size(), 16);
    QVERIFY(checksumHex("a") != checksumHex("b"));
    QCOMPARE(q(checksumHex("")), QStringLiteral("cbf29ce484222325"));
    QCOMPARE(q(checksumHex("a")), QStringLiteral("af63dc4c8601ec8c"));
    QCOMPARE(q(checksumHex("foobar")), QStringLiteral("85944171f73967e8"));
}

void TestSnapshotCodec::restorePlusTailEqualsFromScratch_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::newRow("native") << false;
    QTest::newRow("legacy") << true;
}

void TestSnapshotCodec::restorePlusTailEqualsFromScratch()
{
    QFETCH(bool, legacy);
    constexpr std::size_t n = 5000;
    const Entries entries = simulate(n, legacy, legacy ? 21 : 20);
    const ShopState scratch = build(entries);
    QCOMPARE(scratch.counts.total, qint64(n));
    QVERIFY(scratch.counts.applied > 0 && scratch.counts.rejected > 0);

    // ~50 random cut points plus the edges, in order, so A is built once incrementally.
    const quint32 seed = 20240611;
    QRandomGenerator random(seed);
    std::vector<std::size_t> cuts = {0, 1, n / 2, n - 1, n};
    for (int i = 0; i < 50; ++i)
        cuts.push_back(static_cast<std::size_t>(random.bounded(static_cast<quint32>(n + 1))));
    std::sort(cuts.begin(), cuts.end());

    ShopState a;
    std::size_t applied = 0;
    for (std::size_t k : cuts) {
        apply(a, entries, applied, k);
        applied = k;
        const std::string blob = encodeSnapshot(a, kStream, static_cast<std::int64_t>(k));
        ShopState b;
        const std::string error = decodeSnapshot(blob, kStream, b);
        const QString where = QStringLiteral("cut %1 (seed %2)").arg(k).arg(seed);
        QVERIFY2(error.empty(), qPrintable(where + QStringLiteral(": ") + q(error)));
        QVERIFY2(b == a, qPrintable(where + QStringLiteral(" decoded: ") + difference(b, a)));
        apply(b, entries, k, n);
        QVERIFY2(b == scratch, qPrintable(where + QStringLiteral(" tail: ") + difference(b, scratch)));
    }
}

QTEST_APPLESS_MAIN(TestSnapshotCodec)
#include "test_snapshot_codec.moc"
