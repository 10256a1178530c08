// The stream changed under shopstream, the way an attacker or an unlucky admin would change
// it, driven end to end through the real shopstream-cli (SHOPSTREAM_CLI) against
// redis-servers this suite starts itself: the stream deleted and written again, FLUSHALL,
// the server restarted empty under a following consumer, a trim while the consumer was
// stopped, XDEL by another consumer, forged snapshots with a recomputed checksum, future and
// non-id members in the snapshot index, keys of the wrong type, and entries and a snapshot
// blob of hundreds of MB. Every scenario must end with the state equal to
// `state --json --from-scratch` of what the stream now holds, or with a loud refusal
// (exit 1, one line on stderr); never with a different shop shown with exit 0, and never
// with a merged shop (old and new stream) saved as a snapshot. docs/RELIABILITY.md has a
// row for each scenario that holds.
#include "reliability_support.hpp"
#include "sanitized.hpp"
#include "test_redis_server.hpp"

#include "core/snapshot_codec.hpp"
#include "redis/keys.hpp"

#include <nlohmann/json.hpp>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>

extern char** environ;

using namespace reliability;
using shop::redis::Connection;
using shop::redis::Reply;
using shop::redis::ReplyView;
using ordered_json = nlohmann::ordered_json;

namespace {

QByteArray bytes(const std::string& s) { return QByteArray::fromStdString(s); }

// The ids in S:snapshots, in index order (oldest first); empty when it is no sorted set.
std::vector<std::string> indexMembers(Connection& c, const std::string& stream)
{
    std::vector<std::string> out;
    const Reply r = c.command({"ZRANGE", shop::redis::snapshotIndexKey(stream), "0", "-1"});
    if (!r || !r.isArray())
        return out;
    const ReplyView list(r.raw());
    for (std::size_t i = 0; i < list.size(); ++i)
        out.emplace_back(list[i].str());
    return out;
}

// The id of the stream's first or newest entry ("" when none).
std::string edgeId(Connection& c, const std::string& stream, bool newest)
{
    const Reply r = newest ? c.command({"XREVRANGE", stream, "+", "-", "COUNT", "1"})
                           : c.command({"XRANGE", stream, "-", "+", "COUNT", "1"});
    if (!r || !r.isArray() || r.size() == 0)
        return {};
    return std::string(ReplyView(r.raw())[0][0].str());
}

std::string getString(Connection& c, const std::string& key)
{
    const Reply r = c.command({"GET", key});
    return r && r.isString() ? std::string(r.str()) : std::string();
}

std::string keyType(Connection& c, const std::string& key)
{
    const Reply r = c.command({"TYPE", key});
    return r && !r.isError() ? std::string(r.str()) : std::string("?");
}

// A snapshot blob's header and body as JSON, changed by `forge`, with bodyBytes and checksum
// recomputed the way the format says (FNV-1a 64 of the body, 16 hex digits): what anyone
// who can write the key can do.
std::string reforge(const std::string& blob, const std::function<void(ordered_json& header, ordered_json& body)>& forge)
{
    const auto newline = blob.find('\n');
    ordered_json header = ordered_json::parse(blob.substr(0, newline));
    ordered_json body = ordered_json::parse(blob.substr(newline + 1));
    forge(header, body);
    const std::string bodyText = body.dump();
    header["bodyBytes"] = bodyText.size();
    header["checksum"] = shop::checksumHex(bodyText);
    return header.dump() + "\n" + bodyText;
}

// One snapshot's header, read back from Redis.
ordered_json headerOf(const std::string& blob)
{
    const auto newline = blob.find('\n');
    if (newline == std::string::npos)
        return {};
    return ordered_json::parse(blob.substr(0, newline), nullptr, false);
}

QJsonObject listedSnapshot(const QJsonArray& listing, const std::string& id)
{
    for (const QJsonValue& v : listing) {
        if (v.toObject().value(QStringLiteral("id")).toString().toStdString() == id)
            return v.toObject();
    }
    return {};
}

// A child run with its own peak RSS (wait4's rusage of that child), stdout and stderr
// through files: QProcess does not give the rusage.
struct Measured {
    CliResult result;
    long maxRssKb = 0;
};

Measured runMeasured(const QStringList& args)
{
    Measured m;
    QTemporaryDir dir;
    const QByteArray outPath = dir.filePath(QStringLiteral("out")).toLocal8Bit();
    const QByteArray errPath = dir.filePath(QStringLiteral("err")).toLocal8Bit();
    std::vector<QByteArray> argBytes{cliPath().toLocal8Bit()};
    for (const QString& a : args)
        argBytes.push_back(a.toUtf8());
    std::vector<char*> argv;
    for (QByteArray& b : argBytes)
        argv.push_back(b.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
        int status = 0;
        rusage usage{};
        while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
        }
        m.result.finished = WIFEXITED(status);
        m.result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        m.maxRssKb = usage.ru_maxrss;
    }
    m.result.elapsedMs = timer.elapsed();
    posix_spawn_file_actions_destroy(&actions);
    QFile out(QString::fromLocal8Bit(outPath));
    if (out.open(QIODevice::ReadOnly))
        m.result.out = out.read(64 * 1024);
    QFile err(QString::fromLocal8Bit(errPath));
    if (err.open(QIODevice::ReadOnly))
        m.result.err = err.read(64 * 1024);
    return m;
}

// A long-running `shopstream-cli consume`, its output collected as the event loop runs.
struct Follower {
    QProcess process;
    QByteArray out, err;

    void start(const QStringList& args)
    {
        prepareChild(process, QProcessEnvironment::systemEnvironment());
        process.setArguments(args);
        process.start();
    }
    void pump()
    {
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
    }
    bool outHas(const QByteArray& text)
    {
        pump();
        return out.contains(text);
    }
    bool errHas(const QByteArray& text)
    {
        pump();
        return err.contains(text);
    }
    bool running() const { return process.state() != QProcess::NotRunning; }
    void signal(int sig) const { ::kill(static_cast<pid_t>(process.processId()), sig); }
    QString describe()
    {
        pump();
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(process.exitCode())
            .arg(QString::fromUtf8(out.right(1500)), QString::fromUtf8(err.right(1500)));
    }
    ~Follower()
    {
        if (running()) {
            signal(SIGCONT);
            process.kill();
            process.waitForFinished(5000);
        }
    }
};

} // namespace

