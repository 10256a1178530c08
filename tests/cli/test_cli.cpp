// shopstream-cli end to end: the real executable (SHOPSTREAM_CLI) run with QProcess against a
// private redis-server. Help and usage errors, connection errors, append (idempotent by
// eid, nothing appended on bad data), deterministic produce (native and legacy), the
// `state --json` document of DESIGN section 7, snapshots (state with one equals from scratch,
// --until ignores later ones, list / verify, a corrupted blob detected), events with
// verdicts, the headless consumer (until caught up, and stopped by SIGTERM), and the
// managed local server that nobody leaves running.
#include "redis/connection.hpp"
#include "redis/keys.hpp"
#include "test_redis_server.hpp"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <array>
#include <csignal>
#include <string>
#include <vector>

using shop::redis::Connection;

namespace {

struct CliResult {
    int exitCode = -1;
    bool finished = false;
    QByteArray out;
    QByteArray err;

    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(2000)), QString::fromUtf8(err.left(2000)));
    }
    // Exactly one line on stderr, and it says who is talking.
    bool oneErrorLine() const { return err.count('\n') == 1 && err.endsWith('\n') && err.startsWith("shopstream-cli:"); }
    QString line() const { return QString::fromUtf8(out).trimmed(); }
};

QJsonObject object(const QByteArray& text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    return doc.isObject() ? doc.object() : QJsonObject();
}

QJsonArray array(const QByteArray& text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    return doc.isArray() ? doc.array() : QJsonArray();
}

QSet<QString> keysOf(const QJsonObject& o)
{
    const QStringList keys = o.keys();
    return QSet<QString>(keys.begin(), keys.end());
}

QSet<QString> setOf(std::initializer_list<const char*> names)
{
    QSet<QString> out;
    for (const char* n : names)
        out.insert(QString::fromLatin1(n));
    return out;
}

QJsonObject without(QJsonObject o, std::initializer_list<const char*> keys)
{
    for (const char* k : keys)
        o.remove(QString::fromLatin1(k));
    return o;
}

// Nothing a terminal would act on: no C0 control but the line ends, no DEL, no C1 control,
// and valid UTF-8 throughout.
bool terminalSafe(const QByteArray& text)
{
    if (QString::fromUtf8(text).toUtf8() != text)
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return false;
        if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9f)
            return false;
    }
    return true;
}

// RFC 4180 records: fields split on commas, quoted fields may hold , " CR LF ("" is a quote).
QList<QStringList> csvRecords(const QByteArray& bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record << field;
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text[i + 1] == QLatin1Char('\n')) {
            record << field;
            records << record;
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty())
        records << (record << field);
    return records;
}

QString jsonField(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toInteger());
    return {}; // null or absent
}

// Makes a stream in the original demo's format, or fails the calling test.
#define PRODUCE_LEGACY(stream)                                                                                         \
    do {                                                                                                               \
        produceLegacy(stream);                                                                                         \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)

bool processAlive(qint64 pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void helpExitsZero_data();
    void helpExitsZero();
    void usageErrorsExitTwoWithOneLine_data();
    void usageErrorsExitTwoWithOneLine();
    void malformedRedisUrlIsAUsageError_data();
    void malformedRedisUrlIsAUsageError();
    void connectionRefusedExitsOneWithOneLine_data();
    void connectionRefusedExitsOneWithOneLine();
    void appendPrintsTheEntryId();
    void appendWithTheSameEidTwiceAddsOneEntry();
    void appendRefusesDataThatIsNotAJsonObject_data();
    void appendRefusesDataThatIsNotAJsonObject();
    void produceIsDeterministicForASeed();
    void produceLegacyLeavesItemsUnpriced();
    void stateJsonHasTheDocumentedShape();
    void eventsSayWhyEachWasRejected();
    void stateWithSnapshotEqualsStateFromScratch();
    void stateUntilIsTheStateOfThePrefix();
    void eventsListVerdictsConsistentWithState();
    void snapshotSaveListVerifyAndCorruption();
    void consumeUntilCaughtUpExits();
    void consumeStopsOnSigtermWithASnapshot();
    void readOnlyWritesNothing();
    void managedLocalServerIsSharedAndStopped();
    void textOutputEscapesControlCharacters();
    void invalidUtf8ArgumentIsAUsageError_data();
    void invalidUtf8ArgumentIsAUsageError();
    void snapshotEveryTakesUpToAYear_data();
    void snapshotEveryTakesUpToAYear();
    void longSnapshotIntervalDoesNotWrap();
    void untilWithoutSequenceCoversTheMillisecond();
    void consumePrintsEachWarningOnce();
    void eventsAndStateAsCsv();
    void appendFollowsTheOriginalDemosFormat();
    void appendRefusesWhatTheDemosFormatCannotHold_data();
    void appendRefusesWhatTheDemosFormatCannotHold();
    void appendFormatNativeOnADemoStreamWarns();
    void appendFormatChoices();

private:
    CliResult run(const QStringList& args, int timeoutMs = 60000);       // with --redis and --data-dir
    CliResult runBare(const QStringList& args, int timeoutMs = 60000);   // exactly these arguments
    CliResult runBytes(const QList<QByteArray>& args);                   // arguments as raw bytes
    QStringList globals() const;
    QStringList entryIds(const char* stream);
    QMap<QString, QByteArray> entryFields(const char* stream, const QString& id);
    void produceLegacy(const char* stream);

    QString cli_;
    QTemporaryDir home_; // HOME, XDG_DATA_HOME and --data-dir of every run: never the user's
    QProcessEnvironment env_;
    TestRedisServer server_;
    Connection c_;
};

void TestCli::initTestCase()
{
    cli_ = qEnvironmentVariable("SHOPSTREAM_CLI");
    QVERIFY2(!cli_.isEmpty(), "SHOPSTREAM_CLI must name the shopstream-cli executable");
    QVERIFY2(QFile::exists(cli_), qPrintable(cli_));
    QVERIFY(home_.isValid());
    env_ = QProcessEnvironment::systemEnvironment();
    env_.insert(QStringLiteral("HOME"), home_.path());
    env_.insert(QStringLiteral("XDG_DATA_HOME"), home_.filePath(QStringLiteral("xdg")));
    env_.remove(QStringLiteral("SHOPSTREAM_DATA_DIR"));
    env_.remove(QStringLiteral("SHOPSTREAM_REDIS_PASSWORD"));
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

QStringList TestCli::globals() const
{
    return {QStringLiteral("--redis"), server_.urlText(), QStringLiteral("--data-dir"), home_.filePath(QStringLiteral("data"))};
}

CliResult TestCli::runBare(const QStringList& args, int timeoutMs)
{
    CliResult r;
    QProcess p;
    p.setProcessEnvironment(env_);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(cli_, args);
    if (!p.waitForStarted(10000))
        return r;
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = r.finished && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

CliResult TestCli::run(const QStringList& args, int timeoutMs) { return runBare(globals() + args, timeoutMs); }

// QProcess passes QStrings, which cannot hold bytes that are not UTF-8: a shell's printf
// makes each argument from octal escapes instead.
CliResult TestCli::runBytes(const QList<QByteArray>& args)
{
    QString script = QStringLiteral("exec \"$0\"");
    for (const QString& g : globals())
        script += QStringLiteral(" '%1'").arg(g);
    for (const QByteArray& a : args) {
        QString octal;
        for (char c : a)
            octal += QStringLiteral("\\%1").arg(static_cast<unsigned char>(c), 3, 8, QLatin1Char('0'));
        script += QStringLiteral(" \"$(printf '%1')\"").arg(octal);
    }
    CliResult r;
    QProcess p;
    p.setProcessEnvironment(env_);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, cli_});
    if (!p.waitForStarted(10000))
        return r;
    r.finished = p.waitForFinished(60000);
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.exitCode = r.finished && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

QStringList TestCli::entryIds(const char* stream)
{
    QStringList ids;
    shop::redis::Reply r = c_.command({"XRANGE", stream, "-", "+"});
    shop::redis::ReplyView list(r.raw());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string_view id = list[i][0].str();
        ids << QString::fromUtf8(id.data(), static_cast<qsizetype>(id.size()));
    }
    return ids;
}

// The fields of one entry, as bytes (legacy data is MessagePack).
QMap<QString, QByteArray> TestCli::entryFields(const char* stream, const QString& id)
{
    QMap<QString, QByteArray> out;
    const std::string key = id.toStdString();
    shop::redis::Reply r = c_.command({"XRANGE", stream, key, key});
    const shop::redis::ReplyView fields = shop::redis::ReplyView(r.raw())[0][1];
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string_view name = fields[i].str();
        const std::string_view value = fields[i + 1].str();
        out.insert(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())),
                   QByteArray(value.data(), static_cast<qsizetype>(value.size())));
    }
    return out;
}

