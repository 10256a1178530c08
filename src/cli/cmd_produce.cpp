// `shopstream-cli produce`: deterministic simulated traffic written to the stream.
#include "cli_context.hpp"

#include "core/simulator.hpp"
#include "redis/stream_writer.hpp"

#include <QElapsedTimer>
#include <QThread>

#include <cstdio>
#include <limits>

namespace shop::cli {

namespace {

int run(const Invocation& call)
{
    if (!call.positionals.isEmpty())
        return usageError(QStringLiteral("produce takes no arguments"), call.command);
    qint64 events = 0, users = 100, items = 50, seed = 1, rate = 0;
    if (!call.isSet(QStringLiteral("events")))
        return usageError(QStringLiteral("produce needs --events N"), call.command);
    if (!parseCount(call.value(QStringLiteral("events")), 1, 1'000'000'000, events))
        return usageError(QStringLiteral("--events must be a whole number from 1 to 1000000000"), call.command);
    if (call.isSet(QStringLiteral("users")) && !parseCount(call.value(QStringLiteral("users")), 1, 1'000'000'000, users))
        return usageError(QStringLiteral("--users must be a whole number from 1 to 1000000000"), call.command);
    if (call.isSet(QStringLiteral("items")) && !parseCount(call.value(QStringLiteral("items")), 1, 9999999, items))
        return usageError(QStringLiteral("--items must be a whole number from 1 to 9999999"), call.command);
    if (call.isSet(QStringLiteral("seed"))
        && !parseCount(call.value(QStringLiteral("seed")), 0, std::numeric_limits<qint64>::max(), seed))
        return usageError(QStringLiteral("--seed must be a whole number >= 0"), call.command);
    if (call.isSet(QStringLiteral("rate")) && !parseCount(call.value(QStringLiteral("rate")), 1, 100'000'000, rate))
        return usageError(QStringLiteral("--rate must be a whole number of entries a second, at least 1"), call.command);

    Session session;
    QString error;
    if (!openSession(call, session, error))
        return fail(error);

    SimulatorOptions simOptions;
    simOptions.users = users;
    simOptions.items = items;
    simOptions.seed = static_cast<std::uint64_t>(seed);
    simOptions.legacy = call.isSet(QStringLiteral("legacy"));
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
                simOptions.legacy ? "legacy" : "native", shown(session.stream).c_str(), seconds, double(written) / seconds);
    return kExitOk;
}

} // namespace

Command produceCommand()
{
    return {
        QStringLiteral("produce"),
        QStringLiteral("produce --events N [--users U] [--items I] [--seed S] [--rate R] [--legacy]"),
        QStringLiteral("write simulated shop traffic (deterministic for a seed)"),
        QStringLiteral("Writes N entries of simulated shop traffic: the catalogue and the customers first, then\n"
                       "top-ups, restocks, price changes and orders, with a share of entries that will be rejected\n"
                       "(unknown users, too little money, out of stock, malformed or invalid data). The same seed\n"
                       "gives the same entries."),
        {
            {QStringLiteral("events"), QStringLiteral("how many entries (required)"), QStringLiteral("N")},
            {QStringLiteral("users"), QStringLiteral("customers (default 100)"), QStringLiteral("U")},
            {QStringLiteral("items"), QStringLiteral("catalogue size (default 50)"), QStringLiteral("I")},
            {QStringLiteral("seed"), QStringLiteral("the simulation seed (default 1)"), QStringLiteral("S")},
            {QStringLiteral("rate"), QStringLiteral("at most R entries a second (default: as fast as possible, pipelined)"),
             QStringLiteral("R")},
            {QStringLiteral("legacy"),
             QStringLiteral("the original Go demo's format: TopUp, AddItem and OrderType as MessagePack")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
