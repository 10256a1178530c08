// StreamWriter against a real redis-server: the idempotent append script (one entry per
// eid, the first id back on a retry, a 24 h record), recovery after SCRIPT FLUSH, pipelined
// batches of native and legacy entries, and clear errors for users who may not write.
// Appends in the original demo's format: only type and data in the entry, the eid record
// kept so that a retry is not doubled; the stream's format told from its newest entries.
#include "core/entry_decoder.hpp"
#include "core/legacy_encoder.hpp"
#include "core/simulator.hpp"
#include "core/stream_format.hpp"
#include "redis/keys.hpp"
#include "redis/stream_reader.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTest>

using shop::redis::AppendRequest;
using shop::redis::AppendResult;
using shop::redis::Connection;
using shop::redis::EntryBatch;
using shop::redis::StreamReader;
using shop::redis::StreamWriter;

namespace {
QString text(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }
QString text(const std::string& s) { return QString::fromStdString(s); }

AppendRequest request(std::string type, std::string data, std::string eid = {})
{
    AppendRequest r;
    r.type = std::move(type);
    r.data = std::move(data);
    r.eid = std::move(eid);
    r.actor = "tester";
    return r;
}
} // namespace

class TestStreamWriter : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void newEidIsARandomUuidV4();
    void appendWritesANativeEntry();
    void retriedAppendGivesTheFirstIdBack();
    void eidRecordExpiresAfterADay();
    void recoversFromScriptFlush();
    void legacyAppendWritesOnlyTypeAndData();
    void legacyAppendRetriedWithTheSameEidIsNotDoubled();
    void detectsTheStreamsFormat();
    void detectingTheFormatOfAKeyThatIsNoStreamFails();
    void appendBatchWritesInOrder();
    void appendBatchStopsAtAnError();
    void readOnlyUserGetsAClearRefusal();
    void serverThatCannotWriteToItsDiskRefusesAtOnce();

private:
    qint64 length(const char* stream);

    TestRedisServer server_;
    Connection c_;
};

void TestStreamWriter::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

qint64 TestStreamWriter::length(const char* stream) { return c_.command({"XLEN", stream}).integer(); }

