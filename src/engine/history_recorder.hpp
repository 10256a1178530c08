// The history written off the applying thread. The consumer stages each processed entry (a
// copy of what its row needs: the id, the type, the verdict, the decoded event, and from the
// state after it the user's balance and the order's total) and hands the staged entries over
// once a page is applied; a thread of its own turns them into rows (the refs and the encoding)
// while the consumer reads and applies the next page. The checkpoints stay with the consumer,
// since they need the state. Nothing is decoded or applied twice: the copy is what the row
// would encode. The thread runs only on a core nothing else wants (SCHED_IDLE); when the
// cores stay busy with other work so long that it starves, the applying thread records
// the rows itself.
#pragma once

#include "history.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace shop {
struct RawEntry;
}

namespace shop::engine {

class HistoryRecorder {
public:
    struct Options {
        // A hand-over or take that waits this long for the recording thread finds it starved
        // (the cores busy with other work): once it is done, the applying thread records
        // itself from then on.
        std::chrono::milliseconds starvedAfter{50};
        // For tests: called on the recording thread before it records a hand-over.
        std::function<void()> beforeRecording;
    };

    explicit HistoryRecorder(std::shared_ptr<HistoryNames> names) : HistoryRecorder(std::move(names), Options{}) {}
    HistoryRecorder(std::shared_ptr<HistoryNames> names, Options options);
    ~HistoryRecorder(); // waits for the entries being recorded; those only staged are dropped
    HistoryRecorder(const HistoryRecorder&) = delete;
    HistoryRecorder& operator=(const HistoryRecorder&) = delete;

    // On the applying thread: one processed entry, as recordEntry takes it (`after` is the
    // state right after it; no checkpoint is taken here).
    void stage(const RawEntry& entry, Reason reason, const Event& decoded, const ShopState& after);
    // Hands what is staged to the recording thread, once it has recorded the last hand-over.
    void handOver();
    // Everything staged, recorded: the rows added since the last take.
    HistoryChunk take();
    // True once the recording thread was found starved: the applying thread records.
    bool recordsInline() const;

private:
    struct Shared;
    std::unique_ptr<Shared> d;
};

} // namespace shop::engine
