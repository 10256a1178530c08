// The consumer worker: one step per event-loop turn, so that timers (flush, status,
// snapshots) and stop() are served between reads. Reading, checking and applying are the
// StateLoader's; this file decides what to do about what it finds.
#include "consumer_worker.hpp"

#include "history_recorder.hpp"
#include "job_thread.hpp"
#include "logging.hpp"
#include "timer_interval.hpp"

#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "redis/connection.hpp"
#include "redis/error_kind.hpp"
#include "redis/server_facts.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <unordered_set>
#include <optional>

namespace shop::engine {

namespace {
constexpr int kMaxBackoffMs = 5000;
constexpr std::chrono::milliseconds kStepBudget{25}; // a step yields to the event loop after this
constexpr qint64 kServerCheckMs = 10000;             // how often the server's state is looked at again
constexpr int kCatchUpFlushMs = 100;                   // batches while catching up: at most ten a second
constexpr qint64 kCatchUpRowsMs = 500;                 // changed rows while catching up: at most two a second
// While catching up, a shop up to this many rows sends them all with each rows batch rather
// than marking every entry's rows (most of them change between two batches anyway).
constexpr std::size_t kAllRowsLimit = 200000;

StreamGap toStreamGap(const Continuity& c)
{
    StreamGap gap;
    gap.missing = c.missing;
    gap.after = c.after ? QString::fromStdString(c.after->toString()) : QString();
    gap.before = c.before ? QString::fromStdString(c.before->toString()) : QString();
    gap.cause = c.cause == Continuity::Cause::Trimmed   ? QStringLiteral("trimmed")
                : c.cause == Continuity::Cause::Deleted ? QStringLiteral("deleted")
                                                        : QString();
    gap.message = QString::fromStdString(c.why);
    return gap;
}
} // namespace

struct ConsumerWorker::Private {
    ConsumerOptions options;
    redis::Connection connection;
    std::unique_ptr<redis::StateLoader> loader; // made per connection: it learns the server's permissions
    ShopState state;

    ConnectionState connState = ConnectionState::Connecting;
    QString message;
    bool started = false;
    bool restoredOnce = false;
    bool live = false;
    bool stopping = false;
    bool stepQueued = false;
    std::optional<Continuity> gap; // stopped at this gap, waiting for acceptGap()
    QStringList serverWarnings;    // the last ones said
    QString role;                  // the server's, as last read (redis::serverRole)
    QString server;                // the address connected to last
    QElapsedTimer serverChecked;   // since they were last looked at
    int backoffMs = 200;

    // Changes not yet emitted.
    // The rows, written on a thread of their own (made with options.historyNames).
    std::unique_ptr<HistoryRecorder> history;
    bool saidInline = false; // logged that `history`'s thread starved and this one records
    std::vector<TimelineCheckpoint> pendingCheckpoints;
    // Rows changed since they last went out (sorted when they go).
    std::unordered_set<UserId> pendingUsers;
    std::unordered_set<std::string, StringHash, std::equal_to<>> pendingItems;
    bool pendingAllRows = false; // entries applied without marking their rows: all of them go
    QElapsedTimer rowsSent;      // since changed rows last went out
    bool pendingReset = false;
    bool pendingCounts = false;

    std::int64_t snapshotCovered = -1; // state.covered() at the last snapshot (or restore)
    std::int64_t replayed = 0;
    QElapsedTimer catchUpTimer;

    // Rate: total processed at the last status tick.
    std::int64_t rateTotal = 0;
    QElapsedTimer rateTimer;
    double eventsPerSecond = 0;

    QTimer* flushTimer = nullptr;
    QTimer* statusTimer = nullptr;
    QTimer* snapshotTimer = nullptr;