// A stream as the original demo writes it: users 1 to 5, so user 7 is new to it.
void TestCli::produceLegacy(const char* stream)
{
    const CliResult r = run({"--stream", stream, "produce", "--legacy", "--events", "60", "--users", "5", "--seed", "4"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(c_.command({"XLEN", stream}).integer(), std::int64_t(60));
}

void TestCli::helpExitsZero_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("usage");
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")} << QStringLiteral("Usage: shopstream-cli [");
    QTest::newRow("-h") << QStringList{QStringLiteral("-h")} << QStringLiteral("Usage: shopstream-cli [");
    for (const char* command : {"append", "produce", "state", "consume", "events", "explain", "whatif", "snapshot", "bench"}) {
        const QString c = QString::fromLatin1(command);
        QTest::newRow(qPrintable(c + QStringLiteral(" --help"))) << QStringList{c, QStringLiteral("--help")}
                                                                << QStringLiteral("Usage: shopstream-cli ") + c;
    }
}

void TestCli::helpExitsZero()
{
    QFETCH(QStringList, args);
    QFETCH(QString, usage);
    // No --redis: help must not need (or start) a server.
    const CliResult r = runBare(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(QString::fromUtf8(r.out).startsWith(usage), qPrintable(r.describe()));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.describe()));
    // Wrapped to fit a terminal of 100 columns.
    for (const QString& line : QString::fromUtf8(r.out).split(QLatin1Char('\n')))
        QVERIFY2(line.size() <= 100, qPrintable(QStringLiteral("%1 columns: %2").arg(line.size()).arg(line)));
}

void TestCli::usageErrorsExitTwoWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    auto row = [](const char* name, QStringList args) { QTest::newRow(name) << args; };
    row("unknown command", {"frobnicate"});
    row("no command", {});
    row("unknown global option", {"--frob", "state"});
    row("unknown command option", {"state", "--frob"});
    row("flag given a value", {"state", "--json=yes"});
    row("option without its value", {"state", "--until"});
    row("--until not an id", {"state", "--until", "yesterday"});
    row("state with an argument", {"state", "extra"});
    row("produce without --events", {"produce"});
    row("produce --events 0", {"produce", "--events", "0"});
    row("produce --events abc", {"produce", "--events", "abc"});
    row("produce --events -5", {"produce", "--events", "-5"});
    row("produce --seed -1", {"produce", "--events", "5", "--seed", "-1"});
    row("produce --rate 0", {"produce", "--events", "5", "--rate", "0"});
    row("events --count -1", {"events", "--count", "-1"});
    row("events --from not an id", {"events", "--from", "x-1"});
    row("consume --snapshot-every x", {"consume", "--snapshot-every", "x"});
    row("append one argument", {"append", "TopUp"});
    row("append unknown type", {"append", "Refund", R"({"userId":1})"});
    row("append --format unknown", {"append", "--format", "xml", "TopUp", R"({"userId":1,"amount":100})"});
    row("append --format legacy RegisterUser", {"append", "--format", "legacy", "RegisterUser", R"({"userId":1,"name":"A"})"});
    row("append --format legacy 15.50", {"append", "--format", "legacy", "TopUp", R"({"userId":1,"amount":1550})"});
    row("snapshot without action", {"snapshot"});
    row("snapshot unknown action", {"snapshot", "restore"});
    row("empty --stream", {"--stream", "", "state"});
    row("append --read-only", {"--read-only", "append", "TopUp", R"({"userId":1,"amount":100})"});
    row("produce --read-only", {"produce", "--read-only", "--events", "5"});
    row("snapshot save --read-only", {"--read-only", "snapshot", "save"});
    row("consume --read-only --snapshot-every 5", {"--read-only", "consume", "--snapshot-every", "5"});
}

void TestCli::usageErrorsExitTwoWithOneLine()
{
    QFETCH(QStringList, args);
    const qint64 before = c_.command({"DBSIZE"}).integer();
    const CliResult r = run(args);
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    if (args.isEmpty()) {
        // No command at all: the usage text, on stderr.
        QVERIFY2(r.err.startsWith("Usage: shopstream-cli"), qPrintable(r.describe()));
    } else {
        QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    }
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
    QCOMPARE(c_.command({"DBSIZE"}).integer(), before); // nothing written
}

void TestCli::malformedRedisUrlIsAUsageError_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("wrong scheme") << QStringLiteral("http://127.0.0.1:6379");
    QTest::newRow("port out of range") << QStringLiteral("redis://127.0.0.1:99999");
    QTest::newRow("trailing space") << QStringLiteral("redis://127.0.0.1:1 ");
    QTest::newRow("leading newline") << QStringLiteral("\nredis://127.0.0.1:1");
}

void TestCli::malformedRedisUrlIsAUsageError()
{
    // A --redis value that does not parse is a bad command line, like any other bad value
    // ("2 on a usage error"): nothing was tried at run time.
    QFETCH(QString, url);
    const CliResult r = runBare({QStringLiteral("--redis"), url, QStringLiteral("state")});
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
}

void TestCli::connectionRefusedExitsOneWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("state") << QStringList{QStringLiteral("state")};
    QTest::newRow("append") << QStringList{QStringLiteral("append"), QStringLiteral("TopUp"),
                                           QStringLiteral(R"({"userId":1,"amount":500})")};
    QTest::newRow("events") << QStringList{QStringLiteral("events")};
    QTest::newRow("snapshot list") << QStringList{QStringLiteral("snapshot"), QStringLiteral("list")};
}

