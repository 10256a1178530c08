// EntryDataSearch: the Events page's search in the entries' data. The window keeps no entry
// data, so the text is looked for in the stream itself by an engine::EntrySearch job (its own
// thread and connection), up to the newest entry the window holds when the search starts;
// the entries found become the Events list's text filter.
#pragma once

#include "redis/redis_url.hpp"

#include <QObject>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <string>

namespace shop::engine {
class EntrySearchThread;
class HistoryStore;
struct EntrySearchResult;
} // namespace shop::engine

namespace shop::app {

class EventListModel;

class EntryDataSearch : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("EntryDataSearch is owned by ShopSession")
    /// The text searched for, or being searched for; "" when there is no search.
    Q_PROPERTY(QString text READ text NOTIFY changed)
    Q_PROPERTY(bool running READ running NOTIFY changed)
    /// Where the search stands, in words ("" when there is none).
    Q_PROPERTY(QString status READ status NOTIFY changed)
public:
    EntryDataSearch(const engine::HistoryStore& history, EventListModel& events, QObject* parent = nullptr);
    ~EntryDataSearch() override;

    QString text() const { return text_; }
    bool running() const { return running_; }
    QString status() const { return status_; }

    // Fed by ShopSession: the stream to search (a job on its own thread), or none.
    void start(const redis::RedisUrl& url, const std::string& stream);
    void stop();
    // The history was emptied (a reset, a restore): a search in progress is for entries no
    // longer listed, and a result's rows are gone.
    void historyCleared();

    // Looks for `text` (ASCII letters in either case) in the data, eid and actor of every
    // entry the window holds; "" clears the search.
    Q_INVOKABLE void search(const QString& text);
    Q_INVOKABLE void clear();

signals:
    void changed();

private:
    void onProgress(qint64 read, int generation);
    void onFinished(const engine::EntrySearchResult& result, const QString& error, int generation);
    void set(const QString& text, bool running, const QString& status);

    const engine::HistoryStore& history_;
    EventListModel& events_;
    std::unique_ptr<engine::EntrySearchThread> thread_;
    int generation_ = 0;
    std::size_t searched_ = 0; // entries the running search covers
    QString text_;
    bool running_ = false;
    QString status_;
};

} // namespace shop::app
