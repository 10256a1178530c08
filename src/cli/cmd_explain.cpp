// `shopstream-cli explain ID`: why entry ID got its verdict, and what it changed. The state
// just before it is rebuilt (a snapshot taken before it plus the entries up to it), then the
// entry is processed on it by the decoder and the handlers, which say what decided and with
// which values. Nothing is written.
#include "cli_context.hpp"
#include "explain_output.hpp"

#include "core/explain.hpp"
#include "core/shop_state.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace shop::cli {

namespace {

int run(const Invocation& call)
{
    if (call.positionals.size() != 1)
        return usageError(QStringLiteral("explain takes one entry ID"), call.command);
    const auto id = StreamId::parse(call.positionals[0].toStdString());
    if (!id || call.positionals[0].indexOf(QLatin1Char('-')) < 0)
        return usageError(QStringLiteral("explain needs a stream entry id such as 1700000000000-0"), call.command);
    Session session;
    QString error;
    if (!openSession(call, session, error, /*viewOnly=*/true))
        return fail(error);

    ShopState state;
    redis::LoadOptions options;
    options.fromScratch = call.isSet(QStringLiteral("from-scratch"));
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    redis::EntryBatch entry;
    std::string failure;
    if (!loadEntryAndStateBefore(session, *id, loader, options, report, entry, state, failure))
        return fail(failure);

    const RawEntry& raw = entry.entries.front();
    const Explanation e = explainEntry(state, raw);
    if (call.isSet(QStringLiteral("json"))) {
        print(dumpJson(explanationJson(e, std::string(raw.id))));
        return kExitOk;
    }
    std::string head = "entry " + shown(raw.id) + ": " + (e.type ? std::string(typeName(*e.type)) : "type " + shown(raw.type.value_or("(none)")));
    head += e.applied() ? ", applied" : ", rejected: " + std::string(reasonName(e.reason)) + " (" + shown(e.why) + ")";
    print(head);
    std::printf("%s", explanationText(e).c_str());
    return kExitOk;
}

} // namespace

Command explainCommand()
{
    return {
        QStringLiteral("explain"),
        QStringLiteral("explain ID [--json] [--from-scratch]"),
        QStringLiteral("say why entry ID got its verdict and what it changed"),
        QStringLiteral("Rebuilds the shop as it was just before entry ID and processes the entry on it: prints the\n"
                       "checks of its type in their order (passed, the one that decided with its values, the ones not\n"
                       "reached) and every row it changed, before and after. Nothing is written to Redis."),
        {
            {QStringLiteral("json"),
             QStringLiteral("print one JSON object: id, type, verdict, why, checks [{check, outcome,\n"
                            "detail}], changes [{user or item, before, after}] (amounts in minor units)")},
            {QStringLiteral("from-scratch"), QStringLiteral("ignore snapshots and apply every entry before ID from the start")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
