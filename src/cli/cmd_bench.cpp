// `shopstream-cli bench`: the command line of the performance suite (bench/perf_suite).
#include "cli_context.hpp"

#include "perf_suite.hpp"

#include <algorithm>

namespace shop::cli {

namespace {

QStringList stepNames()
{
    QStringList names;
    for (const std::string& step : bench::suiteSteps())
        names << QString::fromStdString(step);
    return names;
}

int run(const Invocation& call)
{
    if (!call.positionals.isEmpty())
        return usageError(QStringLiteral("bench takes no arguments"), call.command);
    qint64 events = 1000000;
    if (call.isSet(QStringLiteral("events")) && !parseCount(call.value(QStringLiteral("events")), 2000, 100'000'000, events))
        return usageError(QStringLiteral("--events must be a whole number from 2000 to 100000000"), call.command);
    if (!call.global.redisUrl.isEmpty())
        warn("bench uses its own private redis-server; --redis is ignored");
    bench::SuiteOptions options;
    options.events = static_cast<std::size_t>(events);
    options.quick = call.isSet(QStringLiteral("quick"));
    options.json = call.isSet(QStringLiteral("json"));
    if (call.isSet(QStringLiteral("only"))) {
        const std::vector<std::string> known = bench::suiteSteps();
        for (const QString& name : call.value(QStringLiteral("only")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const std::string step = name.trimmed().toStdString();
            if (std::find(known.begin(), known.end(), step) == known.end())
                return usageError(QStringLiteral("--only: no step \"%1\" (the steps: %2)")
                                      .arg(name.trimmed(), stepNames().join(QStringLiteral(", "))),
                                  call.command);
            options.only.push_back(step);
        }
        if (options.only.empty())
            return usageError(QStringLiteral("--only needs at least one step"), call.command);
    }
    return bench::runSuite(options);
}

} // namespace

Command benchCommand()
{
    return {
        QStringLiteral("bench"),
        QStringLiteral("bench [--events N] [--quick] [--only STEPS] [--json]"),
        QStringLiteral("the performance suite, against a private redis-server"),
        QStringLiteral("The performance suite. Starts its own redis-server (unix socket in a temporary directory,\n"
                       "no persistence; stopped at the end), writes N simulated entries in the native format and\n"
                       "N in the legacy format, and measures: append throughput (produce vs raw pipelined XADD),\n"
                       "one idempotent append's latency, catch-up from scratch (the real consumer in a child\n"
                       "process: events/s and peak RSS) against a raw XRANGE read of the same stream, apply-only\n"
                       "throughput in memory, snapshot save and restore, restart from a snapshot plus a tail,\n"
                       "and replay seeks. Every figure is printed with its baseline, the ratio, the target and\n"
                       "whether it is met. Figures never make the command fail; a figure that cannot be measured\n"
                       "does (exit 1). GUI figures come from bench/gui_bench, run when found."),
        {
            {QStringLiteral("events"), QStringLiteral("entries per stream (default 1000000, at least 2000)"), QStringLiteral("N")},
            {QStringLiteral("quick"),
             QStringLiteral("fewer repetitions (a smoke run: shopstream-cli bench --events 20000 --quick)")},
            {QStringLiteral("only"),
             QStringLiteral("only these steps, comma-separated (e.g. \"in memory,what-if\"), and what they need; the\n"
                            "streams are always written. Steps: ")
                 + stepNames().join(QStringLiteral(", ")),
             QStringLiteral("STEPS")},
            {QStringLiteral("json"), QStringLiteral("print the figures as JSON instead of a table")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
