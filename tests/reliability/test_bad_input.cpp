// Hostile entries end to end: XADDed raw (binary-safe, through redis::Connection) between
// valid ones — oversized data, deep nesting, invalid UTF-8, numbers beyond int64, binary
// garbage in the native and the legacy format, NUL bytes, a missing or foreign version.
// Each gets its own verdict (`events --json`), `state --json` counts every entry (total ==
// XLEN, byReason as expected) and the valid entries after them still apply; the headless
// consumer goes through them and its snapshot gives the same state as from scratch.
#include "reliability_support.hpp"
#include "test_redis_server.hpp"

#include "engine/command_writer.hpp"
#include "engine/engine_types.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <map>
#include <optional>

using namespace reliability;
using shop::redis::Connection;

namespace {

struct Hostile {
    const char* what;
    std::optional<std::string> type;
    std::optional<std::string> data;
    std::optional<std::string> v;
    const char* verdict; // "applied" or the reason
};

std::string pad(std::string head, std::size_t total)
{
    // {"userId":1,"amount":5,"pad":"xxx…"} of exactly `total` bytes.
    head += ",\"pad\":\"";
    const std::size_t fill = total - head.size() - 2;
    return head + std::string(fill, 'x') + "\"}";
}

std::vector<Hostile> hostileEntries()
{
    std::string garbage;
    for (int i = 0; i < 3000; ++i)
        garbage.push_back(char((i * 131 + 7) % 256));
    const std::string nested = std::string(30000, '[') + std::string(30000, ']');
    const std::string nestedObjects = [] {
        std::string s;
        for (int i = 0; i < 10000; ++i)
            s += "{\"a\":";
        s += "1";
        s += std::string(10000, '}');
        return s;
    }();
    return {
        {"valid register", "RegisterUser", R"({"userId":1,"name":"ann"})", "1", "applied"},
        {"oversized data (70 000 bytes)", "TopUp", pad(R"({"userId":1,"amount":5)", 70000), "1", "too_large"},
        {"exactly 64 KiB", "TopUp", pad(R"({"userId":1,"amount":5)", 65536), "1", "applied"},
        {"oversized legacy garbage", "TopUp", std::string(70000, '\xc1'), std::nullopt, "too_large"},
        {"deep array nesting in an ignored field", "TopUp", R"({"userId":1,"amount":5,"x":)" + nested + "}", "1", "applied"},
        {"deep object nesting in an ignored field", "TopUp", R"({"userId":1,"amount":5,"x":)" + nestedObjects + "}", "1", "applied"},
        {"deep nesting as the name", "RegisterUser", R"({"userId":2,"name":)" + nested + "}", "1", "invalid"},
        {"unbalanced deep nesting", "TopUp", R"({"userId":1,"amount":5,"x":)" + std::string(60000, '[') + "}", "1", "malformed"},
        {"deep legacy MessagePack nesting", "TopUp", std::string(60000, '\x91'), std::nullopt, "malformed"},
        // Regression: `events` and the GUI's entry details decoded legacy data with the
        // recursive from_msgpack and overflowed the stack (found by the ASan build).
        {"oversized deep legacy nesting (1 MB)", "TopUp", std::string(1000000, '\x91'), std::nullopt, "too_large"},
        {"invalid UTF-8 in a name", "RegisterUser", "{\"userId\":2,\"name\":\"\xff\xfe\xc0\xaf\"}", "1", "malformed"},
        {"UTF-8 surrogate bytes in a name", "RegisterUser", "{\"userId\":2,\"name\":\"\xed\xa0\x80\"}", "1", "malformed"},
        {"raw NUL byte in a string", "RegisterUser", std::string("{\"userId\":2,\"name\":\"a\0b\"}", 25), "1", "malformed"},
        {"escaped NUL in a name", "RegisterUser", R"({"userId":4,"name":"a\u0000b"})", "1", "applied"},
        {"lone surrogate escape in a name", "RegisterUser", R"({"userId":5,"name":"x\ud800"})", "1", "applied"},
        {"userId beyond int64", "TopUp", R"({"userId":99999999999999999999,"amount":5})", "1", "invalid"},
        {"amount beyond double", "TopUp", R"({"userId":1,"amount":1e400})", "1", "invalid"},
        {"400-digit amount", "TopUp", R"({"userId":1,"amount":)" + std::string(400, '9') + "}", "1", "invalid"},
        {"int64 max amount", "TopUp", R"({"userId":1,"amount":9223372036854775807})", "1", "invalid"},
        {"negative zero userId", "TopUp", R"({"userId":-0,"amount":5})", "1", "invalid"},
        {"binary garbage, native", "TopUp", "{" + garbage, "1", "malformed"},
        {"binary garbage, legacy", "TopUp", garbage, std::nullopt, "malformed"},
        {"binary garbage as the type", std::string("\x00\xff\x13type", 7), R"({"userId":1,"amount":5})", "1", "unknown_type"},
        {"no type at all", std::nullopt, R"({"userId":1,"amount":5})", "1", "unknown_type"},
        {"no data", "TopUp", std::nullopt, "1", "malformed"},
        {"empty data", "TopUp", "", "1", "malformed"},
        {"data not an object", "TopUp", "[1,2]", "1", "malformed"},
        {"version 2", "TopUp", R"({"userId":1,"amount":5})", "2", "unsupported_version"},
        {"binary version", "TopUp", R"({"userId":1,"amount":5})", std::string("\x01\x00", 2), "unsupported_version"},
        {"valid top-up after all that", "TopUp", R"({"userId":1,"amount":500})", "1", "applied"},
        {"valid register after all that", "RegisterUser", R"({"userId":6,"name":"last"})", "1", "applied"},
    };
}

} // namespace

