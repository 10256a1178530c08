// `shopstream-cli whatif (--without ID | --replace ID TYPE JSON)`: the history replayed in
// memory with entry ID left out or replaced. The state just before ID is rebuilt (a snapshot
// taken before it plus the entries up to it); from there the real history and the changed one
// run side by side over the rest of the stream, each later entry read and decoded once. It
// prints the later entries whose verdict changes and the changed shop at the head. Nothing is
// written to Redis.
#include "cli_context.hpp"
#include "explain_output.hpp"

#include "core/domain.hpp"
#include "core/explain.hpp"
#include "core/shop_state.hpp"
#include "core/state_json.hpp"
#include "core/whatif.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>

namespace shop::cli {

namespace {

using ordered_json = nlohmann::ordered_json;

std::string countsLine(const VerdictCounts& real, const VerdictCounts& changed)
{
    const auto part = [](const char* name, std::int64_t a, std::int64_t b) {
        return std::string(name) + " " + (a == b ? std::to_string(a) : std::to_string(a) + " -> " + std::to_string(b));
    };
    return "  events: " + part("total", real.total, changed.total) + ", " + part("applied", real.applied, changed.applied)
           + ", " + part("rejected", real.rejected, changed.rejected) + '\n';
}

int run(const Invocation& call)
{
    const bool without = call.isSet(QStringLiteral("without"));
    const bool replace = call.isSet(QStringLiteral("replace"));
    if (without == replace)
        return usageError(QStringLiteral("whatif takes --without ID or --replace ID TYPE JSON"), call.command);
    if (call.positionals.size() != (replace ? 2 : 0))
        return usageError(replace ? QStringLiteral("--replace ID takes the new event as TYPE and JSON")
                                  : QStringLiteral("--without ID takes no other arguments"),
                          call.command);
    const QString idText = call.value(replace ? QStringLiteral("replace") : QStringLiteral("without"));
    const auto id = StreamId::parse(idText.toStdString());
    if (!id || idText.indexOf(QLatin1Char('-')) < 0)
        return usageError(QStringLiteral("whatif needs a stream entry id such as 1700000000000-0"), call.command);
    std::string type, data;
    if (replace) {
        type = call.positionals[0].toStdString();
        data = call.positionals[1].toStdString();
        if (const QString problem = eventArgumentsProblem(call.positionals[0], data); !problem.isEmpty())
            return usageError(problem, call.command);
    }

    Session session;
    QString error;
    if (!openSession(call, session, error, /*viewOnly=*/true))
        return fail(error);
    const std::string changedId = id->toString();
    ShopState state;
    redis::LoadOptions options;
    options.fromScratch = call.isSet(QStringLiteral("from-scratch"));
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    redis::EntryBatch entry;
    std::string failure;
    if (!loadEntryAndStateBefore(session, *id, loader, options, report, entry, state, failure))
        return fail(failure);

    // The replacement: the entry a native append of TYPE JSON would write, at the same id.
    RawEntry replacement;
    replacement.id = changedId;
    replacement.type = type;
    replacement.data = data;
    replacement.v = "1";

    WhatIfReplay what(state);
    std::optional<Reason> realReason;
    std::string stray; // an entry read where ID was expected (the stream changed meanwhile)
    options.untilId.clear();
    const bool ok = loader.catchUp(state, options, report, [&](const RawEntry& e, Reason reason, const Event& event, const ShopState&) {
        if (!realReason) {
            if (e.id != changedId && stray.empty())
                stray = std::string(e.id);
            realReason = reason;
            what.change(replace ? &replacement : nullptr);
            return;
        }
        what.later(e.id, reason, event);
    });
    printWarnings(report.warnings);
    if (!ok)
        return fail(report.error);
    if (!stray.empty() || !realReason)
        return fail("entry " + changedId + " is gone from " + session.stream + " (the stream changed while it was read)");

    if (call.isSet(QStringLiteral("json"))) {
        ordered_json changed = ordered_json::array();
        for (const VerdictChange& c : what.changes())
            changed.push_back({{"id", c.id}, {"before", reasonName(c.before)}, {"after", reasonName(c.after)}});
        ordered_json head = {{"without", without ? ordered_json(changedId) : ordered_json()},
                             {"replaced", replace ? ordered_json(changedId) : ordered_json()},
                             {"changed", std::move(changed)}};
        std::string text = dumpJson(head);
        text.pop_back(); // the closing brace: "state" follows, streamed as `state --json` writes it
        write(text + ",\"state\":");
        writeStateJson(what.state(), session.stream, write);
        print("}");
        return kExitOk;
    }

    std::string out = "what if entry " + changedId + " (" + std::string(reasonName(*realReason)) + ") "
                      + (replace ? "had been " + shown(type) + " " + shown(data) + " (" + std::string(reasonName(what.replacementReason())) + ")"
                                 : std::string("had not happened"))
                      + ":\n";
    out += std::to_string(what.changes().size()) + " later " + (what.changes().size() == 1 ? "entry changes its" : "entries change their")
           + " verdict" + (what.changes().empty() ? "\n" : ":\n");
    for (const VerdictChange& c : what.changes())
        out += "  " + c.id + "  " + std::string(reasonName(c.before)) + " -> " + std::string(reasonName(c.after)) + '\n';
    const StateDifference difference = differenceBetween(state, what.state());
    if (difference.empty() && state.counts == what.state().counts) {
        out += "the shop at the head would be the same\n";
    } else {
        out += "the shop at the head, real -> what-if:\n";
        out += countsLine(state.counts, what.state().counts);
        out += differenceText(difference);
    }
    std::printf("%s", out.c_str());
    return kExitOk;
}

} // namespace

Command whatifCommand()
{
    return {
        QStringLiteral("whatif"),
        QStringLiteral("whatif (--without ID | --replace ID TYPE JSON) [--json] [--from-scratch]"),
        QStringLiteral("replay the history without entry ID, or with it replaced, in memory"),
        QStringLiteral("Replays the stream's history in memory as if entry ID had not happened (--without) or had been\n"
                       "the event TYPE JSON (--replace; JSON as for append, amounts in minor units), from the state just\n"
                       "before ID. Prints the later entries whose verdict changes and how the shop at the head would\n"
                       "differ from the real one. Nothing is written to Redis."),
        {
            {QStringLiteral("without"), QStringLiteral("leave entry ID out"), QStringLiteral("ID")},
            {QStringLiteral("replace"), QStringLiteral("put the event TYPE JSON in the place of entry ID"), QStringLiteral("ID")},
            {QStringLiteral("json"),
             QStringLiteral("print one JSON object: {\"without\": ID or null, \"replaced\": ID or null,\n"
                            "\"changed\": [{\"id\", \"before\", \"after\"}], \"state\": {...}}; before and after are\n"
                            "\"applied\" or a reason, changed lists every later entry whose verdict differs in\n"
                            "stream order, and state is what state --json would print for the changed history")},
            {QStringLiteral("from-scratch"), QStringLiteral("ignore snapshots and apply every entry before ID from the start")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
