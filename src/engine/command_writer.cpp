// CommandWriter: appends and one-off reads on the writer's thread.
#include "command_writer.hpp"

#include "job_thread.hpp"
#include "logging.hpp"

#include "core/entry_decoder.hpp"
#include "core/legacy_encoder.hpp"
#include "core/simulator.hpp"
#include "core/stream_format.hpp"
#include "redis/connection.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_info.hpp"
#include "redis/stream_reader.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "redis/stream_writer.hpp"


namespace shop::engine {

struct CommandWriter::Private {
    redis::RedisUrl url;
    std::string stream;
    redis::Connection connection;
    StreamFormatReport format; // as last detected
    int waitReplicas = 0;
    int waitTimeoutMs = 1000;
};

CommandWriter::CommandWriter(redis::RedisUrl url, std::string stream, bool viewOnly, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->url = std::move(url);
    d->stream = std::move(stream);
    d->connection.setViewOnly(viewOnly);
    d->connection.setClusterKey(d->stream);
}

void CommandWriter::setWaitReplicas(int replicas, int timeoutMs)
{
    d->waitReplicas = replicas;
    d->waitTimeoutMs = timeoutMs;
}

QString CommandWriter::viewOnlyRefusal() { return tr("viewer mode writes nothing to Redis"); }

CommandWriter::~CommandWriter() = default;

bool CommandWriter::ensureConnected(QString& error)
{
    if (d->connection.isConnected())
        return true;
    if (d->connection.connect(d->url))
        return true;
    error = QString::fromStdString(d->connection.error());
    return false;
}

bool CommandWriter::refreshFormat(QString& error)
{
    redis::StreamWriter writer(d->connection, d->stream);
    StreamFormatReport report;
    if (!writer.detectFormat(report)) {
        error = QString::fromStdString(writer.error());
        emit streamFormatDetected({}, false, {}, error);
        return false;
    }
    d->format = report;
    emit streamFormatDetected(QString::fromLatin1(streamFormatName(report.format)),
                              report.appendAs == EntryFormat::Legacy,
                              QString::fromStdString(describeStreamFormat(report, d->stream)), {});
    return true;
}

void CommandWriter::detectFormat()
{
    QString error;
    if (!ensureConnected(error)) {
        emit streamFormatDetected({}, false, {}, error);
        return;
    }
    refreshFormat(error);
}

RawEntry EntryToAppend::raw() const
{
    RawEntry entry;
    entry.type = type;
    entry.data = data;
    if (!legacy)
        entry.v = "1";
    return entry;
}

bool entryToAppend(std::string_view type, std::string_view data, bool legacy, EntryToAppend& out, std::string& why)
{
    out.legacy = legacy;
    if (!legacy) {
        out.type.assign(type);
        out.data.assign(data);
        return true;
    }
    LegacyEntry converted;
    if (legacyFromNative(type, data, converted, why) != LegacyRefusal::None)
        return false;
    out.type = std::move(converted.type);
    out.data = std::move(converted.data);
    return true;
}

void CommandWriter::append(const QString& requestId, const QString& type, const QByteArray& data, const QString& actor)
{
    if (d->connection.viewOnly()) {
        emit appendFailed(requestId, viewOnlyRefusal(), false);
        return;
    }
    const std::string nativeType = type.toStdString();
    const std::string nativeData = data.toStdString();
    redis::AppendRequest request;
    request.actor = actor.toStdString();
    request.eid = redis::StreamWriter::newEid(); // fixed for both attempts: a retry adds nothing
    QString error;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ensureConnected(error))
            continue;
        // Looked at for every append, not only at connect: the demo's producer may have
        // started writing to a stream that was empty, and an entry in the wrong format is
        // deleted by its consumer. One XREVRANGE of a few entries per user command.
        if (!refreshFormat(error)) {
            if (!d->connection.isConnected())
                continue;
            emit appendFailed(requestId, tr("the event was not appended: cannot tell which format %1 is in (%2)")
                                             .arg(QString::fromStdString(d->stream), error),
                              false);
            return;
        }
        EntryToAppend entry;
        std::string why;
        if (!entryToAppend(nativeType, nativeData, d->format.appendAs == EntryFormat::Legacy, entry, why)) {
            emit appendFailed(requestId,
                              tr("%1 (%2 is in that format); nothing was written")
                                  .arg(QString::fromStdString(why), QString::fromStdString(d->stream)),
                              false);
            return;
        }
        request.legacy = entry.legacy;
        request.type = std::move(entry.type);
        request.data = std::move(entry.data);
        redis::StreamWriter writer(d->connection, d->stream);
        writer.setWaitReplicas(d->waitReplicas, d->waitTimeoutMs);
        const redis::AppendResult result = writer.append(request);
        if (result.ok) {
            emit appended(requestId, QString::fromStdString(result.id), result.duplicate, QString::fromStdString(writer.unconfirmed(result)));
            return;
        }
        error = QString::fromStdString(result.error);
        if (d->connection.isConnected()) {
            emit appendFailed(requestId, error, result.kind == redis::ErrorKind::PermissionDenied);
            return;
        }
        qCInfo(lcRedis).noquote() << "append lost its connection, retrying with the same eid:" << error;
    }
    emit appendFailed(requestId, tr("the event was not appended: %1").arg(error), false);
}

