// EntrySearch: the entries whose data contains a text, for the Events page's search. The
// window keeps no entry data (it reads one entry when the details pane asks), so the search
// reads the stream: XRANGE page by page up to a given id, on a thread and a connection of its
// own, so that neither the appends nor the window wait behind it. Each request carries a
// generation; a newer request or cancel() stops an older one between pages.
//
// What is searched is what the details pane shows: the data as JSON text (the original
// demo's MessagePack decoded to JSON, as the pane shows it), and the eid and the actor.
// Letters A-Z match either case; other characters match exactly.
#pragma once

#include "engine_types.hpp"
#include "job_thread.hpp"

#include "redis/redis_url.hpp"

#include <QObject>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shop::engine {

// Whether `haystack` contains `needle`, ASCII letters in either case (needle: any case).
bool containsText(std::string_view haystack, std::string_view needle);

struct EntrySearchResult {
    std::vector<StreamId> ids; // of the entries that contain the text, in stream order
    qint64 read = 0;           // entries read
};

class EntrySearch : public QObject {
    Q_OBJECT
public:
    EntrySearch(redis::RedisUrl url, std::string stream, QObject* parent = nullptr);
    ~EntrySearch() override;

    // Any thread: the search running now (and any queued one older than `generation`) stops
    // at its next page and reports nothing more.
    void cancel(int generation) { current_.store(generation); }

public slots:
    // Reads the stream from its start up to and including `untilId`: progress now and then,
    // then finished (error empty when every entry up to untilId was read).
    void search(const QString& text, const QString& untilId, int generation);

signals:
    void progress(qint64 read, int generation);
    void finished(const shop::engine::EntrySearchResult& result, const QString& error, int generation);

private:
    bool cancelled(int generation) const { return current_.load() != generation; }

    struct Private;
    std::unique_ptr<Private> d;
    std::atomic<int> current_{0};
};

// Owns an EntrySearch on its own thread (JobThread: destruction cancels, quits and waits).
class EntrySearchThread {
public:
    EntrySearchThread(redis::RedisUrl url, std::string stream);
    EntrySearch* search() const { return thread_.job(); }
    // Starts searching for `generation` (cancelling an older one).
    void start(const QString& text, const QString& untilId, int generation);
    void cancel(int generation) { search()->cancel(generation); }

private:
    JobThread<EntrySearch> thread_;
};

} // namespace shop::engine

Q_DECLARE_METATYPE(shop::engine::EntrySearchResult)
