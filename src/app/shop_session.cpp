// ShopSession: the consumer and the writer on their threads, the models on this one.
#include "shop_session.hpp"

#include "connection_settings.hpp"

#include "engine/command_writer.hpp"
#include "engine/connection_target.hpp"
#include "engine/consumer_worker.hpp"
#include "engine/logging.hpp"
#include "redis/redis_url.hpp"

#include "shopstream_version.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QTimer>
#include <QJSEngine>
#include <QLocale>
#include <QPointer>
#include <QQmlEngine>
#include <QThread>
#include <QUuid>

#include <cmath>
#include <deque>
#include <span>

namespace shop::app {

namespace {

ShopSession* gInstance = nullptr;

// Fields whose values are integers in section 3: QML hands numbers over as doubles (exact
// up to 2^53) or, for ids that may be larger, as text; both become JSON integers here.
bool isIntegerField(const QString& key)
{
    static const QStringList keys = {QStringLiteral("userId"), QStringLiteral("amount"), QStringLiteral("delta"),
                                     QStringLiteral("count"),  QStringLiteral("price"),  QStringLiteral("qty")};
    return keys.contains(key);
}

nlohmann::json toJson(const QVariant& value, const QString& key)
{
    if (isIntegerField(key)) {
        bool ok = false;
        const qint64 n = value.typeId() == QMetaType::QString ? value.toString().trimmed().toLongLong(&ok)
                                                               : value.toLongLong(&ok);
        const double d = value.toDouble();
        if (ok && (value.typeId() == QMetaType::QString || d == std::floor(d)))
            return n;
    }
    switch (value.typeId()) {
    case QMetaType::QVariantMap: {
        nlohmann::json object = nlohmann::json::object();
        const QVariantMap map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            object[it.key().toStdString()] = toJson(it.value(), it.key());
        return object;
    }
    case QMetaType::QVariantList: {
        nlohmann::json array = nlohmann::json::array();
        for (const QVariant& v : value.toList())
            array.push_back(toJson(v, {}));
        return array;
    }
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::LongLong:
        return value.toLongLong();
    case QMetaType::Double: {
        const double d = value.toDouble();
        if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0)
            return static_cast<std::int64_t>(d);
        return d;
    }
    default:
        return value.toString().toStdString();
    }
}

// The entry details view reads {type, eid, actor, version, format, data}, or {error}.
QVariantMap entryFieldsForQml(const engine::EntryFields& fields, const QString& error)
{
    if (!error.isEmpty())
        return {{QStringLiteral("error"), error}};
    return {{QStringLiteral("type"), fields.type},     {QStringLiteral("eid"), fields.eid},
            {QStringLiteral("actor"), fields.actor},   {QStringLiteral("version"), fields.version},
            {QStringLiteral("format"), fields.format}, {QStringLiteral("data"), fields.data}};
}

QString fromStd(const std::string& s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// A URL for the status line before it is resolved: no password; "" when it does not read
// (resolving then says why).
QString redactedUrl(const QString& text)
{
    redis::RedisUrl url;
    std::string error;
    return redis::RedisUrl::parse(text.toStdString(), url, error) ? fromStd(url.redacted()) : QString();
}

} // namespace

struct ShopSession::Private {
    SessionOptions options;
    std::unique_ptr<engine::ConnectionTarget> target;
    std::unique_ptr<engine::ConsumerThread> consumer;
    std::unique_ptr<engine::CommandWriterThread> writer;
    bool starting = false;

    struct Pending {
        QString type;
        QString entryId; // known once appended
    };
    QHash<QString, Pending> pending;          // by request id
    QHash<QString, QString> requestByEntry;   // entry id -> request id
    // Verdicts that arrived before the writer said which entry was ours (both are queued
    // from different threads), kept only while requests are outstanding.
    QHash<QString, engine::VerdictRecord> earlyVerdicts;

    qint64 catchUpStartTotal = 0;

