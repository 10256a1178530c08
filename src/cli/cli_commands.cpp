// shopstream-cli: argument parsing, the commands, and their output. Errors are one line on
// stderr ("shopstream-cli: ...") with a non-zero exit; nothing here deletes stream entries.
#include "cli_commands.hpp"
#include "bench.hpp"

#include "engine/connection_target.hpp"
#include "engine/consumer_worker.hpp"
#include "engine/engine_types.hpp"

#include "core/entry_decoder.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"
#include "core/state_json.hpp"
#include "core/stream_id.hpp"
#include "redis/connection.hpp"
#include "redis/keys.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"
#include "redis/stream_writer.hpp"

#include "shopstream_version.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QSocketNotifier>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sys/socket.h>
#include <unistd.h>

namespace shop::cli {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int fail(const QString& message)
{
    std::fprintf(stderr, "shopstream-cli: %s\n", qPrintable(message));
    return kExitFailure;
}

int usageError(const QString& message, const QString& command = {})
{
    const QString hint = command.isEmpty() ? QStringLiteral("shopstream-cli --help")
                                           : QStringLiteral("shopstream-cli %1 --help").arg(command);
    std::fprintf(stderr, "shopstream-cli: %s (see %s)\n", qPrintable(message), qPrintable(hint));
    return kExitUsage;
}

void warn(const std::string& message) { std::fprintf(stderr, "shopstream-cli: warning: %s\n", message.c_str()); }

void print(const std::string& text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

// ---------------------------------------------------------------------------------------
// Help texts

const char* const kMainHelp = R"(Usage: shopstream-cli [--redis URL] [--stream KEY] COMMAND [OPTIONS]

The shopstream engine without a GUI: an event-sourced shop whose history is a Redis Stream.

Commands:
  append TYPE JSON     append one event; prints the new entry id
  produce              write simulated shop traffic (deterministic for a seed)
  state                rebuild the shop's state and print it
  consume              run the consumer: follow the stream, write snapshots
  events               list entries with their verdicts
  snapshot save|list|verify
                       take, list or check snapshots
  bench                the performance suite, against a private redis-server

Options for every command:
  --redis URL          redis://[user:password@]host[:port][/db] or unix:///path/to.sock;
                       without it, a managed local redis-server under your data directory.
                       A password can also come from SHOPSTREAM_REDIS_PASSWORD.
  --stream KEY         the stream key (default shop:events; the original demo's is "orders")
  --data-dir DIR       where the managed local server keeps its data
  -h, --help           help (also after a command: shopstream-cli state --help)
  --version            the version

Exit status: 0 on success, 1 when something failed (one line on stderr), 2 on a usage error.
)";

const QHash<QString, const char*>& commandHelp()
{
    static const QHash<QString, const char*> help = {
        {QStringLiteral("append"), R"(Usage: shopstream-cli append TYPE JSON [--eid UUID] [--actor NAME] [--raw]

Appends one event to the stream and prints its entry id. TYPE is one of RegisterUser, TopUp,
AdjustBalance, AddItem, SetPrice, AdjustStock, Order (or OrderType); JSON is the event's data
object, e.g.  shopstream-cli append TopUp '{"userId": 7, "amount": 1500}'
Amounts are in minor units (cents). The consumer decides whether the event applies.

  --eid UUID    the idempotency id: appending again with the same eid (within 24 h) adds
                nothing and prints the first entry's id. Default: a new random one.
  --actor NAME  who issued it (default: cli:$USER)
  --raw         append even when TYPE is unknown or JSON is not an object (to make test
                streams with bad entries; they will be rejected by the consumer)
)"},
        {QStringLiteral("produce"), R"(Usage: shopstream-cli produce --events N [--users U] [--items I] [--seed S] [--rate R] [--legacy]

Writes N entries of simulated shop traffic: the catalogue and the customers first, then
top-ups, restocks, price changes and orders, with a share of entries that will be rejected
(unknown users, too little money, out of stock, malformed or invalid data). The same seed
gives the same entries.

  --events N    how many entries (required)
  --users U     customers (default 100)
  --items I     catalogue size (default 50)
  --seed S      the simulation seed (default 1)
  --rate R      at most R entries a second (default: as fast as possible, pipelined)
  --legacy      the original Go demo's format: TopUp, AddItem and OrderType as MessagePack
)"},
        {QStringLiteral("state"), R"(Usage: shopstream-cli state [--json] [--from-scratch] [--until ID] [--allow-gaps]

Rebuilds the shop's state: the newest snapshot that verifies, then the stream's tail up to
its head (or up to and including entry ID), and prints users, items and the verdict counts.

  --json          print the JSON document (users by id, items by id, amounts in minor units)
  --from-scratch  ignore snapshots and apply every entry from the start
  --until ID      stop after entry ID; no snapshot taken after ID is used
  --allow-gaps    go on with a warning when entries are missing (a trimmed stream)
)"},
        {QStringLiteral("consume"), R"(Usage: shopstream-cli consume [--snapshot-every SECONDS] [--until-caught-up] [--from-scratch]

Runs the consumer the desktop app runs: restores the newest valid snapshot, catches up,
follows the stream and writes a snapshot every SECONDS (default 30) when something
changed, until SIGINT or SIGTERM (a last snapshot is written then).

  --snapshot-every SECONDS  snapshot interval; 0 turns timed snapshots off
  --until-caught-up         stop once the head of the stream is reached
  --from-scratch            ignore snapshots at start
)"},
        {QStringLiteral("events"), R"(Usage: shopstream-cli events [--from ID] [--count N] [--json]

Lists entries with their verdicts (applied, or rejected and why), oldest first.

  --from ID   start at entry ID (inclusive); default: the first entry
  --count N   at most N entries (default 100; 0 means all)
  --json      a JSON array instead of text
)"},
        {QStringLiteral("snapshot"), R"(Usage: shopstream-cli snapshot save|list|verify [--json]

  save     bring the state up to the head (newest snapshot plus tail) and store a snapshot
  list     the stored snapshots: id, time, events covered, size, and whether each verifies
  verify   rebuild from scratch up to the newest snapshot and compare the two; exit 1 when
           they differ
)"},
        {QStringLiteral("bench"), kBenchHelp},
    };
    return help;
}

// ---------------------------------------------------------------------------------------
// Argument parsing

struct OptionSpec {
    const char* name;
    bool takesValue;
};

const QHash<QString, QList<OptionSpec>>& commandOptions()
{
    static const QHash<QString, QList<OptionSpec>> options = {
        {QStringLiteral("append"), {{"--eid", true}, {"--actor", true}, {"--raw", false}}},
        {QStringLiteral("produce"),
         {{"--events", true}, {"--users", true}, {"--items", true}, {"--seed", true}, {"--rate", true}, {"--legacy", false}}},
        {QStringLiteral("state"), {{"--json", false}, {"--from-scratch", false}, {"--until", true}, {"--allow-gaps", false}}},
        {QStringLiteral("consume"),
         {{"--snapshot-every", true}, {"--until-caught-up", false}, {"--from-scratch", false}, {"--allow-gaps", false}}},
        {QStringLiteral("events"), {{"--from", true}, {"--count", true}, {"--json", false}}},
        {QStringLiteral("snapshot"), {{"--json", false}}},
        {QStringLiteral("bench"), {{"--events", true}, {"--quick", false}, {"--json", false}}},
    };
    return options;
}

// Returns kExitOk and fills `out`, or an exit code after printing help or an error.
int parseArgs(const QStringList& args, CommandArgs& out, bool& done)
{
    done = false;
    bool wantHelp = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        QString name = a;
        QString inlineValue;
        bool hasInline = false;
        if (a.startsWith(QLatin1String("--")) && a.contains(QLatin1Char('='))) {
            name = a.left(a.indexOf(QLatin1Char('=')));
            inlineValue = a.mid(a.indexOf(QLatin1Char('=')) + 1);
            hasInline = true;
        }
        auto takeValue = [&](QString& target) -> bool {
            if (hasInline) {
                target = inlineValue;
                return true;
            }
            if (i + 1 >= args.size())
                return false;
            target = args[++i];
            return true;
        };
        if (name == QLatin1String("-h") || name == QLatin1String("--help")) {
            wantHelp = true;
        } else if (name == QLatin1String("--version")) {
            print("shopstream-cli " SHOPSTREAM_VERSION);
            done = true;
            return kExitOk;
        } else if (name == QLatin1String("--redis")) {
            if (!takeValue(out.global.redisUrl))
                return usageError(QStringLiteral("--redis needs a URL"));
            if (out.global.redisUrl.isEmpty())
                return usageError(QStringLiteral("--redis needs a URL"));
        } else if (name == QLatin1String("--stream")) {
            if (!takeValue(out.global.stream) || out.global.stream.isEmpty())
                return usageError(QStringLiteral("--stream needs a key"));
        } else if (name == QLatin1String("--data-dir")) {
            if (!takeValue(out.global.dataDir))
                return usageError(QStringLiteral("--data-dir needs a directory"));
        } else if (name.startsWith(QLatin1String("--")) && !out.command.isEmpty()) {
            const auto specs = commandOptions().value(out.command);
            const auto spec = std::find_if(specs.begin(), specs.end(),
                                           [&](const OptionSpec& s) { return name == QLatin1String(s.name); });
            if (spec == specs.end())
                return usageError(QStringLiteral("unknown option %1 for %2").arg(name, out.command), out.command);
            QString value;
            if (spec->takesValue) {
                if (!takeValue(value))
                    return usageError(QStringLiteral("%1 needs a value").arg(name), out.command);
            } else if (hasInline) {
                return usageError(QStringLiteral("%1 takes no value").arg(name), out.command);
            }
            out.options.insert(name, value);
        } else if (name.startsWith(QLatin1Char('-')) && name.size() > 1 && out.command.isEmpty()) {
            return usageError(QStringLiteral("unknown option %1").arg(name));
        } else if (out.command.isEmpty()) {
            out.command = a;
            if (!commandHelp().contains(out.command))
                return usageError(QStringLiteral("unknown command \"%1\"").arg(out.command));
        } else {
            out.positionals << a;
        }
    }
    if (wantHelp) {
        std::fputs(out.command.isEmpty() ? kMainHelp : commandHelp().value(out.command, kMainHelp), stdout);
        done = true;
        return kExitOk;
    }
    if (out.command.isEmpty()) {
        std::fputs(kMainHelp, stderr);
        done = true;
        return kExitUsage;
    }
    return kExitOk;
}

bool parseCount(const QString& text, qint64 lo, qint64 hi, qint64& out)
{
    bool ok = false;
    out = text.toLongLong(&ok);
    return ok && out >= lo && out <= hi;
}

// ---------------------------------------------------------------------------------------
// Connecting

struct Session {
    engine::ConnectionTarget target;
    redis::Connection connection;
    std::string stream;
};

bool openSession(const CommandArgs& args, Session& session, QString& error)
{
    session.stream = args.global.stream.toStdString();
    if (!session.target.resolve(args.global.redisUrl, args.global.dataDir)) {
        error = session.target.error();
        return false;
    }
    redis::ConnectOptions options;
    options.commandTimeoutMs = 60000; // a large snapshot or XRANGE batch may take a while
    if (!session.connection.connect(session.target.url(), options)) {
        error = QString::fromStdString(session.connection.error());
        return false;
    }
    for (const std::string& w : session.target.warnings(session.connection)) // disk refusing writes, eviction
        warn(w);
    return true;
}

void printWarnings(const std::vector<std::string>& warnings)
{
    for (const std::string& w : warnings)
        warn(w);
}

std::string formatMoney(std::int64_t minor)
{
    const bool negative = minor < 0;
    const unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(minor) : minor;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%llu.%02llu", negative ? "-" : "", magnitude / 100, magnitude % 100);
    return buf;
}

// ---------------------------------------------------------------------------------------
// Commands

int cmdAppend(const CommandArgs& args)
{
    if (args.positionals.size() != 2)
        return usageError(QStringLiteral("append takes TYPE and JSON"), QStringLiteral("append"));
    const std::string type = args.positionals[0].toStdString();
    const std::string data = args.positionals[1].toStdString();
    if (!args.has(QStringLiteral("--raw"))) {
        if (!parseEventType(type))
            return usageError(QStringLiteral("unknown event type \"%1\": use RegisterUser, TopUp, AdjustBalance, AddItem, "
                                             "SetPrice, AdjustStock or Order")
                                  .arg(args.positionals[0]),
                              QStringLiteral("append"));
        const auto parsed = nlohmann::json::parse(data, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object())
            return usageError(QStringLiteral("the data is not a JSON object; nothing was appended"), QStringLiteral("append"));
    }
    Session session;
    QString error;
    if (!openSession(args, session, error))
        return fail(error);
    redis::StreamWriter writer(session.connection, session.stream);
    redis::AppendRequest request;
    request.type = type;
    request.data = data;
    request.eid = args.value(QStringLiteral("--eid")).toStdString();
    request.actor = args.value(QStringLiteral("--actor"), QStringLiteral("cli:") + qEnvironmentVariable("USER", QStringLiteral("unknown")))
                        .toStdString();
    const redis::AppendResult result = writer.append(request);
    if (!result.ok)
        return fail(QString::fromStdString(result.error));
    if (result.duplicate)
        warn("an event with this eid was appended before; nothing new was added");
    print(result.id);
    return kExitOk;
}

int cmdProduce(const CommandArgs& args)
{
    qint64 events = 0, users = 100, items = 50, seed = 1, rate = 0;
    if (!args.has(QStringLiteral("--events")))
        return usageError(QStringLiteral("produce needs --events N"), QStringLiteral("produce"));
    if (!parseCount(args.value(QStringLiteral("--events")), 1, 1'000'000'000, events))
        return usageError(QStringLiteral("--events must be a whole number from 1 to 1000000000"), QStringLiteral("produce"));
    if (args.has(QStringLiteral("--users")) && !parseCount(args.value(QStringLiteral("--users")), 1, 1'000'000'000, users))
        return usageError(QStringLiteral("--users must be a whole number from 1 to 1000000000"), QStringLiteral("produce"));
    if (args.has(QStringLiteral("--items")) && !parseCount(args.value(QStringLiteral("--items")), 1, 9999999, items))
        return usageError(QStringLiteral("--items must be a whole number from 1 to 9999999"), QStringLiteral("produce"));
    if (args.has(QStringLiteral("--seed"))
        && !parseCount(args.value(QStringLiteral("--seed")), 0, std::numeric_limits<qint64>::max(), seed))
        return usageError(QStringLiteral("--seed must be a whole number >= 0"), QStringLiteral("produce"));
    if (args.has(QStringLiteral("--rate")) && !parseCount(args.value(QStringLiteral("--rate")), 1, 100'000'000, rate))
        return usageError(QStringLiteral("--rate must be a whole number of entries a second, at least 1"),
                          QStringLiteral("produce"));

    Session session;
    QString error;
    if (!openSession(args, session, error))
        return fail(error);

    SimulatorOptions simOptions;
    simOptions.users = users;
    simOptions.items = items;
    simOptions.seed = static_cast<std::uint64_t>(seed);
    simOptions.legacy = args.has(QStringLiteral("--legacy"));
    ShopSimulator simulator(simOptions);
    redis::StreamWriter writer(session.connection, session.stream);

    // With a rate, write small chunks on a clock; without, large pipelined chunks.
    const qint64 chunk = rate > 0 ? std::max<qint64>(1, rate / 20) : 10000;
    std::vector<redis::AppendRequest> requests;
    SimEntry entry;
    QElapsedTimer clock;
    clock.start();
    qint64 written = 0;
    while (written < events) {
        const qint64 n = std::min(chunk, events - written);
        requests.resize(static_cast<std::size_t>(n));
        for (auto& request : requests) {
            simulator.next(entry);
            request.type = entry.type;
            request.data = entry.data;
            request.legacy = simOptions.legacy;
            request.actor = "simulator";
        }
        const std::size_t done = writer.appendBatch(requests);
        written += static_cast<qint64>(done);
        if (done != requests.size())
            return fail(QStringLiteral("stopped after %1 of %2 entries: %3")
                            .arg(written)
                            .arg(events)
                            .arg(QString::fromStdString(writer.error())));
        if (rate > 0) {
            const qint64 due = written * 1000 / rate;
            const qint64 ahead = due - clock.elapsed();
            if (ahead > 0)
                QThread::msleep(static_cast<unsigned long>(ahead));
        }
    }
    const double seconds = std::max<qint64>(1, clock.elapsed()) / 1000.0;
    std::printf("produced %lld %s entries to %s in %.2f s (%.0f entries/s)\n", static_cast<long long>(written),
                simOptions.legacy ? "legacy" : "native", session.stream.c_str(), seconds, double(written) / seconds);
    return kExitOk;
}

void printStateText(const ShopState& state, const std::string& stream, const redis::LoadReport& report)
{
    std::printf("stream %s, last entry %s\n", stream.c_str(), state.lastEventId.empty() ? "(none)" : state.lastEventId.c_str());
    std::printf("%s, then %lld entries applied from the stream\n",
                report.snapshotId.empty() ? "rebuilt from the start" : ("restored snapshot " + report.snapshotId).c_str(),
                static_cast<long long>(report.replayed));
    std::printf("events: %lld total, %lld applied, %lld rejected\n", static_cast<long long>(state.counts.total),
                static_cast<long long>(state.counts.applied), static_cast<long long>(state.counts.rejected));
    for (int r = 1; r < kReasonCount; ++r) {
        if (state.counts.byReason[r])
            std::printf("  %-20s %lld\n", std::string(reasonName(static_cast<Reason>(r))).c_str(),
                        static_cast<long long>(state.counts.byReason[r]));
    }
    std::printf("\nusers (%zu)\n%20s  %-24s %16s %16s %8s\n", state.users().size(), "id", "name", "balance", "spent", "orders");
    for (const User* u : state.sortedUsers())
        std::printf("%20lld  %-24s %16s %16s %8lld\n", static_cast<long long>(u->id), u->name.c_str(),
                    formatMoney(u->balance).c_str(), formatMoney(u->spent).c_str(), static_cast<long long>(u->orders));
    std::printf("\nitems (%zu)\n%-24s %-24s %14s %12s %12s\n", state.items().size(), "id", "name", "price", "stock", "sold");
    for (const Item* i : state.sortedItems())
        std::printf("%-24s %-24s %14s %12lld %12lld\n", i->id.c_str(), i->name.c_str(),
                    i->price ? formatMoney(i->price).c_str() : "unpriced", static_cast<long long>(i->stock),
                    static_cast<long long>(i->sold));
}

bool validId(const QString& text) { return StreamId::parse(text.toStdString()).has_value(); }

int cmdState(const CommandArgs& args)
{
    if (!args.positionals.isEmpty())
        return usageError(QStringLiteral("state takes no arguments"), QStringLiteral("state"));
    redis::LoadOptions options;
    options.fromScratch = args.has(QStringLiteral("--from-scratch"));
    options.allowGaps = args.has(QStringLiteral("--allow-gaps"));
    if (args.has(QStringLiteral("--until"))) {
        if (!validId(args.value(QStringLiteral("--until"))))
            return usageError(QStringLiteral("--until needs a stream entry id such as 1700000000000-0"), QStringLiteral("state"));
        options.untilId = StreamId::parse(args.value(QStringLiteral("--until")).toStdString())->toString();
    }
    Session session;
    QString error;
    if (!openSession(args, session, error))
        return fail(error);
    ShopState state;
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(state, options, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(QString::fromStdString(report.error));
    if (args.has(QStringLiteral("--json")))
        print(stateToJson(state, session.stream));
    else
        printStateText(state, session.stream, report);
    return kExitOk;
}

// The id just before `id`, so that "after it" includes `id` itself.
std::string predecessor(const StreamId& id)
{
    if (id.isZero())
        return {};
    if (id.seq > 0)
        return StreamId{id.ms, id.seq - 1}.toString();
    return StreamId{id.ms - 1, std::numeric_limits<std::uint64_t>::max()}.toString();
}

// The entry's data as text: native JSON as written, legacy MessagePack decoded to JSON.
std::string dataText(const RawEntry& entry)
{
    if (!entry.data)
        return {};
    if (entryFormat(entry) == EntryFormat::Native)
        return std::string(*entry.data);
    if (auto text = legacyDataAsJson(*entry.data))
        return *text;
    return "<" + std::to_string(entry.data->size()) + " bytes that do not decode>";
}

int cmdEvents(const CommandArgs& args)
{
    if (!args.positionals.isEmpty())
        return usageError(QStringLiteral("events takes no arguments"), QStringLiteral("events"));
    qint64 count = 100;
    if (args.has(QStringLiteral("--count"))
        && !parseCount(args.value(QStringLiteral("--count")), 0, std::numeric_limits<qint64>::max(), count))
        return usageError(QStringLiteral("--count must be a whole number >= 0"), QStringLiteral("events"));
    std::string before; // entries up to here build the state the listed verdicts start from
    if (args.has(QStringLiteral("--from"))) {
        const auto from = StreamId::parse(args.value(QStringLiteral("--from")).toStdString());
        if (!from)
            return usageError(QStringLiteral("--from needs a stream entry id such as 1700000000000-0"), QStringLiteral("events"));
        before = predecessor(*from);
    }
    Session session;
    QString error;
    if (!openSession(args, session, error))
        return fail(error);

    ShopState state;
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    redis::LoadOptions options;
    options.untilId = before;
    options.fromScratch = before.empty(); // from the first entry: nothing to restore
    bool ok = loader.restore(state, options, report);
    if (ok && !before.empty())
        ok = loader.catchUp(state, options, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(QString::fromStdString(report.error));

    const bool json = args.has(QStringLiteral("--json"));
    ordered_json list = ordered_json::array();
    redis::StreamReader reader(session.connection, session.stream);
    redis::EntryBatch batch;
    Event scratch;
    qint64 listed = 0;
    while (count == 0 || listed < count) {
        const std::size_t want = count == 0 ? 10000 : static_cast<std::size_t>(std::min<qint64>(10000, count - listed));
        const std::string after = state.lastEventId.empty() ? (before.empty() ? "0-0" : before) : state.lastEventId;
        if (!reader.range(after, want, batch))
            return fail(QString::fromStdString(reader.error()));
        for (const RawEntry& entry : batch.entries) {
            const Reason reason = processEntry(state, entry, scratch);
            const std::string type = entry.type ? std::string(*entry.type) : std::string();
            if (json) {
                ordered_json row = {{"id", entry.id},
                                    {"type", entry.type ? ordered_json(type) : ordered_json(nullptr)},
                                    {"verdict", reason == Reason::None ? "applied" : "rejected"},
                                    {"reason", reason == Reason::None ? ordered_json(nullptr) : ordered_json(reasonName(reason))},
                                    {"data", dataText(entry)}};
                if (entry.eid)
                    row["eid"] = std::string(*entry.eid);
                if (entry.actor)
                    row["actor"] = std::string(*entry.actor);
                list.push_back(std::move(row));
            } else {
                const std::string verdict =
                    reason == Reason::None ? std::string("applied") : "rejected: " + std::string(reasonName(reason));
                std::printf("%-22s %-14s %-30s %s\n", std::string(entry.id).c_str(), type.empty() ? "-" : type.c_str(),
                            verdict.c_str(), dataText(entry).c_str());
            }
        }
        listed += static_cast<qint64>(batch.entries.size());
        if (batch.entries.size() < want)
            break;
    }
    if (json)
        print(list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return kExitOk;
}

std::string isoTime(std::int64_t ms)
{
    if (ms <= 0)
        return "-";
    return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate).toStdString();
}

int cmdSnapshot(const CommandArgs& args)
{
    if (args.positionals.size() != 1)
        return usageError(QStringLiteral("snapshot needs one of save, list, verify"), QStringLiteral("snapshot"));
    const QString action = args.positionals[0];
    if (action != QLatin1String("save") && action != QLatin1String("list") && action != QLatin1String("verify"))
        return usageError(QStringLiteral("unknown snapshot action \"%1\": use save, list or verify").arg(action),
                          QStringLiteral("snapshot"));
    Session session;
    QString error;
    if (!openSession(args, session, error))
        return fail(error);
    redis::SnapshotStore store(session.connection, session.stream);

    if (action == QLatin1String("save")) {
        ShopState state;
        redis::LoadReport report;
        redis::StateLoader loader(session.connection, session.stream);
        const bool ok = loader.load(state, {}, report);
        printWarnings(report.warnings);
        if (!ok)
            return fail(QString::fromStdString(report.error));
        QElapsedTimer timer;
        timer.start();
        if (!store.save(state, QDateTime::currentMSecsSinceEpoch()))
            return fail(QString::fromStdString(store.error()));
        std::printf("saved snapshot %s of %s: %lld events (%lld applied, %lld rejected), %zu users, %zu items, in %lld ms\n",
                    state.lastEventId.c_str(), session.stream.c_str(), static_cast<long long>(state.counts.total),
                    static_cast<long long>(state.counts.applied), static_cast<long long>(state.counts.rejected),
                    state.users().size(), state.items().size(), static_cast<long long>(timer.elapsed()));
        return kExitOk;
    }

    std::vector<redis::SnapshotListing> listing;
    if (!store.list(listing))
        return fail(QString::fromStdString(store.error()));

    if (action == QLatin1String("list")) {
        if (args.has(QStringLiteral("--json"))) {
            ordered_json out = ordered_json::array();
            for (const auto& s : listing)
                out.push_back({{"id", s.id},
                               {"createdMs", s.header.createdMs},
                               {"events", s.header.total},
                               {"users", s.header.users},
                               {"items", s.header.items},
                               {"bytes", s.bytes},
                               {"verified", s.checked},
                               {"problem", s.problem}});
            print(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            return kExitOk;
        }
        if (listing.empty()) {
            std::printf("no snapshots of %s\n", session.stream.c_str());
            return kExitOk;
        }
        std::printf("%-22s %-25s %12s %12s  %s\n", "id", "taken", "events", "bytes", "verified");
        for (const auto& s : listing)
            std::printf("%-22s %-25s %12lld %12zu  %s\n", s.id.c_str(), isoTime(s.header.createdMs).c_str(),
                        static_cast<long long>(s.header.total), s.bytes, s.checked ? "yes" : ("no: " + s.problem).c_str());
        return kExitOk;
    }

    // verify: the newest snapshot against the state rebuilt from scratch up to its id.
    if (listing.empty())
        return fail(QStringLiteral("there is no snapshot of %1 to verify").arg(QString::fromStdString(session.stream)));
    const redis::SnapshotListing& newest = listing.back();
    for (const auto& s : listing) {
        if (!s.checked)
            warn("snapshot " + s.id + " does not pass its checks: " + s.problem);
    }
    if (!newest.checked)
        return fail(QString::fromStdString("the newest snapshot " + newest.id + " is damaged: " + newest.problem));
    std::string blob;
    ShopState fromSnapshot;
    if (!store.loadBlob(newest.id, blob))
        return fail(QString::fromStdString(store.error()));
    if (auto problem = decodeSnapshot(blob, session.stream, fromSnapshot); !problem.empty())
        return fail(QString::fromStdString("snapshot " + newest.id + ": " + problem));
    ShopState rebuilt;
    redis::LoadReport report;
    redis::LoadOptions options;
    options.fromScratch = true;
    options.untilId = newest.id;
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(rebuilt, options, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(QString::fromStdString(report.error));
    if (!(rebuilt == fromSnapshot))
        return fail(QString::fromStdString("snapshot " + newest.id
                                           + " differs from the state rebuilt from scratch up to it: the snapshot is wrong "
                                             "or the stream changed before it"));
    std::printf("snapshot %s verified: it equals the state rebuilt from scratch (%lld events, %zu users, %zu items)\n",
                newest.id.c_str(), static_cast<long long>(rebuilt.counts.total), rebuilt.users().size(),
                rebuilt.items().size());
    return kExitOk;
}

// SIGINT / SIGTERM reach the event loop through a socket pair (only write() in the handler).
int gSignalFds[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] auto n = ::write(gSignalFds[0], &c, 1);
}

int cmdConsume(int argc, char** argv, const CommandArgs& args)
{
    if (!args.positionals.isEmpty())
        return usageError(QStringLiteral("consume takes no arguments"), QStringLiteral("consume"));
    qint64 every = 30;
    if (args.has(QStringLiteral("--snapshot-every"))
        && !parseCount(args.value(QStringLiteral("--snapshot-every")), 0, 365LL * 24 * 3600, every))
        return usageError(QStringLiteral("--snapshot-every must be a whole number of seconds >= 0"), QStringLiteral("consume"));

    QCoreApplication app(argc, argv);
    engine::ConnectionTarget target;
    if (!target.resolve(args.global.redisUrl, args.global.dataDir))
        return fail(target.error());

    engine::ConsumerOptions options;
    options.url = target.url();
    options.targetDescription = target.describe();
    options.stream = args.global.stream.toStdString();
    options.snapshotIntervalMs = every * 1000;
    options.untilCaughtUp = args.has(QStringLiteral("--until-caught-up"));
    options.failIfUnreachable = options.untilCaughtUp; // one-shot: do not wait for a server
    options.fromScratch = args.has(QStringLiteral("--from-scratch"));
    options.allowGaps = args.has(QStringLiteral("--allow-gaps"));
    options.failOnGap = !options.allowGaps; // exit 1 rather than wait for someone to accept it
    options.collectChanges = false;
    options.snapshotOnStop = every > 0;
    options.batchSize = 5000;

    engine::ConsumerThread consumer(options);
    engine::ConsumerWorker* worker = consumer.worker();
    int exitCode = kExitOk;
    QString lastState;

    QObject::connect(worker, &engine::ConsumerWorker::restored, &app,
                     [&](const QString& id, qint64 total, const QStringList& warnings) {
                         for (const QString& w : warnings)
                             warn(w.toStdString());
                         if (id.isEmpty())
                             std::printf("consuming %s from the start\n", options.stream.c_str());
                         else
                             std::printf("restored snapshot %s (%lld events)\n", qPrintable(id), static_cast<long long>(total));
                         std::fflush(stdout);
                     });
    QObject::connect(worker, &engine::ConsumerWorker::caughtUp, &app, [&](qint64 total, qint64 replayed, qint64 ms) {
        std::printf("caught up: %lld events (%lld replayed in %.2f s, %.0f events/s)\n", static_cast<long long>(total),
                    static_cast<long long>(replayed), ms / 1000.0, ms > 0 ? replayed * 1000.0 / ms : 0.0);
        std::fflush(stdout);
    });
    QObject::connect(worker, &engine::ConsumerWorker::snapshotSaved, &app, [&](const QString& id, qint64 ms) {
        std::printf("snapshot saved at %s (%lld ms)\n", qPrintable(id), static_cast<long long>(ms));
        std::fflush(stdout);
    });
    QObject::connect(worker, &engine::ConsumerWorker::serverWarningsChanged, &app, [&](const QStringList& warnings) {
        for (const QString& w : warnings)
            warn(w.toStdString());
    });
    QObject::connect(worker, &engine::ConsumerWorker::streamReset, &app,
                     [&](const QString& message) { warn(message.toStdString()); });
    QObject::connect(worker, &engine::ConsumerWorker::snapshotFailed, &app,
                     [&](const QString& message) { warn("snapshot failed: " + message.toStdString()); });
    QObject::connect(worker, &engine::ConsumerWorker::statusChanged, &app, [&](const engine::ConsumerStatus& status) {
        const QString state = engine::connectionStateName(status.state);
        if (status.state == engine::ConnectionState::Disconnected && state + status.message != lastState)
            warn(("disconnected: " + status.message).toStdString());
        else if (status.state == engine::ConnectionState::Live && lastState.startsWith(QLatin1String("disconnected")))
            std::printf("reconnected; following from %s\n", qPrintable(status.lastEventId));
        lastState = state + status.message;
    });
    QObject::connect(worker, &engine::ConsumerWorker::failed, &app, [&](const QString& message) {
        fail(message);
        exitCode = kExitFailure;
    });
    QObject::connect(worker, &engine::ConsumerWorker::stopped, &app, &QCoreApplication::quit, Qt::QueuedConnection);

    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gSignalFds) == 0) {
        auto* notifier = new QSocketNotifier(gSignalFds[1], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [&] {
            char c;
            [[maybe_unused]] auto n = ::read(gSignalFds[1], &c, 1);
            QMetaObject::invokeMethod(worker, &engine::ConsumerWorker::stop, Qt::QueuedConnection);
        });
        struct sigaction action = {};
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
    }

    consumer.start();
    app.exec();
    consumer.shutdown();
    return exitCode;
}

} // namespace

int runCli(int argc, char** argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    CommandArgs parsed;
    bool done = false;
    const int code = parseArgs(args, parsed, done);
    if (done || code != kExitOk)
        return code;
    if (!parsed.global.redisUrl.isEmpty()) {
        redis::RedisUrl url;
        std::string error;
        if (!redis::RedisUrl::parse(parsed.global.redisUrl.toStdString(), url, error))
            return usageError(QString::fromStdString(error));
    }
    const QString& command = parsed.command;
    if (command == QLatin1String("append"))
        return cmdAppend(parsed);
    if (command == QLatin1String("produce"))
        return cmdProduce(parsed);
    if (command == QLatin1String("state"))
        return cmdState(parsed);
    if (command == QLatin1String("events"))
        return cmdEvents(parsed);
    if (command == QLatin1String("snapshot"))
        return cmdSnapshot(parsed);
    if (command == QLatin1String("consume"))
        return cmdConsume(argc, argv, parsed);
    if (command == QLatin1String("bench"))
        return cmdBench(parsed);
    return usageError(QStringLiteral("\"%1\" is not available yet").arg(command));
}

} // namespace shop::cli