class TestStreamChanges : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    // 1
    void recreatedStream_data();
    void recreatedStream();
    void recreatedCappedStreamWhoseCountsLineUp();
    // 2
    void flushAllThenNewAppends();
    // 3
    void serverRestartedEmptyUnderAFollowingConsumer();
    // 4
    void trimmedWhileTheConsumerWasStopped();
    // 5
    void deletedByAnotherConsumer();
    // 6
    void forgedSnapshots_data();
    void forgedSnapshots();
    // 7
    void futureIndexMembers();
    // 8
    void wrongTypeKeys_data();
    void wrongTypeKeys();
    // 9
    void boundedMemory();

private:
    QStringList base(const QString& stream, const TestRedisServer* server = nullptr) const
    {
        return {QStringLiteral("--redis"), (server ? server : &server_)->urlText(), QStringLiteral("--stream"), stream};
    }
    CliResult cli(const QString& stream, const QStringList& args, const TestRedisServer* server = nullptr) const
    {
        return runCli(base(stream, server) + args);
    }
    QJsonArray listJson(const QString& stream, const TestRedisServer* server = nullptr) const
    {
        const CliResult r = cli(stream, {QStringLiteral("snapshot"), QStringLiteral("list"), QStringLiteral("--json")}, server);
        return r.ok() ? QJsonDocument::fromJson(r.out).array() : QJsonArray();
    }
    void clearSnapshots(const std::string& stream);

    TestRedisServer server_;
    Connection c_;
};

void TestStreamChanges::initTestCase()
{
    QVERIFY2(!cliPath().isEmpty(), "SHOPSTREAM_CLI is not set");
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    QVERIFY2(c_.connect(server_.url()), c_.error().c_str());
}

void TestStreamChanges::clearSnapshots(const std::string& stream)
{
    for (const std::string& id : indexMembers(c_, stream))
        c_.command({"DEL", shop::redis::snapshotKey(stream, id)});
    c_.command({"DEL", shop::redis::snapshotIndexKey(stream)});
}

// ---- 1. The stream deleted and written again (the original bug) -------------------------

void TestStreamChanges::recreatedStream_data()
{
    QTest::addColumn<int>("newEvents");
    QTest::newRow("one new event") << 1;           // the new stream has fewer entries than the snapshot covered
    QTest::newRow("a longer new stream") << 5000;  // more entries than the snapshot covered
}

