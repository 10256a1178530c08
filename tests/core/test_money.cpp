// formatMoney: two decimals for every int64, the sign in front, the extremes included. The
// CLI and the window both show amounts through it.
#include "core/money.hpp"

#include <QTest>

#include <limits>

class TestMoney : public QObject {
    Q_OBJECT

private slots:
    void formatMoney_data();
    void formatMoney();
};

void TestMoney::formatMoney_data()
{
    QTest::addColumn<qint64>("minor");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << "0.00";
    QTest::newRow("one cent") << qint64(1) << "0.01";
    QTest::newRow("cents") << qint64(5) << "0.05";
    QTest::newRow("tens of cents") << qint64(50) << "0.50";
    QTest::newRow("99 cents") << qint64(99) << "0.99";
    QTest::newRow("one unit") << qint64(100) << "1.00";
    QTest::newRow("12.50") << qint64(1250) << "12.50";
    QTest::newRow("10^15") << qint64(1000000000000000) << "10000000000000.00";
    QTest::newRow("-0.01") << qint64(-1) << "-0.01";
    QTest::newRow("-0.99") << qint64(-99) << "-0.99";
    QTest::newRow("-1.00") << qint64(-100) << "-1.00";
    QTest::newRow("-3.05") << qint64(-305) << "-3.05";
    QTest::newRow("-10^15") << qint64(-1000000000000000) << "-10000000000000.00";
    QTest::newRow("max") << std::numeric_limits<qint64>::max() << "92233720368547758.07";
    QTest::newRow("max - 1") << std::numeric_limits<qint64>::max() - 1 << "92233720368547758.06";
    QTest::newRow("min") << std::numeric_limits<qint64>::min() << "-92233720368547758.08";
    QTest::newRow("min + 1") << std::numeric_limits<qint64>::min() + 1 << "-92233720368547758.07";
}

void TestMoney::formatMoney()
{
    QFETCH(qint64, minor);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(shop::formatMoney(minor)), text);
}

QTEST_APPLESS_MAIN(TestMoney)
#include "test_money.moc"