void TestCli::connectionRefusedExitsOneWithOneLine()
{
    QFETCH(QStringList, args);
    QElapsedTimer clock;
    clock.start();
    const CliResult r = runBare(QStringList{QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1")} + args, 20000);
    QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("127.0.0.1:1"), qPrintable(r.describe())); // says where it tried
    QVERIFY2(clock.elapsed() < 15000, "a refused connection fails at once, it does not wait for a server");
}

void TestCli::appendPrintsTheEntryId()
{
    const CliResult r = run({"--stream", "c:append", "append", "TopUp", R"({"userId":1,"amount":500})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    static const QRegularExpression idPattern(QStringLiteral("^\\d+-\\d+$"));
    QVERIFY2(r.out.endsWith('\n') && r.out.count('\n') == 1, qPrintable(r.describe()));
    QVERIFY2(idPattern.match(r.line()).hasMatch(), qPrintable(r.describe()));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.describe()));
    QCOMPARE(entryIds("c:append"), QStringList{r.line()});

    const CliResult state = run({"--stream", "c:append", "state", "--json"});
    QVERIFY2(state.exitCode == 0, qPrintable(state.describe()));
    const QJsonArray users = object(state.out).value(QStringLiteral("users")).toArray();
    QCOMPARE(users.size(), 1);
    QCOMPARE(users[0].toObject().value(QStringLiteral("balance")).toInteger(), qint64(500));
}

void TestCli::appendWithTheSameEidTwiceAddsOneEntry()
{
    const QStringList args = {"--stream", "c:eid", "append", "--eid", "0b6c8f1e-3c1d-4d5a-9e2f-4a7b8c9d0e1f",
                              "TopUp",    R"({"userId":3,"amount":250})"};
    const CliResult first = run(args);
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
    const CliResult second = run(args);
    QVERIFY2(second.exitCode == 0, qPrintable(second.describe()));
    QVERIFY(!first.line().isEmpty());
    QCOMPARE(second.line(), first.line());
    QCOMPARE(c_.command({"XLEN", "c:eid"}).integer(), std::int64_t(1));

    const CliResult events = run({"--stream", "c:eid", "events", "--json"});
    QVERIFY2(events.exitCode == 0, qPrintable(events.describe()));
    const QJsonArray rows = array(events.out);
    QCOMPARE(rows.size(), 1);
    const QJsonObject row = rows[0].toObject();
    QCOMPARE(row.value(QStringLiteral("id")).toString(), first.line());
    QCOMPARE(row.value(QStringLiteral("eid")).toString(), QStringLiteral("0b6c8f1e-3c1d-4d5a-9e2f-4a7b8c9d0e1f"));
    QCOMPARE(row.value(QStringLiteral("verdict")).toString(), QStringLiteral("applied"));
    QVERIFY(row.value(QStringLiteral("reason")).isNull());
    QCOMPARE(row.value(QStringLiteral("type")).toString(), QStringLiteral("TopUp"));
}

void TestCli::appendRefusesDataThatIsNotAJsonObject_data()
{
    QTest::addColumn<QString>("data");
    QTest::newRow("not JSON") << QStringLiteral("userId=1 amount=500");
    QTest::newRow("truncated JSON") << QStringLiteral(R"({"userId":1,"amount":)");
    QTest::newRow("JSON array") << QStringLiteral("[1,2,3]");
    QTest::newRow("JSON number") << QStringLiteral("42");
    QTest::newRow("empty") << QString();
}

void TestCli::appendRefusesDataThatIsNotAJsonObject()
{
    QFETCH(QString, data);
    const CliResult r = run({QStringLiteral("--stream"), QStringLiteral("c:bad"), QStringLiteral("append"),
                             QStringLiteral("TopUp"), data});
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
    QCOMPARE(c_.command({"EXISTS", "c:bad"}).integer(), std::int64_t(0));
}

void TestCli::produceIsDeterministicForASeed()
{
    for (const char* stream : {"c:seed5a", "c:seed5b"}) {
        const CliResult r = run({"--stream", stream, "produce", "--events", "2000", "--seed", "5"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(c_.command({"XLEN", stream}).integer(), std::int64_t(2000));
    }
    QVERIFY2(run({"--stream", "c:seed6", "produce", "--events", "2000", "--seed", "6"}).exitCode == 0, "produce seed 6");

    auto state = [&](const char* stream) {
        const CliResult r = run({"--stream", stream, "state", "--json", "--from-scratch"});
        return r.exitCode == 0 ? object(r.out) : QJsonObject();
    };
    const QJsonObject a = state("c:seed5a");
    const QJsonObject b = state("c:seed5b");
    const QJsonObject c = state("c:seed6");
    QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
    QCOMPARE(a.value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(), qint64(2000));
    // Mixed traffic: applied and rejected for several reasons.
    const QJsonObject events = a.value(QStringLiteral("events")).toObject();
    QVERIFY(events.value(QStringLiteral("applied")).toInteger() > 0);
    QVERIFY(events.value(QStringLiteral("rejected")).toInteger() > 0);
    QVERIFY(events.value(QStringLiteral("byReason")).toObject().size() >= 3);
    // Same seed, same shop (the entry ids differ: they are times).
    QVERIFY(without(a, {"stream", "lastEventId"}) == without(b, {"stream", "lastEventId"}));
    QVERIFY(without(a, {"stream", "lastEventId"}) != without(c, {"stream", "lastEventId"}));
}

void TestCli::produceLegacyLeavesItemsUnpriced()
{
    const CliResult produced = run({"--stream", "c:legacy", "produce", "--legacy", "--events", "600", "--seed", "3"});
    QVERIFY2(produced.exitCode == 0, qPrintable(produced.describe()));
    // Only type and data, as the original demo wrote them.
    shop::redis::Reply first = c_.command({"XRANGE", "c:legacy", "-", "+", "COUNT", "1"});
    QCOMPARE(shop::redis::ReplyView(first.raw())[0][1].size(), std::size_t(4));

    const CliResult r = run({"--stream", "c:legacy", "state", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject state = object(r.out);
    const QJsonArray items = state.value(QStringLiteral("items")).toArray();
    QVERIFY(!items.isEmpty());
    for (const auto& item : items) {
        QCOMPARE(item.toObject().value(QStringLiteral("price")).toInteger(), qint64(0));
        QCOMPARE(item.toObject().value(QStringLiteral("sold")).toInteger(), qint64(0));
        QVERIFY(item.toObject().value(QStringLiteral("stock")).toInteger() > 0);
    }
    const QJsonArray users = state.value(QStringLiteral("users")).toArray();
    QVERIFY(!users.isEmpty());
    for (const auto& user : users) {
        QCOMPARE(user.toObject().value(QStringLiteral("orders")).toInteger(), qint64(0));
        // Legacy amounts are whole units: balances are multiples of 100 minor units.
        QCOMPARE(user.toObject().value(QStringLiteral("balance")).toInteger() % 100, qint64(0));
    }
    const QJsonObject events = state.value(QStringLiteral("events")).toObject();
    const QJsonObject byReason = events.value(QStringLiteral("byReason")).toObject();
    QVERIFY2(byReason.value(QStringLiteral("unpriced_item")).toInteger() > 0, qPrintable(QString::fromUtf8(r.out.left(500))));
    QVERIFY2(keysOf(byReason) - setOf({"unpriced_item", "unknown_user"}) == QSet<QString>(),
             qPrintable(QStringList(byReason.keys()).join(QLatin1Char(' '))));

    // Every order rejected for one of those two; every top-up and restock applied.
    const CliResult listed = run({"--stream", "c:legacy", "events", "--count", "0", "--json"});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QJsonArray rows = array(listed.out);
    QCOMPARE(rows.size(), 600);
    int orders = 0;
    for (const auto& v : rows) {
        const QJsonObject row = v.toObject();
        const QString type = row.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("OrderType")) {
            ++orders;
            QCOMPARE(row.value(QStringLiteral("verdict")).toString(), QStringLiteral("rejected"));
            const QString reason = row.value(QStringLiteral("reason")).toString();
            QVERIFY2(reason == QLatin1String("unpriced_item") || reason == QLatin1String("unknown_user"), qPrintable(reason));
        } else {
            QVERIFY2(type == QLatin1String("TopUp") || type == QLatin1String("AddItem"), qPrintable(type));
            QCOMPARE(row.value(QStringLiteral("verdict")).toString(), QStringLiteral("applied"));
        }
    }
    QVERIFY(orders > 0);
}

void TestCli::eventsSayWhyEachWasRejected()
{
    // Each rejection with the values that decided it, in the text, JSON and CSV listings; a
    // name with an escape character in it is escaped in the text.
    const std::string stream = "c:why";
    const std::vector<std::array<std::string, 2>> entries = {
        {"RegisterUser", R"({"userId":7,"name":"Ada"})"},
        {"RegisterUser", "{\"userId\":8,\"name\":\"E\\u001bvil\"}"},
        {"TopUp", R"({"userId":7,"amount":2500})"},
        {"AddItem", R"({"itemId":"cpu","count":3,"price":1500})"},
        {"Order", R"({"userId":7,"lines":[{"itemId":"cpu","qty":2}]})"},
        {"Order", R"({"userId":5555,"lines":[{"itemId":"cpu","qty":0}]})"},
        {"RegisterUser", R"({"userId":8,"name":"again"})"},
    };
    for (const auto& e : entries)
        QVERIFY(!c_.command({"XADD", stream, "*", "type", e[0], "data", e[1]}).isError());

    const QStringList details = {"balance 25.00 < total 30.00", "lines[0].qty is 0; it must be from 1 to 1000000000",
                                 "user 8 exists already (E\x1bvil)"};
    const QStringList reasons = {"insufficient_funds", "invalid", "user_exists"};
    const QString key = QString::fromStdString(stream);
    const QJsonArray rows = array(run({"--stream", key, "events", "--json"}).out);
    QCOMPARE(rows.size(), qsizetype(entries.size()));
    for (int i = 0; i < 4; ++i)
        QVERIFY(rows[i].toObject().value(QStringLiteral("detail")).isNull());
    for (int i = 0; i < 3; ++i) {
        const QJsonObject row = rows[4 + i].toObject();
        QCOMPARE(row.value(QStringLiteral("reason")).toString(), reasons[i]);
        QCOMPARE(row.value(QStringLiteral("detail")).toString(), details[i]);
    }

    const QList<QStringList> records = csvRecords(run({"--stream", key, "events", "--csv"}).out);
    QCOMPARE(records.size(), qsizetype(entries.size() + 1));
    QCOMPARE(records[0][4], QStringLiteral("detail"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(records[5 + i][4], details[i]);

    const CliResult text = run({"--stream", key, "events"});
    QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
    QVERIFY2(text.out.contains("rejected: insufficient_funds (balance 25.00 < total 30.00)"), text.out.constData());
    QVERIFY2(text.out.contains("rejected: invalid (lines[0].qty is 0; it must be from 1 to 1000000000)"), text.out.constData());
    QVERIFY2(text.out.contains("rejected: user_exists (user 8 exists already (E\\x1bvil))"), text.out.constData());
    QVERIFY(!text.out.contains('\x1b'));
}

void TestCli::stateJsonHasTheDocumentedShape()
{
    // An empty stream first: null last id, zero counts, empty lists.
    const CliResult empty = run({"--stream", "c:shape", "state", "--json"});
    QVERIFY2(empty.exitCode == 0, qPrintable(empty.describe()));
    const QJsonObject e = object(empty.out);
    QCOMPARE(keysOf(e), setOf({"stream", "lastEventId", "events", "users", "items"}));
    QCOMPARE(e.value(QStringLiteral("stream")).toString(), QStringLiteral("c:shape"));
    QVERIFY(e.value(QStringLiteral("lastEventId")).isNull());
    const QJsonObject emptyEvents = e.value(QStringLiteral("events")).toObject();
    QCOMPARE(keysOf(emptyEvents), setOf({"total", "applied", "rejected", "byReason"}));
    QCOMPARE(emptyEvents.value(QStringLiteral("total")).toInteger(-1), qint64(0));
    QCOMPARE(emptyEvents.value(QStringLiteral("applied")).toInteger(-1), qint64(0));
    QCOMPARE(emptyEvents.value(QStringLiteral("rejected")).toInteger(-1), qint64(0));
    QVERIFY(emptyEvents.value(QStringLiteral("byReason")).isObject());
    QVERIFY(e.value(QStringLiteral("users")).isArray() && e.value(QStringLiteral("users")).toArray().isEmpty());
    QVERIFY(e.value(QStringLiteral("items")).isArray() && e.value(QStringLiteral("items")).toArray().isEmpty());

    const QList<QStringList> appends = {
        {"TopUp", R"({"userId":100,"amount":1000})"},
        {"RegisterUser", R"({"userId":2,"name":"Zoë"})"},
        {"TopUp", R"({"userId":10,"amount":5})"},
        {"TopUp", R"({"userId":2,"amount":2500})"},
        {"AddItem", R"({"itemId":"b","count":3,"price":700,"name":"bee"})"},
        {"AddItem", R"({"itemId":"a-1","count":1})"},
        {"AddItem", R"({"itemId":"Z","count":2,"price":5})"},
        {"AddItem", R"({"itemId":"a","count":4,"price":100})"},
        {"AddItem", R"({"itemId":"B","count":1,"price":1})"},
        {"Order", R"({"userId":2,"lines":[{"itemId":"b","qty":2},{"itemId":"a","qty":1}]})"}, // 1500
        {"AdjustBalance", R"({"userId":999,"delta":5,"reason":"x"})"},                          // unknown_user
        {"SetPrice", R"({"itemId":"nope","price":5})"},                                         // unknown_item
        {"Order", R"({"userId":2,"lines":[{"itemId":"a-1","qty":1}]})"},                        // unpriced_item
        {"Order", R"({"userId":10,"lines":[{"itemId":"a","qty":1}]})"},                         // insufficient_funds
    };
    QString lastId;
    for (const QStringList& a : appends) {
        const CliResult r = run(QStringList{"--stream", "c:shape", "append"} + a);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        lastId = r.line();
    }

    const CliResult r = run({"--stream", "c:shape", "state", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.endsWith("}\n") && r.out.count('\n') == 1, "one compact JSON line");
    const QJsonObject s = object(r.out);
    QCOMPARE(keysOf(s), setOf({"stream", "lastEventId", "events", "users", "items"}));
    QCOMPARE(s.value(QStringLiteral("lastEventId")).toString(), lastId);

    const QJsonObject events = s.value(QStringLiteral("events")).toObject();
    QCOMPARE(keysOf(events), setOf({"total", "applied", "rejected", "byReason"}));
    QCOMPARE(events.value(QStringLiteral("total")).toInteger(), qint64(14));
    QCOMPARE(events.value(QStringLiteral("applied")).toInteger(), qint64(10));
    QCOMPARE(events.value(QStringLiteral("rejected")).toInteger(), qint64(4));
    const QJsonObject byReason = events.value(QStringLiteral("byReason")).toObject();
    QCOMPARE(keysOf(byReason), setOf({"unknown_user", "unknown_item", "unpriced_item", "insufficient_funds"}));
    for (const QString& key : byReason.keys())
        QCOMPARE(byReason.value(key).toInteger(), qint64(1));

    // Users by id as numbers (2, 10, 100: not "10" < "100" < "2"), ids as JSON numbers.
    const QJsonArray users = s.value(QStringLiteral("users")).toArray();
    QCOMPARE(users.size(), 3);
    QList<qint64> userIds;
    for (const auto& u : users) {
        const QJsonObject user = u.toObject();
        QCOMPARE(keysOf(user), setOf({"id", "name", "balance", "spent", "orders"}));
        QVERIFY(user.value(QStringLiteral("id")).isDouble());
        userIds << user.value(QStringLiteral("id")).toInteger();
    }
    QCOMPARE(userIds, (QList<qint64>{2, 10, 100}));
    const QJsonObject u2 = users[0].toObject();
    QCOMPARE(u2.value(QStringLiteral("name")).toString(), QStringLiteral("Zoë"));
    QCOMPARE(u2.value(QStringLiteral("balance")).toInteger(), qint64(1000)); // minor units: 2500 - 1500
    QCOMPARE(u2.value(QStringLiteral("spent")).toInteger(), qint64(1500));
    QCOMPARE(u2.value(QStringLiteral("orders")).toInteger(), qint64(1));
    QCOMPARE(users[2].toObject().value(QStringLiteral("name")).toString(), QString()); // created by TopUp

    // Items by id as byte strings: "B" < "Z" < "a" < "a-1" < "b".
    const QJsonArray items = s.value(QStringLiteral("items")).toArray();
    QStringList itemIds;
    for (const auto& i : items) {
        const QJsonObject item = i.toObject();
        QCOMPARE(keysOf(item), setOf({"id", "name", "price", "stock", "sold"}));
        QVERIFY(item.value(QStringLiteral("id")).isString());
        itemIds << item.value(QStringLiteral("id")).toString();
    }
    QCOMPARE(itemIds, (QStringList{"B", "Z", "a", "a-1", "b"}));
    const QJsonObject b = items[4].toObject();
    QCOMPARE(b.value(QStringLiteral("name")).toString(), QStringLiteral("bee"));
    QCOMPARE(b.value(QStringLiteral("price")).toInteger(), qint64(700));
    QCOMPARE(b.value(QStringLiteral("stock")).toInteger(), qint64(1));
    QCOMPARE(b.value(QStringLiteral("sold")).toInteger(), qint64(2));
    QCOMPARE(items[3].toObject().value(QStringLiteral("price")).toInteger(), qint64(0)); // a-1 unpriced
}

void TestCli::stateWithSnapshotEqualsStateFromScratch()
{
    QVERIFY(run({"--stream", "c:snapeq", "produce", "--events", "1500", "--seed", "8"}).exitCode == 0);
    const CliResult saved = run({"--stream", "c:snapeq", "snapshot", "save"});
    QVERIFY2(saved.exitCode == 0, qPrintable(saved.describe()));
    const QString snapshotId = entryIds("c:snapeq").last();
    QVERIFY2(saved.out.contains(snapshotId.toUtf8()), qPrintable(saved.describe()));
    // More after the snapshot: a different seed, and a few by hand.
    QVERIFY(run({"--stream", "c:snapeq", "produce", "--events", "700", "--seed", "9"}).exitCode == 0);
    QVERIFY(run({"--stream", "c:snapeq", "append", "TopUp", R"({"userId":77,"amount":100})"}).exitCode == 0);
    QVERIFY(run({"--stream", "c:snapeq", "append", "Order", R"({"userId":77,"lines":[{"itemId":"x","qty":1}]})"}).exitCode == 0);

    const CliResult withSnapshot = run({"--stream", "c:snapeq", "state", "--json"});
    const CliResult fromScratch = run({"--stream", "c:snapeq", "state", "--json", "--from-scratch"});
    QVERIFY2(withSnapshot.exitCode == 0, qPrintable(withSnapshot.describe()));
    QVERIFY2(fromScratch.exitCode == 0, qPrintable(fromScratch.describe()));
    QCOMPARE(withSnapshot.out, fromScratch.out);
    QCOMPARE(object(withSnapshot.out).value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(),
             qint64(2202));

    // And the snapshot was really used (text output says what it did).
    const CliResult text = run({"--stream", "c:snapeq", "state"});
    QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
    QVERIFY2(text.out.contains(("restored snapshot " + snapshotId).toUtf8()), qPrintable(text.describe()));
    QVERIFY2(text.out.contains("then 702 entries applied"), qPrintable(text.describe()));
}

void TestCli::stateUntilIsTheStateOfThePrefix()
{
    const char* stream = "c:until";
    QVERIFY(run({"--stream", stream, "produce", "--events", "100", "--seed", "4"}).exitCode == 0);
    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0); // before ID: usable
    QVERIFY(run({"--stream", stream, "produce", "--events", "400", "--seed", "14"}).exitCode == 0);
    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0); // after ID: must not be used
    const QStringList ids = entryIds(stream);
    QCOMPARE(ids.size(), 500);
    const QString until = ids[249];

    // The prefix as a stream of its own: the same entries, ids and fields.
    shop::redis::Reply prefix = c_.command({"XRANGE", stream, "-", until.toStdString()});
    shop::redis::ReplyView entries(prefix.raw());
    QCOMPARE(entries.size(), std::size_t(250));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::vector<std::string_view> args = {"XADD", "c:until-prefix", entries[i][0].str()};
        for (std::size_t f = 0; f < entries[i][1].size(); ++f)
            args.push_back(entries[i][1][f].str());
        QVERIFY(!c_.command(args).isError());
    }

    const CliResult untilState = run({"--stream", stream, "state", "--json", "--until", until});
    QVERIFY2(untilState.exitCode == 0, qPrintable(untilState.describe()));
    const CliResult prefixState = run({"--stream", "c:until-prefix", "state", "--json", "--from-scratch"});
    QVERIFY2(prefixState.exitCode == 0, qPrintable(prefixState.describe()));
    const QJsonObject a = object(untilState.out);
    QCOMPARE(a.value(QStringLiteral("lastEventId")).toString(), until);
    QCOMPARE(a.value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(), qint64(250));
    QVERIFY(without(a, {"stream"}) == without(object(prefixState.out), {"stream"}));

    // The same from scratch; and the text output names the snapshot before ID.
    const CliResult scratch = run({"--stream", stream, "state", "--json", "--until", until, "--from-scratch"});
    QCOMPARE(scratch.out, untilState.out);
    const CliResult text = run({"--stream", stream, "state", "--until", until});
    QVERIFY2(text.out.contains(("restored snapshot " + ids[99]).toUtf8()), qPrintable(text.describe()));

    // An id between entries, and the last id, work too.
    const CliResult head = run({"--stream", stream, "state", "--json", "--until", ids.last()});
    const CliResult all = run({"--stream", stream, "state", "--json", "--from-scratch"});
    QCOMPARE(head.out, all.out);
}

void TestCli::eventsListVerdictsConsistentWithState()
{
    const char* stream = "c:events";
    QVERIFY(run({"--stream", stream, "produce", "--events", "800", "--seed", "12"}).exitCode == 0);
    const QStringList ids = entryIds(stream);
    QCOMPARE(ids.size(), 800);

    const CliResult full = run({"--stream", stream, "events", "--count", "0", "--json"});
    QVERIFY2(full.exitCode == 0, qPrintable(full.describe()));
    const QJsonArray rows = array(full.out);
    QCOMPARE(rows.size(), 800);
    QHash<QString, qint64> reasons;
    qint64 applied = 0;
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        QCOMPARE(row.value(QStringLiteral("id")).toString(), ids[i]);
        const QString verdict = row.value(QStringLiteral("verdict")).toString();
        if (verdict == QLatin1String("applied")) {
            ++applied;
            QVERIFY(row.value(QStringLiteral("reason")).isNull());
        } else {
            QCOMPARE(verdict, QStringLiteral("rejected"));
            ++reasons[row.value(QStringLiteral("reason")).toString()];
        }
    }
    const CliResult state = run({"--stream", stream, "state", "--json"});
    const QJsonObject events = object(state.out).value(QStringLiteral("events")).toObject();
    QCOMPARE(events.value(QStringLiteral("applied")).toInteger(), applied);
    QCOMPARE(events.value(QStringLiteral("rejected")).toInteger(), qint64(800) - applied);
    const QJsonObject byReason = events.value(QStringLiteral("byReason")).toObject();
    QCOMPARE(byReason.size(), reasons.size());
    for (auto it = reasons.cbegin(); it != reasons.cend(); ++it)
        QCOMPARE(byReason.value(it.key()).toInteger(), it.value());

    // A window: N rows from ID on, the same verdicts as in the full listing (the state
    // before ID is rebuilt first).
    for (int start : {0, 57, 423, 795}) {
        const CliResult window = run({"--stream", stream, "events", "--from", ids[start], "--count", "10", "--json"});
        QVERIFY2(window.exitCode == 0, qPrintable(window.describe()));
        const QJsonArray part = array(window.out);
        QCOMPARE(part.size(), std::min(10, 800 - start));
        for (int i = 0; i < part.size(); ++i)
            QVERIFY2(part[i].toObject() == rows[start + i].toObject(),
                     qPrintable(QStringLiteral("row %1 from %2").arg(i).arg(start)));
    }
    // Default count is 100; text output has one line per entry.
    QCOMPARE(array(run({"--stream", stream, "events", "--json"}).out).size(), 100);
    const CliResult text = run({"--stream", stream, "events", "--from", ids[10], "--count", "5"});
    QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
    QCOMPARE(text.out.count('\n'), 5);
    QVERIFY(text.out.startsWith(ids[10].toUtf8()));
}

void TestCli::snapshotSaveListVerifyAndCorruption()
{
    const char* stream = "c:snapshots";
    QVERIFY(run({"--stream", stream, "produce", "--events", "600", "--seed", "2"}).exitCode == 0);
    const CliResult none = run({"--stream", stream, "snapshot", "list", "--json"});
    QVERIFY2(none.exitCode == 0, qPrintable(none.describe()));
    QVERIFY(array(none.out).isEmpty());
    const CliResult verifyNone = run({"--stream", stream, "snapshot", "verify"});
    QVERIFY2(verifyNone.exitCode == 1 && verifyNone.oneErrorLine(), qPrintable(verifyNone.describe()));

    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0);
    QVERIFY(run({"--stream", stream, "produce", "--events", "200", "--seed", "22"}).exitCode == 0);
    const CliResult saved = run({"--stream", stream, "snapshot", "save"});
    QVERIFY2(saved.exitCode == 0, qPrintable(saved.describe()));
    const QString head = entryIds(stream).last();

    const CliResult listed = run({"--stream", stream, "snapshot", "list", "--json"});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QJsonArray snapshots = array(listed.out);
    QCOMPARE(snapshots.size(), 2);
    const QJsonObject newest = snapshots.last().toObject();
    QCOMPARE(newest.value(QStringLiteral("id")).toString(), head);
    QCOMPARE(newest.value(QStringLiteral("checked")).toBool(), true);
    QCOMPARE(newest.value(QStringLiteral("events")).toInteger(), qint64(800));
    QVERIFY(snapshots.first().toObject().value(QStringLiteral("checked")).toBool());
    const CliResult text = run({"--stream", stream, "snapshot", "list"});
    QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
    QVERIFY2(text.out.contains(head.toUtf8()) && text.out.contains("yes"), qPrintable(text.describe()));

    const CliResult verified = run({"--stream", stream, "snapshot", "verify"});
    QVERIFY2(verified.exitCode == 0, qPrintable(verified.describe()));
    QVERIFY2(verified.out.contains(head.toUtf8()), qPrintable(verified.describe()));

    // One byte of the newest blob's body changed.
    const std::string key = shop::redis::snapshotKey(stream, head.toStdString());
    shop::redis::Reply blob = c_.command({"GET", key});
    QVERIFY(blob.isString());
    const std::string body(blob.str());
    const std::size_t newline = body.find('\n');
    QVERIFY(newline != std::string::npos && newline + 10 < body.size());
    const std::size_t offset = newline + (body.size() - newline) / 2;
    const std::string replacement(1, body[offset] == '7' ? '8' : '7');
    QCOMPARE(c_.command({"SETRANGE", key, std::to_string(offset), replacement}).integer(), std::int64_t(body.size()));

    const CliResult damaged = run({"--stream", stream, "snapshot", "verify"});
    QVERIFY2(damaged.exitCode == 1, qPrintable(damaged.describe()));
    QVERIFY2(damaged.err.contains(head.toUtf8()), qPrintable(damaged.describe()));
    // Warnings may come first; the error is the last line.
    const QList<QByteArray> errLines = damaged.err.trimmed().split('\n');
    QVERIFY2(errLines.last().startsWith("shopstream-cli:") && !errLines.last().contains("warning"),
             qPrintable(damaged.describe()));
    const QJsonArray after = array(run({"--stream", stream, "snapshot", "list", "--json"}).out);
    QCOMPARE(after.size(), 2);
    QCOMPARE(after.last().toObject().value(QStringLiteral("checked")).toBool(), false);
    QVERIFY(!after.last().toObject().value(QStringLiteral("problem")).toString().isEmpty());

    // The state skips the damaged snapshot (with a warning) and is still right.
    const CliResult state = run({"--stream", stream, "state", "--json"});
    QVERIFY2(state.exitCode == 0, qPrintable(state.describe()));
    QVERIFY2(state.err.contains("warning"), qPrintable(state.describe()));
    QCOMPARE(state.out, run({"--stream", stream, "state", "--json", "--from-scratch"}).out);
}

void TestCli::consumeUntilCaughtUpExits()
{
    const char* stream = "c:consume";
    QVERIFY(run({"--stream", stream, "produce", "--events", "3000", "--seed", "31"}).exitCode == 0);
    const CliResult r = run({"--stream", stream, "consume", "--until-caught-up"}, 30000);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("caught up"), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("3000 events"), qPrintable(r.describe()));
    QVERIFY2(r.err.isEmpty(), qPrintable(r.describe()));
}

void TestCli::consumeStopsOnSigtermWithASnapshot()
{
    const char* stream = "c:consume-term";
    QVERIFY(run({"--stream", stream, "produce", "--events", "1200", "--seed", "32"}).exitCode == 0);
    QVERIFY(array(run({"--stream", stream, "snapshot", "list", "--json"}).out).isEmpty());

    QProcess consumer;
    consumer.setProcessEnvironment(env_);
    consumer.setStandardInputFile(QProcess::nullDevice());
    consumer.start(cli_, globals() + QStringList{"--stream", stream, "consume"});
    QVERIFY2(consumer.waitForStarted(10000), qPrintable(consumer.errorString()));
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += consumer.readAllStandardOutput()).contains("caught up")
                                 || consumer.state() == QProcess::NotRunning,
                             20000);
    QVERIFY2(consumer.state() == QProcess::Running, consumer.readAllStandardError().constData());

    consumer.terminate(); // SIGTERM
    QVERIFY(consumer.waitForFinished(15000));
    out += consumer.readAllStandardOutput();
    const QByteArray err = consumer.readAllStandardError();
    QCOMPARE(consumer.exitStatus(), QProcess::NormalExit);
    QVERIFY2(consumer.exitCode() == 0, err.constData());

    const QString head = entryIds(stream).last();
    QVERIFY2(out.contains(("snapshot saved at " + head).toUtf8()), out.constData());
    const QJsonArray snapshots = array(run({"--stream", stream, "snapshot", "list", "--json"}).out);
    QCOMPARE(snapshots.size(), 1);
    QCOMPARE(snapshots[0].toObject().value(QStringLiteral("id")).toString(), head);
    QVERIFY(snapshots[0].toObject().value(QStringLiteral("checked")).toBool());
    QCOMPARE(run({"--stream", stream, "snapshot", "verify"}).exitCode, 0);
}

