// The entry decoder: checks 1 to 5 of DESIGN section 3 (too_large, unsupported_version,
// unknown_type, malformed, invalid) and their order, the choice between the native JSON and
// the legacy MessagePack format, every field range, and the original Go demo's bytes.
// Expected results come from DESIGN.md section 3 only, not from the implementation.
#include "reason_names.hpp"
#include "core/domain.hpp"
#include "core/entry.hpp"
#include "core/entry_decoder.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace shop;
using json = nlohmann::json;

// One optional entry field (`type`, `data` or `v`) in test data: absent is not "".
struct EntryField {
    bool present = false;
    QByteArray value;
};
Q_DECLARE_METATYPE(EntryField)

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k15 = 1'000'000'000'000'000; // 10^15
constexpr std::int64_t k13 = 10'000'000'000'000;    // 10^13: legacy Amount limit (x100)
constexpr std::int64_t k9 = 1'000'000'000;          // 10^9

EntryField absent() { return {}; }
EntryField field(const QByteArray& v) { return {true, v}; }
EntryField field(const std::string& v) { return {true, QByteArray(v.data(), qsizetype(v.size()))}; }
EntryField field(const char* v) { return {true, QByteArray(v)}; }

using reason_names::idx;
using reason_names::nameOf;
using reason_names::reasonFrom;

std::string_view view(const QByteArray& b) { return {b.constData(), std::size_t(b.size())}; }

RawEntry rawEntry(const EntryField& type, const EntryField& data, const EntryField& v, std::string_view id = "1-0")
{
    RawEntry e;
    e.id = id;
    if (type.present)
        e.type = view(type.value);
    if (data.present)
        e.data = view(data.value);
    if (v.present)
        e.v = view(v.value);
    return e;
}

Reason decode(const EntryField& type, const EntryField& data, const EntryField& v, Event& out)
{
    try {
        return decodeEntry(rawEntry(type, data, v), out);
    } catch (...) {
        qWarning("decodeEntry threw");
        return Reason(255);
    }
}

// A native entry (v = "1") or a legacy one (no v).
Reason decodeNative(const std::string& type, const std::string& data, Event& out)
{
    return decode(field(type), field(data), field("1"), out);
}
Reason decodeLegacy(const std::string& type, const std::string& data, Event& out)
{
    return decode(field(type), field(data), absent(), out);
}

std::string bytes(std::initializer_list<int> list)
{
    std::string s;
    for (int b : list)
        s.push_back(char(b));
    return s;
}

std::string msgpack(const json& j)
{
    const std::vector<std::uint8_t> v = json::to_msgpack(j);
    return std::string(v.begin(), v.end());
}

// The real TopUp entry of the original demo, byte for byte (DESIGN section 3).
std::string realLegacyTopUp()
{
    std::string s = bytes({0x84, 0xa2});
    s += "ID";
    s += bytes({0xa0, 0xa4});
    s += "Type";
    s += bytes({0xa5});
    s += "TopUp";
    s += bytes({0xa6});
    s += "UserID";
    s += bytes({0xd3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x91, 0xa6});
    s += "Amount";
    s += bytes({0xcf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xf4});
    return s;
}

std::string repeat(const std::string& s, int n)
{
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

std::string jstr(const std::string& s) { return "\"" + s + "\""; }

// Lines for an Order: n lines of {"itemId":"a","qty":1}.
std::string lines(int n, const std::string& line = R"({"itemId":"a","qty":1})")
{
    std::string s = "[";
    for (int i = 0; i < n; ++i)
        s += (i ? "," : "") + line;
    return s + "]";
}

// Pads a JSON object (given without its closing brace) with an ignored string field so that
// the whole text is exactly `size` bytes.
std::string jsonOfSize(const std::string& open, std::size_t size)
{
    const std::string head = open + R"(,"pad":")";
    const std::size_t n = size - head.size() - 2;
    return head + std::string(n, 'x') + "\"}";
}

// Runs `fn` in a child process, on a thread with a bounded stack (a consumer thread's
// stack is not the main thread's 8 MiB, and a Debug build's frames are larger), so that a
// crash (stack overflow on deep nesting) fails the test instead of ending the suite.
// Returns the name of the reason the child reported, or what went wrong.
constexpr std::size_t kThreadStack = 1024 * 1024;

struct ChildCall {
    const std::function<Reason()>* fn;
    unsigned char result;
};

void* runChildCall(void* arg)
{
    auto* call = static_cast<ChildCall*>(arg);
    try {
        call->result = static_cast<unsigned char>((*call->fn)());
    } catch (...) {
        call->result = 254;
    }
    return nullptr;
}

QByteArray inChild(const std::function<Reason()>& fn)
{
    int fds[2];
    if (pipe(fds) != 0)
        return "pipe failed";
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        ChildCall call{&fn, 255};
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, kThreadStack);
        pthread_t thread;
        if (pthread_create(&thread, &attr, runChildCall, &call) != 0)
            _exit(4);
        pthread_join(thread, nullptr);
        if (write(fds[1], &call.result, 1) != 1)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    unsigned char r = 0;
    const ssize_t n = read(fds[0], &r, 1);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        return "crashed with signal " + QByteArray::number(WTERMSIG(status));
    if (n != 1)
        return "child reported nothing (exit " + QByteArray::number(WEXITSTATUS(status)) + ")";
    if (r == 254)
        return "threw";
    return nameOf(Reason(r));
}

} // namespace

#define EXPECT_REASON(expr, expected) QCOMPARE(nameOf(expr), QByteArray(expected))

class TestDecoder : public QObject {
    Q_OBJECT

private slots:
    void checkOrder_data();
    void checkOrder();
    void entryFormat_data();
    void entryFormat();
    void sizeLimitThroughProcessEntry();

    void jsonFields_data();
    void jsonFields();
    void decodedValues();
    void decodeClearsOutput();

    void legacyRealTopUpBytes();
    void legacy_data();
    void legacy();
    void legacyDecodedValues();
    void legacyAddItemStaysUnpriced();
    void legacyEndToEnd();

    void deepNesting();
    void neverThrows();
};

