// `shopstream-cli state`: the shop rebuilt (newest valid snapshot plus tail, or from
// scratch, up to the head or an entry id) and printed as text or as the JSON document of
// DESIGN section 7. Names and ids in the text are escaped for the terminal.
#include "cli_context.hpp"

#include "core/csv.hpp"
#include "core/money.hpp"
#include "core/shop_state.hpp"
#include "core/state_json.hpp"
#include "core/stream_id.hpp"
#include "redis/state_loader.hpp"

#include <cstdio>

namespace shop::cli {

namespace {

void printStateText(const ShopState& state, const std::string& stream, const redis::LoadReport& report)
{
    std::printf("stream %s, last entry %s\n", shown(stream).c_str(),
                state.lastEventId.empty() ? "(none)" : shown(state.lastEventId).c_str());
    std::printf("%s, then %lld entries applied from the stream\n",
                report.snapshotId.empty() ? "rebuilt from the start" : ("restored snapshot " + shown(report.snapshotId)).c_str(),
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
        std::printf("%20lld  %-24s %16s %16s %8lld\n", static_cast<long long>(u->id), shown(u->name).c_str(),
                    formatMoney(u->balance).c_str(), formatMoney(u->spent).c_str(), static_cast<long long>(u->orders));
    std::printf("\nitems (%zu)\n%-24s %-24s %14s %12s %12s\n", state.items().size(), "id", "name", "price", "stock", "sold");
    for (const Item* i : state.sortedItems())
        std::printf("%-24s %-24s %14s %12lld %12lld\n", shown(i->id).c_str(), shown(i->name).c_str(),
                    i->price ? formatMoney(i->price).c_str() : "unpriced", static_cast<long long>(i->stock),
                    static_cast<long long>(i->sold));
}

int run(const Invocation& call)
{
    if (!call.positionals.isEmpty())
        return usageError(QStringLiteral("state takes no arguments"), call.command);
    if (call.isSet(QStringLiteral("json")) && call.isSet(QStringLiteral("csv")))
        return usageError(QStringLiteral("--json and --csv cannot be used together"), call.command);
    redis::LoadOptions options;
    options.fromScratch = call.isSet(QStringLiteral("from-scratch"));
    options.allowGaps = call.isSet(QStringLiteral("allow-gaps"));
    if (call.isSet(QStringLiteral("until"))) {
        const auto until = StreamId::parseRangeEnd(call.value(QStringLiteral("until")).toStdString());
        if (!until)
            return usageError(QStringLiteral("--until needs a stream entry id such as 1700000000000-0"), call.command);
        options.untilId = until->toString();
    }
    Session session;
    QString error;
    if (!openSession(call, session, error))
        return fail(error);
    ShopState state;
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(state, options, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(report.error);
    if (call.isSet(QStringLiteral("json"))) {
        writeStateJson(state, session.stream, write); // streamed: a million users need no DOM
        print({});
    } else if (call.isSet(QStringLiteral("csv"))) {
        writeStateCsv(state, write);
    } else
        printStateText(state, session.stream, report);
    return kExitOk;
}

} // namespace

Command stateCommand()
{
    return {
        QStringLiteral("state"),
        QStringLiteral("state [--json | --csv] [--from-scratch] [--until ID] [--allow-gaps]"),
        QStringLiteral("rebuild the shop's state and print it"),
        QStringLiteral("Rebuilds the shop's state: the newest snapshot that verifies, then the stream's tail up to\n"
                       "its head (or up to and including entry ID), and prints users, items and the verdict counts."),
        {
            {QStringLiteral("json"), QStringLiteral("print the JSON document (users by id, items by id, amounts in minor units)")},
            {QStringLiteral("csv"),
             QStringLiteral("print CSV (RFC 4180, CRLF line ends): the users table (id,name,balance,\n"
                            "spent,orders), an empty line, then the items table (id,name,price,stock,\n"
                            "sold); sorted as in --json, amounts in minor units")},
            {QStringLiteral("from-scratch"), QStringLiteral("ignore snapshots and apply every entry from the start")},
            {QStringLiteral("until"), QStringLiteral("stop after entry ID (an ID without -SEQ: after the last entry of that\n"
                                                   "millisecond); no snapshot taken after ID is used"), QStringLiteral("ID")},
            {QStringLiteral("allow-gaps"), QStringLiteral("go on with a warning when entries are missing (a trimmed stream)")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
