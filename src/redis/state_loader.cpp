// The state loader: a snapshot (or nothing), then the stream's entries, page by page, each
// page checked against the stream's facts before it is applied.
#include "state_loader.hpp"

#include "snapshot_store.hpp"

#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/stream_id.hpp"

#include <algorithm>
#include <limits>

namespace shop::redis {

namespace {
using Clock = std::chrono::steady_clock;

std::optional<StreamId> idOf(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    return StreamId::parse(text);
}
} // namespace

StateLoader::StateLoader(Connection& connection, std::string stream)
    : connection_(connection), stream_(std::move(stream)), reader_(connection_, stream_)
{
}

StateLoader::~StateLoader()
{
    abandonPending();
}

ReadPosition StateLoader::positionOf(const ShopState& state) const
{
    return ReadPosition{idOf(state.lastEventId), state.covered(), deletionsAccepted_};
}

void StateLoader::abandonPending()
{
    // A page asked for after another position (the state was replaced meanwhile): read and
    // drop it, so the connection stays in step.
    if (requested_ && !received_) {
        StreamPage dropped;
        reader_.receivePage(dropped);
    }
    requested_ = received_ = false;
}

bool StateLoader::settle()
{
    if (!requested_ || received_)
        return true;
    if (!reader_.receivePage(settled_)) {
        requested_ = false;
        return false;
    }
    received_ = true;
    return true;
}

bool StateLoader::restore(ShopState& state, const LoadOptions& options, LoadReport& report)
{
    abandonPending();
    state.clear();
    verifiedAtHead_ = false;
    deletionsAccepted_.reset();
    restoredFrom_.clear();
    if (options.fromScratch)
        return true;
    if (!reader_.facts(facts_)) {
        report.error = reader_.error();
        return false;
    }
    SnapshotStore store(connection_, stream_);
    store.setDistrusted(distrusted_);
    RestoreOutcome outcome = options.snapshotId.empty() ? store.restoreNewest(state, facts_, options.untilId)
                                                        : store.restore(options.snapshotId, state, facts_);
    report.warnings.insert(report.warnings.end(), outcome.warnings.begin(), outcome.warnings.end());
    if (!outcome.error.empty()) {
        report.error = outcome.error;
        state.clear();
        return false;
    }
    if (!options.snapshotId.empty() && !outcome.restored) {
        report.error = "snapshot " + options.snapshotId + " cannot be used: "
                       + (outcome.warnings.empty() ? std::string("it was not found") : outcome.warnings.back());
        return false;
    }
    if (outcome.restored) {
        report.snapshotId = outcome.snapshotId;
        restoredFrom_ = outcome.snapshotId;
    }
    return true;
}

bool StateLoader::conclusiveAtHead(const ShopState& state, const LoadOptions& options) const
{
    // Only a read that took everything to the stream's end says how many entries there are
    // after the position; with MULTI the facts describe exactly that moment, without it (the
    // facts were read just before the page) only when nothing was added in between.
    if (!page_.complete || !options.untilId.empty())
        return false;
    if (page_.atomic)
        return true;
    const auto last = page_.batch.entries.empty() ? idOf(state.lastEventId) : idOf(page_.batch.entries.back().id);
    return last ? page_.facts.lastGeneratedId == *last : page_.facts.lastGeneratedId.isZero();
}

void StateLoader::adaptPageSize(const LoadOptions& options)
{
    // Entries per page: double a page up to batchSize, but keep a page near pageBytes at the
    // size of the largest entry seen, so that once a huge entry shows up the next pages are
    // read a few entries at a time. (A page asked for before any large entry was seen can
    // still hold several: XRANGE cannot be bounded by bytes.)
    const std::size_t maxCount = std::max<std::size_t>(1, options.batchSize);
    std::size_t next = std::min(maxCount, count_ * 2);
    for (const RawEntry& e : page_.batch.entries)
        largestEntry_ = std::max(largestEntry_, (e.data ? e.data->size() : 0) + (e.type ? e.type->size() : 0));
    if (largestEntry_ > 0)
        next = std::min(next, std::max<std::size_t>(1, options.pageBytes / largestEntry_));
    count_ = std::max<std::size_t>(1, next);
}

StateLoader::Step StateLoader::step(ShopState& state, const LoadOptions& options, LoadReport& report,
                                    std::chrono::milliseconds budget, const EntryObserver& onEntry,
                                    const PageObserver& onPage)
{
    const auto started = Clock::now();
    const auto failed = [&] {
        report.error = reader_.error();
        requested_ = received_ = false;
        return Step::Failed;
    };
    if (count_ == 0)
        count_ = 1; // the first page of a loader is small: entry sizes are not known yet
    const std::optional<StreamId> until = idOf(options.untilId);
    if (!options.untilId.empty() && !until) {
        report.error = "\"" + options.untilId + "\" is not a stream entry id (expected <milliseconds>-<sequence>)";
        return Step::Failed;
    }
    // Entries still to apply under maxEntries (the pages are cut to it).
    const auto remaining = [&]() -> std::size_t {
        if (options.maxEntries <= 0)
            return std::numeric_limits<std::size_t>::max();
        return static_cast<std::size_t>(std::max<std::int64_t>(0, options.maxEntries - report.replayed));
    };
    for (;;) {
        if (until && !state.lastEventId.empty() && *idOf(state.lastEventId) >= *until) {
            abandonPending();
            return Step::AtHead;
        }
        if (remaining() == 0) {
            abandonPending();
            return Step::More;
        }
        const std::string after = state.lastEventId.empty() ? std::string("0-0") : state.lastEventId;
        if (requested_ && requestedAfter_ != after)
            abandonPending();
        if (!requested_) {
            if (!reader_.requestPage(after, std::min(count_, remaining()), options.untilId))
                return failed();
            requested_ = true;
            requestedAfter_ = after;
        }
        requested_ = false;
        if (received_) {
            std::swap(page_, settled_);
            received_ = false;
            if (settled_.bytes() > options.pageBytes)
                settled_ = StreamPage{}; // a large page's room is not kept twice
        } else if (!reader_.receivePage(page_)) {
            return failed();
        }
        facts_ = page_.facts;
        verifiedAtHead_ = false;
        if (!limitsSaid_) { // once per loader: what this server cannot tell
            if (std::string limits = continuityLimits(facts_, stream_); !limits.empty()) {
                report.warnings.push_back(std::move(limits));
                limitsSaid_ = true;
            }
        }

        const ReadPosition at = positionOf(state);
        Continuity continuity = checkBeforeRead(at, facts_, until);
        const bool atHead = conclusiveAtHead(state, options);
        if (continuity.intact() && atHead)
            continuity = checkAtHead(at, static_cast<std::int64_t>(page_.batch.entries.size()), facts_);
        if (continuity.kind == Continuity::Kind::Reset) {
            report.resetWhy = continuity.why;
            // The stream is fine and the counts the state started from are not: the snapshot
            // it came from is not used again (a stream that really changed fails its identity
            // check on the next restore anyway, with the reason).
            if (continuity.positionAtFault && !restoredFrom_.empty())
                distrusted_.push_back(restoredFrom_);
            return Step::Reset;
        }
        if (continuity.kind == Continuity::Kind::Gap) {
            report.gap = continuity;
            if (!options.allowGaps)
                return Step::Gap;
            if (!acceptGap(state, options, report))
                return Step::Failed;
            continue; // the same page again, now that the gap is accounted for
        }

        // Ask for the next page before applying this one, also when the budget is spent: Redis
        // prepares it while this page is applied and the caller is away (see settle()).
        // Pages asked for only after a step returned made Redis idle for one page in four.
        const bool more = !page_.complete && !page_.batch.entries.empty();
        const std::size_t left = remaining() - std::min(remaining(), page_.batch.entries.size());
        const bool inBudget = (budget.count() == 0 || Clock::now() - started < budget) && left > 0;
        adaptPageSize(options);
        // A page over the byte budget is applied before the next is asked for, so that two
        // of them are never held at once.
        if (more && left > 0 && page_.bytes() <= options.pageBytes) {
            const std::string next(page_.batch.entries.back().id);
            if (!reader_.requestPage(next, std::min(count_, left), options.untilId))
                return failed();
            requested_ = true;
            requestedAfter_ = next;
        }
        std::string* why = options.explainRejections ? &why_ : nullptr;
        for (const RawEntry& entry : page_.batch.entries) {
            if (why)
                why_.clear();
            const Reason reason = processEntry(state, entry, scratch_, why);
            if (onEntry)
                onEntry(entry, reason, scratch_, state);
        }
        if (!page_.batch.entries.empty()) {
            state.lastEntryFingerprint = entryFingerprint(page_.batch.entries.back());
            report.replayed += static_cast<std::int64_t>(page_.batch.entries.size());
        }
        if (onPage)
            onPage(page_);
        if (!more) {
            verifiedAtHead_ = atHead && facts_.countsKnown();
            return Step::AtHead;
        }
        if (!inBudget)
            return Step::More;
    }
}

bool StateLoader::acceptGap(ShopState& state, const LoadOptions& options, LoadReport& report)
{
    abandonPending();
    Continuity gap = report.gap;
    if (gap.missing < 0 && facts_.countsKnown()) {
        // Deleted entries somewhere ahead: count what is left after the position, to the
        // end, and take the difference from what was added.
        std::int64_t present = 0;
        std::string after = state.lastEventId.empty() ? std::string("0-0") : state.lastEventId;
        StreamPage page;
        for (;;) {
            if (!reader_.requestPage(after, std::max<std::size_t>(1, options.batchSize)) || !reader_.receivePage(page)) {
                report.error = reader_.error();
                return false;
            }
            present += static_cast<std::int64_t>(page.batch.entries.size());
            if (page.complete)
                break;
            after = std::string(page.batch.entries.back().id);
        }
        gap.missing = std::max<std::int64_t>(0, page.facts.entriesAdded - state.covered() - present);
        facts_ = page.facts;
        gap.why = describeGap(gap);
    }
    if (gap.missing > 0)
        state.skipped += gap.missing;
    if (facts_.maxDeletedId)
        deletionsAccepted_ = facts_.maxDeletedId;
    report.gap = gap;
    report.warnings.push_back("going on without them: " + gap.why);
    return true;
}

StateLoader::Step StateLoader::check(const ShopState& state, LoadReport& report)
{
    abandonPending();
    if (!reader_.facts(facts_)) {
        report.error = reader_.error();
        return Step::Failed;
    }
    const ReadPosition at = positionOf(state);
    Continuity continuity = checkBeforeRead(at, facts_);
    // Nothing after the last entry was ever added: the counts must add up exactly now.
    const auto last = idOf(state.lastEventId);
    const bool nothingNew = last ? facts_.lastGeneratedId == *last : facts_.lastGeneratedId.isZero();
    if (continuity.intact() && nothingNew && facts_.exists)
        continuity = checkAtHead(at, 0, facts_);
    if (continuity.kind == Continuity::Kind::Reset) {
        report.resetWhy = continuity.why;
        if (continuity.positionAtFault && !restoredFrom_.empty())
            distrusted_.push_back(restoredFrom_);
        return Step::Reset;
    }
    if (continuity.kind == Continuity::Kind::Gap) {
        report.gap = continuity;
        return Step::Gap;
    }
    verifiedAtHead_ = nothingNew && facts_.countsKnown();
    return Step::AtHead;
}

bool StateLoader::waitForEntries(const ShopState& state, int blockMs)
{
    abandonPending();
    const std::string after = state.lastEventId.empty() ? std::string("0-0") : state.lastEventId;
    return reader_.readBlocking(after, 1, blockMs, waitBatch_) && !waitBatch_.entries.empty();
}

bool StateLoader::catchUp(ShopState& state, const LoadOptions& options, LoadReport& report, const EntryObserver& onEntry)
{
    Step result = Step::More;
    while (result == Step::More && (options.maxEntries <= 0 || report.replayed < options.maxEntries))
        result = step(state, options, report, std::chrono::milliseconds::zero(), onEntry);
    switch (result) {
    case Step::More: // maxEntries reached
        return true;
    case Step::AtHead:
        return true;
    case Step::Gap:
        report.error = "the stream " + stream_ + " has lost entries: " + report.gap.why
                       + "; the state would be wrong without them (--allow-gaps goes on without them)";
        return false;
    case Step::Reset:
        report.error = "the stream " + stream_ + " changed while it was read: " + report.resetWhy;
        return false;
    default:
        return false;
    }
}

bool StateLoader::load(ShopState& state, const LoadOptions& options, LoadReport& report, const EntryObserver& onEntry)
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (!restore(state, options, report))
            return false;
        report.resetWhy.clear();
        if (catchUp(state, options, report, onEntry))
            return true;
        state.clear(); // never a state that cannot be justified
        if (report.resetWhy.empty())
            return false;
        report.error.clear();
        report.warnings.push_back("the stream " + stream_ + " changed while it was read (" + report.resetWhy
                                  + "); reading it again");
    }
    report.error = "the stream " + stream_ + " keeps changing while it is read (" + report.resetWhy + ")";
    state.clear();
    return false;
}

} // namespace shop::redis