void TestStreamWriter::newEidIsARandomUuidV4()
{
    static const QRegularExpression uuid(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    QSet<QString> seen;
    for (int i = 0; i < 2000; ++i) {
        const QString eid = text(StreamWriter::newEid());
        QVERIFY2(uuid.match(eid).hasMatch(), qPrintable(eid));
        seen.insert(eid);
    }
    QCOMPARE(seen.size(), 2000);
}

void TestStreamWriter::appendWritesANativeEntry()
{
    StreamWriter writer(c_, "w:native");
    const AppendResult result = writer.append(request("TopUp", R"({"userId":1,"amount":500})"));
    QVERIFY2(result.ok, result.error.c_str());
    QVERIFY(!result.duplicate);
    QVERIFY(!result.id.empty());
    QVERIFY(result.error.empty());

    StreamReader reader(c_, "w:native");
    EntryBatch batch;
    QVERIFY(reader.range("", 10, batch));
    QCOMPARE(batch.entries.size(), std::size_t(1));
    const shop::RawEntry& e = batch.entries[0];
    QCOMPARE(text(e.id), text(result.id));
    QCOMPARE(text(*e.type), QStringLiteral("TopUp"));
    QCOMPARE(text(*e.data), QStringLiteral(R"({"userId":1,"amount":500})"));
    QCOMPARE(text(*e.v), QStringLiteral("1"));
    QCOMPARE(e.eid->size(), std::size_t(36)); // a generated UUID
    QCOMPARE(text(*e.actor), QStringLiteral("tester"));
}

void TestStreamWriter::retriedAppendGivesTheFirstIdBack()
{
    StreamWriter writer(c_, "w:retry");
    const std::string eid = StreamWriter::newEid();
    const AppendResult first = writer.append(request("TopUp", R"({"userId":1,"amount":1})", eid));
    QVERIFY2(first.ok, first.error.c_str());
    QVERIFY(!first.duplicate);

    // The same eid again, even with other content (a client retrying after a lost reply).
    const AppendResult second = writer.append(request("TopUp", R"({"userId":1,"amount":1})", eid));
    QVERIFY2(second.ok, second.error.c_str());
    QVERIFY(second.duplicate);
    QCOMPARE(second.id, first.id);
    StreamWriter otherWriter(c_, "w:retry"); // a fresh writer (script loaded anew) agrees
    const AppendResult third = otherWriter.append(request("AddItem", R"({"itemId":"x","count":1})", eid));
    QVERIFY(third.ok && third.duplicate);
    QCOMPARE(third.id, first.id);
    QCOMPARE(length("w:retry"), 1);

    const AppendResult fresh = writer.append(request("TopUp", R"({"userId":1,"amount":1})"));
    QVERIFY(fresh.ok && !fresh.duplicate);
    QVERIFY(fresh.id != first.id);
    QCOMPARE(length("w:retry"), 2);
}

void TestStreamWriter::eidRecordExpiresAfterADay()
{
    StreamWriter writer(c_, "w:ttl");
    const std::string eid = StreamWriter::newEid();
    const AppendResult result = writer.append(request("TopUp", "{}", eid));
    QVERIFY(result.ok);
    const std::string key = shop::redis::eidKey("w:ttl", eid);
    QCOMPARE(text(c_.command({"GET", key}).str()), text(result.id));
    const qint64 ttl = c_.command({"TTL", key}).integer();
    QVERIFY2(ttl > 86400 - 60 && ttl <= 86400, qPrintable(QString::number(ttl)));
    QCOMPARE(StreamWriter::kEidTtlSeconds, 86400);
}

void TestStreamWriter::recoversFromScriptFlush()
{
    StreamWriter writer(c_, "w:flush");
    const std::string eid = StreamWriter::newEid();
    const AppendResult first = writer.append(request("TopUp", "{}", eid));
    QVERIFY(first.ok);

    QVERIFY(c_.command({"SCRIPT", "FLUSH"}).isString());
    const AppendResult retried = writer.append(request("TopUp", "{}", eid));
    QVERIFY2(retried.ok, retried.error.c_str());
    QVERIFY(retried.duplicate);
    QCOMPARE(retried.id, first.id);

    QVERIFY(c_.command({"SCRIPT", "FLUSH"}).isString());
    const AppendResult next = writer.append(request("TopUp", "{}"));
    QVERIFY2(next.ok, next.error.c_str());
    QVERIFY(!next.duplicate);
    QCOMPARE(length("w:flush"), 2);
}

void TestStreamWriter::legacyAppendWritesOnlyTypeAndData()
{
    StreamWriter writer(c_, "w:legacy-one");
    AppendRequest r = request("TopUp", std::string("\x84\xa2ID\xa0", 5));
    r.legacy = true;
    const AppendResult result = writer.append(r);
    QVERIFY2(result.ok, result.error.c_str());
    StreamReader reader(c_, "w:legacy-one");
    EntryBatch batch;
    QVERIFY(reader.range("", 10, batch));
    QCOMPARE(batch.entries.size(), std::size_t(1));
    QVERIFY(batch.entries[0].type && batch.entries[0].data);
    QCOMPARE(batch.entries[0].data->size(), std::size_t(5));
    QVERIFY(!batch.entries[0].v && !batch.entries[0].eid && !batch.entries[0].actor);
}

void TestStreamWriter::legacyAppendRetriedWithTheSameEidIsNotDoubled()
{
    shop::LegacyEntry legacy;
    std::string why;
    QCOMPARE(shop::legacyFromNative("TopUp", R"({"userId":7,"amount":1500})", legacy, why), shop::LegacyRefusal::None);
    StreamWriter writer(c_, "w:legacy-eid");
    AppendRequest r = request(legacy.type, legacy.data, StreamWriter::newEid());
    r.legacy = true;
    const AppendResult first = writer.append(r);
    QVERIFY2(first.ok, first.error.c_str());
    QVERIFY(!first.duplicate);
    const AppendResult retried = writer.append(r); // a client retrying after a lost reply
    QVERIFY2(retried.ok, retried.error.c_str());
    QVERIFY(retried.duplicate);
    QCOMPARE(retried.id, first.id);
    QCOMPARE(length("w:legacy-eid"), 1);
    // The record is ours, beside the stream; the entry holds only what the demo wrote.
    QCOMPARE(text(c_.command({"GET", shop::redis::eidKey("w:legacy-eid", r.eid)}).str()), text(first.id));

    shop::redis::Reply raw = c_.command({"XRANGE", "w:legacy-eid", "-", "+"});
    const shop::redis::ReplyView fields = shop::redis::ReplyView(raw.raw())[0][1];
    QCOMPARE(fields.size(), std::size_t(4));
    QCOMPARE(text(fields[0].str()), QStringLiteral("type"));
    QCOMPARE(text(fields[1].str()), QStringLiteral("TopUp"));
    QCOMPARE(text(fields[2].str()), QStringLiteral("data"));
    QVERIFY(fields[3].str() == legacy.data);
    shop::RawEntry entry;
    entry.type = fields[1].str();
    entry.data = fields[3].str();
    shop::Event event;
    QCOMPARE(shop::decodeEntry(entry, event), shop::Reason::None);
    QVERIFY(event.legacy);
    QCOMPARE(event.userId, 7);
    QCOMPARE(event.amount, 1500);
}

void TestStreamWriter::detectsTheStreamsFormat()
{
    StreamWriter writer(c_, "w:format");
    shop::StreamFormatReport report;
    QVERIFY2(writer.detectFormat(report), writer.error().c_str());
    QCOMPARE(report.format, shop::StreamFormat::Native); // missing: a new stream is native
    QCOMPARE(report.sampled, std::size_t(0));
    QCOMPARE(c_.command({"EXISTS", "w:format"}).integer(), 0); // looking creates nothing

    // The original demo's traffic.
    shop::SimulatorOptions options;
    options.legacy = true;
    shop::ShopSimulator simulator(options);
    std::vector<AppendRequest> demo(25);
    shop::SimEntry entry;
    for (AppendRequest& r : demo) {
        simulator.next(entry);
        r = request(entry.type, entry.data);
        r.legacy = true;
    }
    QCOMPARE(writer.appendBatch(demo), demo.size());
    QVERIFY2(writer.detectFormat(report), writer.error().c_str());
    QCOMPARE(report.format, shop::StreamFormat::Legacy);
    QCOMPARE(report.appendAs, shop::EntryFormat::Legacy);
    QCOMPARE(report.sampled, shop::kStreamFormatSample);

    // A native entry on top: both formats, the newest decides.
    const AppendResult native = writer.append(request("TopUp", R"({"userId":1,"amount":500})"));
    QVERIFY(native.ok);
    QVERIFY2(writer.detectFormat(report), writer.error().c_str());
    QCOMPARE(report.format, shop::StreamFormat::Mixed);
    QCOMPARE(report.appendAs, shop::EntryFormat::Native);
    QCOMPARE(report.newestId, native.id);
    QCOMPARE(report.legacy, shop::kStreamFormatSample - 1);

    // Only the newest entries count: once they are all native, so is the stream.
    for (std::size_t i = 0; i < shop::kStreamFormatSample; ++i)
        QVERIFY(writer.append(request("TopUp", R"({"userId":1,"amount":500})")).ok);
    QVERIFY2(writer.detectFormat(report), writer.error().c_str());
    QCOMPARE(report.format, shop::StreamFormat::Native);
}

void TestStreamWriter::detectingTheFormatOfAKeyThatIsNoStreamFails()
{
    QVERIFY(c_.command({"SET", "w:format-string", "x"}).isString());
    StreamWriter writer(c_, "w:format-string");
    shop::StreamFormatReport report;
    QVERIFY(!writer.detectFormat(report));
    QCOMPARE(writer.errorKind(), shop::redis::ErrorKind::WrongType);
    QVERIFY2(text(writer.error()).contains(QStringLiteral("the key w:format-string exists but is not a stream")),
             writer.error().c_str());
}

void TestStreamWriter::appendBatchWritesInOrder()
{
    constexpr int kTotal = 2345;
    std::vector<AppendRequest> requests;
    for (int i = 0; i < kTotal; ++i) {
        AppendRequest r = request(i % 3 == 0 ? "AddItem" : "TopUp", "{\"n\":" + std::to_string(i) + "}");
        r.legacy = i % 2 == 1;
        requests.push_back(std::move(r));
    }
    StreamWriter writer(c_, "w:batch");
    QCOMPARE(writer.appendBatch(requests, 1000), std::size_t(kTotal));
    QVERIFY(writer.error().empty());
    QCOMPARE(length("w:batch"), kTotal);

    StreamReader reader(c_, "w:batch");
    EntryBatch batch;
    QVERIFY(reader.range("", kTotal + 10, batch));
    QCOMPARE(batch.entries.size(), std::size_t(kTotal));
    QSet<QString> eids;
    for (int i = 0; i < kTotal; ++i) {
        const shop::RawEntry& e = batch.entries[static_cast<std::size_t>(i)];
        const AppendRequest& r = requests[static_cast<std::size_t>(i)];
        QCOMPARE(text(*e.type), text(r.type));
        QCOMPARE(text(*e.data), text(r.data));
        if (r.legacy) {
            QVERIFY(!e.v && !e.eid && !e.actor);
        } else {
            QCOMPARE(text(*e.v), QStringLiteral("1"));
            QCOMPARE(text(*e.actor), QStringLiteral("tester"));
            eids.insert(text(*e.eid));
        }
    }
    QCOMPARE(eids.size(), kTotal / 2 + kTotal % 2);

    // A pipeline of 1 works too, and an empty batch writes nothing.
    QCOMPARE(writer.appendBatch({requests[0], requests[1]}, 1), std::size_t(2));
    QCOMPARE(writer.appendBatch({}), std::size_t(0));
}

void TestStreamWriter::appendBatchStopsAtAnError()
{
    QVERIFY(c_.command({"SET", "w:string", "x"}).isString());
    StreamWriter writer(c_, "w:string");
    std::vector<AppendRequest> requests(5, request("TopUp", "{}"));
    QCOMPARE(writer.appendBatch(requests, 2), std::size_t(0));
    QVERIFY2(text(writer.error()).contains(QStringLiteral("the key w:string exists but is not a stream")),
             writer.error().c_str());
    QVERIFY(c_.isConnected()); // replies were drained: the connection is still in step
    QCOMPARE(text(c_.command({"PING"}).str()), QStringLiteral("PONG"));

    const AppendResult result = writer.append(request("TopUp", "{}"));
    QVERIFY(!result.ok);
    QVERIFY2(text(result.error).contains(QStringLiteral("not a stream")), result.error.c_str());
}

void TestStreamWriter::readOnlyUserGetsAClearRefusal()
{
    QVERIFY(c_.command({"ACL", "SETUSER", "ro", "reset", "on", ">ro-pw", "~*", "+@read", "-@write"}).isString());
    // May run scripts, but not write from inside them.
    QVERIFY(c_.command({"ACL", "SETUSER", "scripted", "reset", "on", ">sc-pw", "~*", "+@all", "-@write"}).isString());

    for (const char* user : {"ro", "scripted"}) {
        shop::redis::RedisUrl url = server_.url();
        url.user = user;
        url.password = std::string(user) == "ro" ? "ro-pw" : "sc-pw";
        Connection limited;
        QVERIFY2(limited.connect(url), limited.error().c_str());
        StreamWriter writer(limited, "shop:events");
        const AppendResult result = writer.append(request("TopUp", "{}"));
        QVERIFY(!result.ok);
        QVERIFY2(text(result.error).startsWith(QStringLiteral("the server does not permit writing to shop:events for this user (")),
                 result.error.c_str());
        QVERIFY(!result.error.empty() && result.error.find('\n') == std::string::npos);
        QCOMPARE(result.kind, shop::redis::ErrorKind::PermissionDenied);
        QVERIFY2(result.error.find(" script: ") == std::string::npos, result.error.c_str()); // no sha, no line

        QCOMPARE(writer.appendBatch({request("TopUp", "{}")}), std::size_t(0));
        QVERIFY2(text(writer.error()).contains(QStringLiteral("NOPERM")), writer.error().c_str());
        QCOMPARE(writer.errorKind(), shop::redis::ErrorKind::PermissionDenied);
        QVERIFY(limited.isConnected());
    }
    QCOMPARE(length("shop:events"), 0);
}

void TestStreamWriter::serverThatCannotWriteToItsDiskRefusesAtOnce()
{
    // The append fails at once, with the cause in words (no timeout, no "does not answer").
    TestRedisServer disk;
    QVERIFY2(disk.start(), qPrintable(disk.error()));
    Connection c;
    QVERIFY(c.connect(disk.url()));
    const QString broken = refuseWritesLikeAFullDisk(c, disk.dataDir());
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    const auto restore = qScopeGuard([&] { undoRefuseWrites(c, disk.dataDir()); });

    Connection fresh;
    QVERIFY2(fresh.connect(disk.url()), fresh.error().c_str());
    StreamWriter writer(fresh, "shop:events");
    QElapsedTimer timer;
    timer.start();
    const AppendResult result = writer.append(request("TopUp", "{}"));
    QVERIFY(timer.elapsed() < 1000);
    QVERIFY(!result.ok);
    QCOMPARE(result.kind, shop::redis::ErrorKind::Misconf);
    const QString expected = QStringLiteral("redis-server cannot write to its disk at %1: reads work, writes are refused (MISCONF ")
                                 .arg(QFileInfo(disk.dataDir()).canonicalFilePath());
    QVERIFY2(text(result.error).startsWith(expected), result.error.c_str());
    QVERIFY2(result.error.find(" script: ") == std::string::npos, result.error.c_str());
    QVERIFY(fresh.isConnected());

    // Pipelined: the reason is put in words (asking the server for its directory) only once
    // every reply of the round trip is read, so the connection stays in step.
    const std::vector<AppendRequest> batch(5, request("TopUp", "{}"));
    QCOMPARE(writer.appendBatch(batch), std::size_t(0));
    QCOMPARE(writer.errorKind(), shop::redis::ErrorKind::Misconf);
    QVERIFY2(text(writer.error()).startsWith(expected), writer.error().c_str());
    const auto length = fresh.command({"XLEN", "shop:events"});
    QVERIFY(length.isInteger());
    QCOMPARE(length.integer(), 0);
}

QTEST_GUILESS_MAIN(TestStreamWriter)
#include "test_stream_writer.moc"
