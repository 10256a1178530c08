// StreamReader against a real redis-server: exclusive XRANGE starts, the until bound,
// paging over more than COUNT entries, field capture (last duplicate wins, binary data),
// XREAD BLOCK timeouts and wake-ups from another connection, the stream's facts (on
// missing, empty, deleted-from, trimmed and wrong-type keys) and pages read with them, for
// a user who may run MULTI and scripts, one who may not script and one who may not MULTI
// (each falls back to what it may do), and the last entry id.
#include "redis/stream_reader.hpp"
#include "test_redis_server.hpp"

#include <QElapsedTimer>
#include <QTest>

#include <chrono>
#include <thread>

using shop::redis::Connection;
using shop::redis::EntryBatch;
using shop::redis::StreamPage;
using shop::StreamFacts;
using shop::StreamId;
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
    void factsOnMissingEmptyAndTrimmedStreams_data();
    void factsOnMissingEmptyAndTrimmedStreams();
    void pagesComeWithTheirFacts_data();
    void pagesComeWithTheirFacts();
    void lastEntryId();
    void errorsAreReported();

private:
    void add(const char* stream, const char* id, const char* type = "TopUp", const char* data = "{}");
    void permissionRows();
    // A connection as the user of the current data row ("admin" is the default user).
    bool connectAs(const QString& user, Connection& out);

    TestRedisServer server_;
    Connection c_;
};

void TestStreamReader::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
    // Users who may read everything but not script, or not run transactions.
    QVERIFY(c_.command({"ACL", "SETUSER", "noscript", "on", ">pw", "~*", "+@all", "-@scripting"}).isString());
    QVERIFY(c_.command({"ACL", "SETUSER", "nomulti", "on", ">pw", "~*", "+@all", "-multi", "-exec"}).isString());
}

void TestStreamReader::permissionRows()
{
    QTest::addColumn<QString>("user");
    QTest::newRow("MULTI and a script") << QString();
    QTest::newRow("no scripting: XINFO") << QStringLiteral("noscript");
    QTest::newRow("no MULTI: not atomic") << QStringLiteral("nomulti");
}