// --read-only: every command that reads gives what it gives without it, and the server
// holds exactly the keys and stream lengths it held (consume, which writes a snapshot on
// SIGTERM, writes none).
void TestCli::readOnlyWritesNothing()
{
    const char* stream = "c:read-only";
    QVERIFY(run({"--stream", stream, "produce", "--events", "800", "--seed", "33"}).exitCode == 0);
    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0);
    QVERIFY(run({"--stream", stream, "produce", "--events", "300", "--seed", "34"}).exitCode == 0);
    const auto keysAndLengths = [this] {
        QMap<QString, qint64> out;
        shop::redis::Reply keys = c_.command({"KEYS", "*"});
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const std::string key(shop::redis::ReplyView(keys.raw())[i].str());
            out[QString::fromStdString(key)] = c_.command({"TYPE", key}).str() == "stream" ? c_.command({"XLEN", key}).integer() : -1;
        }
        return out;
    };
    const auto before = keysAndLengths();
    const QByteArray state = run({"--stream", stream, "state", "--json"}).out;
    QVERIFY(!state.isEmpty());

    const CliResult viewed = run({"--stream", stream, "--read-only", "state", "--json"});
    QVERIFY2(viewed.exitCode == 0, qPrintable(viewed.describe()));
    QCOMPARE(viewed.out, state); // restored from the stored snapshot, then the tail: the same shop
    for (const QStringList& args : {QStringList{"events", "--count", "5"}, QStringList{"snapshot", "list"},
                                    QStringList{"snapshot", "verify"}, QStringList{"consume", "--until-caught-up"}}) {
        const CliResult r = run(QStringList{"--stream", stream, "--read-only"} + args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }
    QProcess consumer;
    consumer.setProcessEnvironment(env_);
    consumer.setStandardInputFile(QProcess::nullDevice());
    consumer.start(cli_, globals() + QStringList{"--stream", stream, "--read-only", "consume"});
    QVERIFY2(consumer.waitForStarted(10000), qPrintable(consumer.errorString()));
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += consumer.readAllStandardOutput()).contains("caught up")
                                 || consumer.state() == QProcess::NotRunning,
                             20000);
    QVERIFY(run({"--stream", stream, "append", "TopUp", R"({"userId":1,"amount":100})"}).exitCode == 0);
    QTest::qWait(300); // followed, in memory
    consumer.terminate(); // SIGTERM: no snapshot on the way out
    QVERIFY(consumer.waitForFinished(15000));
    out += consumer.readAllStandardOutput();
    QVERIFY2(consumer.exitCode() == 0, consumer.readAllStandardError().constData());
    QVERIFY2(!out.contains("snapshot saved"), out.constData());
    auto after = keysAndLengths();
    QCOMPARE(after.value(QString::fromLatin1(stream)), before.value(QString::fromLatin1(stream)) + 1); // the append alone
    after[QString::fromLatin1(stream)] -= 1;
    for (const QString& key : after.keys()) // the append's own idempotency record
        if (!before.contains(key) && key.startsWith(QStringLiteral("c:read-only:eid:")))
            after.remove(key);
    QCOMPARE(after, before);
}

