// HistoryOverview: what the history holds up to any position, for the Overview page: entries
// by type and verdict, rejections by reason, revenue, and applied, rejected and revenue over
// time. Plain C++ over the HistoryStore (no Qt, no Redis).
//
// It reads each row once as the history grows, keeping the running tally every kStride rows
// (a mark), so that the tally at any position is one mark plus at most kStride rows, and a
// time series of any length costs one binary search and at most kStride rows per bucket.
#pragma once

#include "core/shop_state.hpp"
#include "history.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace shop::engine {

struct OverviewTally {
    std::size_t entries = 0;
    std::int64_t applied = 0;
    std::int64_t rejected = 0;
    std::int64_t revenue = 0; // the applied orders' totals, in minor units
    std::array<std::int64_t, kReasonCount> byReason{}; // indexed by Reason; [None] == applied
    std::vector<std::array<std::int64_t, 2>> byType;    // by HistoryNames type ref: {applied, rejected}

    void add(const HistoryRow& row);
};

// The entries whose time (their id's milliseconds) lies in [fromMs, toMs).
struct OverviewBucket {
    std::uint64_t fromMs = 0;
    std::uint64_t toMs = 0;
    std::int64_t applied = 0;
    std::int64_t rejected = 0;
    std::int64_t revenue = 0;
};

class HistoryOverview {
public:
    static constexpr std::size_t kStride = 4096;

    // Reads `history`, which must outlive it.
    explicit HistoryOverview(const HistoryStore& history);

    // Reads the rows the store gained since, at most `limit` of them (the caller spreads a
    // long history over several calls); returns how many it read.
    std::size_t extend(std::size_t limit = std::size_t(-1));
    // The store was cleared.
    void clear();
    // Rows read so far: positions up to this can be asked about.
    std::size_t scanned() const { return scanned_; }

    // Entries [0, position), position at most scanned().
    OverviewTally tallyAt(std::size_t position) const;
    // Entries [0, position) in `count` buckets of equal length from the first entry's time to
    // just past the last one's; empty when position is 0.
    std::vector<OverviewBucket> series(std::size_t position, std::size_t count) const;

    std::size_t memoryBytes() const;

private:
    struct Mark {
        std::uint64_t lastMs = 0; // of the row before the mark (0 for the first mark)
        OverviewTally tally;      // of rows [0, index * kStride)
    };
    // Rows [0, position) whose time is before `ms`: a mark, then rows read forward.
    OverviewTally tallyBefore(std::uint64_t ms, std::size_t position) const;

    const HistoryStore& history_;
    std::vector<Mark> marks_;
    OverviewTally running_;
    std::uint64_t lastMs_ = 0;
    std::size_t scanned_ = 0;
};

} // namespace shop::engine
