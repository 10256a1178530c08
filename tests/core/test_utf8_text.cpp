// utf8_text: strict UTF-8 validation, escaping for a terminal (C0, DEL, C1 and invalid bytes
// become visible escapes; printable UTF-8 stays), and U+FFFD replacement checked against
// nlohmann::json's own replacement on random bytes.
#include "core/utf8_text.hpp"

#include <nlohmann/json.hpp>

#include <QTest>

#include <random>

using namespace std::string_literals;

namespace {

std::string randomBytes(std::mt19937& rng, bool forJsonString)
{
    // Biased towards the bytes that make UTF-8 interesting: leads, continuations, ASCII.
    static const std::vector<unsigned char> interesting = {0x00, 0x0a, 0x1b, 0x41, 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xbf,
                                                           0xc0, 0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
                                                           0xf4, 0xf5, 0xf8, 0xfe, 0xff, 0x90, 0x8f};
    std::uniform_int_distribution<int> length(0, 12);
    std::uniform_int_distribution<int> coin(0, 2);
    std::uniform_int_distribution<int> anyByte(0, 255);
    std::uniform_int_distribution<std::size_t> pick(0, interesting.size() - 1);
    std::string s;
    for (int i = length(rng); i > 0; --i) {
        auto c = static_cast<unsigned char>(coin(rng) == 0 ? anyByte(rng) : interesting[pick(rng)]);
        if (forJsonString && (c < 0x20 || c == '"' || c == '\\'))
            c = 'x'; // those are the JSON escapes, not the UTF-8 handling under test
        s.push_back(static_cast<char>(c));
    }
    return s;
}

bool hasTerminalControls(const std::string& s)
{
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f)
            return true;
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f)
            return true; // U+0080..U+009F
    }
    return false;
}

} // namespace

class TestUtf8Text : public QObject {
    Q_OBJECT

private slots:
    void validation_data();
    void validation();
    void escapesForTheTerminal_data();
    void escapesForTheTerminal();
    void escapedTextIsAlwaysSafe();
    void replacementMatchesNlohmann();
};

void TestUtf8Text::validation_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("ascii") << QByteArray("shop:events") << true;
    QTest::newRow("controls are valid UTF-8") << QByteArray("a\nb\x1b", 4) << true;
    QTest::newRow("e acute") << QByteArray("Zo\xc3\xab") << true;
    QTest::newRow("emoji") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::newRow("U+FFFD") << QByteArray("\xef\xbf\xbd") << true;
    QTest::newRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf") << true;
    QTest::newRow("lone continuation") << QByteArray("\x80") << false;
    QTest::newRow("0xff") << QByteArray("ab\xff") << false;
    QTest::newRow("overlong /") << QByteArray("\xc0\xaf") << false;
    QTest::newRow("overlong 3 bytes") << QByteArray("\xe0\x80\xaf") << false;
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::newRow("F5 lead") << QByteArray("\xf5\x80\x80\x80") << false;
    QTest::newRow("truncated") << QByteArray("\xe2\x82") << false;
    QTest::newRow("Latin-1 e acute") << QByteArray("caf\xe9") << false;
}

void TestUtf8Text::validation()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(shop::isValidUtf8(bytes.toStdString()), valid);
}

void TestUtf8Text::escapesForTheTerminal_data()
{
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("plain") << QByteArray("Ada 7, item-1.x") << QByteArray("Ada 7, item-1.x");
    QTest::newRow("printable UTF-8 kept") << QByteArray("Zo\xc3\xab \xf0\x9f\x98\x80 \xc2\xa0|")
                                          << QByteArray("Zo\xc3\xab \xf0\x9f\x98\x80 \xc2\xa0|");
    QTest::newRow("retitle and clear") << QByteArray("\x1b]0;title\x07\x1b[2J") << QByteArray("\\x1b]0;title\\x07\\x1b[2J");
    QTest::newRow("line breaks") << QByteArray("a\nb\rc\td") << QByteArray("a\\nb\\rc\\td");
    QTest::newRow("NUL") << QByteArray("a\0b", 3) << QByteArray("a\\x00b");
    QTest::newRow("DEL") << QByteArray("\x7f") << QByteArray("\\x7f");
    QTest::newRow("C1 NEL") << QByteArray("x\xc2\x85y") << QByteArray("x\\u0085y");
    QTest::newRow("C1 CSI") << QByteArray("\xc2\x9b" "31m") << QByteArray("\\u009b31m");
    QTest::newRow("C1 first and last") << QByteArray("\xc2\x80\xc2\x9f") << QByteArray("\\u0080\\u009f");
    QTest::newRow("invalid byte") << QByteArray("\xff") << QByteArray("\\xff");
    QTest::newRow("Latin-1") << QByteArray("caf\xe9!") << QByteArray("caf\\xe9!");
    QTest::newRow("truncated sequence") << QByteArray("a\xe2\x82") << QByteArray("a\\xe2\\x82");
    QTest::newRow("truncated then ASCII") << QByteArray("\xe2\x82" "A") << QByteArray("\\xe2\\x82A");
    QTest::newRow("overlong") << QByteArray("\xc0\xaf") << QByteArray("\\xc0\\xaf");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QByteArray("\\xed\\xa0\\x80");
    QTest::newRow("raw C1 byte") << QByteArray("\x9b") << QByteArray("\\x9b");
}

void TestUtf8Text::escapesForTheTerminal()
{
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    QCOMPARE(QByteArray::fromStdString(shop::escapeForTerminal(in.toStdString())), out);
    std::string appended = "prefix:";
    shop::appendEscapedForTerminal(appended, in.toStdString());
    QCOMPARE(QByteArray::fromStdString(appended), "prefix:" + out);
}

void TestUtf8Text::escapedTextIsAlwaysSafe()
{
    std::mt19937 rng(20261202);
    int unchanged = 0;
    for (int i = 0; i < 200000; ++i) {
        const std::string in = randomBytes(rng, false);
        const std::string out = shop::escapeForTerminal(in);
        QVERIFY2(shop::isValidUtf8(out), QByteArray::fromStdString(in).toHex().constData());
        QVERIFY2(!hasTerminalControls(out), QByteArray::fromStdString(in).toHex().constData());
        // What is already safe is left alone.
        if (shop::isValidUtf8(in) && !hasTerminalControls(in)) {
            QCOMPARE(out, in);
            ++unchanged;
        }
    }
    QVERIFY(unchanged > 1000); // the generator does produce safe text too
}

void TestUtf8Text::replacementMatchesNlohmann()
{
    std::mt19937 rng(4180);
    int replaced = 0;
    for (int i = 0; i < 300000; ++i) {
        const std::string in = randomBytes(rng, true);
        std::string mine = "\"";
        shop::appendReplacingInvalidUtf8(mine, in);
        mine += '"';
        const std::string theirs = nlohmann::json(in).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        QVERIFY2(mine == theirs, QByteArray::fromStdString(in).toHex().constData());
        QVERIFY(shop::isValidUtf8(mine));
        replaced += mine.find("\xef\xbf\xbd") != std::string::npos && in.find("\xef\xbf\xbd") == std::string::npos;
    }
    QVERIFY(replaced > 1000); // invalid input was really exercised
}

QTEST_APPLESS_MAIN(TestUtf8Text)
#include "test_utf8_text.moc"
