// HistoryLoader: the history a restored snapshot skipped, replayed from the start of the
// stream up to that snapshot, for the window's events list and replay timeline (which need
// every entry). A job of its own, on its own thread with its own connection, so that the
// writer's thread (appends) never waits behind it and the window is live as soon as the
// snapshot and the tail are applied. Each request carries a generation; a newer request or
// cancel() stops an older one between pages.
#pragma once

#include "engine_types.hpp"
#include "job_thread.hpp"

#include "redis/redis_url.hpp"

#include <QObject>

#include <atomic>
#include <memory>
#include <string>

namespace shop::engine {

class HistoryLoader : public QObject {
    Q_OBJECT
public:
    HistoryLoader(redis::RedisUrl url, std::string stream, QObject* parent = nullptr);
    ~HistoryLoader() override;

    // Any thread: the load running now (and any queued one older than `generation`) stops
    // at its next page and reports nothing more.
    void cancel(int generation) { current_.store(generation); }

public slots:
    // Replays the stream from the start up to and including `untilId`: batch per page,
    // then loaded (error empty when every entry up to untilId was read). Rows name users and
    // items by their refs in `names`.
    void load(const QString& untilId, int generation, std::shared_ptr<HistoryNames> names);

signals:
    void batch(const shop::engine::ConsumerBatch& batch, int generation);
    void loaded(qint64 entries, const QString& error, int generation);

private:
    bool cancelled(int generation) const { return current_.load() != generation; }

    struct Private;
    std::unique_ptr<Private> d;
    std::atomic<int> current_{0};
};

// Owns a HistoryLoader on its own thread (JobThread: destruction cancels, quits and waits).
class HistoryLoaderThread {
public:
    HistoryLoaderThread(redis::RedisUrl url, std::string stream);
    HistoryLoader* loader() const { return thread_.job(); }
    // Starts loading for `generation` (cancelling an older one).
    void load(const QString& untilId, int generation, std::shared_ptr<HistoryNames> names);

private:
    JobThread<HistoryLoader> thread_;
};

} // namespace shop::engine