void TestCli::managedLocalServerIsSharedAndStopped()
{
    QTemporaryDir dataDir(QDir::tempPath() + QStringLiteral("/sscli-XXXXXX")); // short: a socket path lives in it
    QVERIFY(dataDir.isValid());
    const QStringList local = {QStringLiteral("--data-dir"), dataDir.path()};

    const CliResult appended = runBare(local + QStringList{"append", "TopUp", R"({"userId":5,"amount":1234})"});
    QVERIFY2(appended.exitCode == 0, qPrintable(appended.describe()));
    const QString id = appended.line();
    QVERIFY(!id.isEmpty());
    QVERIFY2(QFile::exists(dataDir.filePath(QStringLiteral("redis"))), "the managed server keeps its data under --data-dir");

    const CliResult state = runBare(local + QStringList{"state", "--json"});
    QVERIFY2(state.exitCode == 0, qPrintable(state.describe()));
    const QJsonObject s = object(state.out);
    QCOMPARE(s.value(QStringLiteral("lastEventId")).toString(), id);
    const QJsonArray users = s.value(QStringLiteral("users")).toArray();
    QCOMPARE(users.size(), 1);
    QCOMPARE(users[0].toObject().value(QStringLiteral("balance")).toInteger(), qint64(1234));

    // Nothing of ours touched the user's real data directory.
    QVERIFY(!QFile::exists(home_.filePath(QStringLiteral("xdg/shopstream"))));

    // With every client gone, no process for that directory remains (server or guardian).
    QFile pidFile(dataDir.filePath(QStringLiteral("redis/redis.pid")));
    qint64 pid = 0;
    if (pidFile.open(QIODevice::ReadOnly))
        pid = pidFile.readAll().trimmed().toLongLong();
    auto anyLeft = [&] {
        QProcess pgrep;
        pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-f"), QStringLiteral("--"), dataDir.path()});
        pgrep.waitForFinished(5000);
        return pgrep.exitCode() == 0 || processAlive(pid);
    };
    QTRY_VERIFY_WITH_TIMEOUT(!anyLeft(), 15000);
    QVERIFY(!QFile::exists(dataDir.filePath(QStringLiteral("redis/redis.sock"))));
}

