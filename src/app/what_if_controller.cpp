// The what-if job: its request is taken on the GUI thread (a copy of the history's block
// pointers, the state before the entry, the real state at the head), then it runs alone.
#include "what_if_controller.hpp"

#include "command_tracker.hpp"
#include "display_text.hpp"
#include "replay_controller.hpp"

#include "engine/history_what_if.hpp"
#include "engine/replay_timeline.hpp"

#include "core/domain.hpp"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QLoggingCategory>

#include <atomic>
#include <thread>

Q_LOGGING_CATEGORY(lcWhatIf, "shopstream.whatif")

namespace shop::app {

namespace {
constexpr int kMaxListed = 1000;

QString verdictText(Reason r)
{
    return r == Reason::None ? QObject::tr("applied") : QString::fromUtf8(reasonText(r).data(), qsizetype(reasonText(r).size()));
}
QString reasonKey(Reason r) { return QString::fromLatin1(reasonName(r).data(), qsizetype(reasonName(r).size())); }
} // namespace

struct WhatIfController::Job {
    engine::HistoryStore history;
    engine::HistoryWhatIfRequest request;
    ShopState real;
    std::atomic<bool> cancel{false};
    std::atomic<std::size_t> done{0};
    engine::HistoryWhatIfResult result;
    std::thread thread;
    QString title, entryId;
    bool replaced = false;
};

WhatIfController::WhatIfController(const engine::ReplayTimeline& timeline, QObject* parent)
    : QObject(parent), timeline_(timeline)
{
    poll_.setInterval(100);
    connect(&poll_, &QTimer::timeout, this, &WhatIfController::progressChanged);
}

WhatIfController::~WhatIfController() { stop(); }

bool WhatIfController::running() const { return poll_.isActive(); }

double WhatIfController::progress() const
{
    if (!job_)
        return 0;
    const std::size_t span = job_->request.end > job_->request.index ? job_->request.end - job_->request.index : 1;
    return std::min(1.0, double(job_->done.load(std::memory_order_relaxed)) / double(span));
}

void WhatIfController::leaveOut(qint64 index) { start(index, {}, {}, false); }

void WhatIfController::replace(qint64 index, const QString& type, const QString& json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (!parseEventType(type.toStdString()) || !doc.isObject()) {
        stop();
        result_ = {{QStringLiteral("error"), !doc.isObject() ? tr("The data is not a JSON object: %1").arg(error.errorString())
                                                             : tr("\"%1\" is not an event type").arg(type)}};
        emit stateChanged();
        return;
    }
    start(index, type, json, true);
}

void WhatIfController::replaceWith(qint64 index, const QString& type, const QVariantMap& data)
{
    replace(index, type, QString::fromUtf8(CommandTracker::eventJson(data)));
}

void WhatIfController::start(qint64 index, const QString& type, const QString& json, bool replaced)
{
    stop();
    if (index < 0 || std::size_t(index) >= timeline_.size())
        return;
    auto job = std::make_shared<Job>();
    job->history = timeline_.history();
    job->request.index = std::size_t(index);
    job->request.end = timeline_.size();
    job->request.before = timeline_.stateAt(std::size_t(index));
    if (replaced)
        job->request.replacement = std::pair{type.toStdString(), json.toStdString()};
    job->real = timeline_.stateAt(job->request.end);
    job->entryId = QString::fromStdString(timeline_.entryId(std::size_t(index)));
    job->replaced = replaced;
    // What the entry was: "TopUp of user 8, applied".
    QString was;
    {
        const engine::HistoryRow row = timeline_.history().row(std::size_t(index));
        const engine::HistoryNames::Reader names(timeline_.history().names());
        const std::string_view typeName = names.type(row.type);
        was = typeName.empty() ? tr("an entry of another type") : QString::fromUtf8(typeName.data(), qsizetype(typeName.size()));
        if (row.user != 0)
            was += tr(" of user %1").arg(names.user(row.user));
        was += QStringLiteral(", ") + verdictText(row.reason);
    }
    job->title = replaced ? tr("What if entry %1 (%2) had been %3 %4").arg(job->entryId, was, type, json.simplified())
                          : tr("What if entry %1 (%2) had not happened").arg(job->entryId, was);
    qCInfo(lcWhatIf) << job->title << "over" << job->request.end - job->request.index << "entries";
    job_ = job;
    result_ = {{QStringLiteral("title"), job->title}, {QStringLiteral("entryId"), job->entryId}, {QStringLiteral("running"), true}};
    job->thread = std::thread([this, job] {
        job->result = engine::runHistoryWhatIf(job->history, std::move(job->request), &job->cancel, &job->done);
        QMetaObject::invokeMethod(this, [this, job] { finished(job); }, Qt::QueuedConnection);
    });
    poll_.start();
    emit stateChanged();
    emit progressChanged();
}

void WhatIfController::finished(std::shared_ptr<Job> job)
{
    if (job != job_)
        return; // a replay replaced or stopped since
    if (job->thread.joinable())
        job->thread.join();
    poll_.stop();
    const engine::HistoryWhatIfResult& r = job->result;
    QVariantList changes;
    for (const auto& c : r.changes) {
        if (changes.size() >= kMaxListed)
            break;
        changes.append(QVariantMap{{QStringLiteral("position"), qint64(c.position)},
                                   {QStringLiteral("id"), QString::fromStdString(c.id)},
                                   {QStringLiteral("time"), localTimeText(qint64(timeline_.entryTimeMs(c.position)),
                                                                          QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))},
                                   {QStringLiteral("before"), reasonKey(c.before)},
                                   {QStringLiteral("after"), reasonKey(c.after)},
                                   {QStringLiteral("beforeText"), verdictText(c.before)},
                                   {QStringLiteral("afterText"), verdictText(c.after)}});
    }
    const auto count = [](std::int64_t a, std::int64_t b) {
        const QLocale locale;
        return a == b ? locale.toString(a) : locale.toString(a) + QStringLiteral(" → ") + locale.toString(b);
    };
    result_ = {{QStringLiteral("title"), job->title},
               {QStringLiteral("entryId"), job->entryId},
               {QStringLiteral("replaced"), job->replaced},
               {QStringLiteral("replacementVerdict"), job->replaced ? verdictText(r.replacementReason) : QString()},
               {QStringLiteral("changes"), changes},
               {QStringLiteral("changesTotal"), qint64(r.changes.size())},
               {QStringLiteral("comparison"), compareStates(job->real, r.state)},
               {QStringLiteral("countsText"),
                tr("events %1 · applied %2 · rejected %3")
                    .arg(count(job->real.counts.total, r.state.counts.total), count(job->real.counts.applied, r.state.counts.applied),
                         count(job->real.counts.rejected, r.state.counts.rejected))},
               {QStringLiteral("cancelled"), r.cancelled},
               {QStringLiteral("unknown"), qint64(r.unknown)}};
    qCInfo(lcWhatIf) << job->title << (r.cancelled ? "cancelled" : "done") << r.changes.size() << "verdicts change";
    emit stateChanged();
    emit progressChanged();
}

void WhatIfController::cancel()
{
    if (job_)
        job_->cancel = true;
}

void WhatIfController::clear()
{
    stop();
    result_.clear();
    emit stateChanged();
}

void WhatIfController::stop()
{
    poll_.stop();
    if (!job_)
        return;
    job_->cancel = true;
    if (job_->thread.joinable())
        job_->thread.join();
    job_.reset();
}

} // namespace shop::app