// The order of checks 1-5: where several hold, the first wins.
void TestDecoder::checkOrder_data()
{
    QTest::addColumn<EntryField>("type");
    QTest::addColumn<EntryField>("data");
    QTest::addColumn<EntryField>("v");
    QTest::addColumn<QByteArray>("expected");

    const std::string topUp = R"({"userId":1,"amount":5})";
    const std::string garbage = bytes({0xc1, 0xff, 0x00, 'x'});
    const std::string legacyTopUp = realLegacyTopUp();

    // 1. too_large: over 64 KiB (65536 bytes) of data.
    const std::string big65537 = jsonOfSize(R"({"userId":1,"amount":5)", 65537);
    const std::string big65536 = jsonOfSize(R"({"userId":1,"amount":5)", 65536);
    QCOMPARE(big65537.size(), std::size_t(65537));
    QCOMPARE(big65536.size(), std::size_t(65536));
    QTest::newRow("65537 bytes valid JSON") << field("TopUp") << field(big65537) << field("1") << QByteArray("too_large");
    QTest::newRow("65537 bytes, no v") << field("TopUp") << field(big65537) << absent() << QByteArray("too_large");
    QTest::newRow("65536 bytes valid JSON") << field("TopUp") << field(big65536) << field("1") << QByteArray("applied");
    QTest::newRow("65536 bytes valid JSON, no v") << field("TopUp") << field(big65536) << absent() << QByteArray("applied");
    QTest::newRow("too_large beats unsupported_version") << field("TopUp") << field(big65537) << field("2") << QByteArray("too_large");
    QTest::newRow("too_large beats missing type") << absent() << field(big65537) << field("2") << QByteArray("too_large");
    QTest::newRow("too_large beats unknown type") << field("Bogus") << field(big65537) << field("1") << QByteArray("too_large");
    QTest::newRow("too_large garbage") << field("TopUp") << field(std::string(65537, '\xc1')) << absent() << QByteArray("too_large");
    QTest::newRow("too_large 1 MiB") << field("TopUp") << field(std::string(1 << 20, '{')) << field("1") << QByteArray("too_large");
    QTest::newRow("65536 bytes garbage is malformed") << field("TopUp") << field(std::string(65536, '{')) << field("1")
                                                      << QByteArray("malformed");
    QTest::newRow("65536 bytes with v 2") << field("TopUp") << field(big65536) << field("2") << QByteArray("unsupported_version");
    {
        // A legacy map padded with an ignored field to exactly 65537 / 65536 bytes.
        json j = {{"ID", ""}, {"Type", "TopUp"}, {"UserID", 8081}, {"Amount", 500}, {"Pad", std::string(1000, 'x')}};
        const std::size_t base = msgpack(j).size() - 1000;
        j["Pad"] = std::string(65537 - base, 'x');
        const std::string l65537 = msgpack(j);
        j["Pad"] = std::string(65536 - base, 'x');
        const std::string l65536 = msgpack(j);
        QCOMPARE(l65537.size(), std::size_t(65537));
        QCOMPARE(l65536.size(), std::size_t(65536));
        QTest::newRow("legacy 65537 bytes") << field("TopUp") << field(l65537) << absent() << QByteArray("too_large");
        QTest::newRow("legacy 65536 bytes") << field("TopUp") << field(l65536) << absent() << QByteArray("applied");
    }

    // 2. unsupported_version: v present and not "1".
    QTest::newRow("v 2") << field("TopUp") << field(topUp) << field("2") << QByteArray("unsupported_version");
    QTest::newRow("v empty") << field("TopUp") << field(topUp) << field("") << QByteArray("unsupported_version");
    QTest::newRow("v 1.0") << field("TopUp") << field(topUp) << field("1.0") << QByteArray("unsupported_version");
    QTest::newRow("v beats missing type and data") << absent() << absent() << field("2") << QByteArray("unsupported_version");
    QTest::newRow("v beats unknown type") << field("Bogus") << field(garbage) << field("0") << QByteArray("unsupported_version");
    QTest::newRow("v beats malformed") << field("TopUp") << field("{") << field("2") << QByteArray("unsupported_version");
    QTest::newRow("v beats invalid") << field("TopUp") << field("{}") << field("2") << QByteArray("unsupported_version");
    QTest::newRow("v 2 on legacy bytes") << field("TopUp") << field(legacyTopUp) << field("2") << QByteArray("unsupported_version");

    // 3. unknown_type: missing or not a type of section 3 (OrderType is Order).
    QTest::newRow("type missing") << absent() << field(topUp) << field("1") << QByteArray("unknown_type");
    QTest::newRow("type missing, no v") << absent() << field(topUp) << absent() << QByteArray("unknown_type");
    QTest::newRow("type missing beats missing data") << absent() << absent() << field("1") << QByteArray("unknown_type");
    QTest::newRow("type empty") << field("") << field(topUp) << field("1") << QByteArray("unknown_type");
    QTest::newRow("type lower case") << field("topup") << field(topUp) << field("1") << QByteArray("unknown_type");
    QTest::newRow("type upper case") << field("ORDER") << field(R"({"userId":1,"lines":[{"itemId":"a","qty":1}]})")
                                     << field("1") << QByteArray("unknown_type");
    QTest::newRow("type trailing space") << field("TopUp ") << field(topUp) << field("1") << QByteArray("unknown_type");
    QTest::newRow("type with NUL") << field(std::string("TopUp\0", 6)) << field(topUp) << field("1") << QByteArray("unknown_type");
    QTest::newRow("type Bogus beats garbage") << field("Bogus") << field(garbage) << field("1") << QByteArray("unknown_type");
    QTest::newRow("type Bogus beats missing data") << field("Bogus") << absent() << field("1") << QByteArray("unknown_type");
    QTest::newRow("type Bogus beats invalid") << field("Bogus") << field("{}") << field("1") << QByteArray("unknown_type");
    QTest::newRow("OrderType native") << field("OrderType") << field(R"({"userId":1,"lines":[{"itemId":"a","qty":1}]})")
                                      << field("1") << QByteArray("applied");
    QTest::newRow("type missing, legacy bytes") << absent() << field(legacyTopUp) << absent() << QByteArray("unknown_type");

    // 4. malformed: data missing, not decodable, or not an object.
    QTest::newRow("data missing v1") << field("TopUp") << absent() << field("1") << QByteArray("malformed");
    QTest::newRow("data missing no v") << field("TopUp") << absent() << absent() << QByteArray("malformed");
    QTest::newRow("data empty v1") << field("TopUp") << field("") << field("1") << QByteArray("malformed");
    QTest::newRow("data empty no v") << field("TopUp") << field("") << absent() << QByteArray("malformed");
    QTest::newRow("not JSON") << field("TopUp") << field("hello") << field("1") << QByteArray("malformed");
    QTest::newRow("garbage v1") << field("TopUp") << field(garbage) << field("1") << QByteArray("malformed");
    QTest::newRow("lone brace") << field("TopUp") << field("{") << field("1") << QByteArray("malformed");
    QTest::newRow("truncated value") << field("TopUp") << field(R"({"userId":1,"amount":)") << field("1") << QByteArray("malformed");
    QTest::newRow("missing closing brace") << field("TopUp") << field(R"({"userId":1,"amount":5)") << field("1") << QByteArray("malformed");
    QTest::newRow("truncated, no v") << field("TopUp") << field(R"({"userId":1,"amount":5)") << absent() << QByteArray("malformed");
    QTest::newRow("truncated string and wrong kind") << field("TopUp") << field(R"({"userId":"x)") << field("1") << QByteArray("malformed");
    QTest::newRow("array") << field("TopUp") << field("[]") << field("1") << QByteArray("malformed");
    QTest::newRow("array of object") << field("TopUp") << field(R"([{"userId":1,"amount":5}])") << field("1") << QByteArray("malformed");
    QTest::newRow("number") << field("TopUp") << field("5") << field("1") << QByteArray("malformed");
    QTest::newRow("string") << field("TopUp") << field("\"x\"") << field("1") << QByteArray("malformed");
    QTest::newRow("null") << field("TopUp") << field("null") << field("1") << QByteArray("malformed");
    QTest::newRow("true") << field("TopUp") << field("true") << field("1") << QByteArray("malformed");
    QTest::newRow("array, no v") << field("TopUp") << field("[]") << absent() << QByteArray("malformed");
    QTest::newRow("number, no v") << field("TopUp") << field("5") << absent() << QByteArray("malformed");
    QTest::newRow("string, no v") << field("TopUp") << field("\"x\"") << absent() << QByteArray("malformed");
    QTest::newRow("trailing garbage") << field("TopUp") << field(topUp + " x") << field("1") << QByteArray("malformed");
    QTest::newRow("two objects") << field("TopUp") << field(topUp + topUp) << field("1") << QByteArray("malformed");
    QTest::newRow("trailing whitespace is fine") << field("TopUp") << field(topUp + " \n\t ") << field("1") << QByteArray("applied");
    QTest::newRow("leading whitespace with v1 is JSON") << field("TopUp") << field(" \n" + topUp) << field("1") << QByteArray("applied");
    QTest::newRow("single quotes") << field("TopUp") << field("{'userId':1,'amount':5}") << field("1") << QByteArray("malformed");
    QTest::newRow("unquoted keys") << field("TopUp") << field("{userId:1,amount:5}") << field("1") << QByteArray("malformed");
    QTest::newRow("trailing comma") << field("TopUp") << field(R"({"userId":1,"amount":5,})") << field("1") << QByteArray("malformed");
    QTest::newRow("comment") << field("TopUp") << field(R"({/*c*/"userId":1,"amount":5})") << field("1") << QByteArray("malformed");
    QTest::newRow("NaN") << field("TopUp") << field(R"({"userId":1,"amount":NaN})") << field("1") << QByteArray("malformed");
    QTest::newRow("leading zero number") << field("TopUp") << field(R"({"userId":01,"amount":5})") << field("1") << QByteArray("malformed");
    QTest::newRow("plus sign number") << field("TopUp") << field(R"({"userId":+1,"amount":5})") << field("1") << QByteArray("malformed");
    QTest::newRow("invalid UTF-8 in ignored field") << field("TopUp") << field(std::string(R"({"userId":1,"amount":5,"x":")") + "\xff\"}")
                                                    << field("1") << QByteArray("malformed");
    QTest::newRow("invalid UTF-8 in name") << field("RegisterUser") << field(std::string(R"({"userId":1,"name":"a)") + "\xc3\"}")
                                           << field("1") << QByteArray("malformed");
    QTest::newRow("overlong UTF-8") << field("RegisterUser") << field(std::string(R"({"userId":1,"name":")") + "\xc0\xaf\"}")
                                    << field("1") << QByteArray("malformed");
    QTest::newRow("UTF-8 surrogate bytes") << field("RegisterUser") << field(std::string(R"({"userId":1,"name":")") + "\xed\xa0\x80\"}")
                                           << field("1") << QByteArray("malformed");
    QTest::newRow("invalid UTF-8 in key") << field("TopUp") << field(std::string(R"({"userId":1,"amount":5,")") + "\xfe\":1}")
                                          << field("1") << QByteArray("malformed");
    QTest::newRow("raw control char in string") << field("RegisterUser") << field(std::string(R"({"userId":1,"name":"a)") + "\n\"}")
                                                << field("1") << QByteArray("malformed");
    QTest::newRow("bad escape") << field("RegisterUser") << field(R"({"userId":1,"name":"a\q"})") << field("1") << QByteArray("malformed");
    QTest::newRow("malformed beats invalid") << field("TopUp") << field(R"({"userId":0,"amount":0)") << field("1") << QByteArray("malformed");
    QTest::newRow("legacy bytes with v1 are not JSON") << field("TopUp") << field(legacyTopUp) << field("1") << QByteArray("malformed");
    // Legacy (no v, data not starting with '{'): MessagePack that does not decode or is not a map.
    QTest::newRow("legacy leading space before JSON") << field("TopUp") << field(" " + topUp) << absent() << QByteArray("malformed");
    QTest::newRow("legacy garbage c1") << field("TopUp") << field(bytes({0xc1})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy nil") << field("TopUp") << field(bytes({0xc0})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy fixint") << field("TopUp") << field(bytes({0x05})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy string") << field("TopUp") << field(bytes({0xa1, 'x'})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy array") << field("TopUp") << field(msgpack(json::array({8081, 500}))) << absent() << QByteArray("malformed");
    QTest::newRow("legacy empty array") << field("TopUp") << field(bytes({0x90})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy true") << field("TopUp") << field(bytes({0xc3})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy truncated (last byte)") << field("TopUp") << field(legacyTopUp.substr(0, legacyTopUp.size() - 1)) << absent()
                                                  << QByteArray("malformed");
    QTest::newRow("legacy truncated (half)") << field("TopUp") << field(legacyTopUp.substr(0, 20)) << absent() << QByteArray("malformed");
    QTest::newRow("legacy map header only") << field("TopUp") << field(bytes({0x84})) << absent() << QByteArray("malformed");
    {
        std::string more = legacyTopUp;
        more[0] = char(0x85); // says 5 pairs, has 4
        QTest::newRow("legacy map count too high") << field("TopUp") << field(more) << absent() << QByteArray("malformed");
    }
    QTest::newRow("legacy map16 truncated") << field("TopUp") << field(bytes({0xde, 0x00})) << absent() << QByteArray("malformed");
    QTest::newRow("legacy str32 length beyond data") << field("TopUp") << field(bytes({0x81, 0xdb, 0x7f, 0xff, 0xff, 0xff, 'a'}))
                                                     << absent() << QByteArray("malformed");

    QTest::newRow("BOM before JSON, no v (legacy)") << field("TopUp") << field("\xef\xbb\xbf" + topUp) << absent() << QByteArray("malformed");
    // ambiguous: JSON's grammar has no number range; a number too large for a double in an
    // ignored field still decodes (most literal reading), so the field is ignored.
    QTest::newRow("ignored field 1e400") << field("TopUp") << field(R"({"userId":1,"amount":5,"x":1e400})") << field("1")
                                         << QByteArray("applied");
    QTest::newRow("ignored field 400-digit integer") << field("TopUp") << field(R"({"userId":1,"amount":5,"x":1)" + std::string(400, '0') + "}")
                                                     << field("1") << QByteArray("applied");
    // ambiguous: a lone surrogate escape is grammatical JSON (RFC 8259 section 7); in an
    // ignored field, most literally, the data decodes and the field is ignored.
    QTest::newRow("ignored field lone surrogate escape") << field("TopUp") << field(R"({"userId":1,"amount":5,"x":"\ud800"})")
                                                         << field("1") << QByteArray("applied");

    // 5. invalid, after all the above.
    QTest::newRow("empty object") << field("TopUp") << field("{}") << field("1") << QByteArray("invalid");
    QTest::newRow("empty object, no v") << field("TopUp") << field("{}") << absent() << QByteArray("invalid");
    QTest::newRow("empty legacy map") << field("TopUp") << field(bytes({0x80})) << absent() << QByteArray("invalid");

    // Extra fields of any kind are ignored, including ones named like entry fields.
    QTest::newRow("extra fields ignored")
        << field("TopUp")
        << field(R"({"type":"Bogus","v":"2","data":{},"extra":{"a":[1,2.5,null,"x",true,{"userId":0}]},"userId":1,"amount":5,"amount2":-1})")
        << field("1") << QByteArray("applied");
}