    // After a restore, the entries before the snapshot load on the writer's thread; the
    // consumer's batches wait here meanwhile, so the events list and the timeline stay in
    // stream order.
    int historyGeneration = 0;
    std::vector<engine::ConsumerBatch> waiting;

    // The consumer's batches, applied a slice at a time so that a catch-up never keeps the
    // GUI thread from painting for long: `inboxDone` verdicts of the front one are applied.
    std::deque<engine::ConsumerBatch> inbox;
    std::size_t inboxDone = 0;
    bool drainScheduled = false;
};

ShopSession::ShopSession(QObject* parent) : QObject(parent), d(std::make_unique<Private>())
{
    engine::registerEngineMetaTypes();
}

ShopSession::~ShopSession() { stop(); }

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
    status_ = {};
    status_.stream = options.stream;
    status_.target = options.redisUrl.isEmpty() ? tr("local server") : redactedUrl(options.redisUrl);
    emit statusChanged();
    if (!streamFormat_.isEmpty() || legacyAppends_) { // another stream: not known until looked at
        streamFormat_.clear();
        legacyAppends_ = false;
        emit streamFormatChanged();
    }
    d->starting = true;
    // Resolving may start the managed redis-server and wait for it: not on this thread.
    QPointer<ShopSession> self(this);
    auto* resolver = QThread::create([self, options] {
        auto target = std::make_unique<engine::ConnectionTarget>();
        const bool ok = target->resolve(options.redisUrl, options.dataDir);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [self, ok, t = target.release()] {
                std::unique_ptr<engine::ConnectionTarget> owned(t);
                if (!self)
                    return;
                self->d->starting = false;
                if (!ok) {
                    self->status_.state = engine::ConnectionState::Failed;
                    self->status_.message = owned->error();
                    emit self->statusChanged(); // the outage banner says it; no second notice
                    return;
                }
                self->d->target = std::move(owned);
                self->status_.target = self->d->target->describe();
                self->d->writer = std::make_unique<engine::CommandWriterThread>(self->d->target->url(),
                                                                                 self->d->options.stream.toStdString());
                engine::CommandWriter* writer = self->d->writer->writer();
                ShopSession* s = self.data();
                connect(writer, &engine::CommandWriter::appended, s, [s](const QString& requestId, const QString& entryId, bool) {
                    auto it = s->d->pending.find(requestId);
                    if (it == s->d->pending.end())
                        return;
                    it->entryId = entryId;
                    s->d->requestByEntry.insert(entryId, requestId);
                    if (auto early = s->d->earlyVerdicts.find(entryId); early != s->d->earlyVerdicts.end()) {
                        const engine::VerdictRecord record = *early;
                        s->d->earlyVerdicts.erase(early);
                        s->finishRequests(&record, 1);
                    }
                });
                connect(writer, &engine::CommandWriter::appendFailed, s,
                        [s](const QString& requestId, const QString& message, bool denied) {
                            const Private::Pending p = s->d->pending.take(requestId);
                            if (denied && !s->readOnly_) {
                                s->readOnly_ = true;
                                emit s->readOnlyChanged();
                            }
                            const QString text = denied ? tr("The server does not permit this user to write: %1").arg(message)
                                                        : message;
                            emit s->commandFinished(requestId, false, {}, text, {}, p.type, 0, {});
                        });
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
                    if (!error.isEmpty()) {
                        emit s->notice(tr("The snapshots could not be listed: %1").arg(error));
                        return;
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
                connect(writer, &engine::CommandWriter::historyBatch, s,
                        [s](const engine::ConsumerBatch& batch, int generation) {
                            if (generation == s->d->historyGeneration && !s->historyComplete_)
                                s->appendHistory(batch);
                        });
                connect(writer, &engine::CommandWriter::historyLoaded, s,
                        [s](qint64, const QString& error, int generation) {
                            if (generation != s->d->historyGeneration || s->historyComplete_)
                                return;
                            if (!error.isEmpty()) {
                                // Without the start of the history the timeline cannot show
                                // earlier states; the live view is unaffected.
                                s->events_.clear();
                                s->replay_.clear();
                                s->replay_.setAvailable(false, tr("The history before the restored snapshot could not be "
                                                                  "loaded: %1").arg(error));
                                emit s->notice(s->replay_.unavailableReason());
                            }
                            for (const engine::ConsumerBatch& waiting : s->d->waiting)
                                s->appendHistory(waiting);
                            s->d->waiting.clear();
                            s->setHistoryComplete(true);
                        });
                connect(writer, &engine::CommandWriter::entryLoaded, s,
                        [s](const QString& id, const engine::EntryFields& fields, const QString& error) {
                            emit s->entryLoaded(id, entryFieldsForQml(fields, error));
                        });
                s->startConsumer({}, false);
                s->refreshSnapshots();
                s->detectStreamFormat();
            },
            Qt::QueuedConnection);
    });
    connect(resolver, &QThread::finished, resolver, &QObject::deleteLater);
    resolver->start();
    return true;
}