    redis::LoadOptions loadOptions() const
    {
        redis::LoadOptions o;
        o.fromScratch = options.fromScratch;
        o.allowGaps = options.allowGaps;
        o.snapshotId = options.restoreSnapshotId;
        o.batchSize = options.batchSize;
        return o;
    }
    qint64 snapshotTicks = 0; // timeouts since the last timed snapshot (long intervals are split)
};

ConsumerWorker::ConsumerWorker(ConsumerOptions options, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->options = std::move(options);
}

ConsumerWorker::~ConsumerWorker() = default;

void ConsumerWorker::start()
{
    if (d->started)
        return;
    d->started = true;
    // Timers are made here, on the worker's thread, so they fire there.
    d->flushTimer = new QTimer(this);
    d->flushTimer->setInterval(d->options.flushIntervalMs);
    connect(d->flushTimer, &QTimer::timeout, this, [this] { flush(Rows::WhenDue); });
    d->flushTimer->start();
    d->statusTimer = new QTimer(this);
    d->statusTimer->setInterval(d->options.statusIntervalMs);
    connect(d->statusTimer, &QTimer::timeout, this, &ConsumerWorker::publishStatus);
    d->statusTimer->start();
    startSnapshotTimer();
    d->rateTimer.start();
    setState(ConnectionState::Connecting);
    scheduleStep();
}

void ConsumerWorker::stop()
{
    if (d->stopping)
        return;
    d->stopping = true;
    if (d->flushTimer)
        d->flushTimer->stop();
    if (d->statusTimer)
        d->statusTimer->stop();
    if (d->snapshotTimer)
        d->snapshotTimer->stop();
    flush();
    if (d->options.snapshotOnStop)
        saveSnapshot(false);
    if (d->connState != ConnectionState::Failed)
        setState(ConnectionState::Stopped);
    d->loader.reset();
    d->connection.close();
    emit stopped();
}

void ConsumerWorker::requestSnapshot() { saveSnapshot(true); }

void ConsumerWorker::setSnapshotInterval(qint64 ms)
{
    if (d->stopping || ms == d->options.snapshotIntervalMs)
        return;
    d->options.snapshotIntervalMs = ms;
    if (d->started)
        startSnapshotTimer();
}

void ConsumerWorker::setViewOnly(bool on)
{
    if (d->stopping || on == d->options.viewOnly)
        return;
    d->options.viewOnly = on;
    d->connection.setViewOnly(on);
    if (d->started)
        startSnapshotTimer();
}

// Timed snapshots every options.snapshotIntervalMs (none at 0 and in viewer mode); a
// running timer is replaced.
void ConsumerWorker::startSnapshotTimer()
{
    delete d->snapshotTimer;
    d->snapshotTimer = nullptr;
    d->snapshotTicks = 0;
    if (d->options.snapshotIntervalMs <= 0 || d->options.viewOnly)
        return;
    const TimerSplit split = splitTimerInterval(d->options.snapshotIntervalMs);
    d->snapshotTimer = new QTimer(this);
    d->snapshotTimer->setInterval(split.periodMs);
    connect(d->snapshotTimer, &QTimer::timeout, this, [this, split] {
        if (++d->snapshotTicks < split.ticks)
            return;
        d->snapshotTicks = 0;
        saveSnapshot(false);
    });
    d->snapshotTimer->start();
}

void ConsumerWorker::acceptGap()
{
    if (!d->gap || d->stopping)
        return;
    if (!ensureConnected())
        return; // the gap stays; reconnecting reads it again
    redis::LoadReport report;
    report.gap = *d->gap;
    if (!d->loader->acceptGap(d->state, d->loadOptions(), report)) {
        if (!d->connection.isConnected())
            return connectionLost(QString::fromStdString(report.error));
        return fail(QString::fromStdString(report.error));
    }
    for (const std::string& w : report.warnings)
        qCWarning(lcConsumer).noquote() << QString::fromStdString(w);
    d->gap.reset();
    d->pendingCounts = true; // the counts now include the skipped entries
    setState(d->live ? ConnectionState::Live : ConnectionState::CatchingUp);
    scheduleStep();
}

void ConsumerWorker::scheduleStep(int delayMs)
{
    if (d->stepQueued || d->stopping)
        return;
    d->stepQueued = true;
    QTimer::singleShot(delayMs, this, [this] {
        d->stepQueued = false;
        step();
    });
}

void ConsumerWorker::setState(ConnectionState state, const QString& message)
{
    const bool changed = state != d->connState || message != d->message;
    d->connState = state;
    d->message = message;
    // Catching up, batches go out less often: the same entries in fewer, larger batches cost
    // their receiver less (a changed row is taken in once per batch), and progress at ten a
    // second reads as smooth. At the head every entry goes out within flushIntervalMs.
    if (d->flushTimer) {
        const int interval = state == ConnectionState::CatchingUp || state == ConnectionState::Restoring
                                 ? std::max(d->options.flushIntervalMs, kCatchUpFlushMs)
                                 : d->options.flushIntervalMs;
        if (d->flushTimer->interval() != interval)
            d->flushTimer->setInterval(interval);
    }
    if (changed)
        publishStatus();
}

void ConsumerWorker::fail(const QString& message)
{
    qCWarning(lcConsumer).noquote() << message;
    setState(ConnectionState::Failed, message);
    emit failed(message);
    stop();
}

bool ConsumerWorker::ensureConnected()
{
    if (d->connection.isConnected() && d->loader)
        return true;
    redis::ConnectOptions connectOptions;
    connectOptions.commandTimeoutMs = std::max(5000, d->options.blockMs * 4 + 2000);
    d->connection.setViewOnly(d->options.viewOnly);
    d->connection.setClusterKey(d->options.stream);
    if (d->connection.connect(d->options.url, connectOptions)) {
        d->backoffMs = 200;
        d->loader = std::make_unique<redis::StateLoader>(d->connection, d->options.stream);
        qCInfo(lcConsumer).noquote() << "connected to" << d->options.targetDescription;
        if (const QString server = QString::fromStdString(d->connection.server().address()); server != d->server) {
            d->server = server;
            emit serverChanged(server);
        }
        checkServer();
        return true;
    }
    const std::string error = d->connection.error();
    if (!d->restoredOnce && (redis::isCredentialFailure(d->connection.errorKind()) || d->options.failIfUnreachable)) {
        fail(QString::fromStdString(error)); // waiting will not fix credentials
        return false;
    }
    connectionLost(QString::fromStdString(error));
    return false;
}

bool ConsumerWorker::settleConnection()
{
    // A catch-up step may have left the next page asked for: it is received first, so that
    // the replies to what follows are read in their turn.
    return d->connection.isConnected() && (!d->loader || d->loader->settle());
}

void ConsumerWorker::checkServer()
{
    // What the server's state means for the data (cannot write to its disk, evicts keys):
    // said when it changes, at connect and then now and then (a disk fills up while we run).
    if (!settleConnection())
        return;
    QStringList warnings;
    for (const std::string& w : redis::serverWarnings(d->connection))
        warnings << QString::fromStdString(w);
    d->role = QString::fromStdString(redis::serverRole(d->connection)); // in the next status
    d->serverChecked.start();
    if (warnings != d->serverWarnings) {
        d->serverWarnings = warnings;
        emit serverWarningsChanged(warnings);
    }
}

void ConsumerWorker::connectionLost(const QString& why)
{
    d->connection.close();
    d->loader.reset();
    const int delay = d->backoffMs;
    d->backoffMs = std::min(kMaxBackoffMs, d->backoffMs * 2);
    qCInfo(lcConsumer).noquote() << "connection lost:" << why << "- retrying in" << delay << "ms";
    setState(ConnectionState::Disconnected, tr("%1 (retrying in %2 s)").arg(why).arg(delay / 1000.0, 0, 'f', 1));
    scheduleStep(delay);
}

void ConsumerWorker::restoreState()
{
    setState(ConnectionState::Restoring);
    redis::LoadReport report;
    if (!d->loader->restore(d->state, d->loadOptions(), report)) {
        if (!d->connection.isConnected())
            return connectionLost(QString::fromStdString(report.error));
        return fail(QString::fromStdString(report.error));
    }
    QStringList warnings;
    for (const std::string& w : report.warnings) {
        qCWarning(lcSnapshot).noquote() << QString::fromStdString(w);
        warnings << QString::fromStdString(w);
    }
    d->restoredOnce = true;
    d->live = false;
    d->snapshotCovered = report.snapshotId.empty() ? -1 : d->state.covered();
    d->saidInline = false;
    d->history = std::make_unique<HistoryRecorder>(d->options.historyNames ? d->options.historyNames
                                                                          : std::make_shared<HistoryNames>());
    d->pendingCheckpoints.clear();
    d->pendingUsers.clear();
    d->pendingItems.clear();
    d->pendingAllRows = false;
    d->pendingReset = true;
    d->pendingCounts = true;
    d->replayed = 0;
    d->catchUpTimer.start();
    emit restored(QString::fromStdString(report.snapshotId), d->state.counts.total, warnings);
    setState(ConnectionState::CatchingUp);
}

void ConsumerWorker::onReset(const QString& why)
{
    // Nothing of the new stream was applied on top of the old state: the check comes before
    // each page. Drop the state and build it again from what the stream holds now.
    const QString message = tr("the stream %1 was reset: %2; the shop is rebuilt from the stream as it is now")
                                .arg(QString::fromStdString(d->options.stream), why);
    qCWarning(lcConsumer).noquote() << message;
    d->state.clear();
    d->restoredOnce = false;
    d->live = false;
    d->gap.reset();
    d->snapshotCovered = -1;
    emit streamReset(message);
    scheduleStep();
}

void ConsumerWorker::onGap()
{
    const QString message = tr("entries are missing from the stream %1: %2. Following stopped, and no snapshot is "
                               "written across the gap.")
                                .arg(QString::fromStdString(d->options.stream), QString::fromStdString(d->gap->why));
    flush();
    emit gapFound(toStreamGap(*d->gap));
    if (d->options.failOnGap)
        return fail(message);
    qCWarning(lcConsumer).noquote() << message;
    setState(ConnectionState::Gap, message);
}

void ConsumerWorker::step()
{
    if (d->stopping || d->gap)
        return;
    if (!ensureConnected())
        return;
    if (!d->restoredOnce) {
        restoreState();
        if (!d->restoredOnce)
            return;
    }
    if (d->live && !d->loader->waitForEntries(d->state, d->options.blockMs)) {
        if (!d->connection.isConnected())
            return connectionLost(QString::fromStdString(d->loader->error()));
        // Back after a reconnect, nothing new meanwhile: the server may be another one (a
        // failover) that lacks entries applied here, so the stream must still continue the
        // state before the shop is called live again.
        if (d->connState != ConnectionState::Live) {
            if (!stillContinues())
                return;
            setState(ConnectionState::Live);
        }
        return scheduleStep(); // nothing new within the block time
    }

    redis::LoadReport report;
    redis::StateLoader::EntryObserver observer;
    redis::StateLoader::PageObserver pageObserver;
    if (d->options.collectChanges) {
        observer = [this](const RawEntry& e, Reason r, const Event& ev, const ShopState& s) { recordEntry(e, r, ev, s); };
        // The page's rows are written while the next page is read and applied.
        pageObserver = [this](const redis::StreamPage&) { d->history->handOver(); };
    }
    const qint64 before = d->state.counts.total;
    const auto result = d->loader->step(d->state, d->loadOptions(), report, kStepBudget, observer, pageObserver);
    d->replayed += d->state.counts.total - before;
    if (d->state.counts.total != before || !report.warnings.empty())
        d->pendingCounts = true;
    for (const std::string& w : report.warnings) {
        qCWarning(lcConsumer).noquote() << QString::fromStdString(w);
        emit warning(QString::fromStdString(w));
    }

    switch (result) {
    case redis::StateLoader::Step::More:
        if (d->connState != ConnectionState::CatchingUp && !d->live)
            setState(ConnectionState::CatchingUp);
        return scheduleStep();
    case redis::StateLoader::Step::AtHead:
        if (!d->live) {
            d->live = true;
            flush();
            setState(ConnectionState::Live);
            qCInfo(lcConsumer) << "caught up:" << d->state.counts.total << "entries," << d->replayed << "replayed in"
                               << d->catchUpTimer.elapsed() << "ms";
            emit caughtUp(d->state.counts.total, d->replayed, d->catchUpTimer.elapsed());
            if (d->options.untilCaughtUp)
                return stop();
        } else if (d->connState != ConnectionState::Live) {
            setState(ConnectionState::Live);
        }
        return scheduleStep();
    case redis::StateLoader::Step::Gap:
        d->gap = report.gap;
        return onGap();
    case redis::StateLoader::Step::Reset:
        return onReset(QString::fromStdString(report.resetWhy));
    case redis::StateLoader::Step::Failed:
        if (!d->connection.isConnected())
            return connectionLost(QString::fromStdString(report.error));
        return fail(QString::fromStdString(report.error));
    }
}

void ConsumerWorker::recordEntry(const RawEntry& entry, Reason reason, const Event& e, const ShopState& after)
{
    // The stream's length as its page was read: only the checkpoints the window keeps at
    // that length are taken.
    checkpointIfDue(after, d->pendingCheckpoints, 0, d->loader->lastFacts().length);
    d->history->stage(entry, reason, e, after);
    if (reason != Reason::None || d->pendingAllRows)
        return;
    if (d->connState == ConnectionState::CatchingUp && after.users().size() + after.items().size() <= kAllRowsLimit) {
        d->pendingAllRows = true;
        return;
    }
    if (e.userId != 0)
        d->pendingUsers.insert(e.userId);
    const auto markItem = [this](const std::string& id) {
        if (d->pendingItems.find(id) == d->pendingItems.end()) // no copy of an id already marked
            d->pendingItems.insert(id);
    };
    if (!e.itemId.empty())
        markItem(e.itemId);
    for (const OrderLine& line : e.lines)
        markItem(line.itemId);
}

void ConsumerWorker::flush(Rows rows)
{
    if (!d->pendingCounts && !d->pendingReset)
        return;
    ConsumerBatch out;
    out.reset = d->pendingReset;
    if (d->history) {
        out.history = d->history->take();
        if (!d->saidInline && d->history->recordsInline()) {
            d->saidInline = true;
            qCInfo(lcConsumer) << "the history rows' thread got no core for a while: this thread records them";
        }
    }
    out.checkpoints = std::move(d->pendingCheckpoints);
    d->pendingCheckpoints.clear();
    // While catching up, every row changes in every batch: the rows go out at most every
    // kCatchUpRowsMs (the entries and counts with every batch), which spares both threads
    // copying and taking in the same rows ten times a second. At the head, at once.
    const bool rowsDue = rows == Rows::Now || d->connState != ConnectionState::CatchingUp || !d->rowsSent.isValid()
                         || d->rowsSent.elapsed() >= kCatchUpRowsMs;
    if (d->options.collectChanges) {
        if (out.reset || (rowsDue && d->pendingAllRows)) {
            // A rebuilt state, or a catch-up's rows: everything, as it is now.
            for (const User* u : d->state.sortedUsers())
                out.users.push_back(*u);
            for (const Item* i : d->state.sortedItems())
                out.items.push_back(*i);
        } else {
            if (rowsDue) {
                std::vector<UserId> users(d->pendingUsers.begin(), d->pendingUsers.end());
                std::sort(users.begin(), users.end());
                for (UserId id : users) {
                    if (const User* u = d->state.findUser(id))
                        out.users.push_back(*u);
                }
                std::vector<std::string_view> items(d->pendingItems.begin(), d->pendingItems.end());
                std::sort(items.begin(), items.end());
                for (std::string_view id : items) {
                    if (const Item* i = d->state.findItem(id))
                        out.items.push_back(*i);
                }
            }
        }
    }
    if (out.reset || rowsDue) {
        d->pendingUsers.clear();
        d->pendingItems.clear();
        d->pendingAllRows = false;
        d->rowsSent.start();
    }
    d->pendingReset = false;
    d->pendingCounts = false;
    out.counts = d->state.counts;
    out.generation = d->options.generation;
    out.lastEventId = d->state.lastEventId;
    emit batchReady(out);
}

bool ConsumerWorker::stillContinues()
{
    redis::LoadReport report;
    switch (d->loader->check(d->state, report)) {
    case redis::StateLoader::Step::Reset:
        onReset(QString::fromStdString(report.resetWhy));
        return false;
    case redis::StateLoader::Step::Gap:
        d->gap = report.gap;
        onGap();
        return false;
    case redis::StateLoader::Step::Failed:
        if (d->connection.isConnected())
            return true; // the check could not be made: the next one will
        connectionLost(QString::fromStdString(report.error));
        return false;
    default:
        return true;
    }
}

void ConsumerWorker::publishStatus()
{
    ConsumerStatus status;
    status.state = d->connState;
    status.target = d->options.targetDescription;
    if (d->options.url.kind == redis::RedisUrl::Kind::Sentinel && !d->server.isEmpty())
        status.target += QStringLiteral(" → master ") + d->server; // the node in use
    else if (d->options.url.kind == redis::RedisUrl::Kind::Cluster && !d->server.isEmpty())
        status.target += QStringLiteral(" → node ") + d->server; // the one serving the stream's slot
    status.role = d->role;
    status.stream = QString::fromStdString(d->options.stream);
    status.lastEventId = QString::fromStdString(d->state.lastEventId);
    status.total = d->state.counts.total;
    status.message = d->message;
    const qint64 elapsed = d->rateTimer.elapsed();
    if (elapsed >= 250) {
        d->eventsPerSecond = double(d->state.counts.total - d->rateTotal) * 1000.0 / double(elapsed);
        d->rateTotal = d->state.counts.total;
        d->rateTimer.restart();
    }
    status.eventsPerSecond = d->eventsPerSecond;
    if (d->loader && d->connection.isConnected() && d->restoredOnce && !d->gap) {
        if (d->live && !d->stepQueued) {
            // Idle at the head: the stream must still continue the state (a key deleted or
            // flushed while nothing was written would otherwise go unnoticed).
            if (!stillContinues())
                return;
        }
        if (!d->serverChecked.isValid() || d->serverChecked.elapsed() >= kServerCheckMs)
            checkServer();
    }
    if (d->loader) {
        const StreamFacts& facts = d->loader->lastFacts();
        if (facts.countsKnown())
            status.lag = std::max<qint64>(0, facts.entriesAdded - d->state.covered());
    }
    emit statusChanged(status);
}

void ConsumerWorker::saveSnapshot(bool onRequest)
{
    const auto refuse = [&](const QString& why) {
        if (onRequest)
            emit snapshotFailed(why);
    };
    if (d->options.viewOnly)
        return refuse(tr("viewer mode writes nothing to Redis: the snapshot was not taken"));
    if (!d->restoredOnce || !settleConnection())
        return refuse(tr("not connected to Redis: the snapshot was not taken"));
    if (d->gap)
        return refuse(tr("entries are missing from the stream: no snapshot is taken across the gap"));
    if (!onRequest && (d->state.covered() == d->snapshotCovered || d->state.lastEventId.empty()))
        return; // nothing changed since the last one (or nothing to keep yet)
    QElapsedTimer timer;
    timer.start();
    redis::SnapshotStore store(d->connection, d->options.stream, d->options.keepSnapshots);
    if (!store.save(d->state, QDateTime::currentMSecsSinceEpoch())) {
        const QString message = QString::fromStdString(store.error());
        qCWarning(lcSnapshot).noquote() << "snapshot failed:" << message;
        emit snapshotFailed(message);
        if (!d->connection.isConnected())
            return connectionLost(message);
        checkServer(); // a refused write may be the disk: the banner should say so now
        return;
    }
    for (const std::string& w : store.warnings())
        qCWarning(lcSnapshot).noquote() << QString::fromStdString(w);
    d->snapshotCovered = d->state.covered();
    qCInfo(lcSnapshot).noquote() << "snapshot saved at" << QString::fromStdString(d->state.lastEventId) << "in"
                                 << timer.elapsed() << "ms";
    emit snapshotSaved(QString::fromStdString(d->state.lastEventId), timer.elapsed(), onRequest);
}

ConsumerThread::ConsumerThread(ConsumerOptions options, QObject* parent)
    : QObject(parent), worker_(new ConsumerWorker(std::move(options)))
{
    registerEngineMetaTypes();
    thread_.setObjectName(QStringLiteral("shopstream-consumer"));
    worker_->moveToThread(&thread_);
    deleteAsThreadEnds(thread_, worker_);
}

ConsumerThread::~ConsumerThread() { shutdown(); }

void ConsumerThread::start()
{
    thread_.start();
    QMetaObject::invokeMethod(worker_, &ConsumerWorker::start, Qt::QueuedConnection);
}

void ConsumerThread::shutdown()
{
    if (!thread_.isRunning())
        return;
    QMetaObject::invokeMethod(worker_, &ConsumerWorker::stop, Qt::BlockingQueuedConnection);
    thread_.quit();
    thread_.wait();
}

} // namespace shop::engine