void TestDecoder::checkOrder()
{
    QFETCH(EntryField, type);
    QFETCH(EntryField, data);
    QFETCH(EntryField, v);
    QFETCH(QByteArray, expected);

    Event ev;
    EXPECT_REASON(decode(type, data, v, ev), expected);

    // Through processEntry on an empty state: the same reason (checks 1-5 come before any
    // per-type check), counted, nothing else. Valid Orders cannot apply on an empty state.
    if (expected == "applied" && type.value.startsWith("Order"))
        return;
    ShopState state;
    Event scratch;
    const RawEntry e = rawEntry(type, data, v, "5-1");
    const Reason got = processEntry(state, e, scratch);
    QCOMPARE(nameOf(got), expected);
    QCOMPARE(state.counts.total, 1);
    QCOMPARE(state.counts.byReason[idx(reasonFrom(expected))], 1);
    QCOMPARE(QByteArray::fromStdString(state.lastEventId), QByteArray("5-1"));
    if (expected != "applied") {
        QCOMPARE(state.counts.rejected, 1);
        QVERIFY(state.users().empty());
        QVERIFY(state.items().empty());
    }
}

void TestDecoder::entryFormat_data()
{
    QTest::addColumn<EntryField>("type");
    QTest::addColumn<EntryField>("data");
    QTest::addColumn<EntryField>("v");
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<QByteArray>("expected");

    const std::string topUpJson = R"({"userId":1,"amount":5})";
    const std::string regJson = R"({"userId":1,"name":"A"})";
    const std::string legacyTopUp = realLegacyTopUp();
    const std::string legacyReg = msgpack(json{{"ID", ""}, {"Type", "RegisterUser"}, {"UserID", 1}, {"Name", "A"}});

    QTest::newRow("no v, JSON") << field("TopUp") << field(topUpJson) << absent() << false << QByteArray("applied");
    QTest::newRow("v 1, JSON") << field("TopUp") << field(topUpJson) << field("1") << false << QByteArray("applied");
    QTest::newRow("no v, msgpack") << field("TopUp") << field(legacyTopUp) << absent() << true << QByteArray("applied");
    QTest::newRow("v 1, msgpack") << field("TopUp") << field(legacyTopUp) << field("1") << false << QByteArray("malformed");
    QTest::newRow("v 2, msgpack") << field("TopUp") << field(legacyTopUp) << field("2") << false << QByteArray("unsupported_version");
    QTest::newRow("no v, leading space JSON") << field("TopUp") << field(" " + topUpJson) << absent() << true << QByteArray("malformed");
    QTest::newRow("v 1, leading space JSON") << field("TopUp") << field(" " + topUpJson) << field("1") << false << QByteArray("applied");
    QTest::newRow("no v, native-only type in JSON") << field("RegisterUser") << field(regJson) << absent() << false << QByteArray("applied");
    QTest::newRow("no v, RegisterUser msgpack") << field("RegisterUser") << field(legacyReg) << absent() << true
                                                << QByteArray("unknown_type");
    QTest::newRow("v 1, RegisterUser msgpack") << field("RegisterUser") << field(legacyReg) << field("1") << false
                                               << QByteArray("malformed");
    // Data "[]" does not start with '{': legacy, where RegisterUser does not exist.
    QTest::newRow("no v, RegisterUser []") << field("RegisterUser") << field("[]") << absent() << true << QByteArray("unknown_type");
    QTest::newRow("no v, SetPrice empty data") << field("SetPrice") << field("") << absent() << true << QByteArray("unknown_type");
    QTest::newRow("v 1, RegisterUser []") << field("RegisterUser") << field("[]") << field("1") << false << QByteArray("malformed");
    // ambiguous: an entry without v and without data: "read as native JSON when its data
    // starts with {, and as the legacy format otherwise" — missing data does not start with
    // '{', so legacy, where RegisterUser is unknown_type (not malformed).
    QTest::newRow("no v, RegisterUser, no data") << field("RegisterUser") << absent() << absent() << true << QByteArray("unknown_type");
    QTest::newRow("v 1, RegisterUser, no data") << field("RegisterUser") << absent() << field("1") << false << QByteArray("malformed");
    QTest::newRow("no v, TopUp, no data") << field("TopUp") << absent() << absent() << true << QByteArray("malformed");
    // In the legacy format Order is accepted as well as OrderType.
    QTest::newRow("no v, Order msgpack")
        << field("Order") << field(msgpack(json{{"UserID", 1}, {"ItemIDs", {"a"}}, {"ItemQuantities", {1}}})) << absent() << true
        << QByteArray("applied");
    QTest::newRow("no v, Order JSON") << field("Order") << field(R"({"userId":1,"lines":[{"itemId":"a","qty":1}]})") << absent()
                                      << false << QByteArray("applied");
}

void TestDecoder::entryFormat()
{
    QFETCH(EntryField, type);
    QFETCH(EntryField, data);
    QFETCH(EntryField, v);
    QFETCH(bool, legacy);
    QFETCH(QByteArray, expected);

    const RawEntry e = rawEntry(type, data, v);
    QCOMPARE(shop::entryFormat(e) == EntryFormat::Legacy, legacy);
    Event ev;
    EXPECT_REASON(decode(type, data, v, ev), expected);
    if (expected == "applied")
        QCOMPARE(ev.legacy, legacy);
}

void TestDecoder::sizeLimitThroughProcessEntry()
{
    ShopState state;
    Event scratch;
    const std::string ok = jsonOfSize(R"({"userId":7,"amount":5)", 65536);
    const std::string over = jsonOfSize(R"({"userId":8,"amount":5)", 65537);
    const EntryField type = field("TopUp");
    const EntryField v = field("1");
    const EntryField okData = field(ok);
    const EntryField overData = field(over);
    const RawEntry a = rawEntry(type, okData, v, "1-0"); // views into the fields above
    const RawEntry b = rawEntry(type, overData, v, "2-0");
    EXPECT_REASON(processEntry(state, a, scratch), "applied");
    EXPECT_REASON(processEntry(state, b, scratch), "too_large");
    QVERIFY(state.findUser(7));
    QVERIFY(!state.findUser(8));
    QCOMPARE(state.counts.byReason[idx(Reason::TooLarge)], 1);
    QCOMPARE(QByteArray::fromStdString(state.lastEventId), QByteArray("2-0"));
}