class TestBadInput : public QObject {
    Q_OBJECT

private slots:
    void everyHostileEntryGetsItsVerdict();
};

void TestBadInput::everyHostileEntryGetsItsVerdict()
{
    TestRedisServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    Connection c;
    QVERIFY2(c.connect(server.url()), c.error().c_str());
    const std::string stream = "rel:hostile";
    const std::vector<Hostile> entries = hostileEntries();
    std::vector<std::string> ids;
    for (const Hostile& h : entries) {
        std::vector<std::string_view> args{"XADD", stream, "*"};
        if (h.type)
            args.insert(args.end(), {"type", *h.type});
        if (h.data)
            args.insert(args.end(), {"data", *h.data});
        if (h.v)
            args.insert(args.end(), {"v", *h.v});
        if (!h.type && !h.data && !h.v)
            args.insert(args.end(), {"other", "x"});
        const shop::redis::Reply r = c.command(args);
        QVERIFY2(r && r.isString(), h.what);
        ids.emplace_back(r.str());
    }
    const QStringList base{QStringLiteral("--redis"), server.urlText(), QStringLiteral("--stream"), QString::fromStdString(stream)};

    // One verdict per entry, the expected one.
    const CliResult events = runCli(QStringList(base) << QStringLiteral("events") << QStringLiteral("--json") << QStringLiteral("--count")
                                                      << QStringLiteral("0"));
    QVERIFY2(events.ok(), qPrintable(events.describe()));
    const QJsonArray list = QJsonDocument::fromJson(events.out).array();
    QCOMPARE(list.size(), qsizetype(entries.size()));
    std::map<QString, qint64> expectedByReason;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const QJsonObject row = list[qsizetype(i)].toObject();
        QCOMPARE(row.value(QStringLiteral("id")).toString(), QString::fromStdString(ids[i]));
        const QString verdict = row.value(QStringLiteral("verdict")).toString() == QLatin1String("applied")
                                    ? QStringLiteral("applied")
                                    : row.value(QStringLiteral("reason")).toString();
        QVERIFY2(verdict == QLatin1String(entries[i].verdict),
                 qPrintable(QStringLiteral("%1: %2, expected %3").arg(QLatin1String(entries[i].what), verdict,
                                                                      QLatin1String(entries[i].verdict))));
        ++expectedByReason[QLatin1String(entries[i].verdict)];
    }

    // state --json counts every entry; the valid ones after the garbage applied.
    const CliResult scratch = runCli(QStringList(base) << QStringLiteral("state") << QStringLiteral("--json") << QStringLiteral("--from-scratch"));
    QVERIFY2(scratch.ok(), qPrintable(scratch.describe()));
    const QJsonObject state = QJsonDocument::fromJson(scratch.out).object();
    const QJsonObject counts = state.value(QStringLiteral("events")).toObject();
    QCOMPARE(counts.value(QStringLiteral("total")).toInteger(), xlen(c, stream));
    QCOMPARE(counts.value(QStringLiteral("applied")).toInteger(), expectedByReason[QStringLiteral("applied")]);
    const QJsonObject byReason = counts.value(QStringLiteral("byReason")).toObject();
    for (const auto& [reason, n] : expectedByReason) {
        if (reason != QLatin1String("applied"))
            QCOMPARE(byReason.value(reason).toInteger(), n);
    }
    QCOMPARE(state.value(QStringLiteral("lastEventId")).toString(), QString::fromStdString(ids.back()));
    std::map<qint64, QJsonObject> users;
    for (const QJsonValue& u : state.value(QStringLiteral("users")).toArray())
        users[u.toObject().value(QStringLiteral("id")).toInteger()] = u.toObject();
    QCOMPARE(users.size(), std::size_t(4)); // 1, 4, 5, 6
    QCOMPARE(users[1].value(QStringLiteral("balance")).toInteger(), qint64(5 + 5 + 5 + 500));
    QCOMPARE(users[6].value(QStringLiteral("name")).toString(), QStringLiteral("last"));
    QCOMPARE(users[5].value(QStringLiteral("name")).toString(), QStringLiteral("x\uFFFD"));

    // The consumer goes through all of it; its snapshot plus nothing equals from scratch.
    const CliResult consume = runCli(QStringList(base) << QStringLiteral("consume") << QStringLiteral("--until-caught-up"));
    QVERIFY2(consume.ok(), qPrintable(consume.describe()));
    QVERIFY2(consume.out.contains(QByteArray("caught up: ") + QByteArray::number(qint64(entries.size())) + " events"),
             qPrintable(consume.describe()));
    const CliResult fromSnapshot = runCli(QStringList(base) << QStringLiteral("state") << QStringLiteral("--json"));
    QVERIFY2(fromSnapshot.ok() && fromSnapshot.err.isEmpty(), qPrintable(fromSnapshot.describe()));
    QVERIFY(fromSnapshot.out == scratch.out);
    const CliResult verify = runCli(QStringList(base) << QStringLiteral("snapshot") << QStringLiteral("verify"));
    QVERIFY2(verify.ok(), qPrintable(verify.describe()));

    // The GUI's entry details (CommandWriter::loadEntry) of the deepest one: no crash, a note.
    shop::engine::registerEngineMetaTypes();
    shop::engine::CommandWriterThread writer(server.url(), stream);
    QSignalSpy loaded(writer.writer(), &shop::engine::CommandWriter::entryLoaded);
    const auto deepest = std::find_if(entries.begin(), entries.end(),
                                      [](const Hostile& h) { return h.data && h.data->size() == 1000000; });
    QVERIFY(deepest != entries.end());
    const QString deepestId = QString::fromStdString(ids[std::size_t(deepest - entries.begin())]);
    shop::engine::CommandWriter* entryWriter = writer.writer();
    QMetaObject::invokeMethod(entryWriter, [entryWriter, deepestId] { entryWriter->loadEntry(deepestId); },
                              Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 10000);
    const auto fields = loaded.first().at(1).value<shop::engine::EntryFields>();
    QVERIFY2(fields.data.contains(QStringLiteral("do not decode")), qPrintable(fields.data.left(200)));
    qInfo("%zu hostile and valid entries, each with its expected verdict", entries.size());
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "test_bad_input.moc"
