// Rebuilds a ShopState from Redis: the newest snapshot that belongs to the stream (unless
// from scratch), then the stream's entries after it, page by page. This is the one catch-up
// loop: the CLI's commands, the consumer worker, the window's history loader and the bench
// all read the stream through step(). Each page comes with what Redis says about the stream
// at that moment, so a step notices entries lost before they were read (a gap) and a stream
// that is no longer the one the state was built from (a reset), before applying anything.
#pragma once

#include "connection.hpp"
#include "stream_reader.hpp"

#include "core/domain.hpp"
#include "core/stream_continuity.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace shop {
class ShopState;
}

namespace shop::redis {

struct LoadOptions {
    bool fromScratch = false;
    std::string untilId;            // empty: up to the head
    std::size_t batchSize = 5000;   // most entries in one page
    std::size_t pageBytes = 16u << 20; // pages shrink after large entries to stay near this
    std::int64_t maxEntries = 0;    // step(): stop once report.replayed reaches this (0: no limit)
    bool allowGaps = false;         // go on (with a warning) when entries are missing
    std::string snapshotId;         // restore exactly this snapshot (an error when it cannot be used)
    bool explainRejections = false; // step(): say why each rejected entry was (lastRejection())
};

struct LoadReport {
    std::string snapshotId;       // empty: replayed from the start
    std::int64_t replayed = 0;    // entries applied after the snapshot
    std::vector<std::string> warnings;
    std::string error;            // set when it failed or refused
    Continuity gap;               // the last gap found (kind Gap), whether accepted or not
    std::string resetWhy;         // set when the stream was found reset
};

class StateLoader {
public:
    StateLoader(Connection& connection, std::string stream);
    // Receives and drops a page still asked for, so that the connection can be used again.
    ~StateLoader();
    StateLoader(const StateLoader&) = delete;
    StateLoader& operator=(const StateLoader&) = delete;

    // Restores the starting point: the newest snapshot that belongs to the stream as it is
    // (or options.snapshotId), or the empty state. Snapshots that fail a check are passed over
    // with a warning. False (report.error) only when nothing can be started from.
    bool restore(ShopState& state, const LoadOptions& options, LoadReport& report);

    enum class Step : std::uint8_t {
        More,   // the budget (or maxEntries) ran out; call again
        AtHead, // everything up to the head (or untilId) when the last page was read is applied
        Gap,    // entries ahead were lost before they could be read: report.gap; nothing applied past them
        Reset,  // the stream is not the one the state was built from: report.resetWhy
        Failed, // report.error (a connection error when !connection.isConnected())
    };
    // What one entry did: its verdict, the event as decoded (valid when the verdict came from
    // the handlers, i.e. reason is None or after Invalid) and the state right after it.
    using EntryObserver = std::function<void(const RawEntry&, Reason, const Event&, const ShopState&)>;
    // After each page is applied.
    using PageObserver = std::function<void(const StreamPage&)>;

    // Reads and applies pages after state.lastEventId for about `budget` (zero: until the
    // head or untilId), asking for each next page before applying the current one. A step
    // that returns More may leave the next page asked for, so that Redis prepares it while
    // the caller is away: call settle() before using the connection for anything else.
    Step step(ShopState& state, const LoadOptions& options, LoadReport& report,
              std::chrono::milliseconds budget = std::chrono::milliseconds::zero(), const EntryObserver& onEntry = {},
              const PageObserver& onPage = {});

    // Goes on without the entries of report.gap: they are counted as skipped in the state
    // (and so in the next snapshot), and reading resumes after them. False (report.error)
    // when they cannot be counted.
    bool acceptGap(ShopState& state, const LoadOptions& options, LoadReport& report);

    // step() to the head (or untilId); a gap is refused unless options.allowGaps (then
    // accepted with a warning), a reset is an error. False with report.error.
    bool catchUp(ShopState& state, const LoadOptions& options, LoadReport& report, const EntryObserver& onEntry = {});

    // restore(), then catchUp(); a reset during the load starts it again (at most twice).
    bool load(ShopState& state, const LoadOptions& options, LoadReport& report, const EntryObserver& onEntry = {});

    // While idle at the head: does the stream still continue the state? Intact, Gap or Reset
    // (report filled as for step); Failed on an I/O error.
    Step check(const ShopState& state, LoadReport& report);

    // Receives the page a step left asked for, if any, and keeps it for the next step, so
    // that the connection is free for other commands. False on an I/O error (error()).
    bool settle();

    // Waits up to blockMs for entries after the state's last one (XREAD BLOCK). True when
    // there are some; false on timeout or error (then !connection.isConnected() or error()).
    bool waitForEntries(const ShopState& state, int blockMs);

    // During onEntry, with options.explainRejections: what decided the entry's rejection,
    // with its values ("balance 25.00 < total 30.00"), as the checks that decided it wrote
    // it; "" for an applied entry.
    const std::string& lastRejection() const { return why_; }

    // What Redis said about the stream with the last page or check.
    const StreamFacts& lastFacts() const { return facts_; }
    // True when the last conclusive check at the head found the counts adding up.
    bool verifiedAtHead() const { return verifiedAtHead_; }
    // Entries the next page will ask for at most (shrinks after large entries).
    std::size_t pageCount() const { return count_; }
    const std::string& error() const { return reader_.error(); }

private:
    ReadPosition positionOf(const ShopState& state) const;
    void abandonPending();
    bool conclusiveAtHead(const ShopState& state, const LoadOptions& options) const;
    void adaptPageSize(const LoadOptions& options);

    Connection& connection_;
    std::string stream_;
    StreamReader reader_;
    StreamPage page_;
    StreamPage settled_;            // the page asked for, received by settle()
    bool requested_ = false;        // a page is asked for and not yet applied
    bool received_ = false;         // ...and already received, into settled_
    std::string requestedAfter_;    // ...after this id
    std::size_t count_ = 0;         // entries to ask for next (0: not started)
    std::size_t largestEntry_ = 0;  // bytes of the largest entry seen, to size pages
    StreamFacts facts_;
    bool verifiedAtHead_ = false;
    bool limitsSaid_ = false;       // continuityLimits warned about (servers before Redis 7)
    std::optional<StreamId> deletionsAccepted_; // XDELs up to here were accepted as a gap
    std::string restoredFrom_;                  // the snapshot the state started from ("" : none)
    std::vector<std::string> distrusted_;       // snapshots that did not add up: not restored again
    EntryBatch waitBatch_;
    Event scratch_;
    std::string why_;
};

} // namespace shop::redis
