// MsgpackTape against nlohmann::json::from_msgpack (strict): the same verdict (a MessagePack
// value or not) on many mutated documents, and the same field values where both accept.
#include "core/msgpack_tape.hpp"

#include <nlohmann/json.hpp>

#include <QTest>

#include <random>

using shop::MsgpackTape;
using nlohmann::json;

// The tape keeps views into what it parsed: a temporary string must not compile.
template <typename Arg>
concept TapeParses = requires(MsgpackTape tape, Arg&& bytes) { tape.parse(std::forward<Arg>(bytes), 512); };
static_assert(!TapeParses<std::string>, "MsgpackTape::parse must refuse a temporary string");
static_assert(TapeParses<const std::string&> && TapeParses<std::string_view>);

class TestMsgpackTape : public QObject {
    Q_OBJECT
private slots:
    void agreesWithNlohmannOnMutatedDocuments();
    void valuesMatchNlohmann();
    void lastDuplicateKeyWins();
    void refusesWhatNlohmannRefuses_data();
    void refusesWhatNlohmannRefuses();
    void depthIsBounded();
};

namespace {
std::vector<std::string> seeds()
{
    std::vector<std::string> out;
    const json docs[] = {
        {{"ID", ""}, {"Type", "TopUp"}, {"UserID", 8081}, {"Amount", 500}},
        {{"ItemID", "item-0001"}, {"Count", 40}},
        {{"UserID", -3}, {"ItemIDs", {"a", "b"}}, {"ItemQuantities", {1, 70000, 4294967296ULL}}},
        {{"f", 1.5}, {"n", nullptr}, {"t", true}, {"m", {{"x", {1, 2}}}}, {"big", 18446744073709551615ULL}},
        json::array({1, "two", json::object()}),
    };
    for (const json& d : docs) {
        const auto bytes = json::to_msgpack(d);
        out.emplace_back(bytes.begin(), bytes.end());
    }
    // The real legacy TopUp of DESIGN section 3 (int64 and uint64 encodings as Go writes them).
    out.emplace_back("\x84\xa2ID\xa0\xa4Type\xa5TopUp\xa6UserID\xd3\x00\x00\x00\x00\x00\x00\x1f\x91\xa6"
                     "Amount\xcf\x00\x00\x00\x00\x00\x00\x01\xf4",
                     48);
    out.emplace_back("\x82\xa1x\xc4\x02hi\xa1y\xd5\x01\x02\x03", 12); // bin and fixext
    return out;
}
} // namespace

void TestMsgpackTape::agreesWithNlohmannOnMutatedDocuments()
{
    const auto docs = seeds();
    std::mt19937_64 rng(42);
    MsgpackTape tape;
    int accepted = 0;
    for (int i = 0; i < 300000; ++i) {
        std::string s = docs[rng() % docs.size()];
        const int mutations = 1 + static_cast<int>(rng() % 3);
        for (int m = 0; m < mutations; ++m) {
            const std::size_t p = rng() % (s.size() + 1);
            const char c = static_cast<char>(rng() % 256);
            switch (rng() % 3) {
            case 0:
                s.insert(s.begin() + static_cast<long>(p), c);
                break;
            case 1:
                if (p < s.size())
                    s.erase(s.begin() + static_cast<long>(p));
                break;
            default:
                if (p < s.size())
                    s[p] = c;
            }
        }
        const bool ours = tape.parse(s, 512);
        const bool theirs = !json::from_msgpack(s.begin(), s.end(), true, false).is_discarded();
        accepted += ours;
        if (ours != theirs) {
            QByteArray hex = QByteArray::fromStdString(s).toHex(' ');
            QFAIL(qPrintable(QStringLiteral("disagree on %1: tape %2, nlohmann %3").arg(QString::fromLatin1(hex)).arg(ours).arg(theirs)));
        }
    }
    QVERIFY(accepted > 1000);
}

