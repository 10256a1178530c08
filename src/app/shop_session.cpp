// ShopSession: the consumer and the writer on their threads, the models on this one.
#include "shop_session.hpp"

#include "command_tracker.hpp"
#include "connection_settings.hpp"
#include "display_text.hpp"
#include "explanation_view.hpp"
#include "export_file.hpp"

#include "core/explain.hpp"
#include "engine/command_writer.hpp"
#include "engine/connection_target.hpp"
#include "engine/consumer_worker.hpp"
#include "engine/history_loader.hpp"
#include "engine/logging.hpp"

#include "shopstream_version.h"

#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QHash>
#include <QJSEngine>
#include <QLocale>
#include <QQmlEngine>
#include <QThreadPool>
#include <QTime>
#include <QTimer>

#include <deque>

namespace shop::app {

namespace {

ShopSession* gInstance = nullptr;

// The entry details view reads {type, eid, actor, version, format, data, money}, or {error};
// money: the amounts of a decoded entry with their units (moneyNote), "" for none.
QVariantMap entryFieldsForQml(const engine::EntryFields& fields, const QString& error)
{
    if (!error.isEmpty())
        return {{QStringLiteral("error"), error}};
    return {{QStringLiteral("type"), fields.type},     {QStringLiteral("eid"), fields.eid},
            {QStringLiteral("actor"), fields.actor},   {QStringLiteral("version"), fields.version},
            {QStringLiteral("format"), fields.format}, {QStringLiteral("data"), fields.data},
            {QStringLiteral("money"), fields.decodeReason == Reason::None ? moneyNote(fields.event) : QString()},
            {QStringLiteral("event"), fields.decodeReason == Reason::None ? eventForDialog(fields.event) : QVariantMap()}};
}

// A batch as a slot of a Qt::QueuedConnection receives it: the copy its event made (a
// QMetaType copy, not const) and destroys after the call, so the slot may take its parts
// instead of copying them again (the shop's changed rows and packed checkpoints). Only for
// connections made queued explicitly: a direct one would pass the sender's own object.
engine::ConsumerBatch& ownedBatch(const engine::ConsumerBatch& queued) { return const_cast<engine::ConsumerBatch&>(queued); }

// Queues one of the writer's slots on its thread; false when there is no writer yet.
bool callWriter(const std::unique_ptr<engine::CommandWriterThread>& writer, void (engine::CommandWriter::*slot)())
{
    if (!writer)
        return false;
    QMetaObject::invokeMethod(writer->writer(), slot, Qt::QueuedConnection);
    return true;
}

} // namespace

struct ShopSession::Private {
    SessionOptions options;
    QThreadPool exports; // one events export at a time, off the GUI thread
    TargetResolver resolver;
    CommandTracker commands;
    std::unique_ptr<engine::ConsumerThread> consumer;
    std::unique_ptr<engine::CommandWriterThread> writer;
    int waitReplicas = 0; // WAIT for this many replicas after each edit (ConnectionSettings)
    std::unique_ptr<engine::HistoryLoaderThread> history; // made with the writer

    qint64 catchUpStartTotal = 0;

    // After a restore, the entries before the snapshot load on the history job's thread; the
    // consumer's batches wait here meanwhile, so the events list and the timeline stay in
    // stream order.
    int historyGeneration = 0;
    std::vector<engine::ConsumerBatch> waiting;

