// The window's what-if: the history it holds replayed in memory with one entry left out or
// replaced, from the state just before that entry (the timeline's nearest checkpoint plus at
// most K entries). Rows keep the events that a changed history could apply differently
// (applied ones and those rejected against the shop), so nothing is read from Redis. It reads
// a copy of the store (shared immutable blocks), so it runs on any thread while the window
// goes on, and stops early when asked. Plain C++ over src/core.
#pragma once

#include "history.hpp"

#include "core/shop_state.hpp"
#include "core/whatif.hpp"

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace shop::engine {

struct HistoryWhatIfRequest {
    std::size_t index = 0;   // the changed entry's position in the history
    std::size_t end = 0;     // replay up to here (the head when it started)
    ShopState before;        // the shop after entries [0, index)
    std::optional<std::pair<std::string, std::string>> replacement; // type and JSON data; none: left out
};

struct HistoryWhatIfResult {
    struct Change {
        std::size_t position = 0;
        std::string id;
        Reason before = Reason::None;
        Reason after = Reason::None;
    };
    std::vector<Change> changes; // every later entry whose verdict differs, in stream order
    ShopState state;             // the changed shop at `end`
    Reason replacementReason = Reason::None; // the replacement's own verdict
    std::size_t unknown = 0;     // later rows without their event (kept their verdict)
    bool cancelled = false;
};

// `done` counts the rows replayed so far (for a progress bar); `cancel` stops it between
// pages of rows (then `cancelled`).
HistoryWhatIfResult runHistoryWhatIf(const HistoryStore& history, HistoryWhatIfRequest request,
                                     const std::atomic<bool>* cancel = nullptr, std::atomic<std::size_t>* done = nullptr);

} // namespace shop::engine
