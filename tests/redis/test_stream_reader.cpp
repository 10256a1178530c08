// StreamReader against a real redis-server: exclusive XRANGE starts, the until bound,
// paging over more than COUNT entries, field capture (last duplicate wins, binary data),
// XREAD BLOCK timeouts and wake-ups from another connection, XINFO on missing, empty and
// trimmed streams, and the last entry id.
#include "redis/stream_reader.hpp"
#include "test_redis_server.hpp"

#include <QElapsedTimer>
#include <QTest>

#include <chrono>
#include <thread>

using shop::redis::Connection;
using shop::redis::EntryBatch;
using shop::redis::StreamInfo;
using shop::redis::StreamReader;

namespace {
QString text(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }
QString text(const std::optional<std::string_view>& s) { return s ? text(*s) : QStringLiteral("<none>"); }
QString text(const std::string& s) { return QString::fromStdString(s); }

QStringList ids(const EntryBatch& batch)
{
    QStringList out;
    for (const auto& e : batch.entries)
        out << text(e.id);
    return out;
}
} // namespace

class TestStreamReader : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void rangeStartsAfterTheGivenId();
    void rangeStopsAtUntilId();
    void rangePagesOverMoreThanCount();
    void capturesFieldsAndKeepsTheLastDuplicate();
    void readBlockingTimesOutWithAnEmptyBatch();
    void readBlockingWakesOnAnAppendFromAnotherConnection();
    void readBlockingFromTheStart();
    void readBlockingOutlastsAShortCommandTimeout();
    void infoOnMissingEmptyAndTrimmedStreams();
    void lastEntryId();
    void errorsAreReported();

private:
    void add(const char* stream, const char* id, const char* type = "TopUp", const char* data = "{}");

    TestRedisServer server_;
    Connection c_;
};

void TestStreamReader::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

void TestStreamReader::add(const char* stream, const char* id, const char* type, const char* data)
{
    shop::redis::Reply r = c_.command({"XADD", stream, id, "type", type, "data", data});
    QVERIFY2(r.isString(), r.str().data());
}

void TestStreamReader::rangeStartsAfterTheGivenId()
{
    for (const char* id : {"1-1", "1-2", "1-3", "2-0", "2-1"})
        add("s:range", id);
    StreamReader reader(c_, "s:range");
    EntryBatch batch;
    QVERIFY(reader.range("", 10, batch));
    QCOMPARE(ids(batch), QStringList({"1-1", "1-2", "1-3", "2-0", "2-1"}));
    QVERIFY(reader.range("0-0", 10, batch));
    QCOMPARE(batch.entries.size(), std::size_t(5));
    QVERIFY(reader.range("1-2", 10, batch));
    QCOMPARE(ids(batch), QStringList({"1-3", "2-0", "2-1"}));
    QVERIFY(reader.range("1-2", 2, batch));
    QCOMPARE(ids(batch), QStringList({"1-3", "2-0"}));
    QVERIFY(reader.range("2-1", 10, batch));
    QVERIFY(batch.entries.empty());
    QVERIFY(reader.range("1-5", 10, batch)); // an id between entries
    QCOMPARE(ids(batch), QStringList({"2-0", "2-1"}));
}

void TestStreamReader::rangeStopsAtUntilId()
{
    for (const char* id : {"5-1", "5-2", "5-3", "5-4"})
        add("s:until", id);
    StreamReader reader(c_, "s:until");
    EntryBatch batch;
    QVERIFY(reader.range("5-1", 10, batch, "5-3"));
    QCOMPARE(ids(batch), QStringList({"5-2", "5-3"}));
    QVERIFY(reader.range("", 10, batch, "5-1"));
    QCOMPARE(ids(batch), QStringList({"5-1"}));
    QVERIFY(reader.range("5-3", 10, batch, "5-3")); // nothing after the bound
    QVERIFY(batch.entries.empty());
}