// Every field range of section 3, in native JSON. Each row is run with v = "1" and without v.
void TestDecoder::jsonFields_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("expected");
    auto row = [](const std::string& name, const char* type, const std::string& data, const char* expected) {
        QTest::newRow(name.c_str()) << QByteArray(type) << QByteArray::fromStdString(data) << QByteArray(expected);
    };
    const char* ok = "applied";
    const char* bad = "invalid";

    // userId: integer 1..2^63-1 (on TopUp, then on every type that has it).
    auto topUpUser = [](const std::string& u) { return R"({"userId":)" + u + R"(,"amount":5})"; };
    row("userId 1", "TopUp", topUpUser("1"), ok);
    row("userId 2^63-1", "TopUp", topUpUser("9223372036854775807"), ok);
    row("userId 2^63", "TopUp", topUpUser("9223372036854775808"), bad);
    row("userId 2^64-1", "TopUp", topUpUser("18446744073709551615"), bad);
    row("userId 2^64", "TopUp", topUpUser("18446744073709551616"), bad);
    row("userId 10^23", "TopUp", topUpUser("100000000000000000000000"), bad);
    row("userId 0", "TopUp", topUpUser("0"), bad);
    row("userId -1", "TopUp", topUpUser("-1"), bad);
    row("userId -2^63", "TopUp", topUpUser("-9223372036854775808"), bad);
    row("userId 5.0", "TopUp", topUpUser("5.0"), bad);
    row("userId 5e0", "TopUp", topUpUser("5e0"), bad);
    row("userId 5E2", "TopUp", topUpUser("5E2"), bad);
    row("userId 1.5", "TopUp", topUpUser("1.5"), bad);
    row("userId string", "TopUp", topUpUser("\"5\""), bad);
    row("userId true", "TopUp", topUpUser("true"), bad);
    row("userId null", "TopUp", topUpUser("null"), bad);
    row("userId array", "TopUp", topUpUser("[5]"), bad);
    row("userId object", "TopUp", topUpUser(R"({"id":5})"), bad);
    row("userId missing", "TopUp", R"({"amount":5})", bad);
    row("userId wrong case key", "TopUp", R"({"userid":1,"amount":5})", bad);

    // amount 1..10^15
    auto amount = [](const std::string& a) { return R"({"userId":1,"amount":)" + a + "}"; };
    row("amount 1", "TopUp", amount("1"), ok);
    row("amount 10^15", "TopUp", amount("1000000000000000"), ok);
    row("amount 10^15+1", "TopUp", amount("1000000000000001"), bad);
    row("amount 0", "TopUp", amount("0"), bad);
    row("amount -1", "TopUp", amount("-1"), bad);
    row("amount 2^63-1", "TopUp", amount("9223372036854775807"), bad);
    row("amount 2^64-1", "TopUp", amount("18446744073709551615"), bad);
    row("amount 5.0", "TopUp", amount("5.0"), bad);
    row("amount 5e0", "TopUp", amount("5e0"), bad);
    row("amount 1e15", "TopUp", amount("1e15"), bad);
    row("amount string", "TopUp", amount("\"5\""), bad);
    row("amount true", "TopUp", amount("true"), bad);
    row("amount null", "TopUp", amount("null"), bad);
    row("amount missing", "TopUp", R"({"userId":1})", bad);
    row("amount -0", "TopUp", amount("-0"), bad);
    // ambiguous: grammatical JSON numbers out of double range in a checked field: of the
    // wrong kind / out of range (invalid), not undecodable (malformed).
    row("amount 1e400", "TopUp", amount("1e400"), bad);
    row("userId 400 digits", "TopUp", topUpUser("1" + std::string(400, '0')), bad);

    // RegisterUser name: string, 1..100 bytes (bytes, not characters).
    auto reg = [](const std::string& nameJson) { return R"({"userId":1,"name":)" + nameJson + "}"; };
    row("name 1 byte", "RegisterUser", reg(jstr("a")), ok);
    row("name 100 bytes", "RegisterUser", reg(jstr(std::string(100, 'a'))), ok);
    row("name 101 bytes", "RegisterUser", reg(jstr(std::string(101, 'a'))), bad);
    row("name 50 x 2-byte = 100", "RegisterUser", reg(jstr(repeat("é", 50))), ok);
    row("name 50 x 2-byte + 1 = 101", "RegisterUser", reg(jstr(repeat("é", 50) + "a")), bad);
    row("name 51 x 2-byte (51 chars, 102 bytes)", "RegisterUser", reg(jstr(repeat("é", 51))), bad);
    row("name 33 x 3-byte + 1 = 100", "RegisterUser", reg(jstr(repeat("€", 33) + "a")), ok);
    row("name 34 x 3-byte = 102", "RegisterUser", reg(jstr(repeat("€", 34))), bad);
    row("name 25 x 4-byte = 100", "RegisterUser", reg(jstr(repeat("😀", 25))), ok);
    row("name 25 x 4-byte + 1 = 101", "RegisterUser", reg(jstr(repeat("😀", 25) + "a")), bad);
    // ambiguous: bytes of the decoded string, not of its JSON spelling (\u escapes).
    row("name 100 escaped ASCII", "RegisterUser", reg(jstr(repeat("\\u0041", 100))), ok);
    row("name 51 escaped 2-byte = 102", "RegisterUser", reg(jstr(repeat("\\u00e9", 51))), bad);
    row("name escaped surrogate pair", "RegisterUser", reg(jstr("\\ud83d\\ude00")), ok);
    row("name with escaped NUL", "RegisterUser", reg(jstr("a\\u0000b")), ok);
    row("name with quotes and backslash", "RegisterUser", reg(jstr("<b>\\\"x\\\\</b>")), ok);
    row("name empty", "RegisterUser", reg(jstr("")), bad);
    row("name missing", "RegisterUser", R"({"userId":1})", bad);
    row("name number", "RegisterUser", reg("5"), bad);
    row("name null", "RegisterUser", reg("null"), bad);
    row("name array", "RegisterUser", reg(R"(["a"])"), bad);
    row("name object", "RegisterUser", reg(R"({"a":1})"), bad);
    row("RegisterUser userId 0", "RegisterUser", R"({"userId":0,"name":"a"})", bad);
    row("RegisterUser userId 2^63-1", "RegisterUser", R"({"userId":9223372036854775807,"name":"a"})", ok);
    row("RegisterUser userId missing", "RegisterUser", R"({"name":"a"})", bad);

    // AdjustBalance: delta -10^15..10^15 not 0; reason 1..200 bytes.
    auto ab = [](const std::string& delta, const std::string& reasonJson = "\"r\"") {
        return R"({"userId":1,"delta":)" + delta + R"(,"reason":)" + reasonJson + "}";
    };
    row("AdjustBalance delta 1", "AdjustBalance", ab("1"), ok);
    row("AdjustBalance delta -1", "AdjustBalance", ab("-1"), ok);
    row("AdjustBalance delta 10^15", "AdjustBalance", ab("1000000000000000"), ok);
    row("AdjustBalance delta -10^15", "AdjustBalance", ab("-1000000000000000"), ok);
    row("AdjustBalance delta 10^15+1", "AdjustBalance", ab("1000000000000001"), bad);
    row("AdjustBalance delta -10^15-1", "AdjustBalance", ab("-1000000000000001"), bad);
    row("AdjustBalance delta 0", "AdjustBalance", ab("0"), bad);
    row("AdjustBalance delta -2^63", "AdjustBalance", ab("-9223372036854775808"), bad);
    row("AdjustBalance delta 2^64-1", "AdjustBalance", ab("18446744073709551615"), bad);
    row("AdjustBalance delta -5.0", "AdjustBalance", ab("-5.0"), bad);
    row("AdjustBalance delta string", "AdjustBalance", ab("\"-5\""), bad);
    row("AdjustBalance delta missing", "AdjustBalance", R"({"userId":1,"reason":"r"})", bad);
    row("AdjustBalance userId missing", "AdjustBalance", R"({"delta":5,"reason":"r"})", bad);
    row("AdjustBalance userId 0", "AdjustBalance", R"({"userId":0,"delta":5,"reason":"r"})", bad);
    row("AdjustBalance reason 200 bytes", "AdjustBalance", ab("5", jstr(std::string(200, 'r'))), ok);
    row("AdjustBalance reason 201 bytes", "AdjustBalance", ab("5", jstr(std::string(201, 'r'))), bad);
    row("AdjustBalance reason 100 x 2-byte = 200", "AdjustBalance", ab("5", jstr(repeat("é", 100))), ok);
    row("AdjustBalance reason 100 x 2-byte + 1", "AdjustBalance", ab("5", jstr(repeat("é", 100) + "r")), bad);
    row("AdjustBalance reason empty", "AdjustBalance", ab("5", "\"\""), bad);
    row("AdjustBalance reason missing", "AdjustBalance", R"({"userId":1,"delta":5})", bad);
    row("AdjustBalance reason number", "AdjustBalance", ab("5", "5"), bad);
    row("AdjustBalance reason null", "AdjustBalance", ab("5", "null"), bad);

    // AddItem: itemId, count 0..10^9, optional price 0..10^15, optional name 0..100 bytes.
    auto ai = [](const std::string& rest) { return R"({"itemId":"a",)" + rest + "}"; };
    row("AddItem count 0", "AddItem", ai(R"("count":0)"), ok);
    row("AddItem count -0 (a JSON integer, value 0)", "AddItem", ai(R"("count":-0)"), ok);
    row("AddItem count 10^9", "AddItem", ai(R"("count":1000000000)"), ok);
    row("AddItem count 10^9+1", "AddItem", ai(R"("count":1000000001)"), bad);
    row("AddItem count -1", "AddItem", ai(R"("count":-1)"), bad);
    row("AddItem count 1.0", "AddItem", ai(R"("count":1.0)"), bad);
    row("AddItem count string", "AddItem", ai(R"("count":"1")"), bad);
    row("AddItem count null", "AddItem", ai(R"("count":null)"), bad);
    row("AddItem count missing", "AddItem", R"({"itemId":"a"})", bad);
    row("AddItem count missing, price given", "AddItem", R"({"itemId":"a","price":5})", bad);
    row("AddItem price 0", "AddItem", ai(R"("count":1,"price":0)"), ok);
    row("AddItem price 10^15", "AddItem", ai(R"("count":1,"price":1000000000000000)"), ok);
    row("AddItem price 10^15+1", "AddItem", ai(R"("count":1,"price":1000000000000001)"), bad);
    row("AddItem price -1", "AddItem", ai(R"("count":1,"price":-1)"), bad);
    row("AddItem price 5.0", "AddItem", ai(R"("count":1,"price":5.0)"), bad);
    row("AddItem price string", "AddItem", ai(R"("count":1,"price":"5")"), bad);
    // ambiguous: an optional field present as null is "of the wrong kind", not absent.
    row("AddItem price null", "AddItem", ai(R"("count":1,"price":null)"), bad);
    row("AddItem name empty", "AddItem", ai(R"("count":1,"name":"")"), ok);
    row("AddItem name 100 bytes", "AddItem", ai(R"("count":1,"name":)" + jstr(std::string(100, 'n'))), ok);
    row("AddItem name 101 bytes", "AddItem", ai(R"("count":1,"name":)" + jstr(std::string(101, 'n'))), bad);
    row("AddItem name 50 x 2-byte + 1", "AddItem", ai(R"("count":1,"name":)" + jstr(repeat("é", 50) + "n")), bad);
    row("AddItem name number", "AddItem", ai(R"("count":1,"name":5)"), bad);
    // ambiguous: as for price null.
    row("AddItem name null", "AddItem", ai(R"("count":1,"name":null)"), bad);
    row("AddItem all fields", "AddItem", ai(R"("count":3,"price":250,"name":"Apple")"), ok);

    // itemId: 1..64 characters of [A-Za-z0-9_.-] (on AddItem).
    auto item = [](const std::string& idJson) { return R"({"itemId":)" + idJson + R"(,"count":1})"; };
    row("itemId 1 char", "AddItem", item(jstr("a")), ok);
    row("itemId 64 chars", "AddItem", item(jstr(std::string(64, 'i'))), ok);
    row("itemId 65 chars", "AddItem", item(jstr(std::string(65, 'i'))), bad);
    row("itemId empty", "AddItem", item(jstr("")), bad);
    row("itemId all classes", "AddItem", item(jstr("AZaz09_.-")), ok);
    row("itemId only dots", "AddItem", item(jstr("..")), ok);
    row("itemId dash", "AddItem", item(jstr("-")), ok);
    row("itemId space", "AddItem", item(jstr("a b")), bad);
    row("itemId slash", "AddItem", item(jstr("a/b")), bad);
    row("itemId colon", "AddItem", item(jstr("a:b")), bad);
    row("itemId plus", "AddItem", item(jstr("a+b")), bad);
    row("itemId at", "AddItem", item(jstr("a@b")), bad);
    row("itemId tilde", "AddItem", item(jstr("a~b")), bad);
    row("itemId braces", "AddItem", item(jstr("{a}")), bad);
    row("itemId tab escape", "AddItem", item(jstr("a\\tb")), bad);
    row("itemId NUL escape", "AddItem", item(jstr("a\\u0000b")), bad);
    row("itemId non-ASCII", "AddItem", item(jstr("é")), bad);
    row("itemId non-ASCII letter in 64", "AddItem", item(jstr(std::string(62, 'i') + "é")), bad);
    row("itemId number", "AddItem", item("5"), bad);
    row("itemId null", "AddItem", item("null"), bad);
    row("itemId array", "AddItem", item(R"(["a"])"), bad);
    row("itemId missing", "AddItem", R"({"count":1})", bad);

    // SetPrice: itemId, price 0..10^15 (required).
    row("SetPrice 0", "SetPrice", R"({"itemId":"a","price":0})", ok);
    row("SetPrice 1", "SetPrice", R"({"itemId":"a","price":1})", ok);
    row("SetPrice 10^15", "SetPrice", R"({"itemId":"a","price":1000000000000000})", ok);
    row("SetPrice 10^15+1", "SetPrice", R"({"itemId":"a","price":1000000000000001})", bad);
    row("SetPrice -1", "SetPrice", R"({"itemId":"a","price":-1})", bad);
    row("SetPrice 1.5", "SetPrice", R"({"itemId":"a","price":1.5})", bad);
    row("SetPrice price missing", "SetPrice", R"({"itemId":"a"})", bad);
    row("SetPrice itemId missing", "SetPrice", R"({"price":1})", bad);
    row("SetPrice itemId 65", "SetPrice", R"({"itemId":")" + std::string(65, 'a') + R"(","price":1})", bad);
    row("SetPrice itemId bad char", "SetPrice", R"({"itemId":"a*","price":1})", bad);

    // AdjustStock: delta -10^9..10^9 not 0, reason 1..200 bytes.
    auto as = [](const std::string& delta, const std::string& reasonJson = "\"r\"") {
        return R"({"itemId":"a","delta":)" + delta + R"(,"reason":)" + reasonJson + "}";
    };
    row("AdjustStock delta 1", "AdjustStock", as("1"), ok);
    row("AdjustStock delta -1", "AdjustStock", as("-1"), ok);
    row("AdjustStock delta 10^9", "AdjustStock", as("1000000000"), ok);
    row("AdjustStock delta -10^9", "AdjustStock", as("-1000000000"), ok);
    row("AdjustStock delta 10^9+1", "AdjustStock", as("1000000001"), bad);
    row("AdjustStock delta -10^9-1", "AdjustStock", as("-1000000001"), bad);
    row("AdjustStock delta 0", "AdjustStock", as("0"), bad);
    row("AdjustStock delta 1e3", "AdjustStock", as("1e3"), bad);
    row("AdjustStock delta missing", "AdjustStock", R"({"itemId":"a","reason":"r"})", bad);
    row("AdjustStock reason 1 byte", "AdjustStock", as("1", "\"r\""), ok);
    row("AdjustStock reason 200 bytes", "AdjustStock", as("1", jstr(std::string(200, 'r'))), ok);
    row("AdjustStock reason 201 bytes", "AdjustStock", as("1", jstr(std::string(201, 'r'))), bad);
    row("AdjustStock reason empty", "AdjustStock", as("1", "\"\""), bad);
    row("AdjustStock reason missing", "AdjustStock", R"({"itemId":"a","delta":1})", bad);
    row("AdjustStock reason array", "AdjustStock", as("1", R"(["r"])"), bad);
    row("AdjustStock itemId bad", "AdjustStock", R"({"itemId":"a b","delta":1,"reason":"r"})", bad);
    row("AdjustStock itemId missing", "AdjustStock", R"({"delta":1,"reason":"r"})", bad);

    // Order: userId, lines 1..100 of {itemId, qty 1..10^9}, optional orderId 0..64 bytes.
    auto ord = [](const std::string& linesJson, const std::string& extra = "") {
        return R"({"userId":1,"lines":)" + linesJson + extra + "}";
    };
    row("Order 1 line", "Order", ord(lines(1)), ok);
    row("Order 100 lines", "Order", ord(lines(100)), ok);
    row("Order 101 lines", "Order", ord(lines(101)), bad);
    row("Order 0 lines", "Order", ord("[]"), bad);
    row("Order lines missing", "Order", R"({"userId":1})", bad);
    row("Order lines object", "Order", ord(R"({"itemId":"a","qty":1})"), bad);
    row("Order lines string", "Order", ord("\"a\""), bad);
    row("Order lines null", "Order", ord("null"), bad);
    row("Order line number", "Order", ord("[5]"), bad);
    row("Order line string", "Order", ord(R"(["a"])"), bad);
    row("Order line array", "Order", ord(R"([["a",1]])"), bad);
    row("Order line null", "Order", ord("[null]"), bad);
    row("Order good line then non-object", "Order", ord(R"([{"itemId":"a","qty":1},5])"), bad);
    row("Order line missing qty", "Order", ord(R"([{"itemId":"a"}])"), bad);
    row("Order line missing itemId", "Order", ord(R"([{"qty":1}])"), bad);
    row("Order line extra fields", "Order", ord(R"([{"itemId":"a","qty":1,"price":0,"note":[1]}])"), ok);
    row("Order qty 0", "Order", ord(R"([{"itemId":"a","qty":0}])"), bad);
    row("Order qty 1", "Order", ord(R"([{"itemId":"a","qty":1}])"), ok);
    row("Order qty 10^9", "Order", ord(R"([{"itemId":"a","qty":1000000000}])"), ok);
    row("Order qty 10^9+1", "Order", ord(R"([{"itemId":"a","qty":1000000001}])"), bad);
    row("Order qty -1", "Order", ord(R"([{"itemId":"a","qty":-1}])"), bad);
    row("Order qty 1.0", "Order", ord(R"([{"itemId":"a","qty":1.0}])"), bad);
    row("Order qty string", "Order", ord(R"([{"itemId":"a","qty":"1"}])"), bad);
    row("Order line itemId empty", "Order", ord(R"([{"itemId":"","qty":1}])"), bad);
    row("Order line itemId 65", "Order", ord(R"([{"itemId":")" + std::string(65, 'a') + R"(","qty":1}])"), bad);
    row("Order line itemId 64", "Order", ord(R"([{"itemId":")" + std::string(64, 'a') + R"(","qty":1}])"), ok);
    row("Order line itemId bad char", "Order", ord(R"([{"itemId":"a#","qty":1}])"), bad);
    row("Order line 100 invalid after 99 good", "Order",
        ord("[" + repeat(R"({"itemId":"a","qty":1},)", 99) + R"({"itemId":"a","qty":0}])"), bad);
    row("Order same item in two lines", "Order", ord(R"([{"itemId":"a","qty":1},{"itemId":"a","qty":2}])"), ok);
    row("Order orderId empty", "Order", ord(lines(1), R"(,"orderId":"")"), ok);
    row("Order orderId 64 bytes", "Order", ord(lines(1), R"(,"orderId":)" + jstr(std::string(64, 'o'))), ok);
    row("Order orderId 65 bytes", "Order", ord(lines(1), R"(,"orderId":)" + jstr(std::string(65, 'o'))), bad);
    row("Order orderId 32 x 2-byte = 64", "Order", ord(lines(1), R"(,"orderId":)" + jstr(repeat("é", 32))), ok);
    row("Order orderId 32 x 2-byte + 1 = 65", "Order", ord(lines(1), R"(,"orderId":)" + jstr(repeat("é", 32) + "o")), bad);
    row("Order orderId number", "Order", ord(lines(1), R"(,"orderId":5)"), bad);
    // ambiguous: optional orderId present as null is of the wrong kind.
    row("Order orderId null", "Order", ord(lines(1), R"(,"orderId":null)"), bad);
    row("Order userId 0", "Order", R"({"userId":0,"lines":)" + lines(1) + "}", bad);
    row("Order userId missing", "Order", R"({"lines":)" + lines(1) + "}", bad);
    row("Order userId 2^63", "Order", R"({"userId":9223372036854775808,"lines":)" + lines(1) + "}", bad);
    row("OrderType 1 line", "OrderType", ord(lines(1)), ok);
    row("OrderType 0 lines", "OrderType", ord("[]"), bad);

    // Unknown extra fields are ignored, whatever they hold.
    row("TopUp extra fields", "TopUp", R"({"userId":1,"amount":5,"x":{"y":[1,2.5,null,"z"]},"name":7})", ok);
    row("AdjustStock extra userId", "AdjustStock", R"({"itemId":"a","delta":1,"reason":"r","userId":"not a number"})", ok);
    row("SetPrice extra count", "SetPrice", R"({"itemId":"a","price":1,"count":-5})", ok);
    row("RegisterUser extra amount", "RegisterUser", R"({"userId":1,"name":"a","amount":0})", ok);
}

void TestDecoder::jsonFields()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, expected);

    Event ev;
    EXPECT_REASON(decodeNative(type.toStdString(), data.toStdString(), ev), expected);
    if (expected == "applied")
        QVERIFY(!ev.legacy);
    // Without v the data starts with '{': native as well, same verdict.
    Event ev2;
    EXPECT_REASON(decode(field(type), field(data), absent(), ev2), expected);

    if (expected != "applied") {
        // A field check (5) comes before every per-type check (6): same reason through
        // processEntry on an empty state, and nothing created.
        ShopState state;
        Event scratch;
        const EntryField t = field(type);
        const EntryField d = field(data);
        const EntryField v = field("1");
        EXPECT_REASON(processEntry(state, rawEntry(t, d, v, "9-9"), scratch), expected);
        QVERIFY(state.users().empty());
        QVERIFY(state.items().empty());
        QCOMPARE(state.counts.rejected, 1);
        QCOMPARE(state.counts.byReason[idx(reasonFrom(expected))], 1);
    }
}

