#include "history_what_if.hpp"

#include <algorithm>

namespace shop::engine {

HistoryWhatIfResult runHistoryWhatIf(const HistoryStore& history, HistoryWhatIfRequest request,
                                     const std::atomic<bool>* cancel, std::atomic<std::size_t>* done)
{
    HistoryWhatIfResult result;
    const std::size_t end = std::min(request.end, history.size());
    if (request.index >= end)
        return result;
    const std::string changedId = history.id(request.index).toString();
    request.before.lastEventId = request.index > 0 ? history.id(request.index - 1).toString() : std::string();
    WhatIfReplay what(std::move(request.before));
    RawEntry replacement;
    if (request.replacement) {
        replacement.id = changedId;
        replacement.type = request.replacement->first;
        replacement.data = request.replacement->second;
        replacement.v = "1";
        what.change(&replacement);
        result.replacementReason = what.replacementReason();
    } else {
        what.change(nullptr);
    }

    // Pages of rows, each under its own lock on the names (feeders intern new ones between).
    constexpr std::size_t kPage = 1u << 16;
    Event event;
    std::optional<std::size_t> lastReplayed;
    for (std::size_t from = request.index + 1; from < end; from += kPage) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            result.cancelled = true;
            break;
        }
        const HistoryNames::Reader names(history.names());
        history.forEach(
            from, std::min(end, from + kPage),
            [&](std::size_t position, const HistoryRow& row) {
                Reason reason = row.reason;
                if (row.hasEvent || decidedByEntryAlone(row.reason)) {
                    reason = what.replay(row.reason, event);
                } else {
                    what.state().counts.count(reason); // not kept: it keeps its verdict, and is counted
                    ++result.unknown;
                }
                if (reason != row.reason)
                    result.changes.push_back({position, row.id.toString(), row.reason, reason});
                lastReplayed = position;
            },
            &event, &names);
        if (done)
            done->store(std::min(end, from + kPage) - request.index, std::memory_order_relaxed);
    }
    // Without later rows the changed shop ends at the replacement (processEntry set its id) or,
    // left out, at the entry before it.
    result.state = std::move(what.state());
    if (lastReplayed)
        result.state.lastEventId = history.id(*lastReplayed).toString();
    return result;
}

} // namespace shop::engine
