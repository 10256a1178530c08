// The consumer worker: one step per event-loop turn, so that timers (flush, status,
// snapshots) and stop() are served between reads.
#include "consumer_worker.hpp"

#include "logging.hpp"
#include "timer_interval.hpp"

#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "redis/connection.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_reader.hpp"

#include <QDateTime>
#include <QTimer>

#include <algorithm>

namespace shop::engine {

namespace {
constexpr int kMaxBackoffMs = 5000;
constexpr qint64 kCatchUpStepMs = 25; // a catch-up step yields to the event loop after this

bool isCredentialError(const std::string& error)
{
    return error.find("WRONGPASS") != std::string::npos || error.find("NOAUTH") != std::string::npos
           || error.find("credentials") != std::string::npos || error.find("password") != std::string::npos;
}
} // namespace

struct ConsumerWorker::Private {
    ConsumerOptions options;
    redis::Connection connection;
    ShopState state;
    Event scratch;
    redis::EntryBatch batch;

    ConnectionState connState = ConnectionState::Connecting;
    QString message;
    bool started = false;
    bool restoredOnce = false;
    bool live = false;
    bool stopping = false;
    bool stepQueued = false;
    int backoffMs = 200;

    // Changes not yet emitted.
    std::vector<VerdictRecord> pendingVerdicts;
    std::string pendingOps;
    std::set<UserId> pendingUsers;
    std::set<std::string, std::less<>> pendingItems;
    bool pendingReset = false;
    bool pendingCounts = false;

    std::int64_t snapshotTotal = -1; // counts.total at the last snapshot (or restore)
    std::int64_t replayed = 0;
    QElapsedTimer catchUpTimer;

    // Rate: total processed at the last status tick.
    std::int64_t rateTotal = 0;
    QElapsedTimer rateTimer;
    double eventsPerSecond = 0;