void TestDecoder::decodedValues()
{
    Event ev;
    EXPECT_REASON(decodeNative("RegisterUser", R"({"userId":9223372036854775807,"name":"Zoë"})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::RegisterUser));
    QCOMPARE(ev.userId, kMax);
    QCOMPARE(QByteArray::fromStdString(ev.name), QByteArray("Zoë"));
    QVERIFY(!ev.legacy);

    EXPECT_REASON(decodeNative("RegisterUser", R"({"userId":3,"name":"a\u0000\u00e9"})", ev), "applied");
    QCOMPARE(ev.name.size(), std::size_t(4));
    QCOMPARE(QByteArray::fromStdString(ev.name), QByteArray("a\0\xc3\xa9", 4));

    EXPECT_REASON(decodeNative("TopUp", R"({"userId":12,"amount":1000000000000000})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::TopUp));
    QCOMPARE(ev.userId, 12);
    QCOMPARE(ev.amount, k15); // native amounts are minor units: no x100
    QVERIFY(!ev.legacy);

    EXPECT_REASON(decodeNative("AdjustBalance", R"({"userId":2,"delta":-1000000000000000,"reason":"refund #12"})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::AdjustBalance));
    QCOMPARE(ev.userId, 2);
    QCOMPARE(ev.delta, -k15);
    QCOMPARE(QByteArray::fromStdString(ev.reason), QByteArray("refund #12"));

    EXPECT_REASON(decodeNative("AddItem", R"({"itemId":"A-1","count":1000000000})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::AddItem));
    QCOMPARE(QByteArray::fromStdString(ev.itemId), QByteArray("A-1"));
    QCOMPARE(ev.amount, k9);
    QVERIFY(!ev.hasPrice);
    QVERIFY(!ev.hasName);

    EXPECT_REASON(decodeNative("AddItem", R"({"itemId":"b","count":0,"price":0,"name":""})", ev), "applied");
    QCOMPARE(ev.amount, 0);
    QVERIFY(ev.hasPrice);
    QCOMPARE(ev.price, 0);
    QVERIFY(ev.hasName);
    QCOMPARE(QByteArray::fromStdString(ev.name), QByteArray(""));

    EXPECT_REASON(decodeNative("AddItem", R"({"name":"Pear","price":1000000000000000,"count":3,"itemId":"pear"})", ev), "applied");
    QVERIFY(ev.hasPrice);
    QCOMPARE(ev.price, k15);
    QVERIFY(ev.hasName);
    QCOMPARE(QByteArray::fromStdString(ev.name), QByteArray("Pear"));
    QCOMPARE(ev.amount, 3);

    EXPECT_REASON(decodeNative("SetPrice", R"({"itemId":"pear","price":42})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::SetPrice));
    QCOMPARE(QByteArray::fromStdString(ev.itemId), QByteArray("pear"));
    QCOMPARE(ev.price, 42);

    EXPECT_REASON(decodeNative("AdjustStock", R"({"itemId":"pear","delta":-1000000000,"reason":"broken"})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::AdjustStock));
    QCOMPARE(ev.delta, -k9);
    QCOMPARE(QByteArray::fromStdString(ev.reason), QByteArray("broken"));

    EXPECT_REASON(decodeNative("Order", R"({"userId":5,"lines":[{"itemId":"a","qty":2},{"qty":1000000000,"itemId":"b"},{"itemId":"a","qty":1}],"orderId":"o-1"})", ev),
                  "applied");
    QCOMPARE(int(ev.type), int(EventType::Order));
    QCOMPARE(ev.userId, 5);
    QCOMPARE(int(ev.lines.size()), 3); // lines kept as given, not merged
    QCOMPARE(QByteArray::fromStdString(ev.lines[0].itemId), QByteArray("a"));
    QCOMPARE(ev.lines[0].qty, 2);
    QCOMPARE(QByteArray::fromStdString(ev.lines[1].itemId), QByteArray("b"));
    QCOMPARE(ev.lines[1].qty, k9);
    QCOMPARE(ev.lines[2].qty, 1);
    QCOMPARE(QByteArray::fromStdString(ev.orderId), QByteArray("o-1"));

    EXPECT_REASON(decodeNative("OrderType", R"({"userId":6,"lines":[{"itemId":"c","qty":7}]})", ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::Order));
    QCOMPARE(ev.userId, 6);
    QCOMPARE(int(ev.lines.size()), 1);
    QVERIFY(ev.orderId.empty());
}

void TestDecoder::decodeClearsOutput()
{
    Event ev;
    EXPECT_REASON(decodeNative("Order", R"({"userId":5,"lines":[{"itemId":"a","qty":2}],"orderId":"x"})", ev), "applied");
    EXPECT_REASON(decodeNative("AddItem", R"({"itemId":"b","count":1,"price":5,"name":"n"})", ev), "applied");
    QVERIFY(ev.lines.empty());
    QVERIFY(ev.orderId.empty());
    QCOMPARE(ev.userId, 0);
    EXPECT_REASON(decodeNative("AddItem", R"({"itemId":"c","count":2})", ev), "applied");
    QVERIFY(!ev.hasPrice);
    QVERIFY(!ev.hasName);
    QCOMPARE(ev.price, 0);
    QVERIFY(ev.name.empty());
    EXPECT_REASON(decodeLegacy("TopUp", realLegacyTopUp(), ev), "applied");
    QVERIFY(ev.legacy);
    EXPECT_REASON(decodeNative("TopUp", R"({"userId":1,"amount":5})", ev), "applied");
    QVERIFY(!ev.legacy);
    QCOMPARE(ev.amount, 5);
}

void TestDecoder::legacyRealTopUpBytes()
{
    const std::string data = realLegacyTopUp();
    QCOMPARE(data.size(), std::size_t(48));
    Event ev;
    EXPECT_REASON(decodeLegacy("TopUp", data, ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::TopUp));
    QCOMPARE(ev.userId, 8081);
    QCOMPARE(ev.amount, 50000); // 500 whole units = 50000 minor units
    QVERIFY(ev.legacy);

    ShopState state;
    Event scratch;
    EXPECT_REASON(processEntry(state, rawEntry(field("TopUp"), field(data), absent(), "1526919030474-55"), scratch), "applied");
    const User* u = state.findUser(8081);
    QVERIFY(u);
    QCOMPARE(u->balance, 50000);
    QCOMPARE(QByteArray::fromStdString(u->name), QByteArray(""));
    EXPECT_REASON(processEntry(state, rawEntry(field("TopUp"), field(data), absent(), "1526919030474-56"), scratch), "applied");
    QCOMPARE(state.findUser(8081)->balance, 100000);
    QCOMPARE(QByteArray::fromStdString(state.lastEventId), QByteArray("1526919030474-56"));
}

void TestDecoder::legacy_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("expected");
    auto row = [](const char* name, const char* type, const std::string& data, const char* expected) {
        QTest::newRow(name) << QByteArray(type) << QByteArray::fromStdString(data) << QByteArray(expected);
    };
    auto topUp = [](const json& userId, const json& amount) {
        return msgpack(json{{"ID", ""}, {"Type", "TopUp"}, {"UserID", userId}, {"Amount", amount}});
    };
    auto addItem = [](const json& itemId, const json& count) {
        return msgpack(json{{"ID", ""}, {"Type", "AddItem"}, {"ItemID", itemId}, {"Count", count}});
    };
    auto order = [](const json& ids, const json& qtys) {
        return msgpack(json{{"ID", ""}, {"Type", "OrderType"}, {"UserID", 8081}, {"ItemIDs", ids}, {"ItemQuantities", qtys}});
    };
    const char* ok = "applied";
    const char* bad = "invalid";

    // TopUp: UserID 1..2^63-1, Amount*100 in 1..10^15.
    row("TopUp compact ints", "TopUp", topUp(8081, 500), ok);
    row("TopUp without ID and Type", "TopUp", msgpack(json{{"UserID", 8081}, {"Amount", 500}}), ok);
    row("TopUp Type inside data ignored", "TopUp", msgpack(json{{"Type", "AddItem"}, {"UserID", 8081}, {"Amount", 5}}), ok);
    row("TopUp Amount 1", "TopUp", topUp(1, 1), ok);
    row("TopUp Amount 10^13 (x100 = 10^15)", "TopUp", topUp(1, k13), ok);
    row("TopUp Amount 10^13+1", "TopUp", topUp(1, k13 + 1), bad);
    row("TopUp Amount 0", "TopUp", topUp(1, 0), bad);
    row("TopUp Amount x100 overflows int64", "TopUp", topUp(1, std::uint64_t(92233720368547759ULL)), bad);
    row("TopUp Amount 2^63-1", "TopUp", topUp(1, kMax), bad);
    row("TopUp Amount 2^64-1", "TopUp", topUp(1, std::numeric_limits<std::uint64_t>::max()), bad);
    row("TopUp Amount -5", "TopUp", topUp(1, -5), bad);
    row("TopUp Amount string", "TopUp", topUp(1, "500"), bad);
    row("TopUp Amount float", "TopUp", topUp(1, 500.0), bad);
    row("TopUp Amount nil", "TopUp", topUp(1, nullptr), bad);
    row("TopUp Amount missing", "TopUp", msgpack(json{{"UserID", 1}}), bad);
    row("TopUp UserID 0", "TopUp", topUp(0, 5), bad);
    row("TopUp UserID -1", "TopUp", topUp(-1, 5), bad);
    row("TopUp UserID 2^63-1", "TopUp", topUp(kMax, 5), ok);
    row("TopUp UserID 2^63", "TopUp", topUp(std::uint64_t(1) << 63, 5), bad);
    row("TopUp UserID string", "TopUp", topUp("8081", 5), bad);
    row("TopUp UserID float", "TopUp", topUp(8081.0, 5), bad);
    row("TopUp UserID missing", "TopUp", msgpack(json{{"Amount", 5}}), bad);
    // ambiguous: the Go struct's field names are matched exactly; native spellings in a
    // legacy map are unknown fields, so the real ones are missing.
    row("TopUp native key spelling", "TopUp", msgpack(json{{"userId", 1}, {"amount", 5}}), bad);
    {
        // Same values with explicit wide encodings (as Go writes them): d3 and cf.
        std::string s = bytes({0x82, 0xa6});
        s += "UserID";
        s += bytes({0xcf, 0, 0, 0, 0, 0, 0, 0, 0x07, 0xa6});
        s += "Amount";
        s += bytes({0xd3, 0, 0, 0, 0, 0, 0, 0, 0x09});
        row("TopUp uint64 UserID, int64 Amount", "TopUp", s, ok);
        std::string t = bytes({0x82, 0xa6});
        t += "UserID";
        t += bytes({0xcd, 0x1f, 0x91, 0xa6});
        t += "Amount";
        t += bytes({0xce, 0x00, 0x00, 0x01, 0xf4});
        row("TopUp uint16 UserID, uint32 Amount", "TopUp", t, ok);
    }

    // AddItem: ItemID string, Count 0..10^9.
    row("AddItem", "AddItem", addItem("apple", 10), ok);
    row("AddItem Count 0", "AddItem", addItem("apple", 0), ok);
    row("AddItem Count 10^9", "AddItem", addItem("apple", k9), ok);
    row("AddItem Count 10^9+1", "AddItem", addItem("apple", k9 + 1), bad);
    row("AddItem Count -1", "AddItem", addItem("apple", -1), bad);
    row("AddItem Count 2^64-1", "AddItem", addItem("apple", std::numeric_limits<std::uint64_t>::max()), bad);
    row("AddItem Count string", "AddItem", addItem("apple", "10"), bad);
    row("AddItem Count missing", "AddItem", msgpack(json{{"ItemID", "apple"}}), bad);
    row("AddItem ItemID empty", "AddItem", addItem("", 1), bad);
    row("AddItem ItemID 64", "AddItem", addItem(std::string(64, 'i'), 1), ok);
    row("AddItem ItemID 65", "AddItem", addItem(std::string(65, 'i'), 1), bad);
    row("AddItem ItemID space", "AddItem", addItem("a b", 1), bad);
    row("AddItem ItemID invalid UTF-8 byte", "AddItem", addItem(std::string("a\xff"), 1), bad);
    row("AddItem ItemID number", "AddItem", addItem(5, 1), bad);
    row("AddItem ItemID missing", "AddItem", msgpack(json{{"Count", 1}}), bad);
    row("AddItem with a Price field", "AddItem", msgpack(json{{"ItemID", "apple"}, {"Count", 1}, {"Price", 100}}), ok);

    // OrderType / Order: UserID, ItemIDs, ItemQuantities of the same length 1..100.
    row("OrderType", "OrderType", order({"apple", "pear"}, {1, 2}), ok);
    row("Order name in legacy", "Order", order({"apple"}, {1}), ok);
    row("OrderType 100 lines", "OrderType", order(json(std::vector<std::string>(100, "a")), json(std::vector<int>(100, 1))), ok);
    row("OrderType 101 lines", "OrderType", order(json(std::vector<std::string>(101, "a")), json(std::vector<int>(101, 1))), bad);
    row("OrderType more ids than quantities", "OrderType", order({"apple", "pear"}, {1}), bad);
    row("OrderType more quantities than ids", "OrderType", order({"apple"}, {1, 2}), bad);
    row("OrderType ids empty, quantities 1", "OrderType", order(json::array(), {1}), bad);
    row("OrderType both empty", "OrderType", order(json::array(), json::array()), bad);
    row("OrderType ids nil (Go nil slice)", "OrderType", order(nullptr, {1}), bad);
    row("OrderType both nil", "OrderType", order(nullptr, nullptr), bad);
    row("OrderType ids missing", "OrderType", msgpack(json{{"UserID", 8081}, {"ItemQuantities", {1}}}), bad);
    row("OrderType quantities missing", "OrderType", msgpack(json{{"UserID", 8081}, {"ItemIDs", {"a"}}}), bad);
    row("OrderType UserID missing", "OrderType", msgpack(json{{"ItemIDs", {"a"}}, {"ItemQuantities", {1}}}), bad);
    row("OrderType UserID 0", "OrderType", msgpack(json{{"UserID", 0}, {"ItemIDs", {"a"}}, {"ItemQuantities", {1}}}), bad);
    row("OrderType quantity 0", "OrderType", order({"apple"}, {0}), bad);
    row("OrderType quantity 10^9", "OrderType", order({"apple"}, {k9}), ok);
    row("OrderType quantity 10^9+1", "OrderType", order({"apple"}, {k9 + 1}), bad);
    row("OrderType quantity -1", "OrderType", order({"apple"}, {-1}), bad);
    row("OrderType quantity string", "OrderType", order({"apple"}, {"1"}), bad);
    row("OrderType id not a string", "OrderType", order({"apple", 5}, {1, 1}), bad);
    row("OrderType id empty", "OrderType", order({""}, {1}), bad);
    row("OrderType id bad char", "OrderType", order({"a/b"}, {1}), bad);
    row("OrderType ids a string", "OrderType", order("apple", {1}), bad);
    row("OrderType quantities a number", "OrderType", order({"apple"}, 1), bad);
    row("OrderType same item twice", "OrderType", order({"a", "a"}, {1, 1}), ok);

    // Only TopUp, AddItem and OrderType (or Order) exist in this format.
    row("RegisterUser", "RegisterUser", msgpack(json{{"ID", ""}, {"Type", "RegisterUser"}, {"UserID", 1}, {"Name", "x"}}), "unknown_type");
    row("SetPrice", "SetPrice", msgpack(json{{"ItemID", "a"}, {"Price", 1}}), "unknown_type");
    row("AdjustBalance", "AdjustBalance", msgpack(json{{"UserID", 1}, {"Delta", 1}, {"Reason", "r"}}), "unknown_type");
    row("AdjustStock", "AdjustStock", msgpack(json{{"ItemID", "a"}, {"Delta", 1}, {"Reason", "r"}}), "unknown_type");
    row("RegisterUser with TopUp inside", "RegisterUser", topUp(8081, 500), "unknown_type");
    row("SetPrice garbage", "SetPrice", bytes({0xc1, 0xc1}), "unknown_type");
    row("Bogus", "Bogus", topUp(8081, 500), "unknown_type");
    row("lower-case topup", "topup", topUp(8081, 500), "unknown_type");
    row("orderType lower o", "orderType", order({"a"}, {1}), "unknown_type");

    {
        std::string bin = bytes({0x82, 0xa6});
        bin += "ItemID";
        bin += bytes({0xc4, 0x05});
        bin += "apple";
        bin += bytes({0xa5});
        bin += "Count";
        bin += bytes({0x0a});
        row("AddItem ItemID as bin, not str", "AddItem", bin, bad);
        std::string good = bytes({0x82, 0xa6});
        good += "ItemID";
        good += bytes({0xd9, 0x05});
        good += "apple";
        good += bytes({0xa5});
        good += "Count";
        good += bytes({0xcc, 0x0a});
        row("AddItem ItemID as str8, Count uint8", "AddItem", good, ok);
    }
    // ambiguous: bytes after the one map mean the data is not one MessagePack value, as
    // trailing text makes JSON undecodable.
    row("TopUp trailing byte after the map", "TopUp", realLegacyTopUp() + bytes({0x00}), "malformed");

    // Not a map, or not decodable.
    row("array", "TopUp", msgpack(json::array({8081, 500})), "malformed");
    row("garbage", "AddItem", bytes({0xc1}), "malformed");
    row("truncated map", "OrderType", order({"apple"}, {1}).substr(0, 10), "malformed");
    row("empty", "OrderType", "", "malformed");
}

void TestDecoder::legacy()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, expected);

    QVERIFY2(data.isEmpty() || data[0] != '{', "test data must not look like JSON");
    Event ev;
    EXPECT_REASON(decodeLegacy(type.toStdString(), data.toStdString(), ev), expected);
    if (expected == "applied")
        QVERIFY(ev.legacy);
    if (expected != "applied") {
        ShopState state;
        Event scratch;
        const EntryField t = field(type);
        const EntryField d = field(data);
        EXPECT_REASON(processEntry(state, rawEntry(t, d, absent(), "3-0"), scratch), expected);
        QVERIFY(state.users().empty());
        QVERIFY(state.items().empty());
        QCOMPARE(state.counts.rejected, 1);
    }
}

void TestDecoder::legacyDecodedValues()
{
    Event ev;
    EXPECT_REASON(decodeLegacy("TopUp", msgpack(json{{"ID", ""}, {"Type", "TopUp"}, {"UserID", 77}, {"Amount", k13}}), ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::TopUp));
    QCOMPARE(ev.userId, 77);
    QCOMPARE(ev.amount, k15);
    QVERIFY(ev.legacy);

    // The entry's type decides; the Type inside the data is ignored.
    EXPECT_REASON(decodeLegacy("TopUp", msgpack(json{{"Type", "OrderType"}, {"UserID", 5}, {"Amount", 3}, {"ItemID", "x"}}), ev),
                  "applied");
    QCOMPARE(int(ev.type), int(EventType::TopUp));
    QCOMPARE(ev.amount, 300);

    EXPECT_REASON(decodeLegacy("AddItem", msgpack(json{{"ID", ""}, {"Type", "AddItem"}, {"ItemID", "apple"}, {"Count", 10}}), ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::AddItem));
    QCOMPARE(QByteArray::fromStdString(ev.itemId), QByteArray("apple"));
    QCOMPARE(ev.amount, 10); // a count, not money: no x100
    QVERIFY(!ev.hasPrice);
    QVERIFY(!ev.hasName);
    QVERIFY(ev.legacy);

    EXPECT_REASON(decodeLegacy("AddItem", msgpack(json{{"ItemID", "apple"}, {"Count", 10}, {"Price", 100}, {"Name", "Apple"}}), ev),
                  "applied");
    QVERIFY(!ev.hasPrice); // legacy AddItem sets no price

    EXPECT_REASON(decodeLegacy("OrderType",
                               msgpack(json{{"ID", ""}, {"Type", "OrderType"}, {"UserID", 8081}, {"ItemIDs", {"apple", "pear", "apple"}},
                                            {"ItemQuantities", {1, 20, 3}}}),
                               ev),
                  "applied");
    QCOMPARE(int(ev.type), int(EventType::Order));
    QCOMPARE(ev.userId, 8081);
    QCOMPARE(int(ev.lines.size()), 3);
    QCOMPARE(QByteArray::fromStdString(ev.lines[0].itemId), QByteArray("apple"));
    QCOMPARE(ev.lines[0].qty, 1); // quantities are not money: no x100
    QCOMPARE(QByteArray::fromStdString(ev.lines[1].itemId), QByteArray("pear"));
    QCOMPARE(ev.lines[1].qty, 20);
    QCOMPARE(QByteArray::fromStdString(ev.lines[2].itemId), QByteArray("apple"));
    QCOMPARE(ev.lines[2].qty, 3);
    QVERIFY(ev.legacy);

    EXPECT_REASON(decodeLegacy("Order", msgpack(json{{"UserID", 9}, {"ItemIDs", {"x"}}, {"ItemQuantities", {4}}}), ev), "applied");
    QCOMPARE(int(ev.type), int(EventType::Order));
    QCOMPARE(ev.userId, 9);
}

void TestDecoder::legacyAddItemStaysUnpriced()
{
    ShopState state;
    Event scratch;
    int seq = 0;
    std::vector<std::string> ids;
    ids.reserve(16);
    auto feed = [&](const char* type, const std::string& data, bool native) {
        ids.push_back(std::to_string(++seq) + "-0");
        const EntryField t = field(type);
        const EntryField d = field(data);
        return processEntry(state, rawEntry(t, d, native ? field("1") : absent(), ids.back()), scratch);
    };
    EXPECT_REASON(feed("AddItem", msgpack(json{{"ID", ""}, {"Type", "AddItem"}, {"ItemID", "apple"}, {"Count", 10}, {"Price", 100}}), false),
                  "applied");
    const Item* apple = state.findItem("apple");
    QVERIFY(apple);
    QCOMPARE(apple->price, 0);
    QCOMPARE(apple->stock, 10);
    QCOMPARE(QByteArray::fromStdString(apple->name), QByteArray(""));

    // On a native item with a price and name: stock only.
    EXPECT_REASON(feed("AddItem", R"({"itemId":"pear","count":1,"price":300,"name":"Pear"})", true), "applied");
    EXPECT_REASON(feed("AddItem", msgpack(json{{"ItemID", "pear"}, {"Count", 4}}), false), "applied");
    const Item* pear = state.findItem("pear");
    QCOMPARE(pear->price, 300);
    QCOMPARE(pear->stock, 5);
    QCOMPARE(QByteArray::fromStdString(pear->name), QByteArray("Pear"));
}

void TestDecoder::legacyEndToEnd()
{
    ShopState state;
    Event scratch;
    int seq = 0;
    std::vector<std::string> keep;
    keep.reserve(64);
    auto feed = [&](const char* type, const std::string& data, bool native) {
        keep.push_back(std::to_string(1526919030000 + ++seq) + "-0");
        const EntryField t = field(type);
        const EntryField d = field(data);
        return processEntry(state, rawEntry(t, d, native ? field("1") : absent(), keep.back()), scratch);
    };
    const std::string legacyOrder =
        msgpack(json{{"ID", ""}, {"Type", "OrderType"}, {"UserID", 8081}, {"ItemIDs", {"apple", "pear"}}, {"ItemQuantities", {2, 1}}});

    EXPECT_REASON(feed("OrderType", legacyOrder, false), "unknown_user");
    EXPECT_REASON(feed("TopUp", realLegacyTopUp(), false), "applied"); // 50000
    EXPECT_REASON(feed("OrderType", legacyOrder, false), "unknown_item");
    EXPECT_REASON(feed("AddItem", msgpack(json{{"ID", ""}, {"Type", "AddItem"}, {"ItemID", "apple"}, {"Count", 5}}), false), "applied");
    EXPECT_REASON(feed("AddItem", msgpack(json{{"ID", ""}, {"Type", "AddItem"}, {"ItemID", "pear"}, {"Count", 1}}), false), "applied");
    // Legacy items are unpriced until a SetPrice.
    EXPECT_REASON(feed("OrderType", legacyOrder, false), "unpriced_item");
    EXPECT_REASON(feed("SetPrice", R"({"itemId":"apple","price":20000})", true), "applied");
    EXPECT_REASON(feed("OrderType", legacyOrder, false), "unpriced_item"); // pear still unpriced
    EXPECT_REASON(feed("SetPrice", R"({"itemId":"pear","price":10001})", true), "applied");
    // 2*20000 + 10001 = 50001 > 50000.
    EXPECT_REASON(feed("OrderType", legacyOrder, false), "insufficient_funds");
    EXPECT_REASON(feed("SetPrice", R"({"itemId":"pear","price":10000})", true), "applied");
    EXPECT_REASON(feed("OrderType", legacyOrder, false), "applied");

    const User* u = state.findUser(8081);
    QCOMPARE(u->balance, 0);
    QCOMPARE(u->spent, 50000);
    QCOMPARE(u->orders, 1);
    QCOMPARE(state.findItem("apple")->stock, 3);
    QCOMPARE(state.findItem("apple")->sold, 2);
    QCOMPARE(state.findItem("pear")->stock, 0);
    QCOMPARE(state.findItem("pear")->sold, 1);
    EXPECT_REASON(feed("OrderType", legacyOrder, false), "out_of_stock");
    // Legacy RegisterUser does not exist.
    EXPECT_REASON(feed("RegisterUser", msgpack(json{{"UserID", 1}, {"Name", "x"}}), false), "unknown_type");

    QCOMPARE(state.counts.total, 14);
    QCOMPARE(state.counts.applied, 7);
    QCOMPARE(state.counts.rejected, 7);
    QCOMPARE(state.counts.byReason[idx(Reason::UnpricedItem)], 2);
    QCOMPARE(QByteArray::fromStdString(state.lastEventId), QByteArray::fromStdString(keep.back()));
}

// Deeply nested unknown fields must not crash the consumer; either verdict is acceptable
// (ignored field -> applied, or nesting refused -> malformed). What it gives is printed.
void TestDecoder::deepNesting()
{
    QByteArrayList problems; // every case runs; the failures are listed together
    auto expectNoCrash = [&](const char* what, int depth, const QByteArray& got) {
        qInfo("%s %d: %s", what, depth, got.constData());
        if (got != "applied" && got != "malformed")
            problems << QByteArray(what) + " " + QByteArray::number(depth) + ": " + got;
    };
    const std::string head = R"({"userId":1,"amount":5,"deep":)";
    for (int depth : {10000, 32000}) {
        const std::string data = head + std::string(std::size_t(depth), '[') + std::string(std::size_t(depth), ']') + "}";
        QVERIFY(data.size() <= 65536);
        const QByteArray got = inChild([&] {
            ShopState state;
            Event scratch;
            RawEntry e;
            e.id = "1-0";
            e.type = "TopUp";
            e.data = data;
            e.v = "1";
            return processEntry(state, e, scratch);
        });
        expectNoCrash("JSON array nesting", depth, got);
    }
    {
        // Unbalanced: only opening brackets.
        const std::string data = head + std::string(60000, '[');
        const QByteArray got = inChild([&] {
            Event ev;
            RawEntry e;
            e.id = "1-0";
            e.type = "TopUp";
            e.data = data;
            return decodeEntry(e, ev);
        });
        qInfo("JSON unbalanced nesting: %s", got.constData());
        if (got != "malformed")
            problems << "JSON unbalanced nesting: " + got;
    }
    // Legacy: a TopUp map with an extra field holding nested one-element arrays, up to as
    // deep as fits in 64 KiB.
    for (int depth : {1000, 60000, 65500}) {
        std::string data = bytes({0x83, 0xa6});
        data += "UserID";
        data += bytes({0x01, 0xa6});
        data += "Amount";
        data += bytes({0x05, 0xa1, 'X'});
        data += std::string(std::size_t(depth), char(0x91));
        data += bytes({0x00});
        QVERIFY(data.size() <= 65536);
        const QByteArray got = inChild([&] {
            ShopState state;
            Event scratch;
            RawEntry e;
            e.id = "1-0";
            e.type = "TopUp";
            e.data = data;
            return processEntry(state, e, scratch);
        });
        expectNoCrash("MessagePack array nesting", depth, got);
    }
    {
        // Legacy maps nested 30000 deep.
        std::string data = bytes({0x83, 0xa6});
        data += "UserID";
        data += bytes({0x01, 0xa6});
        data += "Amount";
        data += bytes({0x05, 0xa1, 'X'});
        for (int i = 0; i < 30000; ++i)
            data += bytes({0x81, 0xa0});
        data += bytes({0x00});
        const QByteArray got = inChild([&] {
            Event ev;
            RawEntry e;
            e.id = "1-0";
            e.type = "TopUp";
            e.data = data;
            return decodeEntry(e, ev);
        });
        expectNoCrash("MessagePack map nesting", 30000, got);
    }
    QVERIFY2(problems.isEmpty(), problems.join("; ").constData());
}

// Random and mutated inputs: the decoder returns a reason of checks 1-5, never throws.
void TestDecoder::neverThrows()
{
    std::mt19937 rng(20240521);
    const std::vector<std::string> seeds = {
        R"({"userId":1,"lines":[{"itemId":"a","qty":1}],"orderId":"x"})",
        R"({"itemId":"a","count":1,"price":5,"name":"n"})",
        R"({"userId":1,"delta":-5,"reason":"r"})",
        realLegacyTopUp(),
        msgpack(json{{"UserID", 8081}, {"ItemIDs", {"a", "b"}}, {"ItemQuantities", {1, 2}}}),
    };
    const char* types[] = {"RegisterUser", "TopUp", "AdjustBalance", "AddItem", "SetPrice", "AdjustStock", "Order", "OrderType"};
    int n = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string data;
        if (i % 2 == 0) {
            data = seeds[std::size_t(i / 2) % seeds.size()];
            const int edits = 1 + int(rng() % 4);
            for (int k = 0; k < edits && !data.empty(); ++k) {
                const std::size_t pos = rng() % data.size();
                switch (rng() % 3) {
                case 0: data[pos] = char(rng()); break;
                case 1: data.erase(pos, 1 + rng() % 4); break;
                default: data.insert(pos, 1, char(rng())); break;
                }
            }
        } else {
            data.resize(rng() % 64);
            for (char& c : data)
                c = char(rng());
        }
        const EntryField t = field(types[rng() % 8]);
        const EntryField d = field(data);
        const EntryField v = (rng() % 2) ? field("1") : absent();
        Event ev;
        Reason r = Reason::None;
        try {
            r = decodeEntry(rawEntry(t, d, v), ev);
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("decodeEntry threw: ") + e.what()));
        } catch (...) {
            QFAIL("decodeEntry threw");
        }
        QVERIFY2(r == Reason::None || r == Reason::TooLarge || r == Reason::UnsupportedVersion || r == Reason::UnknownType
                     || r == Reason::Malformed || r == Reason::Invalid,
                 nameOf(r).constData());
        ++n;
    }
    QCOMPARE(n, 4000);
}

QTEST_APPLESS_MAIN(TestDecoder)
#include "test_decoder.moc"