void TestCli::textOutputEscapesControlCharacters()
{
    const char* stream = "c:term";
    const QStringList appends[] = {
        {"RegisterUser", R"({"userId":1,"name":"\u001b]0;title\u0007\u001b[2J"})"},  // retitle, clear the screen
        {"RegisterUser", R"({"userId":2,"name":"evil\n                 999  forged\r"})"}, // a forged row
        {"RegisterUser", R"({"userId":3,"name":"Zo\u00eb \ud83d\ude00 \u0085 \u009b2J"})"}, // kept, kept, C1, C1
        {"AddItem", R"({"itemId":"x","count":1,"name":"\u007f\u001b[5m"})"},
    };
    for (const QStringList& a : appends)
        QVERIFY2(run(QStringList{"--stream", stream, "append"} + a).exitCode == 0, qPrintable(a.join(' ')));
    // Written by someone else: controls and invalid UTF-8 in the type, the data and the actor,
    // and an index member that is no snapshot id.
    QVERIFY(!c_.command({"XADD", stream, "*", "type", "\x1b[31mTopUp", "data", "{\"x\":\"\x1b[2J\xff\"}", "actor", "\x9b"}).isError());
    QCOMPARE(c_.command({"ZADD", std::string(stream) + ":snapshots", "1", "1-1\x1b]2;pwned\x07"}).integer(), std::int64_t(1));

    const CliResult state = run({"--stream", stream, "state"});
    QVERIFY2(state.exitCode == 0, qPrintable(state.describe()));
    QVERIFY2(terminalSafe(state.out), state.out.constData());
    QVERIFY2(terminalSafe(state.err), state.err.constData());
    QVERIFY2(state.out.contains("\\x1b]0;title\\x07\\x1b[2J"), state.out.constData());
    QVERIFY2(state.out.contains("evil\\n                 999  forged\\r"), state.out.constData());
    QVERIFY2(state.out.contains("Zo\xc3\xab \xf0\x9f\x98\x80 \\u0085 \\u009b2J"), state.out.constData());
    QVERIFY2(state.out.contains("\\x7f\\x1b[5m"), state.out.constData());
    QVERIFY2(state.err.contains("1-1\\x1b]2;pwned\\x07"), state.err.constData()); // the warning names it, escaped

    const CliResult events = run({"--stream", stream, "events"});
    QVERIFY2(events.exitCode == 0, qPrintable(events.describe()));
    QVERIFY2(terminalSafe(events.out) && terminalSafe(events.err), events.out.constData());
    QCOMPARE(events.out.count('\n'), 5);
    QVERIFY2(events.out.contains("\\x1b[31mTopUp"), events.out.constData());
    QVERIFY2(events.out.contains("\\x1b[2J\\xff"), events.out.constData());

    // JSON stays JSON, with the exact strings.
    const QJsonArray users = object(run({"--stream", stream, "state", "--json"}).out).value(QStringLiteral("users")).toArray();
    QCOMPARE(users.size(), 3);
    QCOMPARE(users[0].toObject().value(QStringLiteral("name")).toString(), QStringLiteral("\x1b]0;title\x07\x1b[2J"));

    // Errors that repeat what was typed or stored.
    for (const QStringList& args : {QStringList{"--stream", "c:\x1b[2J", "snapshot", "verify"},
                                    QStringList{"\x1b]0;x\x07"}, QStringList{"state", "--\x1b[2J"}}) {
        const CliResult r = run(args);
        QVERIFY2(r.exitCode != 0 && r.oneErrorLine(), qPrintable(r.describe()));
        QVERIFY2(terminalSafe(r.err) && r.err.contains("\\x1b"), r.err.constData());
    }
}

void TestCli::invalidUtf8ArgumentIsAUsageError_data()
{
    QTest::addColumn<QList<QByteArray>>("args");
    QTest::addColumn<QByteArray>("names");
    QTest::newRow("stream key") << QList<QByteArray>{"--stream", "c:utf\xff", "append", "TopUp", R"({"userId":1,"amount":5})"}
                                << QByteArray("--stream");
    QTest::newRow("append data") << QList<QByteArray>{"--stream", "c:utf", "append", "RegisterUser", "{\"userId\":1,\"name\":\"caf\xe9\"}"}
                                 << QByteArray("argument");
    QTest::newRow("append data --raw") << QList<QByteArray>{"--stream", "c:utf", "append", "--raw", "X\xc0\xaf", "{}"}
                                       << QByteArray("argument");
    QTest::newRow("option value") << QList<QByteArray>{"--stream", "c:utf", "append", "--actor", "\xed\xa0\x80", "TopUp",
                                                        R"({"userId":1,"amount":5})"}
                                  << QByteArray("--actor");
    QTest::newRow("command") << QList<QByteArray>{"st\xffte"} << QByteArray("argument");
    QTest::newRow("redis URL, not quoted") << QList<QByteArray>{"--redis", "redis://:top\xffsecret@127.0.0.1:1", "state"}
                                           << QByteArray("--redis");
}

void TestCli::invalidUtf8ArgumentIsAUsageError()
{
    QFETCH(QList<QByteArray>, args);
    QFETCH(QByteArray, names);
    const qint64 before = c_.command({"DBSIZE"}).integer();
    const CliResult r = runBytes(args);
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    QVERIFY2(r.oneErrorLine() && r.err.contains("UTF-8") && r.err.contains(names), qPrintable(r.describe()));
    QVERIFY2(terminalSafe(r.err), r.err.constData());
    QVERIFY2(!r.err.contains("secret"), r.err.constData()); // a password is never repeated
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
    QCOMPARE(c_.command({"DBSIZE"}).integer(), before); // nothing written, no U+FFFD in Redis

    // The same arguments made valid are accepted (the test's runner is not the reason).
    QList<QByteArray> fixed;
    for (const QByteArray& a : args)
        fixed << QString::fromUtf8(a).toUtf8();
    if (args.first() == "--stream") {
        const CliResult ok = runBytes(fixed);
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.describe()));
    }
}