    // The consumer's batches, applied a few at a time so that a catch-up never keeps the GUI
    // thread from painting for long.
    std::deque<engine::ConsumerBatch> inbox;
    // Each consumer started gets the next generation (copied into its batches) and a fresh
    // context object for its signals.
    int consumerGeneration = 0;
    std::unique_ptr<QObject> consumerContext;
    bool drainScheduled = false;
    qint64 lastBatchMs = 0; // what the last batch taken in cost the GUI thread
};

ShopSession::ShopSession(QObject* parent)
    : QObject(parent), d(std::make_unique<Private>()), events_(history_), replay_(history_),
      overview_(history_, replay_, users_, items_), dataSearch_(history_, events_)
{
    engine::registerEngineMetaTypes();
    connect(&d->resolver, &TargetResolver::resolved, this, &ShopSession::onTargetResolved);
    connect(&d->resolver, &TargetResolver::failed, this, [this](const QString& message) {
        status_.state = engine::ConnectionState::Failed;
        status_.message = message;
        outageLogged_ = true;
        notifications_.add(NotificationLog::Kind::Error, statusMessage());
        emit statusChanged(); // the outage banner says it; no second notice
    });
    connect(&d->resolver, &TargetResolver::connectionRequested, this, &ShopSession::start);
    connect(&d->resolver, &TargetResolver::notice, this, &ShopSession::notice);
    connect(&d->commands, &CommandTracker::commandFinished, this, &ShopSession::commandFinished);
    // What the window says once (a banner or a toast) stays in the log.
    connect(this, &ShopSession::notice, &notifications_,
            [this](const QString& message) { notifications_.add(NotificationLog::Kind::Error, message); });
    // In history every list stops at the timeline's current event, as the tables do.
    connect(&replay_, &ReplayController::positionChanged, this,
            [this] { events_.setLimit(replay_.live() ? -1 : replay_.position()); });
    connect(&d->commands, &CommandTracker::writeRefused, this, [this] {
        if (readOnly_)
            return;
        readOnly_ = true;
        emit readOnlyChanged();
    });
}

ShopSession::~ShopSession()
{
    stop();
    d->exports.waitForDone(); // its answer is queued to this object
}

void ShopSession::setInstance(ShopSession* session) { gInstance = session; }

ShopSession* ShopSession::create(QQmlEngine*, QJSEngine*)
{
    Q_ASSERT(gInstance);
    QJSEngine::setObjectOwnership(gInstance, QJSEngine::CppOwnership);
    return gInstance;
}

QString ShopSession::version() const { return QStringLiteral(SHOPSTREAM_VERSION); }

// Messages from the engine start in lower case (they are also log lines); the window shows
// them as sentences.
QString ShopSession::statusMessage() const
{
    QString m = status_.message;
    if (!m.isEmpty())
        m[0] = m[0].toUpper();
    return m;
}

ShopSession::ConnectionState ShopSession::connectionState() const
{
    switch (status_.state) {
    case engine::ConnectionState::Connecting:
        return ConnectionState::Connecting;
    case engine::ConnectionState::Restoring:
        return ConnectionState::Restoring;
    case engine::ConnectionState::CatchingUp:
        return ConnectionState::CatchingUp;
    case engine::ConnectionState::Live:
        return ConnectionState::Live;
    case engine::ConnectionState::Disconnected:
        return ConnectionState::Disconnected;
    case engine::ConnectionState::Failed:
        return ConnectionState::Failed;
    case engine::ConnectionState::Stopped:
        return ConnectionState::Stopped;
    case engine::ConnectionState::Gap:
        return ConnectionState::Gap;
    }
    return ConnectionState::Failed;
}

QString ShopSession::formatMoney(qint64 minor) const { return shop::app::formatMoney(minor); }

bool ShopSession::start(const SessionOptions& options)
{
    stop();
    d->options = options;
    setViewOnly(options.viewOnly);
    setSnapshotQuestion({});
    setSnapshotsError({});
    snapshotsHeld_ = false;
    caughtUp_ = false; // of the connection just stopped; this one has not caught up yet
    status_ = {};
    status_.stream = options.stream;
    status_.target = TargetResolver::describeUnresolved(options);
    emit statusChanged();
    if (!streamFormat_.isEmpty() || legacyAppends_) { // another stream: not known until looked at
        streamFormat_.clear();
        legacyAppends_ = false;
        emit streamFormatChanged();
    }
    if (!serverWarnings_.isEmpty()) { // of the server or stream just left; the new worker says its own
        serverWarnings_.clear();
        emit serverWarningsChanged();
    }
    // Resolving may start the managed redis-server and wait for it: not on this thread.
    d->resolver.resolve(options);
    return true;
}

void ShopSession::onTargetResolved()
{
    const engine::ConnectionTarget* target = d->resolver.target();
    status_.target = target->describe();
    master_.clear();
    moved_.clear();
    if (const QString warning = target->insecureWarning(); !warning.isEmpty())
        emit notice(warning); // on every start, as the CLI says it on every run
    // The managed server is ShopStream's own: its streams keep snapshots without asking.
    // Elsewhere the answer given for this stream holds; with none, the snapshot list decides.
    if (!target->isManaged()) {
        const QString url = QString::fromStdString(target->url().withoutCredentials());
        const SnapshotChoice choice = ConnectionSettings::snapshotChoice(url, d->options.stream);
        if (choice == SnapshotChoice::ViewOnly)
            setViewOnly(true);
        snapshotsHeld_ = !viewOnly_ && d->options.askBeforeSnapshots && choice != SnapshotChoice::Keep;
    }
    d->waitReplicas = target->isManaged() ? 0 : ConnectionSettings::waitReplicas(QString::fromStdString(target->url().withoutCredentials()));
    d->writer = std::make_unique<engine::CommandWriterThread>(target->url(), d->options.stream.toStdString(), viewOnly_, d->waitReplicas);
    connectWriter(d->writer->writer());
    d->history = std::make_unique<engine::HistoryLoaderThread>(target->url(), d->options.stream.toStdString());
    connectHistory(d->history->loader());
    dataSearch_.start(target->url(), d->options.stream.toStdString());
    startConsumer({}, false);
    refreshSnapshots();
    detectStreamFormat();
}

void ShopSession::connectHistory(engine::HistoryLoader* history)
{
    connect(
        history, &engine::HistoryLoader::batch, this,
        [this](const engine::ConsumerBatch& batch, int generation) {
            if (generation == d->historyGeneration && !historyComplete_)
                appendHistory(ownedBatch(batch));
        },
        Qt::QueuedConnection);
    connect(history, &engine::HistoryLoader::loaded, this, [this](qint64, const QString& error, int generation) {
        if (generation != d->historyGeneration || historyComplete_)
            return;
        if (!error.isEmpty()) {
            // Without the start of the history the timeline cannot show earlier states; the
            // live view is unaffected.
            clearHistory();
            replay_.setAvailable(false, tr("The history before the restored snapshot could not be loaded: %1").arg(error));
            emit notice(replay_.unavailableReason());
        }
        for (engine::ConsumerBatch& waiting : d->waiting)
            appendHistory(waiting);
        d->waiting.clear();
        setHistoryComplete(true);
    });
}

void ShopSession::connectWriter(engine::CommandWriter* writer)
{
    d->commands.watch(writer);
    ShopSession* s = this;
    connect(writer, &engine::CommandWriter::streamFormatDetected, s,
            [s](const QString& format, bool legacy, const QString& description, const QString& error) {
                if (!error.isEmpty()) {
                    // Kept as it was: a lost connection does not change the stream.
                    qCInfo(lcRedis).noquote() << "the stream's format could not be told:" << error;
                    return;
                }
                if (format == s->streamFormat_ && legacy == s->legacyAppends_)
                    return;
                s->streamFormat_ = format;
                s->legacyAppends_ = legacy;
                emit s->streamFormatChanged();
                if (format == QLatin1String("mixed")) { // which format appends take is news
                    QString sentence = description;
                    if (!sentence.isEmpty())
                        sentence[0] = sentence[0].toUpper();
                    emit s->notice(sentence + QLatin1Char('.'));
                }
            });
    connect(writer, &engine::CommandWriter::demoProduced, s, [s](int count, const QString& error) {
        emit s->notice(error.isEmpty() ? tr("Loaded a demo shop of %1 events.").arg(count)
                                       : tr("The demo shop could not be loaded: %1").arg(error));
    });
    connect(writer, &engine::CommandWriter::snapshotsListed, s,
            [s](const QList<engine::StoredSnapshot>& list, const QString& error) {
                s->setSnapshotsError(error.isEmpty() ? QString() : tr("The snapshots could not be listed: %1").arg(error));
                if (!error.isEmpty())
                    return;
                if (s->snapshotsHeld_ && !s->viewOnly_) {
                    // Someone keeps snapshots of this stream already: so do we. Else ask once.
                    if (!list.isEmpty())
                        s->releaseSnapshots();
                    else
                        s->setSnapshotQuestion(tr("%1:snapshots, %1:snapshot:*").arg(s->d->options.stream));
                }
                std::vector<SnapshotListModel::Row> rows;
                rows.reserve(static_cast<std::size_t>(list.size()));
                for (auto it = list.crbegin(); it != list.crend(); ++it) // newest first
                    rows.push_back({it->id, it->createdMs, it->events, it->bytes, it->checked, it->problem});
                QStringList ids;
                for (const auto& row : rows)
                    ids << row.id;
                s->replay_.setSnapshotIds(ids);
                s->snapshots_.setRows(std::move(rows));
            });
    connect(writer, &engine::CommandWriter::snapshotsVerified, s,
            [s](const QList<engine::SnapshotVerification>& results, const QString& error) {
                s->verifyingSnapshots_ = false;
                emit s->verifyingSnapshotsChanged();
                if (!error.isEmpty()) {
                    emit s->notice(tr("The snapshots could not be compared with a rebuild: %1").arg(error));
                    return;
                }
                s->snapshots_.setVerification(results);
                qsizetype compared = 0, differ = 0;
                for (const auto& r : results) {
                    compared += r.compared ? 1 : 0;
                    differ += r.compared && !r.verified ? 1 : 0;
                }
                if (differ > 0)
                    emit s->notice(tr("%1 of the %2 snapshots that pass their checks do not equal a rebuild "
                                      "from scratch: see the Snapshots page.")
                                       .arg(differ)
                                       .arg(compared));
            });
    connect(writer, &engine::CommandWriter::streamSummaryRead, s,
            [s](const engine::StreamSummary& info, const QString& error) {
                if (!error.isEmpty())
                    s->streamInfo_ = {{QStringLiteral("error"), error}};
                else
                    s->streamInfo_ = {{QStringLiteral("exists"), info.exists},
                                      {QStringLiteral("length"), info.length},
                                      {QStringLiteral("entriesAdded"), info.entriesAdded},
                                      {QStringLiteral("firstId"), info.firstId},
                                      {QStringLiteral("lastId"), info.lastId},
                                      {QStringLiteral("lastGeneratedId"), info.lastGeneratedId},
                                      {QStringLiteral("groups"), info.groups},
                                      {QStringLiteral("memoryBytes"), info.memoryBytes},
                                      {QStringLiteral("format"), info.format},
                                      {QStringLiteral("formatText"), info.formatText}};
                emit s->streamInfoChanged();
            });
    connect(writer, &engine::CommandWriter::streamKeysListed, s, &ShopSession::streamKeysListed);
    connect(writer, &engine::CommandWriter::entryLoaded, s,
            [s](const QString& id, const engine::EntryFields& fields, const QString& error) {
                QVariantMap map = entryFieldsForQml(fields, error);
                if (error.isEmpty())
                    map.insert(s->explainLoadedEntry(id, fields));
                emit s->entryLoaded(id, map);
            });
}

void ShopSession::startConsumer(const QString& snapshotId, bool fromScratch)
{
    d->consumer.reset();
    // Signals the stopped consumer sent that have not been delivered yet go with their
    // receiver, and a batch of it that is still on its way carries the old generation.
    d->consumerContext = std::make_unique<QObject>();
    ++d->consumerGeneration;
    d->inbox.clear(); // batches of the consumer just stopped
    clearHistory();
    users_.apply({}, UserListModel::Update::Reset);
    items_.apply({}, ItemListModel::Update::Reset);
    counts_ = {};
    headTotal_ = 0;
    caughtUp_ = false;
    emit countsChanged();
    if (!gapMessage_.isEmpty()) {
        gapMessage_.clear();
        emit gapChanged();
    }

    engine::ConsumerOptions options;
    options.url = d->resolver.target()->url();
    options.targetDescription = d->resolver.target()->describe();
    options.stream = d->options.stream.toStdString();
    options.snapshotIntervalMs = snapshotsHeld_ ? 0 : d->options.snapshotIntervalMs;
    options.viewOnly = viewOnly_;
    options.restoreSnapshotId = snapshotId.toStdString();
    options.fromScratch = fromScratch;
    options.collectChanges = true;
    options.statusIntervalMs = 250;
    options.generation = d->consumerGeneration;
    options.historyNames = history_.sharedNames();
    d->consumer = std::make_unique<engine::ConsumerThread>(options);
    engine::ConsumerWorker* worker = d->consumer->worker();
    QObject* context = d->consumerContext.get();
    connect(
        worker, &engine::ConsumerWorker::batchReady, context,
        [this](const engine::ConsumerBatch& b) { onBatch(std::move(ownedBatch(b))); }, Qt::QueuedConnection);
    connect(worker, &engine::ConsumerWorker::statusChanged, context, [this](const engine::ConsumerStatus& st) { onStatus(st); });
    connect(worker, &engine::ConsumerWorker::restored, context, [this](const QString& id, qint64 total, const QStringList& warnings) {
        // What the consumer sent before it restored is older than the restore: it goes in
        // first, in order, rather than into the history cleared below.
        while (!d->inbox.empty())
            applyNextBatch();
        for (const QString& w : warnings)
            emit notice(w);
        d->catchUpStartTotal = total;
        // The events list and the timeline cover the whole stream: a restored snapshot
        // skipped its start, which loads behind on the history job's thread.
        clearHistory();
        replay_.setAvailable(true);
        d->waiting.clear();
        ++d->historyGeneration;
        setHistoryComplete(id.isEmpty());
        if (!id.isEmpty() && d->history)
            d->history->load(id, d->historyGeneration, history_.sharedNames());
        if (!id.isEmpty())
            qCInfo(lcSnapshot).noquote() << "restored snapshot" << id;
    });
    connect(worker, &engine::ConsumerWorker::caughtUp, context, [this] {
        caughtUp_ = true;
        progress_ = -1;
        progressText_.clear();
        emit progressChanged();
        emit statusChanged();
        emit countsChanged();
    });
    connect(worker, &engine::ConsumerWorker::snapshotSaved, context, [this](const QString& id, qint64, bool onRequest) {
        lastSnapshot_ = tr("%1 at %2").arg(id, QTime::currentTime().toString(QStringLiteral("HH:mm:ss")));
        emit lastSnapshotChanged();
        notifications_.add(NotificationLog::Kind::Info,
                           onRequest ? tr("Snapshot taken: %1").arg(id) : tr("Timed snapshot taken: %1").arg(id));
        emit snapshotTaken(id, onRequest);
        refreshSnapshots();
    });
    connect(worker, &engine::ConsumerWorker::snapshotFailed, context, [this](const QString& m) {
        notifications_.add(NotificationLog::Kind::Error, tr("Snapshot failed: %1").arg(m));
        emit snapshotFailed(m);
    });
    connect(worker, &engine::ConsumerWorker::streamReset, context, [this](const QString& message) {
        QString text = message;
        if (!text.isEmpty())
            text[0] = text[0].toUpper();
        resetNotice_ = text + QLatin1Char('.');
        if (!moved_.isEmpty())
            emit notice(tr("%1, and it lacks events the shop had applied: the shop is rebuilt").arg(std::exchange(moved_, {})));
        notifications_.add(NotificationLog::Kind::Error, resetNotice_);
        emit resetNoticeChanged();
        refreshSnapshots();
    });
    connect(worker, &engine::ConsumerWorker::gapFound, context, [this](const engine::StreamGap& gap) {
        gapMessage_ = gap.message;
        if (!gapMessage_.isEmpty())
            gapMessage_[0] = gapMessage_[0].toUpper();
        notifications_.add(NotificationLog::Kind::Error, gapMessage_);
        // Nothing is being replayed while it waits: the progress row goes.
        progress_ = -1;
        progressText_.clear();
        emit progressChanged();
        emit gapChanged();
    });
    connect(worker, &engine::ConsumerWorker::serverWarningsChanged, context, [this](const QStringList& warnings) {
        serverWarnings_.clear();
        for (QString w : warnings) {
            if (!w.isEmpty())
                w[0] = w[0].toUpper();
            serverWarnings_ << w;
        }
        emit serverWarningsChanged();
    });
    connect(worker, &engine::ConsumerWorker::serverChanged, context, [this](const QString& address) {
        const engine::ConnectionTarget* target = d->resolver.target();
        const redis::RedisUrl::Kind kind = target ? target->url().kind : redis::RedisUrl::Kind::Tcp;
        if (kind != redis::RedisUrl::Kind::Sentinel && kind != redis::RedisUrl::Kind::Cluster)
            return;
        // Said once the consumer knows whether the new server has every event it applied:
        // at Live (none lost) or at streamReset (some lost, and how many).
        if (!master_.isEmpty() && master_ != address)
            moved_ = kind == redis::RedisUrl::Kind::Sentinel
                         ? tr("The master moved from %1 to %2 (a failover)").arg(master_, address)
                         : tr("The stream's slot moved from node %1 to %2 (a failover or a resharding)").arg(master_, address);
        master_ = address; // the status line names it (ConsumerStatus::target)
    });
    connect(worker, &engine::ConsumerWorker::failed, context, [this](const QString& m) { emit notice(m); });
    progress_ = 0;
    progressText_ = snapshotId.isEmpty() ? (fromScratch ? tr("Replaying from the start…") : tr("Loading the shop…"))
                                         : tr("Restoring snapshot %1…").arg(snapshotId);
    emit progressChanged();
    d->consumer->start();
}

void ShopSession::stop()
{
    d->consumer.reset();
    d->consumerContext.reset();
    ++d->consumerGeneration;
    d->history.reset();
    dataSearch_.stop();
    d->writer.reset();
}

void ShopSession::onBatch(engine::ConsumerBatch&& batch)
{
    if (batch.generation != d->consumerGeneration)
        return; // from a consumer that was replaced after it sent this
    d->inbox.push_back(std::move(batch));
    if (!d->drainScheduled) {
        d->drainScheduled = true;
        QTimer::singleShot(0, this, &ShopSession::drainInbox);
    }
}

// Applies queued batches for at most kDrainBudgetMs, then yields to the event loop
// (painting, input, timers) and comes back for the rest. A batch's entries cost the window
// little: their rows were made on the consumer's thread, and only the blocks change hands.
void ShopSession::drainInbox()
{
    constexpr qint64 kDrainBudgetMs = 12;
    d->drainScheduled = false;
    QElapsedTimer clock;
    clock.start();
    // One batch at least; another only if, at the last one's cost, it would end within the budget.
    for (bool first = true; !d->inbox.empty() && (first || clock.elapsed() + d->lastBatchMs < kDrainBudgetMs);
         first = false) {
        const qint64 batchStart = clock.elapsed();
        applyNextBatch();
        d->lastBatchMs = clock.elapsed() - batchStart;
    }
    if (!d->inbox.empty() && !d->drainScheduled) {
        d->drainScheduled = true;
        QTimer::singleShot(0, this, &ShopSession::drainInbox);
    }
}

void ShopSession::applyNextBatch()
{
    engine::ConsumerBatch batch = std::move(d->inbox.front());
    d->inbox.pop_front();
    const auto how = batch.reset ? KeyedListModel::Update::Reset : KeyedListModel::Update::Merge;
    users_.apply(batch.users, how);
    items_.apply(batch.items, how);
    // The window's own edits are answered once their rows are in, or at once while older
    // entries are still loading (the tables above already show them).
    const bool counted = !batch.lastEventId.empty() || batch.reset;
    const VerdictCounts counts = batch.counts;
    if (historyComplete_)
        appendHistory(batch);
    d->commands.finish(batch.history, history_.names());
    if (!historyComplete_)
        d->waiting.push_back(std::move(batch)); // the events list and the timeline take it in turn
    if (counted) {
        const bool wasEmpty = counts_.total == 0;
        counts_ = counts;
        headTotal_ = std::max<qint64>(headTotal_, counts_.total); // the consumer is past its last status
        emit countsChanged();
        emit lagChanged();
        updateProgress(); // from the same numbers as the counts, in the same frame
        if (wasEmpty && counts_.total > 0) // the first entries (again): their format decides
            detectStreamFormat();
    }
}

void ShopSession::appendHistory(engine::ConsumerBatch& batch)
{
    const std::size_t from = history_.size();
    history_.append(batch.history);
    events_.appended(from);
    if (replay_.available()) {
        replay_.addCheckpoints(std::move(batch.checkpoints));
        replay_.appended();
    }
    overview_.historyGrew();
}

qint64 ShopSession::historyMemoryBytes() const
{
    return qint64(history_.memoryBytes() + history_.names().memoryBytes() + replay_.timeline().memoryBytes())
           + events_.memoryBytes();
}

void ShopSession::clearHistory()
{
    history_.clear();
    events_.clear();
    replay_.clear();
    overview_.historyCleared();
    dataSearch_.historyCleared();
}

void ShopSession::setHistoryComplete(bool complete)
{
    if (complete == historyComplete_)
        return;
    historyComplete_ = complete;
    emit historyCompleteChanged();
}

void ShopSession::onStatus(const engine::ConsumerStatus& status)
{
    status_ = status;
    // An outage goes to the log once, and so does its end.
    const bool down = status.state == engine::ConnectionState::Disconnected || status.state == engine::ConnectionState::Failed;
    if (down && !outageLogged_) {
        outageLogged_ = true;
        notifications_.add(NotificationLog::Kind::Error, statusMessage());
    }
    if (!moved_.isEmpty() && status.state == engine::ConnectionState::Live)
        emit notice(tr("%1; no event was lost: the shop goes on from its last applied event").arg(std::exchange(moved_, {})));
    if (outageLogged_ && status.state == engine::ConnectionState::Live) {
        outageLogged_ = false;
        notifications_.add(NotificationLog::Kind::Info, tr("Connected again to %1").arg(status.target));
        refreshSnapshots(); // what failed while it was away is asked again
    }
    headTotal_ = status.total + status.lag;
    updateProgress();
    emit statusChanged();
    emit lagChanged();
}

void ShopSession::updateProgress()
{
    if (status_.state != engine::ConnectionState::CatchingUp && status_.state != engine::ConnectionState::Restoring)
        return;
    const qint64 done = std::max<qint64>(0, counts_.total - d->catchUpStartTotal);
    const qint64 all = std::max(done, headTotal_ - d->catchUpStartTotal);
    progress_ = all > 0 ? double(done) / double(all) : 0;
    const QLocale locale;
    const double left = status_.eventsPerSecond > 0 ? double(all - done) / status_.eventsPerSecond : -1;
    progressText_ = tr("Replaying %1 of %2 events (%3 a second%4)")
                        .arg(locale.toString(done), locale.toString(all), locale.toString(qRound64(status_.eventsPerSecond)),
                             left >= 0 ? tr(", %1 s left").arg(left, 0, 'f', 1) : QString());
    emit progressChanged();
}

QString ShopSession::submit(const QString& type, const QVariantMap& data)
{
    // The verdict the dialog's preview showed, recorded with the request: the window's tables
    // are the stream's only when it has caught up.
    std::optional<Reason> predicted;
    if (caughtUp())
        predicted = previewEvent(type, data, legacyAppends_, users_, items_).reason;
    return d->commands.submit(d->writer ? d->writer->writer() : nullptr, type, data, predicted);
}

QVariantMap ShopSession::preview(const QString& type, const QVariantMap& data) const
{
    return previewEvent(type, data, legacyAppends_, users_, items_).view;
}

void ShopSession::takeSnapshot()
{
    if (d->consumer)
        QMetaObject::invokeMethod(d->consumer->worker(), &engine::ConsumerWorker::requestSnapshot, Qt::QueuedConnection);
}

void ShopSession::refreshSnapshots() { callWriter(d->writer, &engine::CommandWriter::listSnapshots); }

void ShopSession::verifySnapshots()
{
    if (!d->writer || verifyingSnapshots_)
        return;
    verifyingSnapshots_ = true;
    emit verifyingSnapshotsChanged();
    callWriter(d->writer, &engine::CommandWriter::verifySnapshots);
}

void ShopSession::continueWithoutGap()
{
    if (!d->consumer || gapMessage_.isEmpty())
        return;
    gapMessage_.clear();
    emit gapChanged();
    QMetaObject::invokeMethod(d->consumer->worker(), &engine::ConsumerWorker::acceptGap, Qt::QueuedConnection);
}

void ShopSession::dismissResetNotice()
{
    if (resetNotice_.isEmpty())
        return;
    resetNotice_.clear();
    emit resetNoticeChanged();
}

void ShopSession::restoreSnapshot(const QString& snapshotId)
{
    if (d->resolver.target())
        startConsumer(snapshotId, false);
}

void ShopSession::replayFromScratch()
{
    if (d->resolver.target())
        startConsumer({}, true);
}

void ShopSession::loadDemoShop(int events)
{
    if (d->writer) {
        engine::CommandWriter* writer = d->writer->writer();
        QMetaObject::invokeMethod(writer, [writer, events] { writer->produceDemo(events, 1); }, Qt::QueuedConnection);
    }
}

void ShopSession::detectStreamFormat() { callWriter(d->writer, &engine::CommandWriter::detectFormat); }

void ShopSession::refreshStreamInfo() { callWriter(d->writer, &engine::CommandWriter::readStreamSummary); }

void ShopSession::listStreamKeys()
{
    if (!callWriter(d->writer, &engine::CommandWriter::listStreamKeys))
        emit streamKeysListed({}, false, tr("not connected to Redis yet"));
}

void ShopSession::loadEntry(const QString& entryId)
{
    if (d->writer) {
        engine::CommandWriter* writer = d->writer->writer();
        QMetaObject::invokeMethod(writer, [writer, entryId] { writer->loadEntry(entryId); }, Qt::QueuedConnection);
    }
}

void ShopSession::connectTo(const QString& url, const QString& user, const QString& password, const QString& stream,
                            bool remember, bool viewOnly, const QVariantMap& tls, int waitReplicas)
{
    ConnectionSettings::setWaitReplicas(url, waitReplicas);
    const QString key = TargetResolver::streamKey(stream);
    if (viewOnly)
        ConnectionSettings::setSnapshotChoice(url, key, SnapshotChoice::ViewOnly);
    else if (ConnectionSettings::snapshotChoice(url, key) == SnapshotChoice::ViewOnly)
        ConnectionSettings::setSnapshotChoice(url, key, SnapshotChoice::Ask);
    SessionOptions base = d->options;
    base.viewOnly = viewOnly;
    const auto text = [&tls](const char* name) { return tls.value(QLatin1String(name)).toString(); };
    const TlsFields fields{text("caFile"), text("certFile"), text("keyFile"), text("serverName"), text("keyPassphrase"),
                           tls.value(QStringLiteral("insecure")).toBool()};
    d->resolver.requestConnection(base, url, user, password, stream, remember, fields); // then start()
}

QVariantMap ShopSession::splitTls(const QString& url) const { return TargetResolver::splitTls(url); }

int ShopSession::waitReplicasFor(const QString& url) const { return url.isEmpty() ? 0 : ConnectionSettings::waitReplicas(url); }

void ShopSession::useLocalServer(const QString& stream, bool viewOnly)
{
    SessionOptions options = d->options;
    options.redisUrl.clear();
    options.stream = TargetResolver::streamKey(stream);
    options.viewOnly = viewOnly;
    start(options);
}

void ShopSession::answerSnapshotQuestion(bool keep)
{
    const engine::ConnectionTarget* target = d->resolver.target();
    if (snapshotQuestion_.isEmpty() || !target)
        return;
    const QString url = QString::fromStdString(target->url().withoutCredentials());
    ConnectionSettings::setSnapshotChoice(url, d->options.stream, keep ? SnapshotChoice::Keep : SnapshotChoice::ViewOnly);
    setSnapshotQuestion({});
    if (keep) {
        releaseSnapshots();
        notifications_.add(NotificationLog::Kind::Info,
                           tr("Snapshots of %1 are kept in Redis from now on").arg(d->options.stream));
    } else {
        setViewOnly(true);
        notifications_.add(NotificationLog::Kind::Info,
                           tr("Viewing %1 only: nothing is written to Redis").arg(d->options.stream));
    }
}

void ShopSession::releaseSnapshots()
{
    snapshotsHeld_ = false;
    setSnapshotQuestion({});
    if (d->consumer) {
        engine::ConsumerWorker* worker = d->consumer->worker();
        const qint64 ms = d->options.snapshotIntervalMs;
        QMetaObject::invokeMethod(worker, [worker, ms] { worker->setSnapshotInterval(ms); }, Qt::QueuedConnection);
    }
}

void ShopSession::setSnapshotsError(const QString& error)
{
    if (error == snapshotsError_)
        return;
    snapshotsError_ = error;
    if (!error.isEmpty())
        notifications_.add(NotificationLog::Kind::Error, error);
    emit snapshotsErrorChanged();
}

void ShopSession::setSnapshotQuestion(const QString& question)
{
    if (question == snapshotQuestion_)
        return;
    snapshotQuestion_ = question;
    emit snapshotQuestionChanged();
}

// Viewer mode reaches the threads too: the consumer takes no snapshots and the writer's
// connection is replaced by one that sends no writes.
void ShopSession::setViewOnly(bool on)
{
    if (on == viewOnly_)
        return;
    viewOnly_ = on;
    if (d->consumer) {
        engine::ConsumerWorker* worker = d->consumer->worker();
        QMetaObject::invokeMethod(worker, [worker, on] { worker->setViewOnly(on); }, Qt::QueuedConnection);
    }
    if (d->writer && d->resolver.target()) {
        d->writer = std::make_unique<engine::CommandWriterThread>(d->resolver.target()->url(),
                                                                  d->options.stream.toStdString(), on, d->waitReplicas);
        connectWriter(d->writer->writer());
    }
    emit viewOnlyChanged();
}

QString ShopSession::checkUrl(const QString& url) const { return TargetResolver::checkUrl(url); }

QVariantMap ShopSession::currentConnection() const
{
    const engine::ConnectionTarget* target = d->resolver.target();
    if (!target || target->isManaged())
        return {{QStringLiteral("url"), QString()}, {QStringLiteral("user"), QString()}};
    return {{QStringLiteral("url"), QString::fromStdString(target->url().withoutCredentials())},
            {QStringLiteral("user"), QString::fromStdString(target->url().user)}};
}

QVariantList ShopSession::recentConnections() const
{
    QVariantList out;
    for (const RecentConnection& c : ConnectionSettings::recent())
        out.append(QVariantMap{{QStringLiteral("url"), c.url}, {QStringLiteral("user"), c.user}, {QStringLiteral("stream"), c.stream}});
    return out;
}

QString ShopSession::exportEvents(const QString& path, const QString& format)
{
    if (exporting_)
        return tr("an export is still being written");
    const bool json = format == QLatin1String("json");
    // The rows as shown now; the blocks are shared and immutable, so the pool's thread reads
    // them while the window goes on.
    auto rows = std::make_shared<const EventListModel::RowsSnapshot>(events_.snapshotRows());
    exporting_ = true;
    emit exportingChanged();
    d->exports.start([this, rows, path, json] {
        std::size_t written = 0;
        const QString error = writeExportFile(
            path, [&](const TextSink& sink) { written = EventListModel::writeRows(*rows, json, sink); });
        QMetaObject::invokeMethod(
            this,
            [this, error, written, path] {
                exporting_ = false;
                emit exportingChanged();
                emit eventsExported(error.isEmpty(), error.isEmpty()
                                                         ? tr("Exported %1 to %2").arg(countOf(qint64(written), tr("event"), tr("events")), path)
                                                         : tr("Export failed: %1").arg(error));
            },
            Qt::QueuedConnection);
    });
    return {};
}

QString ShopSession::exportShop(const QString& path, const QString& format) const
{
    if (!historyComplete_ || !replay_.available())
        return tr("the history is still loading (or could not be loaded): the shop at this point cannot be rebuilt yet");
    const engine::ReplayTimeline& timeline = replay_.timeline();
    const auto at = static_cast<std::size_t>(replay_.live() ? qint64(timeline.size()) : replay_.position());
    return exportShopState(timeline.stateAt(at), d->options.stream.toStdString(), path, format == QLatin1String("json"));
}

QString ShopSession::defaultExportPath(const QString& what, const QString& format) const
{
    return shop::app::defaultExportPath(d->options.stream, what, format);
}

void ShopSession::copyText(const QString& text) const
{
    if (QClipboard* clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

QVariantMap ShopSession::explainLoadedEntry(const QString& entryId, const engine::EntryFields& fields) const
{
    // Checks 1 to 5 need the entry alone (any state will do: the handlers are not reached);
    // step 6 the state just before it, which the timeline rebuilds (a checkpoint and at most
    // K entries) without moving its cursor.
    const RawEntry entry = fields.raw();
    ShopState before;
    if (fields.decodeReason == Reason::None) {
        const engine::ReplayTimeline& timeline = replay_.timeline();
        const std::string id = entryId.toStdString();
        const std::size_t index = timeline.lowerBound(id);
        if (index >= timeline.size() || timeline.entryId(index) != id)
            return {};
        before = timeline.stateAt(index);
    }
    const Explanation explanation = explainEntry(before, entry);
    QVariantMap map = explanationForQml(explanation);
    map.insert(QStringLiteral("detail"), fromUtf8(explanation.why));
    return map;
}

} // namespace shop::app