void ShopSession::startConsumer(const QString& snapshotId, bool fromScratch)
{
    d->consumer.reset();
    d->inbox.clear(); // batches of the consumer just stopped
    d->inboxDone = 0;
    replay_.clear();
    users_.apply({}, true);
    items_.apply({}, true);
    events_.clear();
    counts_ = {};
    caughtUp_ = false;
    emit countsChanged();
    if (!gapMessage_.isEmpty()) {
        gapMessage_.clear();
        emit gapChanged();
    }

    engine::ConsumerOptions options;
    options.url = d->target->url();
    options.targetDescription = d->target->describe();
    options.stream = d->options.stream.toStdString();
    options.snapshotIntervalMs = d->options.snapshotIntervalMs;
    options.restoreSnapshotId = snapshotId.toStdString();
    options.fromScratch = fromScratch;
    options.collectChanges = true;
    options.statusIntervalMs = 250;
    d->consumer = std::make_unique<engine::ConsumerThread>(options);
    engine::ConsumerWorker* worker = d->consumer->worker();
    connect(worker, &engine::ConsumerWorker::batchReady, this, &ShopSession::onBatch);
    connect(worker, &engine::ConsumerWorker::statusChanged, this, &ShopSession::onStatus);
    connect(worker, &engine::ConsumerWorker::restored, this, [this](const QString& id, qint64 total, const QStringList& warnings) {
        for (const QString& w : warnings)
            emit notice(w);
        d->catchUpStartTotal = total;
        // The events list and the timeline cover the whole stream: a restored snapshot
        // skipped its start, which loads behind on the writer's thread.
        events_.clear();
        replay_.clear();
        replay_.setAvailable(true);
        d->waiting.clear();
        ++d->historyGeneration;
        setHistoryComplete(id.isEmpty());
        if (!id.isEmpty() && d->writer) {
            engine::CommandWriter* writer = d->writer->writer();
            QMetaObject::invokeMethod(
                writer, [writer, id, generation = d->historyGeneration] { writer->loadHistory(id, generation); },
                Qt::QueuedConnection);
        }
        if (!id.isEmpty())
            qCInfo(lcSnapshot).noquote() << "restored snapshot" << id;
    });
    connect(worker, &engine::ConsumerWorker::caughtUp, this, [this] {
        caughtUp_ = true;
        progress_ = -1;
        progressText_.clear();
        emit progressChanged();
        emit statusChanged();
        emit countsChanged();
    });
    connect(worker, &engine::ConsumerWorker::snapshotSaved, this, [this](const QString& id) {
        emit snapshotTaken(id);
        refreshSnapshots();
    });
    connect(worker, &engine::ConsumerWorker::snapshotFailed, this, &ShopSession::snapshotFailed);
    connect(worker, &engine::ConsumerWorker::streamReset, this, [this](const QString& message) {
        QString text = message;
        if (!text.isEmpty())
            text[0] = text[0].toUpper();
        resetNotice_ = text + QLatin1Char('.');
        emit resetNoticeChanged();
        refreshSnapshots();
    });
    connect(worker, &engine::ConsumerWorker::gapFound, this, [this](const engine::StreamGap& gap) {
        gapMessage_ = gap.message;
        if (!gapMessage_.isEmpty())
            gapMessage_[0] = gapMessage_[0].toUpper();
        // Nothing is being replayed while it waits: the progress row goes.
        progress_ = -1;
        progressText_.clear();
        emit progressChanged();
        emit gapChanged();
    });
    connect(worker, &engine::ConsumerWorker::serverWarningsChanged, this, [this](const QStringList& warnings) {
        serverWarnings_.clear();
        for (QString w : warnings) {
            if (!w.isEmpty())
                w[0] = w[0].toUpper();
            serverWarnings_ << w;
        }
        emit serverWarningsChanged();
    });
    connect(worker, &engine::ConsumerWorker::failed, this, &ShopSession::notice);
    progress_ = 0;
    progressText_ = snapshotId.isEmpty() ? (fromScratch ? tr("Replaying from the start…") : tr("Loading the shop…"))
                                         : tr("Restoring snapshot %1…").arg(snapshotId);
    emit progressChanged();
    d->consumer->start();
}