void TestCli::snapshotEveryTakesUpToAYear_data()
{
    QTest::addColumn<QString>("seconds");
    QTest::newRow("a year and a second") << QStringLiteral("31536001");
    QTest::newRow("beyond int64 ms") << QStringLiteral("9223372036854776");
    QTest::newRow("negative") << QStringLiteral("-1");
}

void TestCli::snapshotEveryTakesUpToAYear()
{
    QFETCH(QString, seconds);
    const CliResult r = run({"--stream", "c:every", "consume", "--until-caught-up", "--snapshot-every", seconds});
    QVERIFY2(r.exitCode == 2 && r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("from 0 to 31536000"), qPrintable(r.describe())); // the real range
}

void TestCli::longSnapshotIntervalDoesNotWrap()
{
    // 4294968 s (49.7 days) is 2^32 + 704 ms: in an int, a snapshot every 0.7 s. It must stay
    // a long interval, with timed snapshots on.
    const char* stream = "c:every-long";
    QVERIFY(run({"--stream", stream, "produce", "--events", "300", "--seed", "41"}).exitCode == 0);
    QProcess consumer;
    consumer.setProcessEnvironment(env_);
    consumer.setStandardInputFile(QProcess::nullDevice());
    consumer.start(cli_, globals() + QStringList{"--stream", stream, "consume", "--snapshot-every", "4294968"});
    QVERIFY2(consumer.waitForStarted(10000), qPrintable(consumer.errorString()));
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += consumer.readAllStandardOutput()).contains("caught up")
                                 || consumer.state() == QProcess::NotRunning,
                             20000);
    QVERIFY2(consumer.state() == QProcess::Running, consumer.readAllStandardError().constData());
    QTest::qWait(2000); // a wrapped interval would have saved by now
    out += consumer.readAllStandardOutput();
    QVERIFY2(!out.contains("snapshot saved"), out.constData());
    consumer.terminate();
    QVERIFY(consumer.waitForFinished(15000));
    out += consumer.readAllStandardOutput();
    QCOMPARE(consumer.exitCode(), 0);
    QCOMPARE(out.count("snapshot saved"), 1); // the one on stop: timed snapshots are on
}

void TestCli::untilWithoutSequenceCoversTheMillisecond()
{
    // As an XRANGE end, "5" means all of millisecond 5 (5-18446744073709551615); as a start
    // (--from), 5-0.
    const char* stream = "c:until-ms";
    const auto add = [&](const char* id) {
        return !c_.command({"XADD", stream, id, "type", "TopUp", "data", R"({"userId":1,"amount":100})"}).isError();
    };
    QVERIFY(add("5-0") && add("5-1") && add("5-2"));
    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0); // at 5-2: within "5", usable
    QVERIFY(add("6-0"));
    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0); // at 6-0: after "5", not used

    const CliResult five = run({"--stream", stream, "state", "--json", "--until", "5"});
    QVERIFY2(five.exitCode == 0, qPrintable(five.describe()));
    QCOMPARE(object(five.out).value(QStringLiteral("lastEventId")).toString(), QStringLiteral("5-2"));
    QCOMPARE(object(five.out).value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(), qint64(3));
    const CliResult text = run({"--stream", stream, "state", "--until", "5"});
    QVERIFY2(text.out.contains("restored snapshot 5-2, then 0 entries"), qPrintable(text.describe()));
    const CliResult fiveZero = run({"--stream", stream, "state", "--json", "--until", "5-0"});
    QCOMPARE(object(fiveZero.out).value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(), qint64(1));

    const QJsonArray from = array(run({"--stream", stream, "events", "--from", "5", "--json"}).out);
    QCOMPARE(from.size(), 4);
    QCOMPARE(from[0].toObject().value(QStringLiteral("id")).toString(), QStringLiteral("5-0"));
}

void TestCli::consumePrintsEachWarningOnce()
{
    const char* stream = "c:consume-warn";
    QVERIFY(run({"--stream", stream, "produce", "--events", "500", "--seed", "51"}).exitCode == 0);
    QVERIFY(run({"--stream", stream, "snapshot", "save"}).exitCode == 0);
    const QString id = entryIds(stream).last();
    QCOMPARE(c_.command({"SETRANGE", shop::redis::snapshotKey(stream, id.toStdString()), "200", "XX"}).isError(), false);

    const CliResult r = run({"--stream", stream, "consume", "--until-caught-up", "--snapshot-every", "0"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.err.count("passed over"), 1);
    QVERIFY2(r.err.startsWith("shopstream-cli: warning: snapshot " + id.toUtf8()) && r.err.count('\n') == 1,
             qPrintable(r.describe()));

    // A failure too: one line.
    const CliResult failed = runBare({"--redis", "redis://127.0.0.1:1", "consume", "--until-caught-up"}, 20000);
    QVERIFY2(failed.exitCode == 1 && failed.oneErrorLine(), qPrintable(failed.describe()));

    // With the categories turned on for diagnostics, they print too (and escaped, as they
    // may quote an index member that is no snapshot id).
    QCOMPARE(c_.command({"ZADD", std::string(stream) + ":snapshots", "1", "1-1\x1b[2J"}).integer(), std::int64_t(1));
    const QProcessEnvironment plain = env_;
    env_.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("shopstream.*=true"));
    const CliResult logged = run({"--stream", stream, "consume", "--until-caught-up", "--snapshot-every", "0"});
    env_ = plain;
    QVERIFY2(logged.exitCode == 0, qPrintable(logged.describe()));
    QVERIFY2(logged.err.contains("shopstream.snapshot: the snapshot index c:consume-warn:snapshots holds \"1-1\\x1b[2J\""),
             qPrintable(logged.describe()));
    QVERIFY2(terminalSafe(logged.err), logged.err.constData());
}

void TestCli::eventsAndStateAsCsv()
{
    const char* stream = "c:csv";
    QVERIFY(run({"--stream", stream, "produce", "--events", "400", "--seed", "61"}).exitCode == 0);
    const QStringList appends[] = {
        {"RegisterUser", R"({"userId":900001,"name":"comma, \"quote\" and\nnewline"})"},
        {"RegisterUser", R"({"userId":900002,"name":"\u001b[2J\r\u00e9"})"},
        {"AddItem", R"({"itemId":"csv.item","count":2,"price":150,"name":"a,b"})"},
    };
    for (const QStringList& a : appends)
        QVERIFY2(run(QStringList{"--stream", stream, "append"} + a).exitCode == 0, qPrintable(a.join(' ')));
    QVERIFY(!c_.command({"XADD", stream, "*", "type", "TopUp", "data", "{\"userId\":1,\n\"amount\":\"x,\"}"}).isError());
    QVERIFY(!c_.command({"XADD", stream, "*", "v", "1", "data", "{\"x\":\"\xff\"}"}).isError()); // no type, invalid UTF-8

    // events: the same rows as --json, header first, CRLF line ends.
    const CliResult csv = run({"--stream", stream, "events", "--count", "0", "--csv"});
    QVERIFY2(csv.exitCode == 0 && csv.err.isEmpty(), qPrintable(csv.describe()));
    QVERIFY(csv.out.startsWith("id,type,verdict,reason,detail,data,eid,actor\r\n") && csv.out.endsWith("\r\n"));
    const QList<QStringList> records = csvRecords(csv.out);
    const QJsonArray rows = array(run({"--stream", stream, "events", "--count", "0", "--json"}).out);
    QCOMPARE(rows.size(), 405);
    QCOMPARE(records.size(), rows.size() + 1);
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        QStringList expected;
        for (const char* key : {"id", "type", "verdict", "reason", "detail", "data", "eid", "actor"})
            expected << jsonField(row.value(QLatin1String(key)));
        QCOMPARE(records[i + 1], expected);
    }
    QCOMPARE(records.last()[5], QStringLiteral("{\"x\":\"\ufffd\"}")); // invalid UTF-8 as in the JSON output
    // --count and --from apply as with the other formats.
    QCOMPARE(csvRecords(run({"--stream", stream, "events", "--csv"}).out).size(), 101);

    // state: users, an empty line, items; the values of --json.
    const CliResult stateCsv = run({"--stream", stream, "state", "--csv"});
    QVERIFY2(stateCsv.exitCode == 0, qPrintable(stateCsv.describe()));
    const QList<QStringList> tables = csvRecords(stateCsv.out);
    const qsizetype blank = tables.indexOf(QStringList{QString()});
    QVERIFY(blank > 0);
    const QJsonObject json = object(run({"--stream", stream, "state", "--json"}).out);
    const auto compareTable = [&](const QList<QStringList>& table, const QJsonArray& expected,
                                  std::initializer_list<const char*> columns) {
        QStringList header;
        for (const char* c : columns)
            header << QLatin1String(c);
        QCOMPARE(table.first(), header);
        QCOMPARE(table.size(), expected.size() + 1);
        for (int i = 0; i < expected.size(); ++i) {
            QStringList want;
            for (const char* c : columns)
                want << jsonField(expected[i].toObject().value(QLatin1String(c)));
            QCOMPARE(table[i + 1], want);
        }
    };
    compareTable(tables.mid(0, blank), json.value(QStringLiteral("users")).toArray(), {"id", "name", "balance", "spent", "orders"});
    compareTable(tables.mid(blank + 1), json.value(QStringLiteral("items")).toArray(), {"id", "name", "price", "stock", "sold"});
    QVERIFY(stateCsv.out.contains("\"comma, \"\"quote\"\" and\nnewline\"")); // quoted, bytes kept
    QVERIFY(stateCsv.out.contains("\x1b[2J"));                                  // CSV is data: not escaped

    // One format at a time.
    for (const char* command : {"state", "events"}) {
        const CliResult both = run({"--stream", stream, command, "--json", "--csv"});
        QVERIFY2(both.exitCode == 2 && both.oneErrorLine() && both.out.isEmpty(), qPrintable(both.describe()));
    }
}

