// EntrySearch against a private redis-server: the entries whose data (the original demo's
// MessagePack as the JSON the details pane shows), eid or actor contain a text, ASCII letters
// in either case, up to a given id and no further; nothing else matches; a cancelled search
// reports nothing; and it writes nothing.
#include "engine/entry_search.hpp"

#include "core/legacy_encoder.hpp"
#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QSignalSpy>
#include <QTest>

using namespace shop;
using shop::engine::EntrySearch;
using shop::engine::EntrySearchResult;

namespace {
const std::string kStream = "search:events";
}

class TestEntrySearch : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void containsTextIgnoresTheCaseOfLetters();
    void findsTheEntriesThatContainTheText();
    void stopsAtTheIdItWasGiven();
    void aCancelledSearchSaysNothing();

private:
    std::string append(const std::string& type, const std::string& json, const std::string& actor = "test:search",
                       bool legacy = false);
    QStringList search(const QString& text, const QString& until, qint64* read = nullptr);

    TestRedisServer server_;
    std::vector<std::string> ids_;
};

std::string TestEntrySearch::append(const std::string& type, const std::string& json, const std::string& actor, bool legacy)
{
    redis::Connection c;
    if (!c.connect(server_.url()))
        return {};
    redis::StreamWriter writer(c, kStream);
    redis::AppendRequest request;
    request.type = type;
    request.data = json;
    request.actor = actor;
    if (legacy) {
        LegacyEntry entry;
        std::string why;
        if (legacyFromNative(type, json, entry, why) != LegacyRefusal::None)
            return {};
        request.type = entry.type;
        request.data = entry.data;
        request.legacy = true;
    }
    const redis::AppendResult result = writer.append(request);
    ids_.push_back(result.id);
    return result.id;
}

QStringList TestEntrySearch::search(const QString& text, const QString& until, qint64* read)
{
    EntrySearch job(server_.url(), kStream);
    QSignalSpy finished(&job, &EntrySearch::finished);
    job.cancel(1);
    job.search(text, until, 1); // on this thread: the signals come before it returns
    if (finished.size() != 1)
        return {QStringLiteral("(no answer)")};
    const auto result = finished.at(0).at(0).value<EntrySearchResult>();
    if (!finished.at(0).at(1).toString().isEmpty())
        return {QStringLiteral("(error) ") + finished.at(0).at(1).toString()};
    if (read)
        *read = result.read;
    QStringList out;
    for (const StreamId& id : result.ids)
        out << QString::fromStdString(id.toString());
    return out;
}

void TestEntrySearch::initTestCase()
{
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY(!append("RegisterUser", R"({"userId":1,"name":"Grace Hopper"})").empty());                 // 0
    QVERIFY(!append("AddItem", R"({"itemId":"mug","name":"Mug","price":1250,"count":3})").empty());    // 1
    QVERIFY(!append("TopUp", R"({"userId":1,"amount":50000})", "test:search", true).empty());          // 2: legacy, Amount 500
    QVERIFY(!append("AddItem", R"({"itemId":"item-0003","count":4})", "test:search", true).empty());   // 3: legacy
    QVERIFY(!append("TopUp", R"({"userId":1,"amount":700})", "admin:ada").empty());                    // 4
    QVERIFY(!append("Order", R"({"userId":1,"lines":[{"itemId":"mug","qty":1}]})").empty());           // 5
}

void TestEntrySearch::containsTextIgnoresTheCaseOfLetters()
{
    using shop::engine::containsText;
    QVERIFY(containsText("Grace Hopper", "grace"));
    QVERIFY(containsText("Grace Hopper", "HOPPER"));
    QVERIFY(containsText("anything", ""));
    QVERIFY(!containsText("Grace", "Graces"));
    QVERIFY(!containsText("", "a"));
    QVERIFY(containsText("Ünïcode", "Ünï"));
    QVERIFY(!containsText("Ünïcode", "ünï")); // only A-Z fold
}

void TestEntrySearch::findsTheEntriesThatContainTheText()
{
    const QString until = QString::fromStdString(ids_.back());
    const auto id = [this](std::size_t i) { return QString::fromStdString(ids_[i]); };
    qint64 read = 0;
    QCOMPARE(search(QStringLiteral("grace hopper"), until, &read), QStringList{id(0)});
    QCOMPARE(read, qint64(ids_.size()));
    // "mug" is in the AddItem and in the order's line.
    QCOMPARE(search(QStringLiteral("MUG"), until), (QStringList{id(1), id(5)}));
    // The original demo's entries as the pane shows them: MessagePack decoded to JSON.
    QCOMPARE(search(QStringLiteral("\"Amount\":500"), until), QStringList{id(2)});
    QCOMPARE(search(QStringLiteral("item-0003"), until), QStringList{id(3)});
    // The actor and the eid.
    QCOMPARE(search(QStringLiteral("admin:ada"), until), QStringList{id(4)});
    redis::Connection c;
    QVERIFY(c.connect(server_.url()));
    const redis::Reply entry = c.command({"XRANGE", kStream, ids_[5], ids_[5]});
    QVERIFY(entry && !entry.isError() && entry.size() == 1);
    std::string eid;
    const redis::ReplyView fields = redis::ReplyView(entry.raw())[0][1];
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
        if (fields[i].str() == "eid")
            eid = std::string(fields[i + 1].str());
    QVERIFY(!eid.empty());
    QCOMPARE(search(QString::fromStdString(eid.substr(0, 13)), until), QStringList{id(5)});
    QCOMPARE(search(QStringLiteral("nowhere at all"), until), QStringList{});
    // Nothing written: the stream is as it was, and no other key appeared.
    const redis::Reply len = c.command({"XLEN", kStream});
    QCOMPARE(len.integer(), qint64(ids_.size()));
}

void TestEntrySearch::stopsAtTheIdItWasGiven()
{
    qint64 read = 0;
    QCOMPARE(search(QStringLiteral("mug"), QString::fromStdString(ids_[4]), &read),
             QStringList{QString::fromStdString(ids_[1])});
    QCOMPARE(read, qint64(5));
}

void TestEntrySearch::aCancelledSearchSaysNothing()
{
    EntrySearch job(server_.url(), kStream);
    QSignalSpy finished(&job, &EntrySearch::finished);
    job.cancel(2); // a newer search was asked for
    job.search(QStringLiteral("mug"), QString::fromStdString(ids_.back()), 1);
    QCOMPARE(finished.size(), 0);
}

QTEST_GUILESS_MAIN(TestEntrySearch)
#include "test_entry_search.moc"
