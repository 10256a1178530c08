// splitTimerInterval: intervals beyond QTimer's int milliseconds become equal periods that
// QTimer can take, adding up to the interval (the consumer's use of it: test_cli's
// longSnapshotIntervalDoesNotWrap).
#include "engine/timer_interval.hpp"

#include <QTest>

#include <limits>

using shop::engine::splitTimerInterval;
using shop::engine::TimerSplit;

class TestTimerInterval : public QObject {
    Q_OBJECT

private slots:
    void splits_data();
    void splits();
};

void TestTimerInterval::splits_data()
{
    QTest::addColumn<qint64>("intervalMs");
    QTest::addColumn<qint64>("ticks");
    constexpr qint64 intMax = std::numeric_limits<int>::max();
    QTest::newRow("1 ms") << qint64(1) << qint64(1);
    QTest::newRow("30 s") << qint64(30000) << qint64(1);
    QTest::newRow("int max") << intMax << qint64(1);
    QTest::newRow("int max + 1") << intMax + 1 << qint64(2);
    QTest::newRow("2147484 s (was negative in an int)") << qint64(2147484000) << qint64(2);
    QTest::newRow("4294968 s (was 704 ms in an int)") << qint64(4294968000) << qint64(3);
    QTest::newRow("a year") << qint64(31536000000) << qint64(15);
}

void TestTimerInterval::splits()
{
    QFETCH(qint64, intervalMs);
    QFETCH(qint64, ticks);
    const TimerSplit split = splitTimerInterval(intervalMs);
    QCOMPARE(split.ticks, ticks);
    QVERIFY(split.periodMs > 0);
    const qint64 total = qint64(split.periodMs) * split.ticks;
    QVERIFY2(total >= intervalMs && total - intervalMs < split.ticks, qPrintable(QString::number(total)));
    QCOMPARE(splitTimerInterval(intervalMs, 7).ticks, (intervalMs + 6) / 7);
}

QTEST_GUILESS_MAIN(TestTimerInterval)
#include "test_timer_interval.moc"