void TestStreamReader::rangePagesOverMoreThanCount()
{
    constexpr int kTotal = 2500;
    std::vector<std::string> payloads;
    for (int i = 0; i < kTotal; ++i)
        payloads.push_back("{\"n\":" + std::to_string(i) + "}");
    for (int i = 0; i < kTotal; ++i)
        QVERIFY(c_.append({"XADD", "s:pages", "*", "type", "TopUp", "data", payloads[static_cast<std::size_t>(i)]}));
    for (int i = 0; i < kTotal; ++i)
        QVERIFY(c_.getReply().isString());

    StreamReader reader(c_, "s:pages");
    EntryBatch batch;
    std::string after;
    std::vector<std::size_t> pageSizes;
    int seen = 0;
    for (;;) {
        QVERIFY2(reader.range(after, 1000, batch), reader.error().c_str());
        if (batch.entries.empty())
            break;
        pageSizes.push_back(batch.entries.size());
        for (const auto& e : batch.entries) {
            QCOMPARE(text(e.data), QString::fromStdString(payloads[static_cast<std::size_t>(seen)]));
            ++seen;
        }
        after = std::string(batch.entries.back().id);
    }
    QCOMPARE(seen, kTotal);
    QCOMPARE(pageSizes, (std::vector<std::size_t>{1000, 1000, 500}));
}

void TestStreamReader::capturesFieldsAndKeepsTheLastDuplicate()
{
    QVERIFY(c_.command({"XADD", "s:fields", "1-1", "type", "TopUp", "data", "{\"a\":1}", "other", "x", "type", "Order"}).isString());
    QVERIFY(c_.command({"XADD", "s:fields", "1-2", "v", "1", "eid", "e-1", "actor", "admin", "data", std::string_view("a\0b", 3)})
                .isString());
    StreamReader reader(c_, "s:fields");
    EntryBatch batch;
    QVERIFY(reader.range("", 10, batch));
    QCOMPARE(batch.entries.size(), std::size_t(2));
    const shop::RawEntry& first = batch.entries[0];
    QCOMPARE(text(first.type), QStringLiteral("Order"));
    QCOMPARE(text(first.data), QStringLiteral("{\"a\":1}"));
    QVERIFY(!first.v && !first.eid && !first.actor);
    const shop::RawEntry& second = batch.entries[1];
    QVERIFY(!second.type);
    QCOMPARE(text(second.v), QStringLiteral("1"));
    QCOMPARE(text(second.eid), QStringLiteral("e-1"));
    QCOMPARE(text(second.actor), QStringLiteral("admin"));
    QCOMPARE(second.data->size(), std::size_t(3)); // binary-safe: the NUL is kept

    // A batch reused for another read starts empty.
    QVERIFY(reader.range("1-2", 10, batch));
    QVERIFY(batch.entries.empty());
}

void TestStreamReader::readBlockingTimesOutWithAnEmptyBatch()
{
    add("s:quiet", "1-1");
    StreamReader reader(c_, "s:quiet");
    EntryBatch batch;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(reader.readBlocking("1-1", 100, 200, batch), reader.error().c_str());
    QVERIFY(batch.entries.empty());
    QVERIFY(timer.elapsed() >= 150);
    QVERIFY(c_.isConnected());

    StreamReader missing(c_, "s:never-written");
    QVERIFY(missing.readBlocking("", 100, 50, batch));
    QVERIFY(batch.entries.empty());
}

