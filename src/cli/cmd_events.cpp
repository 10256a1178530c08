// `shopstream-cli events`: entries with their verdicts, oldest first. The verdicts of a
// window starting at --from are those of the whole stream: the state before it is rebuilt
// first (a snapshot plus the entries up to it).
#include "cli_context.hpp"

#include "core/csv.hpp"
#include "core/entry_decoder.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/stream_id.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>

namespace shop::cli {

namespace {

using ordered_json = nlohmann::ordered_json;

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

int run(const Invocation& call)
{
    if (!call.positionals.isEmpty())
        return usageError(QStringLiteral("events takes no arguments"), call.command);
    const bool json = call.isSet(QStringLiteral("json"));
    const bool csv = call.isSet(QStringLiteral("csv"));
    if (json && csv)
        return usageError(QStringLiteral("--json and --csv cannot be used together"), call.command);
    qint64 count = 100;
    if (call.isSet(QStringLiteral("count"))
        && !parseCount(call.value(QStringLiteral("count")), 0, std::numeric_limits<qint64>::max(), count))
        return usageError(QStringLiteral("--count must be a whole number >= 0"), call.command);
    std::string before; // entries up to here build the state the listed verdicts start from
    if (call.isSet(QStringLiteral("from"))) {
        const auto from = StreamId::parse(call.value(QStringLiteral("from")).toStdString());
        if (!from)
            return usageError(QStringLiteral("--from needs a stream entry id such as 1700000000000-0"), call.command);
        before = predecessor(*from);
    }
    Session session;
    QString error;
    if (!openSession(call, session, error))
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
        return fail(report.error);

    // JSON and CSV are streamed: "[", each row as it is produced, "]" (the bytes of one
    // array's dump); the CSV header, then a record per entry.
    if (json)
        write("[");
    if (csv)
        write("id,type,verdict,reason,data,eid,actor\r\n");
    std::string record;
    redis::StreamReader reader(session.connection, session.stream);
    redis::EntryBatch batch;
    Event scratch;
    qint64 listed = 0;
    while (count == 0 || listed < count) {
        const std::size_t want = count == 0 ? 10000 : static_cast<std::size_t>(std::min<qint64>(10000, count - listed));
        const std::string after = state.lastEventId.empty() ? (before.empty() ? "0-0" : before) : state.lastEventId;
        if (!reader.range(after, want, batch))
            return fail(reader.error());
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
                write(listed == 0 && &entry == &batch.entries.front() ? "" : ",");
                write(row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            } else if (csv) {
                const std::string data = dataText(entry);
                const std::string_view fields[] = {entry.id,
                                                   type,
                                                   reason == Reason::None ? "applied" : "rejected",
                                                   reason == Reason::None ? std::string_view() : reasonName(reason),
                                                   data,
                                                   entry.eid.value_or(std::string_view()),
                                                   entry.actor.value_or(std::string_view())};
                record.clear();
                for (std::size_t f = 0; f < std::size(fields); ++f) {
                    if (f > 0)
                        record.push_back(',');
                    appendCsvField(record, fields[f]);
                }
                record += kCsvLineEnd;
                write(record);
            } else {
                const std::string verdict =
                    reason == Reason::None ? std::string("applied") : "rejected: " + std::string(reasonName(reason));
                std::printf("%-22s %-14s %-30s %s\n", shown(entry.id).c_str(), type.empty() ? "-" : shown(type).c_str(),
                            verdict.c_str(), shown(dataText(entry)).c_str());
            }
        }
        listed += static_cast<qint64>(batch.entries.size());
        if (batch.entries.size() < want)
            break;
    }
    if (json)
        print("]");
    return kExitOk;
}

} // namespace

Command eventsCommand()
{
    return {
        QStringLiteral("events"),
        QStringLiteral("events [--from ID] [--count N] [--json | --csv]"),
        QStringLiteral("list entries with their verdicts"),
        QStringLiteral("Lists entries with their verdicts (applied, or rejected and why), oldest first."),
        {
            {QStringLiteral("from"), QStringLiteral("start at entry ID (inclusive); default: the first entry"), QStringLiteral("ID")},
            {QStringLiteral("count"), QStringLiteral("at most N entries (default 100; 0 means all)"), QStringLiteral("N")},
            {QStringLiteral("json"), QStringLiteral("a JSON array instead of text")},
            {QStringLiteral("csv"),
             QStringLiteral("CSV instead of text (RFC 4180, CRLF line ends), a header row then one row per\n"
                            "entry: id,type,verdict,reason,data,eid,actor (data as --json shows it)")},
        },
        QStringLiteral("JSON and CSV are written as the entries are read, in constant memory; after an error\n"
                       "(exit 1) the output stops where it was."),
        run,
    };
}

} // namespace shop::cli
