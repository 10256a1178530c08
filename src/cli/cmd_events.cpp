// `shopstream-cli events`: entries with their verdicts, oldest first. The verdicts of a
// window starting at --from are those of the whole stream: the state before it is rebuilt
// first (a snapshot plus the entries up to it).
#include "cli_context.hpp"

#include "core/csv.hpp"
#include "core/entry_decoder.hpp"
#include "core/shop_state.hpp"
#include "core/stream_id.hpp"
#include "redis/state_loader.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>

namespace shop::cli {

namespace {

using ordered_json = nlohmann::ordered_json;

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
        before = idBefore(*from);
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
    options.allowGaps = call.isSet(QStringLiteral("allow-gaps"));
    bool ok = loader.restore(state, options, report);
    if (ok && !before.empty())
        ok = loader.catchUp(state, options, report);
    printWarnings(report.warnings);
    report.warnings.clear();
    if (!ok)
        return fail(report.error);

    // JSON and CSV are streamed: "[", each row as it is produced, "]" (the bytes of one
    // array's dump); the CSV header, then a record per entry.
    if (json)
        write("[");
    if (csv)
        write("id,type,verdict,reason,detail,data,eid,actor\r\n");
    std::string record;
    qint64 listed = 0;
    const auto onEntry = [&](const RawEntry& entry, Reason reason, const Event&, const ShopState&) {
        // Why it was rejected, with its values, as the checks that decided it said it.
        const std::string& detail = loader.lastRejection();
        const std::string type = entry.type ? std::string(*entry.type) : std::string();
        if (json) {
            ordered_json row = {{"id", entry.id},
                                {"type", entry.type ? ordered_json(type) : ordered_json(nullptr)},
                                {"verdict", reason == Reason::None ? "applied" : "rejected"},
                                {"reason", reason == Reason::None ? ordered_json(nullptr) : ordered_json(reasonName(reason))},
                                {"detail", reason == Reason::None ? ordered_json(nullptr) : ordered_json(detail)},
                                {"data", dataText(entry)}};
            if (entry.eid)
                row["eid"] = std::string(*entry.eid);
            if (entry.actor)
                row["actor"] = std::string(*entry.actor);
            write(listed == 0 ? "" : ",");
            write(row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        } else if (csv) {
            const std::string data = dataText(entry);
            const std::string_view fields[] = {entry.id,
                                               type,
                                               reason == Reason::None ? "applied" : "rejected",
                                               reason == Reason::None ? std::string_view() : reasonName(reason),
                                               detail,
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
            const std::string verdict = reason == Reason::None
                                            ? std::string("applied")
                                            : "rejected: " + std::string(reasonName(reason)) + " (" + detail + ")";
            std::printf("%-22s %-14s %-30s %s\n", shown(entry.id).c_str(), type.empty() ? "-" : shown(type).c_str(),
                        shown(verdict).c_str(), shown(dataText(entry)).c_str());
        }
        ++listed;
    };
    // The listing goes through the same checked reads as everything else: a gap or a reset
    // ahead stops it (the verdicts after it would be wrong).
    options.untilId.clear();
    options.fromScratch = false;
    options.maxEntries = count;
    options.explainRejections = true;
    report.replayed = 0;
    const redis::StateLoader::Step step = loader.step(state, options, report, std::chrono::milliseconds::zero(), onEntry);
    printWarnings(report.warnings);
    if (step == redis::StateLoader::Step::Gap)
        return fail("the stream " + session.stream + " has lost entries: " + report.gap.why
                    + "; the verdicts after them would be wrong (--allow-gaps goes on without them)");
    if (step == redis::StateLoader::Step::Reset)
        return fail("the stream " + session.stream + " changed while it was read: " + report.resetWhy);
    if (step == redis::StateLoader::Step::Failed)
        return fail(report.error);
    if (json)
        print("]");
    return kExitOk;
}

} // namespace

Command eventsCommand()
{
    return {
        QStringLiteral("events"),
        QStringLiteral("events [--from ID] [--count N] [--json | --csv] [--allow-gaps]"),
        QStringLiteral("list entries with their verdicts"),
        QStringLiteral("Lists entries with their verdicts, oldest first: applied, or rejected with the reason and\n"
                       "what decided it, with its values (\"balance 25.00 < total 30.00\")."),
        {
            {QStringLiteral("from"), QStringLiteral("start at entry ID (inclusive); default: the first entry"), QStringLiteral("ID")},
            {QStringLiteral("count"), QStringLiteral("at most N entries (default 100; 0 means all)"), QStringLiteral("N")},
            {QStringLiteral("json"), QStringLiteral("a JSON array instead of text")},
            {QStringLiteral("allow-gaps"),
             QStringLiteral("go on with a warning when entries are missing (trimmed or deleted before being read)")},
            {QStringLiteral("csv"),
             QStringLiteral("CSV instead of text (RFC 4180, CRLF line ends), a header row then one row per\n"
                            "entry: id,type,verdict,reason,detail,data,eid,actor (data as --json shows it)")},
        },
        QStringLiteral("JSON and CSV are written as the entries are read, in constant memory; after an error\n"
                       "(exit 1) the output stops where it was."),
        run,
    };
}

} // namespace shop::cli