void CommandWriter::produceDemo(int events, quint64 seed)
{
    if (d->connection.viewOnly()) {
        emit demoProduced(0, viewOnlyRefusal());
        return;
    }
    QString error;
    if (!ensureConnected(error)) {
        emit demoProduced(0, error);
        return;
    }
    SimulatorOptions options;
    options.users = std::max(10, events / 80);
    options.items = std::max(8, events / 160);
    options.seed = seed;
    ShopSimulator simulator(options);
    std::vector<redis::AppendRequest> requests(static_cast<std::size_t>(std::max(0, events)));
    SimEntry entry;
    for (auto& request : requests) {
        simulator.next(entry);
        request.type = entry.type;
        request.data = entry.data;
        request.actor = "demo";
    }
    redis::StreamWriter writer(d->connection, d->stream);
    const std::size_t written = writer.appendBatch(requests);
    emit demoProduced(static_cast<int>(written), written == requests.size() ? QString() : QString::fromStdString(writer.error()));
}

void CommandWriter::listSnapshots()
{
    QString error;
    std::vector<redis::SnapshotListing> listing;
    // A connection whose server went away (a restart, a failover) fails its first command:
    // a listing that lost its connection is tried once more on a new one.
    for (int attempt = 0;; ++attempt) {
        if (!ensureConnected(error)) {
            emit snapshotsListed({}, error);
            return;
        }
        redis::SnapshotStore store(d->connection, d->stream);
        if (store.list(listing))
            break;
        if (d->connection.isConnected() || attempt == 1) {
            emit snapshotsListed({}, QString::fromStdString(store.error()));
            return;
        }
    }
    QList<StoredSnapshot> out;
    out.reserve(static_cast<qsizetype>(listing.size()));
    for (const auto& s : listing) {
        out.append({QString::fromStdString(s.id), static_cast<qint64>(s.header.createdMs),
                    static_cast<qint64>(s.header.total), static_cast<qint64>(s.bytes), s.checked,
                    QString::fromStdString(s.problem)});
    }
    emit snapshotsListed(out, {});
}

void CommandWriter::readStreamSummary()
{
    QString error;
    if (!ensureConnected(error)) {
        emit streamSummaryRead({}, error);
        return;
    }
    redis::StreamInfo info;
    std::string why;
    if (!redis::readStreamInfo(d->connection, d->stream, info, why)) {
        emit streamSummaryRead({}, QString::fromStdString(why));
        return;
    }
    StreamSummary out;
    out.exists = info.exists;
    out.length = info.length;
    out.entriesAdded = info.entriesAdded;
    out.firstId = QString::fromStdString(info.firstId);
    out.lastId = QString::fromStdString(info.lastId);
    out.lastGeneratedId = QString::fromStdString(info.lastGeneratedId);
    out.groups = info.groups;
    out.memoryBytes = info.memoryBytes;
    if (refreshFormat(error)) {
        out.format = QString::fromLatin1(streamFormatName(d->format.format));
        out.formatText = QString::fromStdString(describeStreamFormat(d->format, d->stream));
    }
    emit streamSummaryRead(out, {});
}

