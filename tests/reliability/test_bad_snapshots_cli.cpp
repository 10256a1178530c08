// Damaged snapshots seen end to end through shopstream-cli: a corrupt, truncated, other-
// version, other-stream or garbage snapshot is passed over with a warning on stderr and
// `state --json` prints the right state (the one from scratch, or from an older good
// snapshot); a stream trimmed past its snapshot is refused (exit 1, one line saying how many
// entries are missing) rather than shown wrong. (tests/redis/test_snapshot_store.cpp covers
// the same cases one layer down.)
#include "reliability_support.hpp"
#include "test_redis_server.hpp"

#include "redis/keys.hpp"

#include <QTest>

using namespace reliability;
using shop::redis::Connection;

class TestBadSnapshotsCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void damagedSnapshotIsPassedOverWithAWarning_data();
    void damagedSnapshotIsPassedOverWithAWarning();
    void damagedNewestFallsBackToAnOlderGoodOne();
    void streamTrimmedPastTheSnapshotIsRefused();

private:
    QStringList base(const QString& stream) const { return {QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--stream"), stream}; }
    void resetSnapshots(const std::string& stream);
    void store(const std::string& stream, const std::string& id, const std::string& blob, qint64 score);

    TestRedisServer server_;
    Connection c_;
    const QString stream_ = QStringLiteral("rel:snap");
    std::string goodId_, goodBlob_, otherStreamBlob_, headId_;
    QByteArray fromScratch_;
};

void TestBadSnapshotsCli::resetSnapshots(const std::string& stream)
{
    const shop::redis::Reply ids = c_.command({"ZRANGE", shop::redis::snapshotIndexKey(stream), "0", "-1"});
    QVERIFY(ids && ids.isArray());
    const shop::redis::ReplyView list(ids.raw());
    for (std::size_t i = 0; i < list.size(); ++i)
        c_.command({"DEL", shop::redis::snapshotKey(stream, list[i].str())});
    c_.command({"DEL", shop::redis::snapshotIndexKey(stream)});
}

void TestBadSnapshotsCli::store(const std::string& stream, const std::string& id, const std::string& blob, qint64 score)
{
    QVERIFY(c_.command({"SET", shop::redis::snapshotKey(stream, id), blob}).isString());
    QVERIFY(c_.command({"ZADD", shop::redis::snapshotIndexKey(stream), std::to_string(score), id}).isInteger());
}

void TestBadSnapshotsCli::initTestCase()
{
    QVERIFY2(!cliPath().isEmpty(), "SHOPSTREAM_CLI is not set");
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
    const std::string stream = stream_.toStdString();

    // A snapshot in the middle of the stream, then a tail after it.
    CliResult r = runCli(base(stream_) << QStringLiteral("produce") << QStringLiteral("--events") << QStringLiteral("3000")
                                       << QStringLiteral("--seed") << QStringLiteral("5"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = runCli(base(stream_) << QStringLiteral("snapshot") << QStringLiteral("save"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const shop::redis::Reply ids = c_.command({"ZRANGE", shop::redis::snapshotIndexKey(stream), "0", "-1"});
    QCOMPARE(ids.size(), std::size_t(1));
    goodId_ = std::string(shop::redis::ReplyView(ids.raw())[0].str());
    goodBlob_ = std::string(c_.command({"GET", shop::redis::snapshotKey(stream, goodId_)}).str());
    r = runCli(base(stream_) << QStringLiteral("produce") << QStringLiteral("--events") << QStringLiteral("1000")
                             << QStringLiteral("--seed") << QStringLiteral("6"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const shop::redis::Reply head = c_.command({"XREVRANGE", stream, "+", "-", "COUNT", "1"});
    headId_ = std::string(shop::redis::ReplyView(head.raw())[0][0].str());

    // Another stream's snapshot, to be planted under this stream's key.
    r = runCli(base(QStringLiteral("rel:other")) << QStringLiteral("produce") << QStringLiteral("--events") << QStringLiteral("500"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = runCli(base(QStringLiteral("rel:other")) << QStringLiteral("snapshot") << QStringLiteral("save"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const shop::redis::Reply otherIds = c_.command({"ZRANGE", "rel:other:snapshots", "0", "-1"});
    const std::string otherId(shop::redis::ReplyView(otherIds.raw())[0].str());
    otherStreamBlob_ = std::string(c_.command({"GET", shop::redis::snapshotKey("rel:other", otherId)}).str());

    r = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json") << QStringLiteral("--from-scratch"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    fromScratch_ = r.out;
    // The good snapshot is used when it is the only one (and gives the same state).
    r = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json"));
    QVERIFY2(r.ok() && r.err.isEmpty() && r.out == fromScratch_, qPrintable(r.describe()));
}

void TestBadSnapshotsCli::damagedSnapshotIsPassedOverWithAWarning_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::addColumn<QString>("why");
    const QByteArray good = QByteArray::fromStdString(goodBlob_);
    QByteArray flipped = good;
    flipped[flipped.size() - 40] = flipped[flipped.size() - 40] == '1' ? '2' : '1';
    QTest::newRow("corrupt body byte") << flipped << QStringLiteral("checksum does not match");
    QTest::newRow("truncated") << good.left(good.size() / 2) << QStringLiteral("truncated");
    QTest::newRow("header only") << good.left(good.indexOf('\n')) << QStringLiteral("no header line");
    QByteArray v3 = good;
    v3.replace("\"version\":2", "\"version\":3");
    QTest::newRow("version 3") << v3 << QStringLiteral("snapshot version 3 is not supported");
    QTest::newRow("another stream") << QByteArray::fromStdString(otherStreamBlob_)
                                    << QStringLiteral("belongs to stream \"rel:other\"");
    QByteArray garbage(4096, '\0');
    for (int i = 0; i < garbage.size(); ++i)
        garbage[i] = char((i * 7919 + 13) % 256);
    QTest::newRow("binary garbage") << garbage << QStringLiteral("passed over");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("passed over");
}

void TestBadSnapshotsCli::damagedSnapshotIsPassedOverWithAWarning()
{
    QFETCH(QByteArray, blob);
    QFETCH(QString, why);
    const std::string stream = stream_.toStdString();
    resetSnapshots(stream);
    store(stream, goodId_, blob.toStdString(), 1);

    const CliResult r = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out == fromScratch_, qPrintable(r.describe()));
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.startsWith(QStringLiteral("shopstream-cli: warning: snapshot ") + QString::fromStdString(goodId_) + QStringLiteral(" passed over")),
             qPrintable(err));
    QVERIFY2(err.contains(why), qPrintable(err));
    QCOMPARE(r.err.count('\n'), 1);

    // The headless consumer says the same and still ends with the right state.
    const CliResult consume = runCli(base(stream_) << QStringLiteral("consume") << QStringLiteral("--until-caught-up")
                                                   << QStringLiteral("--snapshot-every") << QStringLiteral("0"));
    QVERIFY2(consume.ok(), qPrintable(consume.describe()));
    QVERIFY2(consume.err.contains("passed over"), qPrintable(consume.describe()));
    QVERIFY2(consume.out.contains("caught up: 4000 events"), qPrintable(consume.describe()));
}

void TestBadSnapshotsCli::damagedNewestFallsBackToAnOlderGoodOne()
{
    const std::string stream = stream_.toStdString();
    resetSnapshots(stream);
    store(stream, goodId_, goodBlob_, 1);
    std::string damaged = goodBlob_;
    damaged[damaged.size() - 10] ^= 0x01;
    store(stream, headId_, damaged, 2);
    const CliResult r = runCli(base(stream_) << QStringLiteral("state"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.contains(QByteArray("restored snapshot ") + QByteArray::fromStdString(goodId_)), qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QByteArray("snapshot ") + QByteArray::fromStdString(headId_) + " passed over"), qPrintable(r.describe()));
    const CliResult json = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json"));
    QVERIFY2(json.ok() && json.out == fromScratch_, qPrintable(json.describe()));
}

void TestBadSnapshotsCli::streamTrimmedPastTheSnapshotIsRefused()
{
    const std::string stream = stream_.toStdString();
    resetSnapshots(stream);
    store(stream, goodId_, goodBlob_, 1);
    // 3000 entries up to the snapshot, 1000 after: keep the newest 500.
    QVERIFY(c_.command({"XTRIM", stream, "MAXLEN", "500"}).isInteger());

    CliResult r = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    // How many are missing, where (after the snapshot) and why.
    QVERIFY2(r.err.contains("500 entries between " + QByteArray::fromStdString(goodId_)), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("trimmed"), qPrintable(r.describe()));

    r = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json") << QStringLiteral("--from-scratch"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("3500 of the 4000 entries") && r.err.contains("trimmed"),
             qPrintable(r.describe()));

    r = runCli(base(stream_) << QStringLiteral("consume") << QStringLiteral("--until-caught-up"));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("500 entries between " + QByteArray::fromStdString(goodId_)), qPrintable(r.describe()));

    r = runCli(base(stream_) << QStringLiteral("state") << QStringLiteral("--json") << QStringLiteral("--allow-gaps"));
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("warning"), qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(TestBadSnapshotsCli)
#include "test_bad_snapshots_cli.moc"
