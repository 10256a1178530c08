#include "entry_data_search.hpp"

#include "display_text.hpp"
#include "event_list_model.hpp"

#include "engine/entry_search.hpp"
#include "engine/history.hpp"

namespace shop::app {

EntryDataSearch::EntryDataSearch(const engine::HistoryStore& history, EventListModel& events, QObject* parent)
    : QObject(parent), history_(history), events_(events)
{
}

EntryDataSearch::~EntryDataSearch() = default;

void EntryDataSearch::start(const redis::RedisUrl& url, const std::string& stream)
{
    stop();
    thread_ = std::make_unique<engine::EntrySearchThread>(url, stream);
    connect(thread_->search(), &engine::EntrySearch::progress, this, &EntryDataSearch::onProgress);
    connect(thread_->search(), &engine::EntrySearch::finished, this, &EntryDataSearch::onFinished);
}

void EntryDataSearch::stop()
{
    ++generation_;
    thread_.reset();
    if (running_)
        set(text_, false, tr("The search stopped: the connection was closed."));
}

void EntryDataSearch::historyCleared()
{
    if (text_.isEmpty())
        return;
    ++generation_;
    if (thread_)
        thread_->cancel(generation_);
    set({}, false, tr("The search was cleared: the shop was rebuilt."));
}

void EntryDataSearch::clear()
{
    ++generation_;
    if (thread_)
        thread_->cancel(generation_);
    events_.clearTextMatches();
    set({}, false, {});
}

void EntryDataSearch::search(const QString& text)
{
    if (text.isEmpty()) {
        clear();
        return;
    }
    ++generation_;
    if (!thread_) {
        set(text, false, tr("Not connected: there is no stream to search."));
        return;
    }
    searched_ = history_.size();
    if (searched_ == 0) {
        events_.setTextMatches(text, {});
        set(text, false, tr("No entries to search yet."));
        return;
    }
    // Up to the newest entry listed now: the rows found are then rows the list has.
    const QString untilId = QString::fromStdString(history_.id(searched_ - 1).toString());
    set(text, true, tr("Searching the data of %1 for “%2”…").arg(countOf(qint64(searched_), tr("entry"), tr("entries")), text));
    thread_->start(text, untilId, generation_);
}

void EntryDataSearch::onProgress(qint64 read, int generation)
{
    if (generation != generation_)
        return;
    set(text_, true, tr("Searching for “%1”: %2 of %3 entries read…").arg(text_, formatCount(read), formatCount(qint64(searched_))));
}

void EntryDataSearch::onFinished(const engine::EntrySearchResult& result, const QString& error, int generation)
{
    if (generation != generation_)
        return;
    if (!error.isEmpty()) {
        set(text_, false, tr("The search for “%1” stopped: %2").arg(text_, error));
        return;
    }
    // The ids found, as positions in the history: one walk along it when they are many,
    // else a lookup each.
    std::vector<std::uint32_t> indices;
    indices.reserve(result.ids.size());
    const std::size_t size = std::min(searched_, history_.size());
    if (result.ids.size() * 256 > size) {
        std::size_t next = 0;
        history_.forEach(0, size, [&](std::size_t index, const engine::HistoryRow& row) {
            while (next < result.ids.size() && result.ids[next] < row.id)
                ++next;
            if (next < result.ids.size() && result.ids[next] == row.id)
                indices.push_back(static_cast<std::uint32_t>(index));
        });
    } else {
        for (const StreamId& id : result.ids) {
            const std::size_t index = history_.lowerBound(id);
            if (index < size && history_.id(index) == id)
                indices.push_back(static_cast<std::uint32_t>(index));
        }
    }
    const auto found = static_cast<qint64>(indices.size());
    events_.setTextMatches(text_, std::move(indices));
    set(text_, false,
        found == 0 ? tr("“%1” is in none of the %2 searched.").arg(text_, countOf(result.read, tr("entry"), tr("entries")))
                   : tr("“%1” is in %2 of the %3 searched (data, eid, actor).")
                         .arg(text_, formatCount(found), countOf(result.read, tr("entry"), tr("entries"))));
}

void EntryDataSearch::set(const QString& text, bool running, const QString& status)
{
    text_ = text;
    running_ = running;
    status_ = status;
    emit changed();
}

} // namespace shop::app
