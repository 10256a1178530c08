#include "history_overview.hpp"

#include <algorithm>

namespace shop::engine {

void OverviewTally::add(const HistoryRow& row)
{
    ++entries;
    const bool applied_ = row.reason == Reason::None;
    if (applied_) {
        ++applied;
        revenue += row.orderTotal;
    } else {
        ++rejected;
    }
    ++byReason[static_cast<std::size_t>(row.reason)];
    if (row.type >= byType.size())
        byType.resize(std::size_t(row.type) + 1, {0, 0});
    ++byType[row.type][applied_ ? 0 : 1];
}

HistoryOverview::HistoryOverview(const HistoryStore& history) : history_(history)
{
    clear();
}

void HistoryOverview::clear()
{
    marks_.assign(1, Mark{});
    running_ = {};
    lastMs_ = 0;
    scanned_ = 0;
}

std::size_t HistoryOverview::extend(std::size_t limit)
{
    const std::size_t from = scanned_;
    const std::size_t to = from + std::min(limit, history_.size() - std::min(from, history_.size()));
    history_.forEach(from, to, [this](std::size_t index, const HistoryRow& row) {
        if (index > 0 && index % kStride == 0)
            marks_.push_back(Mark{lastMs_, running_});
        running_.add(row);
        lastMs_ = row.id.ms;
    });
    scanned_ = to;
    return to - from;
}

OverviewTally HistoryOverview::tallyAt(std::size_t position) const
{
    position = std::min(position, scanned_);
    if (position == scanned_)
        return running_;
    const std::size_t mark = position / kStride;
    OverviewTally tally = marks_[mark].tally;
    history_.forEach(mark * kStride, position, [&tally](std::size_t, const HistoryRow& row) { tally.add(row); });
    return tally;
}

OverviewTally HistoryOverview::tallyBefore(std::uint64_t ms, std::size_t position) const
{
    // The last mark whose rows are all before `ms` (ids, and so times, never go down).
    auto it = std::partition_point(marks_.begin() + 1, marks_.end(), [ms](const Mark& m) { return m.lastMs < ms; });
    std::size_t mark = static_cast<std::size_t>(it - marks_.begin()) - 1;
    mark = std::min(mark, position / kStride);
    OverviewTally tally = marks_[mark].tally;
    std::size_t index = mark * kStride;
    bool done = false;
    // Rows read in pieces so that the scan stops soon after the first one at or past `ms`.
    while (!done && index < position) {
        const std::size_t to = std::min(position, index + 256);
        history_.forEach(index, to, [&](std::size_t, const HistoryRow& row) {
            if (done || row.id.ms >= ms) {
                done = true;
                return;
            }
            tally.add(row);
        });
        index = to;
    }
    return tally;
}

std::vector<OverviewBucket> HistoryOverview::series(std::size_t position, std::size_t count) const
{
    position = std::min(position, scanned_);
    std::vector<OverviewBucket> out;
    if (position == 0 || count == 0)
        return out;
    const std::uint64_t first = history_.id(0).ms;
    const std::uint64_t end = history_.id(position - 1).ms + 1; // just past the last entry
    const std::uint64_t span = std::max<std::uint64_t>(1, (end - first + count - 1) / count);
    OverviewTally before; // rows before the bucket's start
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t from = first + span * i;
        if (from >= end)
            break;
        const std::uint64_t to = std::min(end, from + span);
        const OverviewTally upTo = to == end ? tallyAt(position) : tallyBefore(to, position);
        out.push_back(OverviewBucket{from, to, upTo.applied - before.applied, upTo.rejected - before.rejected,
                                     upTo.revenue - before.revenue});
        before = upTo;
    }
    return out;
}

std::size_t HistoryOverview::memoryBytes() const
{
    std::size_t bytes = sizeof(*this) + marks_.capacity() * sizeof(Mark);
    for (const Mark& m : marks_)
        bytes += m.tally.byType.capacity() * sizeof(m.tally.byType[0]);
    return bytes;
}

} // namespace shop::engine
