// HistoryLoader: the pre-snapshot history, on its own thread.
#include "history_loader.hpp"

#include "logging.hpp"

#include "core/shop_state.hpp"
#include "redis/connection.hpp"
#include "redis/state_loader.hpp"

#include <chrono>
#include <limits>

namespace shop::engine {

namespace {
// A page at a time between looks at the generation, so that a cancel lands quickly.
constexpr std::chrono::milliseconds kStepBudget{50};
} // namespace

struct HistoryLoader::Private {
    redis::RedisUrl url;
    std::string stream;
    redis::Connection connection;
};

HistoryLoader::HistoryLoader(redis::RedisUrl url, std::string stream, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->url = std::move(url);
    d->stream = std::move(stream);
    d->connection.setClusterKey(d->stream);
}

HistoryLoader::~HistoryLoader() = default;

void HistoryLoader::load(const QString& untilId, int generation, std::shared_ptr<HistoryNames> names)
{
    if (cancelled(generation))
        return; // a newer request is queued behind this one
    if (!d->connection.isConnected() && !d->connection.connect(d->url)) {
        emit loaded(0, QString::fromStdString(d->connection.error()), generation);
        return;
    }
    ShopState state;
    redis::StateLoader loader(d->connection, d->stream);
    redis::LoadOptions options;
    options.fromScratch = true; // checks that no entry is missing before the snapshot
    redis::LoadReport report;
    if (!loader.restore(state, options, report)) {
        emit loaded(0, QString::fromStdString(report.error), generation);
        return;
    }
    options.untilId = untilId.toStdString();
    qint64 total = 0;
    ConsumerBatch out;
    HistoryBuilder history(std::move(names));
    const auto onEntry = [&](const RawEntry& entry, Reason reason, const Event& event, const ShopState& after) {
        // Checkpoints as the consumer takes them: at the K of the stream's length.
        recordEntry(entry, reason, event, after, history, out.checkpoints, 0, loader.lastFacts().length);
    };
    const auto onPage = [&](const redis::StreamPage&) {
        if (history.pending() == 0)
            return;
        out.history = history.take();
        out.counts = state.counts;
        out.lastEventId = state.lastEventId;
        total += static_cast<qint64>(out.history.count);
        emit batch(out, generation);
        out = {};
    };
    for (;;) {
        if (cancelled(generation)) {
            qCInfo(lcConsumer) << "history load cancelled after" << total << "entries";
            return;
        }
        switch (loader.step(state, options, report, kStepBudget, onEntry, onPage)) {
        case redis::StateLoader::Step::More:
            continue;
        case redis::StateLoader::Step::AtHead:
            emit loaded(total, {}, generation);
            return;
        case redis::StateLoader::Step::Gap:
            emit loaded(total, tr("entries before the snapshot are missing: %1").arg(QString::fromStdString(report.gap.why)),
                        generation);
            return;
        case redis::StateLoader::Step::Reset:
            emit loaded(total, QString::fromStdString(report.resetWhy), generation);
            return;
        case redis::StateLoader::Step::Failed:
            emit loaded(total, QString::fromStdString(report.error), generation);
            return;
        }
    }
}

HistoryLoaderThread::HistoryLoaderThread(redis::RedisUrl url, std::string stream)
    : thread_(QStringLiteral("shopstream-history"), std::move(url), std::move(stream))
{
}

void HistoryLoaderThread::load(const QString& untilId, int generation, std::shared_ptr<HistoryNames> names)
{
    HistoryLoader* job = loader();
    job->cancel(generation); // the one running now, if older, stops at its next page
    QMetaObject::invokeMethod(
        job, [job, untilId, generation, names = std::move(names)] { job->load(untilId, generation, names); },
        Qt::QueuedConnection);
}

} // namespace shop::engine
