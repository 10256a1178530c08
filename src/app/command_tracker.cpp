// Request ids, pending appends and the verdicts that finish them.
#include "command_tracker.hpp"

#include "engine/command_writer.hpp"
#include "engine/engine_types.hpp"

#include "core/domain.hpp"

#include <nlohmann/json.hpp>

#include <QStringList>
#include <QUuid>

#include <cmath>
#include <span>

namespace shop::app {

namespace {

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

QString fromStd(const std::string& s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

} // namespace

struct CommandTracker::Verdict {
    Reason reason = Reason::None;
    QString userId; // in decimal, "" for none
    QString itemId;
};

struct CommandTracker::Private {
    struct Pending {
        QString type;
        QString entryId; // known once appended
        QString unconfirmed; // appended, but not confirmed on the replicas asked for (CommandWriter::appended)
        std::optional<Reason> predicted; // the preview's verdict at submit time, when there was one
    };
    QHash<QString, Pending> pending;          // by request id
    QHash<QString, QString> requestByEntry;   // entry id -> request id
    // Verdicts that arrived before the writer said which entry was ours (both are queued
    // from different threads), kept only while requests are outstanding.
    QHash<QString, Verdict> earlyVerdicts;
};

CommandTracker::CommandTracker(QObject* parent) : QObject(parent), d(std::make_unique<Private>()) {}

CommandTracker::~CommandTracker() = default;

QByteArray CommandTracker::eventJson(const QVariantMap& data)
{
    nlohmann::json object = nlohmann::json::object();
    for (auto it = data.begin(); it != data.end(); ++it)
        object[it.key().toStdString()] = toJson(it.value(), it.key());
    return QByteArray::fromStdString(object.dump());
}

QString CommandTracker::submit(engine::CommandWriter* writer, const QString& type, const QVariantMap& data,
                               std::optional<Reason> predicted)
{
    const QString requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (!writer) {
        QMetaObject::invokeMethod(
            this, [this, requestId, type] {
                emit commandFinished(requestId, false, {}, tr("not connected to Redis yet"), {}, type, {}, {});
            },
            Qt::QueuedConnection);
        return requestId;
    }
    d->pending.insert(requestId, {type, {}, {}, predicted});
    const QByteArray json = eventJson(data);
    const QString actor = QStringLiteral("gui:") + qEnvironmentVariable("USER", QStringLiteral("unknown"));
    QMetaObject::invokeMethod(
        writer, [writer, requestId, type, json, actor] { writer->append(requestId, type, json, actor); },
        Qt::QueuedConnection);
    return requestId;
}

void CommandTracker::watch(engine::CommandWriter* writer)
{
    connect(writer, &engine::CommandWriter::appended, this,
            [this](const QString& requestId, const QString& entryId, bool, const QString& unconfirmed) {
                onAppended(requestId, entryId, unconfirmed);
            });
    connect(writer, &engine::CommandWriter::appendFailed, this, &CommandTracker::onAppendFailed);
}

void CommandTracker::onAppended(const QString& requestId, const QString& entryId, const QString& unconfirmed)
{
    auto it = d->pending.find(requestId);
    if (it == d->pending.end())
        return;
    it->entryId = entryId;
    it->unconfirmed = unconfirmed;
    d->requestByEntry.insert(entryId, requestId);
    if (auto early = d->earlyVerdicts.find(entryId); early != d->earlyVerdicts.end()) {
        const Verdict verdict = *early;
        d->earlyVerdicts.erase(early);
        finish(entryId, verdict);
        if (d->pending.isEmpty())
            d->earlyVerdicts.clear();
    }
}

void CommandTracker::onAppendFailed(const QString& requestId, const QString& message, bool permissionDenied)
{
    const Private::Pending p = d->pending.take(requestId);
    if (permissionDenied)
        emit writeRefused();
    const QString text =
        permissionDenied ? tr("The server does not permit this user to write: %1").arg(message) : message;
    emit commandFinished(requestId, false, {}, text, {}, p.type, {}, {});
}

void CommandTracker::finish(const engine::HistoryChunk& chunk, const engine::HistoryNames& names)
{
    if (d->pending.isEmpty())
        return;
    const engine::HistoryNames::Reader refs(names);
    engine::forEachNewRow(chunk, [&](const engine::HistoryRow& row) {
        const QString entryId = fromStd(row.id.toString());
        Verdict v{row.reason, row.user ? QString::number(refs.user(row.user)) : QString(),
                  row.item ? fromStd(std::string(refs.item(row.item))) : QString()};
        if (!d->requestByEntry.contains(entryId)) {
            if (d->earlyVerdicts.size() < 100000)
                d->earlyVerdicts.insert(entryId, std::move(v));
            return;
        }
        finish(entryId, v);
    });
    if (d->pending.isEmpty())
        d->earlyVerdicts.clear();
}

void CommandTracker::finish(const QString& entryId, const Verdict& v)
{
    const auto request = d->requestByEntry.find(entryId);
    if (request == d->requestByEntry.end())
        return;
    const QString requestId = request.value();
    d->requestByEntry.erase(request);
    const Private::Pending p = d->pending.take(requestId);
    const bool applied = v.reason == Reason::None;
    const QString reason = applied ? QString() : fromStd(std::string(reasonName(v.reason)));
    // Applied, but the replicas asked for did not confirm it: the message says so.
    QString message = !applied                 ? fromStd(std::string(reasonText(v.reason)))
                      : p.unconfirmed.isEmpty() ? QString()
                                                : tr("written, but %1").arg(p.unconfirmed);
    // The preview judged against the window's state; an entry appended in between (or not
    // yet shown) can change the verdict, and the user should not wonder why.
    if (p.predicted && *p.predicted != v.reason) {
        const QString said = *p.predicted == Reason::None
                                 ? tr("it would be applied")
                                 : tr("it would be rejected (%1)").arg(fromStd(std::string(reasonText(*p.predicted))));
        message += (message.isEmpty() ? QString() : QStringLiteral("; "))
                   + tr("the preview said %1: another event came first").arg(said);
    }
    emit commandFinished(requestId, applied, reason, message, entryId, p.type, v.userId, v.itemId);
}

} // namespace shop::app