void TestCli::appendFollowsTheOriginalDemosFormat()
{
    PRODUCE_LEGACY("c:demo-append");
    const CliResult r = run({"--stream", "c:demo-append", "append", "TopUp", R"({"userId":7,"amount":1500})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.count('\n') == 1, qPrintable(r.describe()));
    // auto picked the demo's format, and says so in one line.
    QVERIFY2(r.err.count('\n') == 1 && r.err.contains("original demo's format"), qPrintable(r.describe()));
    QCOMPARE(c_.command({"XLEN", "c:demo-append"}).integer(), std::int64_t(61));

    // Only type and data, the data the Go struct: what the demo's consumer parses.
    const QMap<QString, QByteArray> fields = entryFields("c:demo-append", r.line());
    QCOMPARE(QStringList(fields.keys()), (QStringList{QStringLiteral("data"), QStringLiteral("type")}));
    QCOMPARE(fields.value(QStringLiteral("type")), QByteArray("TopUp"));
    const QByteArray data = fields.value(QStringLiteral("data"));
    const auto decoded = nlohmann::json::from_msgpack(data.begin(), data.end(), true, false);
    QVERIFY2(!decoded.is_discarded(), data.toHex().constData());
    QCOMPARE(QString::fromStdString(decoded.dump()),
             QStringLiteral(R"({"Amount":15,"ID":"","Type":"TopUp","UserID":7})"));

    // Applied, as 15.00.
    const CliResult events = run({"--stream", "c:demo-append", "events", "--from", r.line(), "--json"});
    const QJsonArray rows = array(events.out);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].toObject().value(QStringLiteral("verdict")).toString(), QStringLiteral("applied"));
    const CliResult state = run({"--stream", "c:demo-append", "state"});
    QVERIFY2(state.exitCode == 0, qPrintable(state.describe()));
    static const QRegularExpression user7(QStringLiteral("^\\s+7 .* 15\\.00 .*$"), QRegularExpression::MultilineOption);
    QVERIFY2(user7.match(QString::fromUtf8(state.out)).hasMatch(), state.out.constData());
    const QJsonArray users = object(run({"--stream", "c:demo-append", "state", "--json"}).out).value(QStringLiteral("users")).toArray();
    bool found = false;
    for (const auto& u : users) {
        if (u.toObject().value(QStringLiteral("id")).toInteger() == 7) {
            found = true;
            QCOMPARE(u.toObject().value(QStringLiteral("balance")).toInteger(), qint64(1500));
        }
    }
    QVERIFY(found);

    // Retrying with the same eid adds nothing, in this format too.
    const QStringList retry = {"--stream", "c:demo-append", "append", "--eid", "6f1c2a44-0b9e-4f3e-8d21-5a7c9e0b1d2f",
                               "AddItem", R"({"itemId":"item-0001","count":2})"};
    const CliResult first = run(retry);
    const CliResult second = run(retry);
    QVERIFY2(first.exitCode == 0 && second.exitCode == 0, qPrintable(first.describe() + second.describe()));
    QCOMPARE(second.line(), first.line());
    QCOMPARE(c_.command({"XLEN", "c:demo-append"}).integer(), std::int64_t(62));
    QCOMPARE(entryFields("c:demo-append", first.line()).size(), 2);
}

void TestCli::appendRefusesWhatTheDemosFormatCannotHold_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("says");
    const auto row = [](const char* type, const char* data, const char* says) {
        QTest::newRow((QByteArray(type) + ' ' + data).constData())
            << QString::fromLatin1(type) << QString::fromLatin1(data) << QString::fromLatin1(says);
    };
    row("RegisterUser", R"({"userId":8,"name":"Bo"})", "has no RegisterUser");
    row("AdjustBalance", R"({"userId":1,"delta":-100,"reason":"x"})", "has no AdjustBalance");
    row("SetPrice", R"({"itemId":"item-0001","price":1250})", "has no SetPrice");
    row("AdjustStock", R"({"itemId":"item-0001","delta":-1,"reason":"x"})", "has no AdjustStock");
    row("TopUp", R"({"userId":7,"amount":1550})", "whole currency units");
    row("AddItem", R"({"itemId":"item-0001","count":1,"price":1250})", "has no price");
    row("AddItem", R"({"itemId":"item-0001","count":1,"name":"Mug"})", "has no item name");
    row("Order", R"({"userId":1,"lines":[{"itemId":"item-0001","qty":1}],"orderId":"o-1"})", "has no order id");
    row("TopUp", R"({"userId":7,"amount":"1500"})", "not a valid TopUp");
}

void TestCli::appendRefusesWhatTheDemosFormatCannotHold()
{
    QFETCH(QString, type);
    QFETCH(QString, data);
    QFETCH(QString, says);
    if (c_.command({"EXISTS", "c:demo-refuse"}).integer() == 0)
        PRODUCE_LEGACY("c:demo-refuse");
    const qint64 keys = c_.command({"DBSIZE"}).integer();
    const CliResult r = run({QStringLiteral("--stream"), QStringLiteral("c:demo-refuse"), QStringLiteral("append"), type, data});
    QVERIFY2(r.exitCode == 2, qPrintable(r.describe()));
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));
    const QString line = QString::fromUtf8(r.err);
    QVERIFY2(line.contains(says), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("nothing was appended")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("--format native")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("deletes")), qPrintable(line)); // the way out, and its cost
    QCOMPARE(c_.command({"XLEN", "c:demo-refuse"}).integer(), std::int64_t(60));
    QCOMPARE(c_.command({"DBSIZE"}).integer(), keys); // no eid record either
}

void TestCli::appendFormatNativeOnADemoStreamWarns()
{
    PRODUCE_LEGACY("c:demo-native");
    const CliResult r = run({"--stream", "c:demo-native", "append", "--format", "native", "RegisterUser",
                             R"({"userId":8,"name":"Bo"})"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.err.count('\n') == 1 && r.err.contains("warning") && r.err.contains("deletes"), qPrintable(r.describe()));
    const QMap<QString, QByteArray> fields = entryFields("c:demo-native", r.line());
    QCOMPARE(fields.value(QStringLiteral("v")), QByteArray("1"));
    QCOMPARE(fields.value(QStringLiteral("data")), QByteArray(R"({"userId":8,"name":"Bo"})"));

    // Now both formats are in the stream and the newest entry is native: auto takes native,
    // and says why.
    const CliResult next = run({"--stream", "c:demo-native", "append", "TopUp", R"({"userId":8,"amount":1550})"});
    QVERIFY2(next.exitCode == 0, qPrintable(next.describe()));
    QVERIFY2(next.err.count('\n') == 1 && next.err.contains("both formats") && next.err.contains(r.line().toUtf8()),
             qPrintable(next.describe()));
    QCOMPARE(entryFields("c:demo-native", next.line()).value(QStringLiteral("v")), QByteArray("1"));
}

void TestCli::appendFormatChoices()
{
    // A new stream: auto is native, silently.
    const CliResult fresh = run({"--stream", "c:format-new", "append", "TopUp", R"({"userId":1,"amount":1550})"});
    QVERIFY2(fresh.exitCode == 0 && fresh.err.isEmpty(), qPrintable(fresh.describe()));
    QMap<QString, QByteArray> fields = entryFields("c:format-new", fresh.line());
    QCOMPARE(fields.value(QStringLiteral("v")), QByteArray("1"));
    QVERIFY(fields.contains(QStringLiteral("eid")) && fields.contains(QStringLiteral("actor")));

    // --format legacy writes the demo's form whatever the stream holds.
    const CliResult legacy = run({"--stream", "c:format-new", "append", "--format", "legacy", "Order",
                                  R"({"userId":1,"lines":[{"itemId":"a","qty":2},{"itemId":"b","qty":1}]})"});
    QVERIFY2(legacy.exitCode == 0, qPrintable(legacy.describe()));
    fields = entryFields("c:format-new", legacy.line());
    QCOMPARE(QStringList(fields.keys()), (QStringList{QStringLiteral("data"), QStringLiteral("type")}));
    QCOMPARE(fields.value(QStringLiteral("type")), QByteArray("OrderType"));
    const QByteArray data = fields.value(QStringLiteral("data"));
    QCOMPARE(QString::fromStdString(nlohmann::json::from_msgpack(data.begin(), data.end()).dump()),
             QStringLiteral(R"({"ID":"","ItemIDs":["a","b"],"ItemQuantities":[2,1],"Type":"OrderType","UserID":1})"));

    // --raw with the demo's format: the bytes as given, only type and data.
    const CliResult raw = run({"--stream", "c:format-new", "append", "--raw", "--format", "legacy", "Refund", "xyz"});
    QVERIFY2(raw.exitCode == 0, qPrintable(raw.describe()));
    fields = entryFields("c:format-new", raw.line());
    QCOMPARE(fields.value(QStringLiteral("data")), QByteArray("xyz"));
    QVERIFY(!fields.contains(QStringLiteral("v")));
}

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
