// JsonTape against nlohmann::json: the same verdict (JSON or not) on many mutated
// documents, except where JsonTape is deliberately wider (numbers beyond double, lone
// surrogate escapes: both valid JSON text); and the tape's navigation and string decoding.
#include "core/json_tape.hpp"

#include <nlohmann/json.hpp>

#include <QTest>

#include <random>

using shop::JsonTape;

// The tape keeps views into what it parsed: a temporary string must not compile.
template <typename Arg>
concept TapeParses = requires(JsonTape tape, Arg&& text) { tape.parse(std::forward<Arg>(text)); };
static_assert(!TapeParses<std::string>, "JsonTape::parse must refuse a temporary string");
static_assert(TapeParses<const std::string&> && TapeParses<std::string_view> && TapeParses<const char*>);

class TestJsonTape : public QObject {
    Q_OBJECT
private slots:
    void agreesWithNlohmannOnMutatedDocuments();
    void acceptsWhatJsonAllows_data();
    void acceptsWhatJsonAllows();
    void navigation();
    void lastDuplicateKeyWins();
    void stringDecoding();
    void deepNestingDoesNotUseTheStack();
};

void TestJsonTape::agreesWithNlohmannOnMutatedDocuments()
{
    std::mt19937_64 rng(20261127);
    const std::vector<std::string> seeds = {
        R"({"userId":1,"lines":[{"itemId":"a","qty":2}],"name":"x\u00e9\n","f":-0.5e+3,"t":true,"n":null,"e":{},"a":[]})",
        R"([1,2,{"a":"b"}])", R"("str")", R"(  {"a" : [ 1 , 2 ] }  )", "123", "-0", "{\"k\":\"\\ud83d\\ude00\"}",
    };
    const std::string alphabet = std::string("{}[]\":,0123456789-+.eEtrufalsn \\u\x01\xc3\xa9\xff", 36);
    JsonTape tape;
    int compared = 0;
    for (int i = 0; i < 300000; ++i) {
        std::string s = seeds[rng() % seeds.size()];
        const int mutations = 1 + static_cast<int>(rng() % 3);
        for (int m = 0; m < mutations; ++m) {
            const std::size_t p = rng() % (s.size() + 1);
            const char c = alphabet[rng() % alphabet.size()];
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
        // Where JsonTape is wider by design: surrogate escapes and exponents past double.
        if (s.find("\\u") != std::string::npos || s.find_first_of("eE") != std::string::npos)
            continue;
        ++compared;
        const bool ours = tape.parse(s);
        const bool theirs = !nlohmann::json::parse(s, nullptr, false).is_discarded();
        if (ours != theirs)
            QFAIL(qPrintable(QStringLiteral("disagree on %1: tape %2, nlohmann %3")
                                 .arg(QString::fromStdString(s)).arg(ours).arg(theirs)));
    }
    QVERIFY(compared > 100000);
}

void TestJsonTape::acceptsWhatJsonAllows_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::newRow("huge exponent") << QByteArray(R"({"x":1e400})") << true;
    QTest::newRow("400-digit integer") << QByteArray("{\"x\":" + QByteArray(400, '9') + "}") << true;
    QTest::newRow("lone surrogate") << QByteArray(R"({"x":"\ud800"})") << true;
    QTest::newRow("NaN is not JSON") << QByteArray(R"({"x":NaN})") << false;
    QTest::newRow("leading zero") << QByteArray(R"({"x":01})") << false;
    QTest::newRow("trailing comma") << QByteArray(R"({"x":1,})") << false;
    QTest::newRow("raw control char") << QByteArray("{\"x\":\"a\tb\"}") << false;
    QTest::newRow("overlong utf-8") << QByteArray("{\"x\":\"\xc0\xaf\"}") << false;
    QTest::newRow("utf-8 surrogate") << QByteArray("{\"x\":\"\xed\xa0\x80\"}") << false;
    QTest::newRow("4-byte utf-8") << QByteArray("{\"x\":\"\xf0\x9f\x98\x80\"}") << true;
    QTest::newRow("two documents") << QByteArray("{} {}") << false;
    QTest::newRow("empty") << QByteArray("") << false;
    QTest::newRow("whitespace around") << QByteArray(" \n{}\r\t") << true;
}

void TestJsonTape::acceptsWhatJsonAllows()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    JsonTape tape;
    QCOMPARE(tape.parse(std::string_view(text.constData(), static_cast<std::size_t>(text.size()))), valid);
}

void TestJsonTape::navigation()
{
    JsonTape tape;
    QVERIFY(tape.parse(R"({"a":[1,{"b":2},[3]],"c":-9223372036854775808,"d":9223372036854775808,"e":2.0})"));
    QVERIFY(tape.rootIsObject());
    const auto a = tape.find(0, "a");
    QCOMPARE(tape.at(a).kind, JsonTape::Kind::Array);
    QCOMPARE(tape.childCount(a), 3u);
    const auto first = tape.firstChild(a);
    QCOMPARE(tape.at(first).integer, 1);
    const auto second = tape.nextSibling(a, first);
    QCOMPARE(tape.at(tape.find(second, "b")).integer, 2);
    const auto third = tape.nextSibling(a, second);
    QCOMPARE(tape.at(third).kind, JsonTape::Kind::Array);
    QCOMPARE(tape.nextSibling(a, third), 0u);
    QCOMPARE(tape.at(tape.find(0, "c")).kind, JsonTape::Kind::Int);
    QCOMPARE(tape.at(tape.find(0, "c")).integer, std::numeric_limits<std::int64_t>::min());
    QCOMPARE(tape.at(tape.find(0, "d")).kind, JsonTape::Kind::BigInt);
    QCOMPARE(tape.at(tape.find(0, "e")).kind, JsonTape::Kind::Float);
    QCOMPARE(tape.find(0, "missing"), 0u);
    QCOMPARE(tape.find(second, "a"), 0u); // only the object's own members
}

void TestJsonTape::lastDuplicateKeyWins()
{
    JsonTape tape;
    QVERIFY(tape.parse(R"({"k":1,"x":{"k":5},"k":2,"\u006b":3})"));
    QCOMPARE(tape.at(tape.find(0, "k")).integer, 3);
}

void TestJsonTape::stringDecoding()
{
    JsonTape tape;
    QVERIFY(tape.parse(R"({"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\ud800x"})"));
    std::string out;
    tape.stringValue(tape.find(0, "s"), out);
    QCOMPARE(QByteArray::fromStdString(out),
             QByteArray("a\"b\\c/d\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx")); // lone surrogate: U+FFFD
    QCOMPARE(tape.stringBytes(tape.find(0, "s")), out.size());
}

void TestJsonTape::deepNestingDoesNotUseTheStack()
{
    const std::string deep = std::string(30000, '[') + std::string(30000, ']');
    JsonTape tape;
    const std::string balanced = "{\"x\":" + deep + "}";
    const std::string unbalanced = "{\"x\":" + deep + "]}";
    QVERIFY(tape.parse(balanced));
    QCOMPARE(tape.childCount(tape.find(0, "x")), 1u);
    QVERIFY(!tape.parse(unbalanced));
}

QTEST_APPLESS_MAIN(TestJsonTape)
#include "test_json_tape.moc"