void TestMsgpackTape::valuesMatchNlohmann()
{
    const auto docs = seeds();
    MsgpackTape tape;
    const std::string& topUp = docs[5];
    QVERIFY(tape.parse(topUp, 512));
    QVERIFY(tape.rootIsMap());
    QCOMPARE(tape.at(tape.find(0, "UserID")).integer, 8081);
    QCOMPARE(tape.at(tape.find(0, "Amount")).integer, 500);
    QCOMPARE(tape.text(tape.find(0, "Type")), std::string_view("TopUp"));
    const std::string& order = docs[2];
    QVERIFY(tape.parse(order, 512));
    QCOMPARE(tape.at(tape.find(0, "UserID")).integer, -3);
    const auto qtys = tape.find(0, "ItemQuantities");
    QCOMPARE(tape.childCount(qtys), 3u);
    auto q = tape.firstChild(qtys);
    QCOMPARE(tape.at(q).integer, 1);
    q = tape.nextSibling(qtys, q);
    QCOMPARE(tape.at(q).integer, 70000);
    q = tape.nextSibling(qtys, q);
    QCOMPARE(tape.at(q).integer, 4294967296LL);
    QVERIFY(tape.parse(docs[3], 512));
    QCOMPARE(tape.at(tape.find(0, "big")).kind, MsgpackTape::Kind::BigUInt);
    QCOMPARE(tape.at(tape.find(0, "f")).kind, MsgpackTape::Kind::Float);
    // Negative fixint and sign-extended int8/16/32.
    for (std::int64_t v : {-1LL, -32LL, -33LL, -128LL, -129LL, -32768LL, -32769LL, -2147483648LL, -2147483649LL}) {
        const auto bytes = json::to_msgpack(json{{"v", v}});
        const std::string doc(bytes.begin(), bytes.end()); // outlives the tape's use below
        QVERIFY(tape.parse(doc, 512));
        QCOMPARE(tape.at(tape.find(0, "v")).integer, v);
    }
}

void TestMsgpackTape::lastDuplicateKeyWins()
{
    // {"k": 1, "k": 2} written by hand (nlohmann cannot write duplicate keys).
    const std::string s("\x82\xa1k\x01\xa1k\x02", 7);
    MsgpackTape tape;
    QVERIFY(tape.parse(s, 512));
    QCOMPARE(tape.at(tape.find(0, "k")).integer, 2);
    QCOMPARE(json::from_msgpack(s)["k"].get<int>(), 2);
}

void TestMsgpackTape::refusesWhatNlohmannRefuses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("integer key") << QByteArray("\x81\x01\x02", 3);
    QTest::newRow("bin key") << QByteArray("\x81\xc4\x01k\x02", 5);
    QTest::newRow("0xc1") << QByteArray("\xc1", 1);
    QTest::newRow("truncated str") << QByteArray("\xa5TopU", 5);
    QTest::newRow("trailing byte") << QByteArray("\x80\x00", 2);
    QTest::newRow("array count past the end") << QByteArray("\xdd\xff\xff\xff\xff", 5);
    QTest::newRow("empty") << QByteArray();
}

void TestMsgpackTape::refusesWhatNlohmannRefuses()
{
    QFETCH(QByteArray, bytes);
    const std::string s = bytes.toStdString();
    MsgpackTape tape;
    QVERIFY(!tape.parse(s, 512));
    QVERIFY(json::from_msgpack(s.begin(), s.end(), true, false).is_discarded());
}

void TestMsgpackTape::depthIsBounded()
{
    std::string deep(600, '\x91');
    deep.push_back('\x01');
    MsgpackTape tape;
    QVERIFY(!tape.parse(deep, 512));
    QVERIFY(tape.parse(std::string_view(deep).substr(600 - 500), 512));
    std::string huge(60000, '\x91');
    huge.push_back('\x01');
    QVERIFY(!tape.parse(huge, 512)); // refused, not recursed into
}

QTEST_APPLESS_MAIN(TestMsgpackTape)
#include "test_msgpack_tape.moc"