void TestStreamChanges::recreatedStream()
{
    QFETCH(int, newEvents);
    const QString stream = QStringLiteral("sc:recreated:%1").arg(newEvents);
    const std::string key = stream.toStdString();

    // Two snapshots of the old incarnation.
    CliResult r = cli(stream, {"produce", "--events", "4000", "--seed", "11"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"produce", "--events", "500", "--seed", "12"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::vector<std::string> oldIds = indexMembers(c_, key);
    QCOMPARE(oldIds.size(), std::size_t(2));

    QCOMPARE(c_.command({"DEL", key}).integer(), 1);
    if (newEvents == 1) {
        r = cli(stream, {"append", "TopUp", R"({"userId":7,"amount":1500})"});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    } else {
        r = cli(stream, {"produce", "--events", QString::number(newEvents), "--seed", "13"});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }
    const std::string head = edgeId(c_, key, true);

    // The state is the new stream's, not the old shop plus the new entries.
    const CliResult state = cli(stream, {"state", "--json"});
    QVERIFY2(state.ok(), qPrintable(state.describe()));
    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"});
    QVERIFY2(scratch.ok(), qPrintable(scratch.describe()));
    QVERIFY2(state.out == scratch.out, qPrintable(state.describe() + "\nfrom scratch: " + scratch.describe()));
    const QJsonObject json = QJsonDocument::fromJson(state.out).object();
    QCOMPARE(json.value("events").toObject().value("total").toInteger(), qint64(newEvents));
    if (newEvents == 1) {
        const QJsonArray users = json.value("users").toArray();
        QCOMPARE(users.size(), 1);
        QCOMPARE(users[0].toObject().value("id").toInteger(), 7);
        QCOMPARE(users[0].toObject().value("balance").toInteger(), 1500);
        QVERIFY(json.value("items").toArray().isEmpty());
    }
    // It says which snapshots it passed over, and why.
    for (const std::string& id : oldIds) {
        QVERIFY2(state.err.contains("snapshot " + bytes(id) + " passed over"), qPrintable(state.describe()));
    }
    QVERIFY2(state.err.contains("earlier stream"), qPrintable(state.describe()));

    // The consumer starts from the new stream and saves a snapshot of it.
    r = cli(stream, {"consume", "--until-caught-up", "--snapshot-every", "1"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("caught up: " + QByteArray::number(newEvents) + " events"), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("snapshot saved at " + bytes(head)), qPrintable(r.describe()));
    const std::vector<std::string> ids = indexMembers(c_, key);
    QVERIFY2(std::find(ids.begin(), ids.end(), head) != ids.end(), "the new snapshot is in the index");

    // snapshot list: the old ones are not checked, and say they are from an earlier stream.
    const QJsonArray listing = listJson(stream);
    QCOMPARE(listing.size(), 3);
    for (const std::string& id : oldIds) {
        const QJsonObject s = listedSnapshot(listing, id);
        QVERIFY2(!s.isEmpty(), id.c_str());
        QVERIFY2(!s.value("checked").toBool(), id.c_str());
        QVERIFY2(s.value("problem").toString().contains(QStringLiteral("earlier stream")),
                 qPrintable(s.value("problem").toString()));
    }
    QVERIFY2(listedSnapshot(listing, head).value("checked").toBool(),
             qPrintable(listedSnapshot(listing, head).value("problem").toString()));
    const CliResult text = cli(stream, {"snapshot", "list"});
    QVERIFY2(text.ok(), qPrintable(text.describe()));
    for (const QByteArray& line : text.out.split('\n')) {
        if (line.startsWith(bytes(head)))
            QVERIFY2(line.endsWith(" yes"), line.constData());
        for (const std::string& id : oldIds) {
            if (line.startsWith(bytes(id)))
                QVERIFY2(line.contains(" no: ") && line.contains("earlier stream"), line.constData());
        }
    }

    // verify --all: the new one verifies; the old ones keep it from exiting 0.
    const CliResult all = cli(stream, {"snapshot", "verify", "--all"});
    QCOMPARE(all.exitCode, 1);
    QVERIFY2(all.out.contains("snapshot " + bytes(head) + " verified"), qPrintable(all.describe()));
    QVERIFY2(!all.out.contains("DIFFERS"), qPrintable(all.describe()));
    for (const std::string& id : oldIds)
        QVERIFY2(all.err.contains("snapshot " + bytes(id) + " does not pass its checks"), qPrintable(all.describe()));
    const CliResult newest = cli(stream, {"snapshot", "verify"});
    QVERIFY2(newest.ok() && newest.out.contains("verified"), qPrintable(newest.describe()));
    // And from the new snapshot, the same state.
    const CliResult again = cli(stream, {"state", "--json"});
    QVERIFY2(again.ok() && again.out == scratch.out, qPrintable(again.describe()));
}

// Beyond the brief: a capped stream (trimmed to its newest N, as an XADD MAXLEN producer keeps
// it) deleted and written again until its counts happen to line up with the old snapshot:
// the new incarnation has had exactly (old snapshot's entries + what it holds now) entries
// added. `state --from-scratch` refuses (most of the new stream is trimmed away); `state`
// must not show the old shop plus the new tail with exit 0.
void TestStreamChanges::recreatedCappedStreamWhoseCountsLineUp()
{
    const QString stream = QStringLiteral("sc:recreated:capped");
    const std::string key = stream.toStdString();
    CliResult r = cli(stream, {"produce", "--events", "4000", "--seed", "11"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(c_.command({"DEL", key}).integer(), 1);
    r = cli(stream, {"produce", "--events", "5000", "--seed", "13"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(c_.command({"XTRIM", key, "MAXLEN", "1000"}).integer(), 4000);

    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"});
    QCOMPARE(scratch.exitCode, 1);
    QVERIFY2(scratch.oneErrorLine() && scratch.err.contains("trimmed"), qPrintable(scratch.describe()));
    // Redis cannot tell this from the old stream having gone on for exactly 1000 entries and
    // then been trimmed up to the snapshot: the counts and the ids are the same. What can be
    // done is to say so: the snapshot's own entry is gone, so its identity is not confirmed.
    const CliResult state = cli(stream, {"state", "--json"});
    QVERIFY2(state.exitCode == 0 || state.out == scratch.out, qPrintable(state.describe().left(800)));
    if (state.exitCode == 0 && state.out != scratch.out)
        QVERIFY2(state.err.contains("its own entry was trimmed away") && state.err.contains("could not be told apart"),
                 qPrintable(state.describe().left(800)));
    const QJsonArray listed = listJson(stream);
    QCOMPARE(listed.size(), 1);
    QVERIFY2(!listed[0].toObject().value(QStringLiteral("checked")).toBool()
                 || listed[0].toObject().value(QStringLiteral("unconfirmed")).toBool(),
             "a snapshot whose entry is gone is not shown as plainly checked");
}

// ---- 2. FLUSHALL, then new appends ------------------------------------------------------

void TestStreamChanges::flushAllThenNewAppends()
{
    TestRedisServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    Connection c;
    QVERIFY2(c.connect(server.url()), c.error().c_str());
    const QString stream = QStringLiteral("sc:flushed");
    const std::string key = stream.toStdString();

    CliResult r = cli(stream, {"produce", "--events", "4000", "--seed", "11"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY(c.command({"FLUSHALL"}).isString());
    QVERIFY(indexMembers(c, key).empty());
    r = cli(stream, {"append", "TopUp", R"({"userId":7,"amount":1500})"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string head = edgeId(c, key, true);

    const CliResult state = cli(stream, {"state", "--json"}, &server);
    QVERIFY2(state.ok(), qPrintable(state.describe()));
    QVERIFY2(state.err.isEmpty(), qPrintable(state.describe())); // nothing left to pass over
    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"}, &server);
    QVERIFY2(scratch.ok() && state.out == scratch.out, qPrintable(state.describe() + "\n" + scratch.describe()));
    const QJsonObject json = QJsonDocument::fromJson(state.out).object();
    QCOMPARE(json.value("events").toObject().value("total").toInteger(), 1);
    QCOMPARE(json.value("users").toArray().size(), 1);
    QCOMPARE(json.value("users").toArray()[0].toObject().value("balance").toInteger(), 1500);

    r = cli(stream, {"consume", "--until-caught-up", "--snapshot-every", "1"}, &server);
    QVERIFY2(r.ok() && r.out.contains("snapshot saved at " + bytes(head)), qPrintable(r.describe()));
    const QJsonArray listing = listJson(stream, &server);
    QCOMPARE(listing.size(), 1);
    QVERIFY2(listedSnapshot(listing, head).value("checked").toBool(), qPrintable(QJsonDocument(listing).toJson()));
    const CliResult all = cli(stream, {"snapshot", "verify", "--all"}, &server);
    QVERIFY2(all.ok() && all.out.contains("snapshot " + bytes(head) + " verified"), qPrintable(all.describe()));
    const CliResult again = cli(stream, {"state", "--json"}, &server);
    QVERIFY2(again.ok() && again.out == scratch.out, qPrintable(again.describe()));
}

// ---- 3. redis-server restarted on an empty data directory under a following consumer ----

void TestStreamChanges::serverRestartedEmptyUnderAFollowingConsumer()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    TestRedisServer::Options options;
    options.dataDir = dir.filePath(QStringLiteral("redis")); // the socket lives here: the same address after a restart
    auto first = std::make_unique<TestRedisServer>(options);
    QVERIFY2(first->start(), qPrintable(first->error()));
    const QString stream = QStringLiteral("sc:restarted");
    const std::string key = stream.toStdString();

    CliResult r = cli(stream, {"produce", "--events", "3000", "--seed", "21"}, first.get());
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    Follower consumer;
    consumer.start(base(stream, first.get()) << "consume" << "--snapshot-every" << "1");
    QVERIFY(consumer.process.waitForStarted(5000));
    QTRY_VERIFY2_WITH_TIMEOUT(consumer.outHas("snapshot saved"), qPrintable(consumer.describe()), 15000);
    // Something the consumer has not snapshotted yet when the server goes away.
    r = cli(stream, {"produce", "--events", "200", "--seed", "22"}, first.get());
    QVERIFY2(r.ok(), qPrintable(r.describe()));

    first->stop();
    first.reset();
    // An empty data directory: nothing of the old server's data comes back.
    QVERIFY(QDir(options.dataDir).removeRecursively());
    TestRedisServer second(options);
    QVERIFY2(second.start(), qPrintable(second.error()));
    Connection c;
    QVERIFY2(c.connect(second.url()), c.error().c_str());
    QCOMPARE(c.command({"DBSIZE"}).integer(), 0);
    // More entries than the old stream had, so counts alone cannot pass them off as a continuation.
    r = cli(stream, {"produce", "--events", "5000", "--seed", "23"}, &second);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string head = edgeId(c, key, true);

    QTRY_VERIFY2_WITH_TIMEOUT(consumer.errHas("was reset"), qPrintable(consumer.describe()), 15000);
    QTRY_VERIFY2_WITH_TIMEOUT(consumer.outHas("snapshot saved at " + bytes(head)), qPrintable(consumer.describe()), 15000);
    QVERIFY2(consumer.running(), qPrintable(consumer.describe()));
    consumer.signal(SIGTERM);
    QVERIFY(consumer.process.waitForFinished(10000));
    QVERIFY2(consumer.process.exitCode() == 0, qPrintable(consumer.describe()));
    consumer.pump();
    qInfo("consumer stderr: %s", consumer.err.trimmed().constData());

    const CliResult state = cli(stream, {"state", "--json"}, &second);
    QVERIFY2(state.ok() && state.err.isEmpty(), qPrintable(state.describe()));
    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"}, &second);
    QVERIFY2(scratch.ok() && state.out == scratch.out, qPrintable(state.describe() + "\n" + scratch.describe()));
    QCOMPARE(QJsonDocument::fromJson(state.out).object().value("events").toObject().value("total").toInteger(), 5000);
    // No merged shop was saved: every snapshot in the index is checked and verifies.
    const QJsonArray listing = listJson(stream, &second);
    QVERIFY(!listing.isEmpty());
    for (const QJsonValue& s : listing)
        QVERIFY2(s.toObject().value("checked").toBool(), qPrintable(QJsonDocument(listing).toJson()));
    const CliResult all = cli(stream, {"snapshot", "verify", "--all"}, &second);
    QVERIFY2(all.ok() && !all.out.contains("DIFFERS"), qPrintable(all.describe()));
}

// ---- 4. Trimmed while the consumer was stopped -----------------------------------------

void TestStreamChanges::trimmedWhileTheConsumerWasStopped()
{
    const QString stream = QStringLiteral("sc:trimmed");
    const std::string key = stream.toStdString();
    CliResult r = cli(stream, {"produce", "--events", "3000", "--seed", "31"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string before = edgeId(c_, key, true);

    Follower consumer;
    consumer.start(base(stream) << "consume" << "--snapshot-every" << "1");
    QVERIFY(consumer.process.waitForStarted(5000));
    QTRY_VERIFY2_WITH_TIMEOUT(consumer.outHas("snapshot saved at " + bytes(before)), qPrintable(consumer.describe()), 15000);
    const std::vector<std::string> indexBefore = indexMembers(c_, key);
    QCOMPARE(indexBefore.back(), before);

    consumer.signal(SIGSTOP);
    const QByteArray outBeforeStop = (consumer.pump(), consumer.out);
    r = cli(stream, {"produce", "--events", "20000", "--seed", "32"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(c_.command({"XTRIM", key, "MAXLEN", "10"}).integer(), 22990);
    const std::string first = edgeId(c_, key, false);
    consumer.signal(SIGCONT);

    QTRY_VERIFY2_WITH_TIMEOUT(!consumer.running(), qPrintable(consumer.describe()), 15000);
    consumer.pump();
    QVERIFY2(consumer.process.exitStatus() == QProcess::NormalExit && consumer.process.exitCode() == 1,
             qPrintable(consumer.describe()));
    // One line: how many, between which ids, trimmed.
    QVERIFY2(consumer.err.count('\n') == 1 && consumer.err.startsWith("shopstream-cli:"), qPrintable(consumer.describe()));
    QVERIFY2(consumer.err.contains("19990 entries between " + bytes(before) + " and " + bytes(first)),
             qPrintable(consumer.describe()));
    QVERIFY2(consumer.err.contains("trimmed"), qPrintable(consumer.describe()));
    // No snapshot after the gap.
    QVERIFY2(!consumer.out.mid(outBeforeStop.size()).contains("snapshot saved"), qPrintable(consumer.describe()));
    QVERIFY(indexMembers(c_, key) == indexBefore);

    // state from that snapshot refuses, naming the gap.
    r = cli(stream, {"state", "--json"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.isEmpty() && r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("19990 entries between " + bytes(before) + " and " + bytes(first)) && r.err.contains("trimmed"),
             qPrintable(r.describe()));
    // --allow-gaps goes on, with a warning.
    r = cli(stream, {"state", "--json", "--allow-gaps"});
    QVERIFY2(r.ok() && r.err.contains("warning") && r.err.contains("19990"), qPrintable(r.describe()));
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("events").toObject().value("total").toInteger(), 3010);
    const QByteArray acceptedState = r.out;
    // A snapshot is never saved across the gap unless the gap is accepted.
    r = cli(stream, {"snapshot", "save"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("19990"), qPrintable(r.describe()));
    QVERIFY(indexMembers(c_, key) == indexBefore);
    // Accepted (the reading chosen: save takes --allow-gaps as state does), the snapshot
    // records the skipped entries...
    r = cli(stream, {"snapshot", "save", "--allow-gaps"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string head = edgeId(c_, key, true);
    const ordered_json header = headerOf(getString(c_, shop::redis::snapshotKey(key, head)));
    QVERIFY2(header.is_object(), "the snapshot at the head is readable");
    QCOMPARE(header.value("skipped", std::int64_t(-1)), std::int64_t(19990));
    QCOMPARE(header.value("entriesAdded", std::int64_t(-1)), std::int64_t(23000));
    // ...and a later state no longer refuses.
    r = cli(stream, {"state", "--json"});
    QVERIFY2(r.ok() && r.err.isEmpty(), qPrintable(r.describe()));
    QVERIFY2(r.out == acceptedState, qPrintable(r.describe()));
}

// ---- 5. XDEL by another consumer -----------------------------------------------------------

void TestStreamChanges::deletedByAnotherConsumer()
{
    const QString stream = QStringLiteral("sc:xdel");
    const std::string key = stream.toStdString();
    // A legacy stream (the Go demo's), a snapshot of it, then native entries (`append` has no
    // --format here: it writes native JSON), then more legacy traffic.
    CliResult r = cli(stream, {"produce", "--legacy", "--events", "2000", "--seed", "41"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string snapshotId = indexMembers(c_, key).back();
    std::vector<std::string> native;
    for (int i = 0; i < 3; ++i) {
        r = cli(stream, {"append", "TopUp", QStringLiteral(R"({"userId":%1,"amount":1500})").arg(900 + i)});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        native.push_back(r.out.trimmed().toStdString());
    }
    QVERIFY2(c_.command({"XRANGE", key, native[0], native[0]}).size() == 1, native[0].c_str());
    r = cli(stream, {"produce", "--legacy", "--events", "500", "--seed", "42"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const qint64 length = xlen(c_, key);
    // The Go consumer cannot parse them, and deletes them.
    QCOMPARE(c_.command({"XDEL", key, native[0], native[1], native[2]}).integer(), 3);

    r = cli(stream, {"state", "--json", "--from-scratch"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.isEmpty() && r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("3 of the 2503 entries") && r.err.contains("deleted"), qPrintable(r.describe()));
    r = cli(stream, {"state", "--json", "--from-scratch", "--allow-gaps"});
    QVERIFY2(r.ok() && r.err.contains("warning") && r.err.contains("deleted"), qPrintable(r.describe()));
    QCOMPARE(QJsonDocument::fromJson(r.out).object().value("events").toObject().value("total").toInteger(), length - 3);

    // From the snapshot taken before the native entries: the deletion lies after it.
    r = cli(stream, {"state", "--json"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.isEmpty() && r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("after " + bytes(snapshotId)) && r.err.contains("deleted"), qPrintable(r.describe()));
    r = cli(stream, {"consume", "--until-caught-up", "--snapshot-every", "0"});
    QVERIFY2(r.exitCode == 1 && r.err.contains("deleted"), qPrintable(r.describe()));
    r = cli(stream, {"state", "--json", "--allow-gaps"});
    QVERIFY2(r.ok() && r.err.contains("deleted"), qPrintable(r.describe()));
}

// ---- 6. Forged snapshots -----------------------------------------------------------------

enum Forgery {
    NegativeStock,
    MaxBalance,
    UserIdZero,
    MarkupItemId,
    DuplicateRows,
    HeaderTotalOne,
    OneUserShopAtTotalOne,
};

void TestStreamChanges::forgedSnapshots_data()
{
    QTest::addColumn<int>("forgery");
    QTest::newRow("negative stock") << int(NegativeStock);
    QTest::newRow("int64-max balance") << int(MaxBalance);
    QTest::newRow("user id 0") << int(UserIdZero);
    QTest::newRow("item id with markup, over 64 chars") << int(MarkupItemId);
    QTest::newRow("duplicate rows") << int(DuplicateRows);
    QTest::newRow("header total 1") << int(HeaderTotalOne);
    QTest::newRow("header total 1, a one-user shop, every count consistent") << int(OneUserShopAtTotalOne);
    // Not a row: a snapshot raised by 1,000,000 entries whose forger also trimmed away the
    // 1,000,000 entries it claims to have read. Its counts are consistent with itself and the
    // stream, and the entries that would show it are gone: nothing short of a signed snapshot
    // could tell (docs/RELIABILITY.md, "Limits").
}

void TestStreamChanges::forgedSnapshots()
{
    QFETCH(int, forgery);
    const QString stream = QStringLiteral("sc:forged");
    const std::string key = stream.toStdString();
    // A real snapshot in the middle of the stream, a tail after it.
    if (xlen(c_, key) <= 0) {
        CliResult r = cli(stream, {"produce", "--events", "3000", "--seed", "5"});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli(stream, {"snapshot", "save"});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli(stream, {"produce", "--events", "1000", "--seed", "6"});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }
    const std::vector<std::string> ids = indexMembers(c_, key);
    QVERIFY(!ids.empty());
    const std::string id = ids.front();
    const std::string snapKey = shop::redis::snapshotKey(key, id);
    // The real blob: kept aside under another key, so every row starts from it.
    const std::string realKey = "sc:real-blob:" + key;
    if (getString(c_, realKey).empty())
        QVERIFY(c_.command({"SET", realKey, getString(c_, snapKey)}).isString());
    const std::string real = getString(c_, realKey);
    QVERIFY(!real.empty());

    const std::string forged = reforge(real, [&](ordered_json& h, ordered_json& b) {
        auto& users = b["users"];
        auto& items = b["items"];
        switch (forgery) {
        case NegativeStock:
            items[0][3] = -5;
            break;
        case MaxBalance:
            users[0][2] = std::numeric_limits<std::int64_t>::max();
            break;
        case UserIdZero:
            users[0][0] = 0;
            break;
        case MarkupItemId:
            items[0][0] = "<b>" + std::string(70, 'x') + "</b>";
            break;
        case DuplicateRows:
            users.push_back(users[0]);
            items.push_back(items[0]);
            h["users"] = users.size();
            h["items"] = items.size();
            break;
        case HeaderTotalOne:
            h["total"] = 1;
            break;
        case OneUserShopAtTotalOne:
            users = ordered_json::array({ordered_json::array({7, "", 1500, 0, 0})});
            items = ordered_json::array();
            b["byReason"] = {{"applied", 1}};
            h["total"] = 1;
            h["applied"] = 1;
            h["rejected"] = 0;
            h["users"] = 1;
            h["items"] = 0;
            h["entriesAdded"] = 1 + h["skipped"].get<std::int64_t>();
            break;
        }
    });
    QVERIFY(c_.command({"SET", snapKey, forged}).isString());

    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"});
    QCOMPARE(scratch.exitCode, 0);
    const CliResult state = cli(stream, {"state", "--json"});
    QVERIFY2(state.finished && state.exitCode == scratch.exitCode && state.out == scratch.out,
             qPrintable(QStringLiteral("with the forged snapshot: ") + state.describe().left(900)
                        + QStringLiteral("\nfrom scratch: ") + scratch.describe().left(600)));
    QVERIFY2(state.err.contains("snapshot " + bytes(id)), qPrintable(state.describe()));
    QVERIFY2(state.err.contains("snapshot " + bytes(id) + " passed over"), qPrintable(state.describe()));

    const QJsonObject listed = listedSnapshot(listJson(stream), id);
    QVERIFY(!listed.isEmpty());
    // Consistent with itself and with the stream's counts at its own entry, a one-user shop
    // passes the checks a listing can make without a rebuild; using it shows the lie (the
    // counts do not add up at the head: state above) and so does verify (below).
    if (forgery != OneUserShopAtTotalOne)
        QVERIFY2(!listed.value("checked").toBool(), qPrintable(QJsonDocument(listed).toJson()));
    const CliResult verify = cli(stream, {"snapshot", "verify"});
    QVERIFY2(verify.exitCode == 1, qPrintable(verify.describe()));
    qInfo("state: %s", state.err.trimmed().left(300).constData());
}

// ---- 7. snapshot save with future and non-id members in the index -----------------------

void TestStreamChanges::futureIndexMembers()
{
    const QString stream = QStringLiteral("sc:future");
    const std::string key = stream.toStdString();
    const std::string index = shop::redis::snapshotIndexKey(key);
    CliResult r = cli(stream, {"produce", "--events", "300", "--seed", "71"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    // Ten real snapshots: the index is full.
    for (int i = 0; i < 10; ++i) {
        r = cli(stream, {"append", "TopUp", QStringLiteral(R"({"userId":%1,"amount":100})").arg(i + 1)});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli(stream, {"snapshot", "save"});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }
    const std::vector<std::string> real = indexMembers(c_, key);
    QCOMPARE(real.size(), std::size_t(10));

    // Twelve members far in the future (ids and scores), and members that are no ids.
    const std::int64_t future = QDateTime::currentMSecsSinceEpoch() + 10LL * 365 * 24 * 3600 * 1000;
    std::vector<std::string> futureIds;
    for (int i = 0; i < 12; ++i) {
        futureIds.push_back(std::to_string(future + i) + "-0");
        QCOMPARE(c_.command({"ZADD", index, std::to_string(future + i), futureIds.back()}).integer(), 1);
    }
    futureIds.push_back("18446744073709551615-18446744073709551615");
    QCOMPARE(c_.command({"ZADD", index, "1e300", futureIds.back()}).integer(), 1);
    const std::vector<std::string> notIds = {"garbage", "1-2-3", "99999999999999999999999-0", "-"};
    for (const std::string& m : notIds)
        QCOMPARE(c_.command({"ZADD", index, "1", m}).integer(), 1);

    r = cli(stream, {"append", "TopUp", R"({"userId":99,"amount":100})"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string head = r.out.trimmed().toStdString();
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("saved snapshot " + bytes(head)), qPrintable(r.describe()));
    // How many it trimmed: 11 real snapshots, 10 kept.
    QVERIFY2(r.out.contains("trimmed 1 older snapshot"), qPrintable(r.describe()));
    for (const std::string& m : futureIds)
        QVERIFY2(r.err.contains(bytes(m)), qPrintable(QString::fromStdString(m) + "\n" + r.describe()));
    for (const std::string& m : notIds)
        QVERIFY2(r.err.contains("\"" + bytes(m) + "\""), qPrintable(QString::fromStdString(m) + "\n" + r.describe()));

    // The new snapshot is kept; the oldest real one was trimmed (blob too); the others are
    // left alone.
    QVERIFY(c_.command({"ZSCORE", index, head}).isString());
    QCOMPARE(c_.command({"EXISTS", shop::redis::snapshotKey(key, head)}).integer(), 1);
    QVERIFY(c_.command({"ZSCORE", index, real.front()}).isNull());
    QCOMPARE(c_.command({"EXISTS", shop::redis::snapshotKey(key, real.front())}).integer(), 0);
    for (std::size_t i = 1; i < real.size(); ++i)
        QVERIFY(c_.command({"ZSCORE", index, real[i]}).isString());
    for (const std::string& m : futureIds)
        QVERIFY2(c_.command({"ZSCORE", index, m}).isString(), m.c_str());
    for (const std::string& m : notIds)
        QVERIFY2(c_.command({"ZSCORE", index, m}).isString(), m.c_str());

    // The state comes from the new snapshot, and equals the one from scratch.
    const CliResult state = cli(stream, {"state"});
    QVERIFY2(state.ok() && state.out.contains("restored snapshot " + bytes(head)), qPrintable(state.describe()));
    const CliResult json = cli(stream, {"state", "--json"});
    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"});
    QVERIFY2(json.ok() && scratch.ok() && json.out == scratch.out, qPrintable(json.describe()));
    // A second save at the same head still keeps it.
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok() && c_.command({"ZSCORE", index, head}).isString(), qPrintable(r.describe()));
}

// ---- 8. Keys of the wrong type -----------------------------------------------------------

void TestStreamChanges::wrongTypeKeys_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("S:snapshots a string") << QStringLiteral("index string");
    QTest::newRow("S:snapshots a stream") << QStringLiteral("index stream");
    QTest::newRow("S:snapshot:<head> a list") << QStringLiteral("snapshot list");
}

void TestStreamChanges::wrongTypeKeys()
{
    QFETCH(QString, what);
    const QString stream = QStringLiteral("sc:wrongtype:") + QString(what).replace(' ', '-');
    const std::string key = stream.toStdString();
    const std::string index = shop::redis::snapshotIndexKey(key);
    CliResult r = cli(stream, {"produce", "--events", "500", "--seed", "81"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"produce", "--events", "100", "--seed", "82"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"snapshot", "save"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string head = edgeId(c_, key, true);

    std::string wrong; // the key of the wrong type
    std::string wrongType;
    if (what == QLatin1String("index string")) {
        clearSnapshots(key);
        wrong = index;
        wrongType = "string";
        QVERIFY(c_.command({"SET", wrong, "not an index"}).isString());
    } else if (what == QLatin1String("index stream")) {
        clearSnapshots(key);
        wrong = index;
        wrongType = "stream";
        QVERIFY(c_.command({"XADD", wrong, "*", "snapshot", head}).isString());
    } else {
        // The snapshot the next save would write: its key holds a list.
        wrong = shop::redis::snapshotKey(key, head);
        wrongType = "list";
        c_.command({"DEL", wrong});
        QCOMPARE(c_.command({"RPUSH", wrong, "a", "b", "c"}).integer(), 3);
    }
    QCOMPARE(keyType(c_, wrong), wrongType);

    const CliResult scratch = cli(stream, {"state", "--json", "--from-scratch"});
    QVERIFY2(scratch.ok(), qPrintable(scratch.describe()));
    // state: a warning naming the key, then the stream.
    r = cli(stream, {"state", "--json"});
    QVERIFY2(r.ok() && r.out == scratch.out, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("warning") && r.err.contains(bytes(wrong)), qPrintable(r.describe()));
    r = cli(stream, {"consume", "--until-caught-up", "--snapshot-every", "0"});
    QVERIFY2(r.ok() && r.out.contains("caught up"), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("warning") && r.err.contains(bytes(wrong)), qPrintable(r.describe()));
    // snapshot list: the index key needs a warning (there is no row to carry it); a snapshot
    // key of another type may be named in that snapshot's row instead.
    r = cli(stream, {"snapshot", "list", "--json"});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    if (wrong == index) {
        QVERIFY2(r.err.contains("warning") && r.err.contains(bytes(wrong)), qPrintable(r.describe()));
    } else {
        const QJsonObject row = listedSnapshot(QJsonDocument::fromJson(r.out).array(), head);
        QVERIFY2(!row.value("checked").toBool(true), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(bytes(wrong)) || row.value("problem").toString().contains(QString::fromStdString(wrong)),
                 qPrintable(r.describe()));
    }
    // snapshot save refuses, naming the key, and leaves it as it was.
    r = cli(stream, {"snapshot", "save"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(bytes(wrong)), qPrintable(r.describe()));
    QVERIFY2(r.err.endsWith('\n') && r.err.split('\n').size() >= 2
                 && r.err.split('\n')[r.err.count('\n') - 1].startsWith("shopstream-cli: ")
                 && !r.err.split('\n')[r.err.count('\n') - 1].startsWith("shopstream-cli: warning"),
             qPrintable(r.describe()));
    QCOMPARE(keyType(c_, wrong), wrongType);
}

// ---- 9. Bounded memory ---------------------------------------------------------------------

// Scaled down from the brief's ten entries of 100 MB (see docs/RELIABILITY.md): reading one
// 100 MB bulk reply takes hiredis (and redis-cli) 4-9 s on a loaded 2-core machine, so ten
// cannot be read within a CI budget. Ten of 20 MB keep the point: the entries together are
// more than the bound, and a reader whose pages are bounded by bytes holds a few at a time.
// The brief's ratio is kept: at most five entries' worth (plus 32 MiB for the program).
// First, a 400 MB garbage snapshot blob in the index, which a listing must not read.
void TestStreamChanges::boundedMemory()
{
    constexpr int kEntries = 10;
    constexpr qint64 kEntryBytes = 20LL << 20;
    constexpr qint64 kBoundKb = (5 * kEntryBytes + (32LL << 20)) / 1024;
    TestRedisServer server; // of its own: its memory is freed when it stops
    QVERIFY2(server.start(), qPrintable(server.error()));
    Connection c;
    QVERIFY2(c.connect(server.url(), {.connectTimeoutMs = 3000, .commandTimeoutMs = 60000}), c.error().c_str());
    const QString stream = QStringLiteral("sc:huge");
    const std::string key = stream.toStdString();

    // A 400 MB garbage blob in the index, under the 512 MiB limit (so only its header can
    // tell), made on the server: zeros after 4 KB of noise.
    CliResult r = cli(stream, {"produce", "--events", "2000", "--seed", "91"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    r = cli(stream, {"append", "TopUp", R"({"userId":3,"amount":100})"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const std::string head = r.out.trimmed().toStdString();
    const std::string blobKey = shop::redis::snapshotKey(key, head);
    std::string noise(4096, '\0');
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (std::size_t i = 0; i < noise.size(); i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        std::memcpy(&noise[i], &x, 8);
    }
    QCOMPARE(c.command({"SETRANGE", blobKey, std::to_string((400LL << 20) - 1), "!"}).integer(), 400LL << 20);
    QCOMPARE(c.command({"SETRANGE", blobKey, "0", noise}).integer(), 400LL << 20);
    QCOMPARE(c.command({"ZADD", shop::redis::snapshotIndexKey(key), "1", head}).integer(), 1);
    const Measured list = runMeasured(base(stream, &server) << "snapshot" << "list");
    QVERIFY2(list.result.ok(), qPrintable(list.result.describe()));
    QVERIFY2(list.result.out.contains(bytes(head)) && list.result.out.contains(" no: "), qPrintable(list.result.describe()));
    QVERIFY2(list.result.out.contains("not a shopstream snapshot") || list.result.out.contains("over the limit")
                 || list.result.out.contains("not readable JSON"),
             qPrintable(list.result.describe()));
    qInfo("snapshot list with a 400 MiB garbage blob: peak RSS %ld MiB in %lld ms: %s", list.maxRssKb / 1024,
          list.result.elapsedMs, list.result.out.split('\n').value(1).constData());
    QVERIFY2(kSanitized || list.maxRssKb < 100 * 1024, qPrintable(QStringLiteral("peak RSS %1 MiB").arg(list.maxRssKb / 1024)));
    // Gone again: state would read a blob under the limit whole (see docs/RELIABILITY.md).
    QCOMPARE(c.command({"DEL", blobKey, shop::redis::snapshotIndexKey(key)}).integer(), 2);

    // Normal traffic came first, as on a live shop: by the time the huge entries come, the
    // reader's pages have grown to thousands of entries.
    r = cli(stream, {"state", "--json"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const qint64 tooLargeBefore =
        QJsonDocument::fromJson(r.out).object().value("events").toObject().value("byReason").toObject().value("too_large").toInteger();

    // The entries are made on the server (hiredis 0.14 writes a huge command slowly): kEntries
    // entries with a data field of kEntryBytes that starts like a TopUp; replies XLEN.
    const auto addHugeEntries = [&] {
        return c.command(
            {"EVAL",
             "redis.call('SETRANGE', KEYS[2], tonumber(ARGV[1]) - 1, '}') "
             "redis.call('SETRANGE', KEYS[2], 0, '{\"userId\":1,\"amount\":1,\"pad\":\"') "
             "local v = redis.call('GET', KEYS[2]) "
             "for i = 1, tonumber(ARGV[2]) do redis.call('XADD', KEYS[1], '*', 'type', 'TopUp', 'data', v) end "
             "redis.call('DEL', KEYS[2]) return redis.call('XLEN', KEYS[1])",
             "2", key, "sc:huge:pad", std::to_string(kEntryBytes), std::to_string(kEntries)});
    };
    QElapsedTimer timer;
    timer.start();
    const Reply added = addHugeEntries();
    QVERIFY2(added && added.isInteger(), added ? std::string(added.str()).c_str() : c.error().c_str());
    QCOMPARE(added.integer(), 2001 + kEntries);
    r = cli(stream, {"append", "TopUp", R"({"userId":2,"amount":100})"}, &server);
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const qint64 writeMs = timer.elapsed();

    const Measured state = runMeasured(base(stream, &server) << "state" << "--json");
    QVERIFY2(state.result.ok(), qPrintable(state.result.describe()));
    const QJsonObject events = QJsonDocument::fromJson(state.result.out).object().value("events").toObject();
    QCOMPARE(events.value("total").toInteger(), 2001 + kEntries + 1);
    QCOMPARE(events.value("byReason").toObject().value("too_large").toInteger(), tooLargeBefore + kEntries);
    // XRANGE cannot be bounded by bytes: the page asked for before the first huge entry was
    // seen is sized for small ones and holds all ten. What is bounded: that one page (in the
    // reply and its arena), never a second one beside it, and nothing kept afterwards.
    constexpr qint64 kAfterSmallBoundKb = (2 * kEntries * kEntryBytes + (64LL << 20)) / 1024;
    qInfo("%d entries of %lld MiB after 2000 small ones, written in %lld ms; state --json: peak RSS %ld MiB (bound %lld MiB) "
          "in %lld ms",
          kEntries, kEntryBytes >> 20, writeMs, state.maxRssKb / 1024, kAfterSmallBoundKb / 1024, state.result.elapsedMs);
    QVERIFY2(kSanitized || state.maxRssKb < kAfterSmallBoundKb,
             qPrintable(QStringLiteral("state --json: peak RSS %1 MiB, over %2 MiB").arg(state.maxRssKb / 1024).arg(kAfterSmallBoundKb / 1024)));

    // Once huge entries have been seen (a snapshot after the small ones, so that the reader
    // starts at the huge ones), pages shrink to what fits 16 MiB: one entry at a time.
    r = cli(stream, {"snapshot", "save"}, &server); // at the head: nothing to read after it
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    QCOMPARE(c.command({"DEL", key, shop::redis::snapshotIndexKey(key)}).isInteger(), true);
    const Reply onlyHuge = addHugeEntries();
    QVERIFY2(onlyHuge && onlyHuge.isInteger(), onlyHuge ? std::string(onlyHuge.str()).c_str() : c.error().c_str());
    const Measured hugeOnly = runMeasured(base(stream, &server) << "state" << "--json");
    QVERIFY2(hugeOnly.result.ok(), qPrintable(hugeOnly.result.describe()));
    qInfo("a stream of %d entries of %lld MiB only: state --json peak RSS %ld MiB (bound %lld MiB) in %lld ms", kEntries,
          kEntryBytes >> 20, hugeOnly.maxRssKb / 1024, kBoundKb / 1024, hugeOnly.result.elapsedMs);
    QVERIFY2(kSanitized || hugeOnly.maxRssKb < kBoundKb,
             qPrintable(QStringLiteral("state --json: peak RSS %1 MiB, over %2 MiB (five of the %3 entries of %4 MiB, "
                                       "plus 32 MiB)")
                            .arg(hugeOnly.maxRssKb / 1024)
                            .arg(kBoundKb / 1024)
                            .arg(kEntries)
                            .arg(kEntryBytes >> 20)));
}

QTEST_GUILESS_MAIN(TestStreamChanges)
#include "test_stream_changes.moc"
