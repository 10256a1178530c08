// `shopstream-cli consume`: the headless consumer, the same ConsumerWorker the desktop app
// runs, on its own thread, until SIGINT / SIGTERM (or the head, with --until-caught-up).
#include "cli_context.hpp"

#include "engine/consumer_worker.hpp"
#include "engine/engine_types.hpp"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace shop::cli {

namespace {

constexpr qint64 kYearSeconds = 365LL * 24 * 3600;

// SIGINT / SIGTERM reach the event loop through a socket pair (only write() in the handler).
int gSignalFds[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] auto n = ::write(gSignalFds[0], &c, 1);
}

int run(const Invocation& call)
{
    if (!call.positionals.isEmpty())
        return usageError(QStringLiteral("consume takes no arguments"), call.command);
    qint64 every = call.global.readOnly ? 0 : 30; // --read-only: the state is kept in memory only
    if (call.isSet(QStringLiteral("snapshot-every"))
        && !parseCount(call.value(QStringLiteral("snapshot-every")), 0, kYearSeconds, every))
        return usageError(QStringLiteral("--snapshot-every must be a whole number of seconds from 0 to %1 (one year)")
                              .arg(kYearSeconds),
                          call.command);
    if (call.global.readOnly && every > 0)
        return usageError(QStringLiteral("--snapshot-every writes snapshots, and --read-only writes nothing"), call.command);

    // The worker logs its warnings and failures to its categories and also emits them
    // (restored(), snapshotFailed(), failed()), which this command prints: with both, each
    // came out twice. The categories' warnings are off here; QT_LOGGING_RULES, applied after
    // these rules, can still turn them on for diagnostics.
    QLoggingCategory::setFilterRules(QStringLiteral("shopstream.consumer.warning=false\nshopstream.snapshot.warning=false"));

    int argc = call.argc;
    QCoreApplication app(argc, call.argv);
    engine::ConnectionTarget target;
    if (!target.resolve(call.global.redisUrl, call.global.dataDir))
        return fail(target.error());

    engine::ConsumerOptions options;
    options.url = target.url();
    options.targetDescription = target.describe();
    options.stream = call.global.stream.toStdString();
    options.snapshotIntervalMs = every * 1000; // 64-bit: a year is more milliseconds than an int holds
    options.untilCaughtUp = call.isSet(QStringLiteral("until-caught-up"));
    options.failIfUnreachable = options.untilCaughtUp; // one-shot: do not wait for a server
    options.fromScratch = call.isSet(QStringLiteral("from-scratch"));
    options.allowGaps = call.isSet(QStringLiteral("allow-gaps"));
    options.failOnGap = !options.allowGaps; // exit 1 rather than wait for someone to accept it
    options.collectChanges = false;
    options.snapshotOnStop = every > 0;
    options.viewOnly = call.global.readOnly;
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
                             std::printf("consuming %s from the start\n", shown(options.stream).c_str());
                         else
                             std::printf("restored snapshot %s (%lld events)\n", shown(id).c_str(), static_cast<long long>(total));
                         std::fflush(stdout);
                     });
    QObject::connect(worker, &engine::ConsumerWorker::caughtUp, &app, [&](qint64 total, qint64 replayed, qint64 ms) {
        std::printf("caught up: %lld events (%lld replayed in %.2f s, %.0f events/s)\n", static_cast<long long>(total),
                    static_cast<long long>(replayed), ms / 1000.0, ms > 0 ? replayed * 1000.0 / ms : 0.0);
        std::fflush(stdout);
    });
    QObject::connect(worker, &engine::ConsumerWorker::snapshotSaved, &app, [&](const QString& id, qint64 ms) {
        std::printf("snapshot saved at %s (%lld ms)\n", shown(id).c_str(), static_cast<long long>(ms));
        std::fflush(stdout);
    });
    QObject::connect(worker, &engine::ConsumerWorker::serverWarningsChanged, &app, [&](const QStringList& warnings) {
        for (const QString& w : warnings)
            warn(w.toStdString());
    });
    QObject::connect(worker, &engine::ConsumerWorker::warning, &app,
                     [&](const QString& message) { warn(message.toStdString()); });
    QObject::connect(worker, &engine::ConsumerWorker::streamReset, &app,
                     [&](const QString& message) { warn(message.toStdString()); });
    QObject::connect(worker, &engine::ConsumerWorker::snapshotFailed, &app,
                     [&](const QString& message) { warn("snapshot failed: " + message.toStdString()); });
    QObject::connect(worker, &engine::ConsumerWorker::statusChanged, &app, [&](const engine::ConsumerStatus& status) {
        const QString state = engine::connectionStateName(status.state);
        if (status.state == engine::ConnectionState::Disconnected && state + status.message != lastState)
            warn(("disconnected: " + status.message).toStdString());
        else if (status.state == engine::ConnectionState::Live && lastState.startsWith(QLatin1String("disconnected")))
            std::printf("reconnected; following from %s\n", shown(status.lastEventId).c_str());
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

Command consumeCommand()
{
    return {
        QStringLiteral("consume"),
        QStringLiteral("consume [--snapshot-every SECONDS] [--until-caught-up] [--from-scratch] [--allow-gaps]"),
        QStringLiteral("run the consumer: follow the stream, write snapshots"),
        QStringLiteral("Runs the consumer the desktop app runs: restores the newest valid snapshot, catches up,\n"
                       "follows the stream and writes a snapshot every SECONDS (default 30) when something\n"
                       "changed, until SIGINT or SIGTERM (a last snapshot is written then). With --read-only\n"
                       "it writes nothing: the state is rebuilt and followed in memory only."),
        {
            {QStringLiteral("snapshot-every"), QStringLiteral("snapshot interval, 0 to 31536000 (a year); 0 turns timed snapshots off"),
             QStringLiteral("SECONDS")},
            {QStringLiteral("until-caught-up"), QStringLiteral("stop once the head of the stream is reached")},
            {QStringLiteral("from-scratch"), QStringLiteral("ignore snapshots at start")},
            {QStringLiteral("allow-gaps"),
             QStringLiteral("go on with a warning when entries are missing (trimmed or deleted before being read); "
                            "without it, such a gap ends the command with exit 1")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