void CommandWriter::listStreamKeys()
{
    constexpr std::size_t kMaxKeys = 1000;
    QString error;
    if (!ensureConnected(error)) {
        emit streamKeysListed({}, false, error);
        return;
    }
    std::vector<std::string> keys;
    bool truncated = false;
    std::string why;
    if (!redis::listStreamKeys(d->connection, kMaxKeys, keys, truncated, why)) {
        emit streamKeysListed({}, false, QString::fromStdString(why));
        return;
    }
    QStringList out;
    out.reserve(static_cast<qsizetype>(keys.size()));
    for (const std::string& key : keys)
        out << QString::fromStdString(key);
    emit streamKeysListed(out, truncated, {});
}

void CommandWriter::verifySnapshots()
{
    QString error;
    if (!ensureConnected(error)) {
        emit snapshotsVerified({}, error);
        return;
    }
    redis::SnapshotStore store(d->connection, d->stream);
    std::vector<redis::SnapshotListing> listing;
    std::vector<redis::SnapshotVerification> results;
    std::vector<std::string> warnings;
    if (!store.list(listing) || !store.verifyByRebuild(listing, results, warnings)) {
        emit snapshotsVerified({}, QString::fromStdString(store.error()));
        return;
    }
    for (const std::string& w : warnings)
        qCWarning(lcSnapshot).noquote() << QString::fromStdString(w);
    QList<SnapshotVerification> out;
    for (const auto& r : results)
        out.append({QString::fromStdString(r.id), r.compared, r.verified, QString::fromStdString(r.why)});
    emit snapshotsVerified(out, {});
}

void CommandWriter::loadEntry(const QString& entryId)
{
    QString error;
    if (!ensureConnected(error)) {
        emit entryLoaded(entryId, {}, error);
        return;
    }
    const std::string id = entryId.toStdString();
    // An inclusive range of one id.
    redis::Reply reply = d->connection.command({"XRANGE", d->stream, id, id});
    if (!reply || reply.isError() || reply.size() == 0) {
        emit entryLoaded(entryId, {}, reply ? tr("entry %1 is not in the stream").arg(entryId)
                                            : QString::fromStdString(d->connection.error()));
        return;
    }
    RawEntry entry;
    const redis::ReplyView fields = redis::ReplyView(reply.raw())[0][1];
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
        entry.setField(fields[i].str(), fields[i + 1].str());
    const auto text = [](std::optional<std::string_view> v) {
        return v ? QString::fromUtf8(v->data(), static_cast<qsizetype>(v->size())) : QString();
    };
    EntryFields out;
    out.type = text(entry.type);
    out.eid = text(entry.eid);
    out.actor = text(entry.actor);
    out.version = text(entry.v);
    out.data = text(entry.data);
    if (entry.data && entryFormat(entry) == EntryFormat::Legacy) {
        const auto decoded = legacyDataAsJson(*entry.data, 2);
        out.data = decoded ? QString::fromStdString(*decoded)
                           : tr("(%1 bytes of legacy data that do not decode)").arg(entry.data->size());
        out.format = QStringLiteral("legacy MessagePack");
    } else {
        out.format = QStringLiteral("JSON");
    }
    const auto own = [](std::optional<std::string_view> v) {
        return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
    };
    out.id = id;
    out.rawType = own(entry.type);
    out.rawData = own(entry.data);
    out.rawV = own(entry.v);
    out.rawEid = own(entry.eid);
    out.rawActor = own(entry.actor);
    out.decodeReason = decodeEntry(entry, out.event);
    emit entryLoaded(entryId, out, {});
}

CommandWriterThread::CommandWriterThread(redis::RedisUrl url, std::string stream, bool viewOnly, int waitReplicas)
    : writer_(new CommandWriter(std::move(url), std::move(stream), viewOnly))
{
    writer_->setWaitReplicas(waitReplicas, 1000); // before the thread starts: no race
    thread_.setObjectName(QStringLiteral("shopstream-commands"));
    writer_->moveToThread(&thread_);
    deleteAsThreadEnds(thread_, writer_);
    thread_.start();
}

CommandWriterThread::~CommandWriterThread()
{
    thread_.quit();
    thread_.wait();
}

} // namespace shop::engine