    QTimer* flushTimer = nullptr;
    QTimer* statusTimer = nullptr;
    QTimer* snapshotTimer = nullptr;
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
    connect(d->flushTimer, &QTimer::timeout, this, &ConsumerWorker::flush);
    d->flushTimer->start();
    d->statusTimer = new QTimer(this);
    d->statusTimer->setInterval(d->options.statusIntervalMs);
    connect(d->statusTimer, &QTimer::timeout, this, &ConsumerWorker::publishStatus);
    d->statusTimer->start();
    if (d->options.snapshotIntervalMs > 0) {
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
    setState(ConnectionState::Stopped);
    d->connection.close();
    emit stopped();
}

void ConsumerWorker::requestSnapshot() { saveSnapshot(true); }

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
    if (d->connection.isConnected())
        return true;
    redis::ConnectOptions connectOptions;
    connectOptions.commandTimeoutMs = std::max(5000, d->options.blockMs * 4 + 2000);
    if (d->connection.connect(d->options.url, connectOptions)) {
        d->backoffMs = 200;
        qCInfo(lcConsumer).noquote() << "connected to" << d->options.targetDescription;
        return true;
    }
    const std::string error = d->connection.error();
    if (!d->restoredOnce && (isCredentialError(error) || d->options.failIfUnreachable)) {
        fail(QString::fromStdString(error)); // waiting will not fix credentials
        return false;
    }
    connectionLost(QString::fromStdString(error));
    return false;
}

void ConsumerWorker::connectionLost(const QString& why)
{
    d->connection.close();
    const int delay = d->backoffMs;
    d->backoffMs = std::min(kMaxBackoffMs, d->backoffMs * 2);
    qCInfo(lcConsumer).noquote() << "connection lost:" << why << "- retrying in" << delay << "ms";
    setState(ConnectionState::Disconnected, tr("%1 (retrying in %2 s)").arg(why).arg(delay / 1000.0, 0, 'f', 1));
    scheduleStep(delay);
}

void ConsumerWorker::step()
{
    if (d->stopping)
        return;
    if (!ensureConnected())
        return;

    if (!d->restoredOnce) {
        setState(ConnectionState::Restoring);
        redis::StateLoader loader(d->connection, d->options.stream);
        redis::LoadOptions loadOptions;
        loadOptions.fromScratch = d->options.fromScratch;
        loadOptions.allowGaps = d->options.allowGaps;
        loadOptions.snapshotId = d->options.restoreSnapshotId;
        redis::LoadReport report;
        if (!loader.restore(d->state, loadOptions, report)) {
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
        d->snapshotTotal = d->state.counts.total;
        d->pendingReset = true;
        d->pendingCounts = true;
        d->catchUpTimer.start();
        emit restored(QString::fromStdString(report.snapshotId), d->state.counts.total, warnings);
        setState(ConnectionState::CatchingUp);
    }

    redis::StreamReader reader(d->connection, d->options.stream);
    const auto readFailed = [&] {
        if (!d->connection.isConnected())
            return connectionLost(QString::fromStdString(reader.error()));
        fail(QString::fromStdString(reader.error()));
    };
    const std::string after = d->state.lastEventId.empty() ? std::string("0-0") : d->state.lastEventId;
    if (d->live) {
        if (!reader.readBlocking(after, d->options.batchSize, d->options.blockMs, d->batch))
            return readFailed();
        if (d->connState != ConnectionState::Live)
            setState(ConnectionState::Live);
        applyBatch();
        return scheduleStep();
    }

    // Catching up: pages of XRANGE, the next one asked for before this one is applied, for
    // up to a step's budget; then back to the event loop (timers, stop) with no request
    // left outstanding on the connection.
    QElapsedTimer stepClock;
    stepClock.start();
    if (!reader.requestRange(after, d->options.batchSize))
        return readFailed();
    for (;;) {
        if (!reader.receiveRange(d->batch))
            return readFailed();
        if (d->connState != ConnectionState::CatchingUp)
            setState(ConnectionState::CatchingUp);
        const bool full = d->batch.entries.size() == d->options.batchSize;
        const bool another = full && stepClock.elapsed() < kCatchUpStepMs;
        if (another && !reader.requestRange(d->batch.entries.back().id, d->options.batchSize))
            return readFailed();
        applyBatch();
        if (!full)
            break;
        if (!another)
            return scheduleStep();
    }

    d->live = true;
    flush();
    setState(ConnectionState::Live);
    qCInfo(lcConsumer) << "caught up:" << d->state.counts.total << "entries," << d->replayed << "replayed in"
                       << d->catchUpTimer.elapsed() << "ms";
    emit caughtUp(d->state.counts.total, d->replayed, d->catchUpTimer.elapsed());
    if (d->options.untilCaughtUp) {
        stop();
        return;
    }
    scheduleStep();
}

void ConsumerWorker::applyBatch()
{
    if (d->batch.entries.empty())
        return;
    const bool collect = d->options.collectChanges;
    if (collect)
        d->pendingVerdicts.reserve(d->pendingVerdicts.size() + d->batch.entries.size());
    for (const RawEntry& entry : d->batch.entries) {
        const Reason reason = processEntry(d->state, entry, d->scratch);
        if (!collect)
            continue;
        recordVerdict(entry, reason, d->scratch, d->state, d->pendingVerdicts, d->pendingOps);
        if (reason == Reason::None) {
            const Event& e = d->scratch;
            if (e.userId != 0)
                d->pendingUsers.insert(e.userId);
            if (!e.itemId.empty())
                d->pendingItems.insert(e.itemId);
            for (const OrderLine& line : e.lines)
                d->pendingItems.insert(line.itemId);
        }
    }
    d->replayed += static_cast<std::int64_t>(d->batch.entries.size());
    d->pendingCounts = true;
}

void ConsumerWorker::flush()
{
    if (!d->pendingCounts && !d->pendingReset)
        return;
    ConsumerBatch out;
    out.reset = d->pendingReset;
    out.verdicts = std::move(d->pendingVerdicts);
    d->pendingVerdicts.clear();
    out.ops = std::move(d->pendingOps);
    d->pendingOps.clear();
    if (d->options.collectChanges) {
        if (out.reset) {
            // A rebuilt state: everything, as it is now.
            for (const User* u : d->state.sortedUsers())
                out.users.push_back(*u);
            for (const Item* i : d->state.sortedItems())
                out.items.push_back(*i);
        } else {
            for (UserId id : d->pendingUsers) {
                if (const User* u = d->state.findUser(id))
                    out.users.push_back(*u);
            }
            for (const std::string& id : d->pendingItems) {
                if (const Item* i = d->state.findItem(id))
                    out.items.push_back(*i);
            }
        }
    }
    d->pendingUsers.clear();
    d->pendingItems.clear();
    d->pendingReset = false;
    d->pendingCounts = false;
    out.counts = d->state.counts;
    out.lastEventId = d->state.lastEventId;
    emit batchReady(out);
}

void ConsumerWorker::publishStatus()
{
    ConsumerStatus status;
    status.state = d->connState;
    status.target = d->options.targetDescription;
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
    if (d->connection.isConnected() && d->restoredOnce) {
        redis::StreamReader reader(d->connection, d->options.stream);
        redis::StreamInfo info;
        if (reader.info(info) && info.entriesAdded >= 0)
            status.lag = std::max<qint64>(0, info.entriesAdded - d->state.counts.total);
        else if (!d->connection.isConnected())
            return connectionLost(QString::fromStdString(reader.error()));
    }
    emit statusChanged(status);
}

void ConsumerWorker::saveSnapshot(bool onRequest)
{
    if (!d->restoredOnce || !d->connection.isConnected()) {
        if (onRequest)
            emit snapshotFailed(tr("not connected to Redis: the snapshot was not taken"));
        return;
    }
    if (!onRequest && d->state.counts.total == d->snapshotTotal)
        return; // nothing changed since the last one
    QElapsedTimer timer;
    timer.start();
    redis::SnapshotStore store(d->connection, d->options.stream, d->options.keepSnapshots);
    if (!store.save(d->state, QDateTime::currentMSecsSinceEpoch())) {
        const QString message = QString::fromStdString(store.error());
        qCWarning(lcSnapshot).noquote() << "snapshot failed:" << message;
        emit snapshotFailed(message);
        if (!d->connection.isConnected())
            connectionLost(message);
        return;
    }
    d->snapshotTotal = d->state.counts.total;
    qCInfo(lcSnapshot).noquote() << "snapshot saved at" << QString::fromStdString(d->state.lastEventId) << "in"
                                 << timer.elapsed() << "ms";
    emit snapshotSaved(QString::fromStdString(d->state.lastEventId), timer.elapsed());
}

ConsumerThread::ConsumerThread(ConsumerOptions options, QObject* parent)
    : QObject(parent), worker_(new ConsumerWorker(std::move(options)))
{
    registerEngineMetaTypes();
    thread_.setObjectName(QStringLiteral("shopstream-consumer"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
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