bool TestStreamReader::connectAs(const QString& user, Connection& out)
{
    shop::redis::RedisUrl url = server_.url();
    if (!user.isEmpty()) {
        url.user = user.toStdString();
        url.password = "pw";
    }
    return out.connect(url);
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

void TestStreamReader::factsOnMissingEmptyAndTrimmedStreams_data() { permissionRows(); }

void TestStreamReader::factsOnMissingEmptyAndTrimmedStreams()
{
    QFETCH(QString, user);
    Connection c;
    QVERIFY2(connectAs(user, c), c.error().c_str());
    const std::string prefix = "s:facts:" + user.toStdString() + ":";
    StreamFacts facts;
    StreamReader missing(c, prefix + "missing");
    facts.exists = true;
    QVERIFY2(missing.facts(facts), missing.error().c_str());
    QVERIFY(!facts.exists);
    QCOMPARE(facts.length, 0);
    QCOMPARE(missing.factsFromScript(), user != QLatin1String("noscript"));

    // Created empty (as a consumer group does): never written.
    QVERIFY(c_.command({"XGROUP", "CREATE", prefix + "empty", "g", "$", "MKSTREAM"}).isString());
    StreamReader empty(c, prefix + "empty");
    QVERIFY(empty.facts(facts));
    QVERIFY(facts.isStream());
    QCOMPARE(facts.length, 0);
    QVERIFY(!facts.firstId);
    QCOMPARE(facts.lastGeneratedId, StreamId{});
    QCOMPARE(facts.entriesAdded, 0);
    QVERIFY(!facts.maxDeletedId);

    // Written then emptied by XDEL: the last id and the deleted id remain.
    add((prefix + "deleted").c_str(), "3-1");
    QCOMPARE(c_.command({"XDEL", prefix + "deleted", "3-1"}).integer(), 1);
    StreamReader deleted(c, prefix + "deleted");
    QVERIFY(deleted.facts(facts));
    QVERIFY(facts.isStream());
    QCOMPARE(facts.length, 0);
    QVERIFY(!facts.firstId);
    QCOMPARE(facts.lastGeneratedId, (StreamId{3, 1}));
    QCOMPARE(facts.entriesAdded, 1);
    QCOMPARE(facts.maxDeletedId, std::optional<StreamId>(StreamId{3, 1}));

    // Trimmed: the first entry moves on, entries-added still counts everything, and XTRIM
    // leaves max-deleted-entry-id alone.
    for (int i = 1; i <= 10; ++i)
        add((prefix + "trimmed").c_str(), ("7-" + std::to_string(i)).c_str());
    QCOMPARE(c_.command({"XTRIM", prefix + "trimmed", "MAXLEN", "3"}).integer(), 7);
    StreamReader trimmed(c, prefix + "trimmed");
    QVERIFY(trimmed.facts(facts));
    QVERIFY(facts.isStream());
    QCOMPARE(facts.length, 3);
    QCOMPARE(facts.firstId, std::optional<StreamId>(StreamId{7, 8}));
    QCOMPARE(facts.lastGeneratedId, (StreamId{7, 10}));
    QCOMPARE(facts.entriesAdded, 10);
    QVERIFY(!facts.maxDeletedId);
    // Deleting the first entry moves the first id on too.
    QCOMPARE(c_.command({"XDEL", prefix + "trimmed", "7-8"}).integer(), 1);
    QVERIFY(trimmed.facts(facts));
    QCOMPARE(facts.firstId, std::optional<StreamId>(StreamId{7, 9}));
    QCOMPARE(facts.maxDeletedId, std::optional<StreamId>(StreamId{7, 8}));

    // Another type under the key: it exists, and is not a stream.
    QVERIFY(c_.command({"SET", prefix + "string", "x"}).isString());
    StreamReader wrong(c, prefix + "string");
    QVERIFY2(wrong.facts(facts), wrong.error().c_str());
    QVERIFY(facts.exists);
    QVERIFY(!facts.isStream());
    if (user != QLatin1String("noscript"))
        QCOMPARE(facts.otherType, std::string("string"));
}

void TestStreamReader::pagesComeWithTheirFacts_data() { permissionRows(); }

void TestStreamReader::pagesComeWithTheirFacts()
{
    QFETCH(QString, user);
    Connection c;
    QVERIFY2(connectAs(user, c), c.error().c_str());
    const std::string stream = "s:pages:" + user.toStdString();
    for (int i = 1; i <= 7; ++i)
        add(stream.c_str(), ("4-" + std::to_string(i)).c_str());
    StreamReader reader(c, stream);
    StreamPage page;
    // Two pages asked for one after the other, as the loader does (the next before this one
    // is used), then a page past the end.
    QVERIFY2(reader.requestPage("", 3), reader.error().c_str());
    QVERIFY2(reader.receivePage(page), reader.error().c_str());
    QCOMPARE(ids(page.batch), QStringList({"4-1", "4-2", "4-3"}));
    QVERIFY(!page.complete);
    QCOMPARE(page.atomic, user != QLatin1String("nomulti"));
    QCOMPARE(page.facts.length, 7);
    QCOMPARE(page.facts.entriesAdded, 7);
    QCOMPARE(page.facts.lastGeneratedId, (StreamId{4, 7}));
    QVERIFY(page.bytes() > 0);
    QVERIFY(reader.requestPage("4-3", 10));
    QVERIFY(!reader.requestPage("4-3", 10)); // one page ahead at most
    QVERIFY(reader.receivePage(page));
    QCOMPARE(ids(page.batch), QStringList({"4-4", "4-5", "4-6", "4-7"}));
    QVERIFY(page.complete);
    QVERIFY(reader.requestPage("4-7", 10));
    QVERIFY(reader.receivePage(page));
    QVERIFY(page.batch.entries.empty());
    QVERIFY(page.complete);
    // The until bound, and the facts of the moment: an entry added meanwhile shows.
    add(stream.c_str(), "4-8");
    QVERIFY(reader.requestPage("4-1", 10, "4-2"));
    QVERIFY(reader.receivePage(page));
    QCOMPARE(ids(page.batch), QStringList({"4-2"}));
    QCOMPARE(page.facts.entriesAdded, 8);
    QCOMPARE(reader.atomicPages(), user != QLatin1String("nomulti"));
    QCOMPARE(reader.factsFromScript(), user != QLatin1String("noscript"));

    // A missing key is an empty page whose facts say so; a key of another type too.
    StreamReader missing(c, stream + ":missing");
    QVERIFY(missing.requestPage("", 10));
    QVERIFY2(missing.receivePage(page), missing.error().c_str());
    QVERIFY(page.batch.entries.empty());
    QVERIFY(!page.facts.exists);
    QVERIFY(c_.command({"SET", stream + ":string", "x"}).isString());
    StreamReader wrong(c, stream + ":string");
    QVERIFY(wrong.requestPage("", 10));
    QVERIFY2(wrong.receivePage(page), wrong.error().c_str());
    QVERIFY(page.batch.entries.empty());
    QVERIFY(page.facts.exists && !page.facts.isStream());
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