void ShopSession::stop()
{
    d->consumer.reset();
    d->writer.reset();
}

void ShopSession::onBatch(const engine::ConsumerBatch& batch)
{
    d->inbox.push_back(batch);
    if (!d->drainScheduled) {
        d->drainScheduled = true;
        QTimer::singleShot(0, this, &ShopSession::drainInbox);
    }
}

// Applies queued batches for at most kDrainBudgetMs, in slices of kDrainSlice verdicts, then
// yields to the event loop (painting, input, timers) and comes back for the rest.
void ShopSession::drainInbox()
{
    constexpr qint64 kDrainBudgetMs = 12;
    constexpr std::size_t kDrainSlice = 2000;
    d->drainScheduled = false;
    QElapsedTimer clock;
    clock.start();
    while (!d->inbox.empty() && clock.elapsed() < kDrainBudgetMs) {
        engine::ConsumerBatch& batch = d->inbox.front();
        if (d->inboxDone == 0) {
            users_.apply(batch.users, batch.reset);
            items_.apply(batch.items, batch.reset);
            if (!historyComplete_) {
                // Older entries are still loading: this batch's verdicts wait their turn.
                d->inboxDone = batch.verdicts.size();
                d->waiting.push_back(std::move(batch));
            }
        }
        const std::size_t from = d->inboxDone;
        const std::size_t to = std::min(batch.verdicts.size(), from + kDrainSlice);
        if (from < to) {
            events_.append(batch.verdicts.data() + from, to - from);
            if (replay_.available())
                replay_.append(batch.verdicts.data() + from, to - from, batch.ops);
            finishRequests(batch.verdicts.data() + from, to - from);
            d->inboxDone = to;
        }
        if (d->inboxDone >= batch.verdicts.size()) {
            if (!batch.lastEventId.empty() || batch.reset) {
                const bool wasEmpty = counts_.total == 0;
                counts_ = batch.counts;
                emit countsChanged();
                if (wasEmpty && counts_.total > 0) // the first entries (again): their format decides
                    detectStreamFormat();
            }
            d->inbox.pop_front();
            d->inboxDone = 0;
        }
    }
    if (!d->inbox.empty() && !d->drainScheduled) {
        d->drainScheduled = true;
        QTimer::singleShot(0, this, &ShopSession::drainInbox);
    }
}

void ShopSession::appendHistory(const engine::ConsumerBatch& batch)
{
    events_.append(batch.verdicts);
    if (replay_.available())
        replay_.append(batch);
    finishRequests(batch.verdicts.data(), batch.verdicts.size());
}

void ShopSession::setHistoryComplete(bool complete)
{
    if (complete == historyComplete_)
        return;
    historyComplete_ = complete;
    emit historyCompleteChanged();
}