void TestStreamReader::readBlockingWakesOnAnAppendFromAnotherConnection()
{
    add("s:follow", "1-1");
    const shop::redis::RedisUrl url = server_.url();
    std::string writerError;
    std::thread writer([url, &writerError] {
        Connection w;
        if (!w.connect(url)) {
            writerError = w.error();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        w.command({"XADD", "s:follow", "2-1", "type", "TopUp", "data", "{\"late\":true}"});
    });
    StreamReader reader(c_, "s:follow");
    EntryBatch batch;
    QElapsedTimer timer;
    timer.start();
    const bool ok = reader.readBlocking("1-1", 100, 5000, batch);
    const qint64 elapsed = timer.elapsed();
    writer.join();
    QVERIFY2(writerError.empty(), writerError.c_str());
    QVERIFY2(ok, reader.error().c_str());
    QCOMPARE(ids(batch), QStringList({"2-1"}));
    QCOMPARE(text(batch.entries[0].data), QStringLiteral("{\"late\":true}"));
    QVERIFY2(elapsed < 3000, qPrintable(QString::number(elapsed)));
}

void TestStreamReader::readBlockingFromTheStart()
{
    for (const char* id : {"1-1", "1-2", "1-3"})
        add("s:start", id);
    StreamReader reader(c_, "s:start");
    EntryBatch batch;
    QVERIFY(reader.readBlocking("", 2, 100, batch));
    QCOMPARE(ids(batch), QStringList({"1-1", "1-2"}));
    QVERIFY(reader.readBlocking("1-2", 10, 100, batch));
    QCOMPARE(ids(batch), QStringList({"1-3"}));
}

void TestStreamReader::readBlockingOutlastsAShortCommandTimeout()
{
    Connection shortTimeout;
    QVERIFY(shortTimeout.connect(server_.url(), shop::redis::ConnectOptions{.connectTimeoutMs = 1000, .commandTimeoutMs = 200}));
    StreamReader reader(shortTimeout, "s:short");
    EntryBatch batch;
    QVERIFY2(reader.readBlocking("", 10, 500, batch), reader.error().c_str());
    QVERIFY(batch.entries.empty());
    QVERIFY(shortTimeout.isConnected());
    QCOMPARE(shortTimeout.commandTimeoutMs(), 200);
}

void TestStreamReader::infoOnMissingEmptyAndTrimmedStreams()
{
    StreamInfo info;
    StreamReader missing(c_, "s:info:missing");
    info.exists = true;
    QVERIFY2(missing.info(info), missing.error().c_str());
    QVERIFY(!info.exists);
    QCOMPARE(info.length, 0);

    // Created empty (as a consumer group does): never written.
    QVERIFY(c_.command({"XGROUP", "CREATE", "s:info:empty", "g", "$", "MKSTREAM"}).isString());
    StreamReader empty(c_, "s:info:empty");
    QVERIFY(empty.info(info));
    QVERIFY(info.exists);
    QCOMPARE(info.length, 0);
    QVERIFY(info.firstId.empty());
    QCOMPARE(info.lastId, std::string("0-0"));
    QCOMPARE(info.entriesAdded, 0);

    // Written then emptied by XDEL: the last id and the deleted id remain.
    add("s:info:deleted", "3-1");
    QCOMPARE(c_.command({"XDEL", "s:info:deleted", "3-1"}).integer(), 1);
    StreamReader deleted(c_, "s:info:deleted");
    QVERIFY(deleted.info(info));
    QVERIFY(info.exists);
    QCOMPARE(info.length, 0);
    QVERIFY(info.firstId.empty());
    QCOMPARE(info.lastId, std::string("3-1"));
    QCOMPARE(info.entriesAdded, 1);
    QCOMPARE(info.maxDeletedId, std::string("3-1"));

    // Trimmed: the first entry moves on, entries-added still counts everything.
    for (int i = 1; i <= 10; ++i)
        add("s:info:trimmed", ("7-" + std::to_string(i)).c_str());
    QCOMPARE(c_.command({"XTRIM", "s:info:trimmed", "MAXLEN", "3"}).integer(), 7);
    StreamReader trimmed(c_, "s:info:trimmed");
    QVERIFY(trimmed.info(info));
    QVERIFY(info.exists);
    QCOMPARE(info.length, 3);
    QCOMPARE(info.firstId, std::string("7-8"));
    QCOMPARE(info.lastId, std::string("7-10"));
    QCOMPARE(info.entriesAdded, 10);
}

void TestStreamReader::lastEntryId()
{
    std::string last = "stale";
    StreamReader reader(c_, "s:last");
    QVERIFY(reader.lastEntryId(last));
    QVERIFY(last.empty());
    add("s:last", "9-1");
    add("s:last", "9-2");
    QVERIFY(reader.lastEntryId(last));
    QCOMPARE(last, std::string("9-2"));
}

void TestStreamReader::errorsAreReported()
{
    QVERIFY(c_.command({"SET", "s:not-a-stream", "x"}).isString());
    StreamReader wrong(c_, "s:not-a-stream");
    EntryBatch batch;
    QVERIFY(!wrong.range("", 10, batch));
    QVERIFY2(text(wrong.error()).contains(QStringLiteral("WRONGTYPE")), wrong.error().c_str());
    StreamInfo info;
    QVERIFY(!wrong.info(info));
    QVERIFY2(text(wrong.error()).contains(QStringLiteral("WRONGTYPE")), wrong.error().c_str());

    Connection closed;
    StreamReader offline(closed, "s:range");
    QVERIFY(!offline.range("", 10, batch));
    QVERIFY(!offline.error().empty());
    QVERIFY(!offline.readBlocking("", 10, 10, batch));
    std::string last;
    QVERIFY(!offline.lastEntryId(last));
}

QTEST_GUILESS_MAIN(TestStreamReader)
#include "test_stream_reader.moc"
