// CSV of the CLI: RFC 4180 fields (quoted when they hold , " CR or LF, quotes doubled,
// controls kept, invalid UTF-8 as U+FFFD) and the two tables of `state --csv`.
#include "core/csv.hpp"
#include "core/shop_state.hpp"

#include <QTest>

class TestCsv : public QObject {
    Q_OBJECT

private slots:
    void fields_data();
    void fields();
    void stateTables();
};

void TestCsv::fields_data()
{
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("plain") << QByteArray("abc 1.5") << QByteArray("abc 1.5");
    QTest::newRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
    QTest::newRow("quote") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("LF") << QByteArray("a\nb") << QByteArray("\"a\nb\"");
    QTest::newRow("CR") << QByteArray("a\rb") << QByteArray("\"a\rb\"");
    QTest::newRow("controls kept, unquoted") << QByteArray("\x1b[2J\t\x7f") << QByteArray("\x1b[2J\t\x7f");
    QTest::newRow("UTF-8 kept") << QByteArray("Zo\xc3\xab \xf0\x9f\x98\x80") << QByteArray("Zo\xc3\xab \xf0\x9f\x98\x80");
    QTest::newRow("invalid UTF-8") << QByteArray("a\xff" "b") << QByteArray("a\xef\xbf\xbd" "b");
    QTest::newRow("invalid UTF-8, quoted") << QByteArray("\xc0,") << QByteArray("\"\xef\xbf\xbd,\"");
    QTest::newRow("leading space kept") << QByteArray(" x ") << QByteArray(" x ");
}

void TestCsv::fields()
{
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    std::string field = "x,";
    shop::appendCsvField(field, in.toStdString());
    QCOMPARE(QByteArray::fromStdString(field), "x," + out);
}

void TestCsv::stateTables()
{
    shop::ShopState state;
    state.addUser(10, "plain").balance = 1234;
    state.addUser(2, "comma, \"quote\"\nnewline \x1b\xff");
    shop::Item& b = state.addItem("b");
    b.name = "bee";
    b.price = 700;
    b.stock = 1;
    b.sold = 2;
    state.addItem("a").name = "\r";
    std::string csv;
    std::size_t pieces = 0;
    shop::writeStateCsv(state, [&](std::string_view piece) {
        ++pieces;
        csv.append(piece);
    });
    QCOMPARE(pieces, std::size_t(1));
    QCOMPARE(QByteArray::fromStdString(csv),
             QByteArray("id,name,balance,spent,orders\r\n"
                        "2,\"comma, \"\"quote\"\"\nnewline \x1b\xef\xbf\xbd\",0,0,0\r\n"
                        "10,plain,1234,0,0\r\n"
                        "\r\n"
                        "id,name,price,stock,sold\r\n"
                        "a,\"\r\",0,0,0\r\n"
                        "b,bee,700,1,2\r\n"));

    std::string empty;
    shop::writeStateCsv(shop::ShopState{}, [&](std::string_view piece) { empty.append(piece); });
    QCOMPARE(empty, std::string("id,name,balance,spent,orders\r\n\r\nid,name,price,stock,sold\r\n"));

    std::string field;
    shop::appendCsvField(field, "a\"b");
    QCOMPARE(field, std::string("\"a\"\"b\""));
}

QTEST_APPLESS_MAIN(TestCsv)
#include "test_csv.moc"