void ShopSession::finishRequests(const engine::VerdictRecord* first, std::size_t count)
{
    if (d->pending.isEmpty())
        return;
    for (const engine::VerdictRecord& v : std::span<const engine::VerdictRecord>(first, count)) {
        const QString entryId = fromStd(v.id);
        const auto request = d->requestByEntry.find(entryId);
        if (request == d->requestByEntry.end()) {
            if (d->earlyVerdicts.size() < 100000)
                d->earlyVerdicts.insert(entryId, v);
            continue;
        }
        const QString requestId = request.value();
        d->requestByEntry.erase(request);
        const Private::Pending p = d->pending.take(requestId);
        const bool applied = v.reason == Reason::None;
        const QString reason = applied ? QString() : fromStd(std::string(reasonName(v.reason)));
        const QString message = applied ? tr("applied") : fromStd(std::string(reasonText(v.reason)));
        emit commandFinished(requestId, applied, reason, message, entryId, p.type, v.userId, fromStd(v.itemId));
    }
    if (d->pending.isEmpty())
        d->earlyVerdicts.clear();
}

void ShopSession::onStatus(const engine::ConsumerStatus& status)
{
    status_ = status;
    if (status.state == engine::ConnectionState::CatchingUp || status.state == engine::ConnectionState::Restoring) {
        const qint64 done = status.total - d->catchUpStartTotal;
        const qint64 all = done + status.lag;
        progress_ = all > 0 ? double(done) / double(all) : 0;
        const QLocale locale;
        const double left = status.eventsPerSecond > 0 ? status.lag / status.eventsPerSecond : -1;
        progressText_ = tr("Replaying %1 of %2 events (%3 a second%4)")
                            .arg(locale.toString(done), locale.toString(all), locale.toString(qRound64(status.eventsPerSecond)),
                                 left >= 0 ? tr(", %1 s left").arg(left, 0, 'f', 1) : QString());
        emit progressChanged();
    }
    emit statusChanged();
}

QString ShopSession::submit(const QString& type, const QVariantMap& data)
{
    const QString requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!d->writer) {
        QMetaObject::invokeMethod(
            this, [this, requestId, type] {
                emit commandFinished(requestId, false, {}, tr("not connected to Redis yet"), {}, type, 0, {});
            },
            Qt::QueuedConnection);
        return requestId;
    }
    nlohmann::json object = nlohmann::json::object();
    for (auto it = data.begin(); it != data.end(); ++it)
        object[it.key().toStdString()] = toJson(it.value(), it.key());
    d->pending.insert(requestId, {type, {}});
    const QByteArray json = QByteArray::fromStdString(object.dump());
    const QString actor = QStringLiteral("gui:") + qEnvironmentVariable("USER", QStringLiteral("unknown"));
    engine::CommandWriter* writer = d->writer->writer();
    QMetaObject::invokeMethod(
        writer, [writer, requestId, type, json, actor] { writer->append(requestId, type, json, actor); },
        Qt::QueuedConnection);
    return requestId;
}

void ShopSession::takeSnapshot()
{
    if (d->consumer)
        QMetaObject::invokeMethod(d->consumer->worker(), &engine::ConsumerWorker::requestSnapshot, Qt::QueuedConnection);
}

void ShopSession::refreshSnapshots()
{
    if (d->writer)
        QMetaObject::invokeMethod(d->writer->writer(), &engine::CommandWriter::listSnapshots, Qt::QueuedConnection);
}

void ShopSession::verifySnapshots()
{
    if (!d->writer || verifyingSnapshots_)
        return;
    verifyingSnapshots_ = true;
    emit verifyingSnapshotsChanged();
    QMetaObject::invokeMethod(d->writer->writer(), &engine::CommandWriter::verifySnapshots, Qt::QueuedConnection);
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
    if (d->target)
        startConsumer(snapshotId, false);
}

void ShopSession::replayFromScratch()
{
    if (d->target)
        startConsumer({}, true);
}

void ShopSession::loadDemoShop(int events)
{
    if (d->writer) {
        engine::CommandWriter* writer = d->writer->writer();
        QMetaObject::invokeMethod(writer, [writer, events] { writer->produceDemo(events, 1); }, Qt::QueuedConnection);
    }
}

void ShopSession::detectStreamFormat()
{
    if (d->writer)
        QMetaObject::invokeMethod(d->writer->writer(), &engine::CommandWriter::detectFormat, Qt::QueuedConnection);
}

void ShopSession::loadEntry(const QString& entryId)
{
    if (d->writer) {
        engine::CommandWriter* writer = d->writer->writer();
        QMetaObject::invokeMethod(writer, [writer, entryId] { writer->loadEntry(entryId); }, Qt::QueuedConnection);
    }
}

void ShopSession::connectTo(const QString& url, const QString& user, const QString& password, const QString& stream,
                            bool remember)
{
    const QString key = stream.trimmed().isEmpty() ? QStringLiteral("shop:events") : stream.trimmed();
    redis::RedisUrl parsed;
    std::string error;
    if (!redis::RedisUrl::parse(url.trimmed().toStdString(), parsed, error)) {
        // Connecting says why (the parser's words), and nothing is remembered.
        SessionOptions options = d->options;
        options.redisUrl = url.trimmed();
        options.stream = key;
        start(options);
        return;
    }
    // The dialog's fields win over what the URL holds.
    const QString effectiveUser = user.isEmpty() ? fromStd(parsed.user) : user;
    const QString secret = password.isEmpty() ? fromStd(parsed.password) : password;
    const QString cleanUrl = fromStd(parsed.withoutCredentials());
    if (secret.isEmpty() && !remember) {
        // A remembered connection: its password, if any, is in the keyring.
        ConnectionSettings::readPassword(ConnectionSettings::keyringKey(cleanUrl, effectiveUser), this,
                                         [this, cleanUrl, effectiveUser, key](const QString& stored, const QString&) {
                                             connectWith(cleanUrl, effectiveUser, stored, key);
                                         });
        return;
    }
    if (remember) {
        ConnectionSettings::remember({cleanUrl, effectiveUser, key});
        if (!secret.isEmpty())
            ConnectionSettings::storePassword(ConnectionSettings::keyringKey(cleanUrl, effectiveUser), secret, this,
                                              [this](const QString& error) {
                                                  if (!error.isEmpty())
                                                      emit notice(tr("The password could not be kept in the system keyring "
                                                                     "(%1); it is used for this session only.")
                                                                      .arg(error));
                                              });
    }
    connectWith(cleanUrl, effectiveUser, secret, key);
}

void ShopSession::connectWith(const QString& cleanUrl, const QString& user, const QString& secret, const QString& stream)
{
    // The full URL (with the secret) lives only in memory, for this connection.
    redis::RedisUrl url;
    std::string error;
    SessionOptions options = d->options;
    options.redisUrl = cleanUrl;
    if (redis::RedisUrl::parse(cleanUrl.toStdString(), url, error)) {
        url.user = user.toStdString();
        url.password = secret.toStdString();
        options.redisUrl = fromStd(url.toString());
    }
    options.stream = stream;
    start(options);
}

void ShopSession::useLocalServer(const QString& stream)
{
    SessionOptions options = d->options;
    options.redisUrl.clear();
    options.stream = stream.trimmed().isEmpty() ? QStringLiteral("shop:events") : stream.trimmed();
    start(options);
}

QString ShopSession::checkUrl(const QString& url) const
{
    redis::RedisUrl parsed;
    std::string error;
    if (redis::RedisUrl::parse(url.toStdString(), parsed, error))
        return {};
    QString sentence = fromStd(error);
    if (!sentence.isEmpty())
        sentence[0] = sentence[0].toUpper();
    return sentence;
}

QVariantList ShopSession::recentConnections() const
{
    QVariantList out;
    for (const RecentConnection& c : ConnectionSettings::recent())
        out.append(QVariantMap{{QStringLiteral("url"), c.url}, {QStringLiteral("user"), c.user}, {QStringLiteral("stream"), c.stream}});
    return out;
}

} // namespace shop::app
