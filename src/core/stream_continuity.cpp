// The continuity rules. Redis 7 counts every entry ever added to a stream (entries-added)
// and remembers the largest id removed by XDEL (max-deleted-entry-id); XTRIM removes from the
// front and leaves the latter alone. With the count a reader keeps of what it has taken, that
// is enough to tell an intact stream from one that lost entries ahead of the reader, and from
// a different stream under the same key.
#include "stream_continuity.hpp"

namespace shop {

namespace {

std::string idText(const std::optional<StreamId>& id) { return id ? id->toString() : std::string("the start"); }

std::string entries(std::int64_t n) { return std::to_string(n) + (n == 1 ? " entry" : " entries"); }

Continuity reset(std::string why)
{
    Continuity c;
    c.kind = Continuity::Kind::Reset;
    c.why = std::move(why);
    return c;
}

Continuity gap(Continuity::Cause cause, std::int64_t missing, const std::optional<StreamId>& after,
               const std::optional<StreamId>& before)
{
    Continuity c;
    c.kind = Continuity::Kind::Gap;
    c.cause = cause;
    c.missing = missing;
    c.after = after;
    c.before = before;
    c.why = describeGap(c);
    return c;
}

} // namespace

namespace {
// An XDEL after the position (and after what was already accepted) removed an entry that
// was never read.
bool deletedAhead(const ReadPosition& at, const StreamFacts& facts, const std::optional<StreamId>& until)
{
    if (!facts.maxDeletedId)
        return false;
    const StreamId& deleted = *facts.maxDeletedId;
    return (!at.last || deleted > *at.last) && (!at.deletionsAccepted || deleted > *at.deletionsAccepted)
           && (!until || deleted <= *until);
}
} // namespace

Continuity checkBeforeRead(const ReadPosition& at, const StreamFacts& facts, const std::optional<StreamId>& until)
{
    const bool positioned = at.last.has_value() || at.covered > 0;
    if (!facts.exists) {
        if (positioned)
            return reset("the stream key is gone (deleted, or the server's data was flushed or lost)");
        return Continuity::ok();
    }
    if (!facts.otherType.empty())
        return reset("the key now holds a " + facts.otherType + ", not a stream");
    if (facts.countsKnown() && facts.entriesAdded < at.covered) {
        return reset("the stream has had only " + entries(facts.entriesAdded) + " added, fewer than the "
                     + std::to_string(at.covered) + " already read, so " + entries(at.covered - facts.entriesAdded)
                     + " read before are gone: it was deleted and written again, or rewound (a failover to a replica "
                       "that lacked the newest entries)");
    }
    if (at.last && facts.lastGeneratedId < *at.last) {
        return reset("the stream's newest id " + facts.lastGeneratedId.toString() + " is before the last entry read, "
                     + at.last->toString() + ": it was deleted and written again, or rewound");
    }
    const bool deleted = deletedAhead(at, facts, until);
    // When every entry present comes after the position, they must be exactly the ones added
    // since: fewer means some were lost, more means this is not the stream the position is in.
    const bool allAhead = !facts.firstId || !at.last || *facts.firstId > *at.last;
    if (allAhead && facts.countsKnown()) {
        const std::int64_t addedSince = facts.entriesAdded - at.covered;
        const std::int64_t missing = addedSince - facts.length;
        if (missing > 0) {
            // The lost entries end before the first one present unless an XDEL removed one
            // after it; then where they end is not known.
            const bool deletedAmong = deleted && facts.firstId && *facts.maxDeletedId > *facts.firstId;
            Continuity c = gap(deleted ? Continuity::Cause::Deleted : Continuity::Cause::Trimmed, missing, at.last,
                               deletedAmong ? std::nullopt : facts.firstId);
            if (!at.last) {
                c.added = facts.entriesAdded;
                c.why = describeGap(c);
            }
            return c;
        }
        if (missing < 0) {
            return reset("the stream holds " + entries(facts.length) + " after " + idText(at.last) + " but only "
                         + std::to_string(addedSince)
                         + " were added since: it is not the stream that was read (deleted and written again?)");
        }
        return Continuity::ok();
    }
    // Some entries at or before the position are still there: the only way to lose one ahead
    // of it is XDEL.
    if (at.last && deleted)
        return gap(Continuity::Cause::Deleted, -1, at.last, std::nullopt);
    return Continuity::ok();
}

Continuity checkAtHead(const ReadPosition& at, std::int64_t entriesRead, const StreamFacts& facts)
{
    if (!facts.isStream() || !facts.countsKnown())
        return Continuity::ok();
    std::int64_t expected = 0;
    if (entriesRead < 0 || __builtin_add_overflow(at.covered, entriesRead, &expected))
        return reset("more entries have been read than a stream can count: it is not the stream that was read");
    if (facts.entriesAdded > expected) {
        const bool deleted = deletedAhead(at, facts, std::nullopt);
        // Trimming takes entries from the front: with the front at or before the position,
        // none after it can have gone that way, and without an XDEL after it none went at
        // all. Then it is the count the position claims that is wrong, not the stream.
        if (!deleted && at.last && facts.firstId && *facts.firstId <= *at.last) {
            Continuity c = reset("the entries read add up to " + std::to_string(expected) + " where the stream counts "
                                 + std::to_string(facts.entriesAdded)
                                 + " and none can have been lost after the position: the state does not match this "
                                   "stream (a snapshot that is not what it claims?)");
            c.positionAtFault = true;
            return c;
        }
        return gap(deleted ? Continuity::Cause::Deleted : Continuity::Cause::Trimmed, facts.entriesAdded - expected,
                   at.last, std::nullopt);
    }
    if (facts.entriesAdded < expected) {
        return reset("the stream counts " + entries(facts.entriesAdded) + " ever added, but "
                     + std::to_string(expected)
                     + " have been read: it is not the stream that was read (deleted and written again?)");
    }
    return Continuity::ok();
}

std::string describeGap(const Continuity& gap)
{
    std::string what = gap.missing >= 0 ? entries(gap.missing) : std::string("entries");
    if (gap.missing >= 0 && gap.added >= 0)
        what = std::to_string(gap.missing) + " of the " + entries(gap.added) + " the stream ever had";
    std::string where;
    if (gap.after && gap.before)
        where = " between " + gap.after->toString() + " and " + gap.before->toString();
    else if (gap.after)
        where = " after " + gap.after->toString();
    else if (gap.before)
        where = " before " + gap.before->toString();
    std::string how;
    switch (gap.cause) {
    case Continuity::Cause::Trimmed:
        how = " were trimmed away";
        break;
    case Continuity::Cause::Deleted:
        how = " were deleted (XDEL)";
        break;
    default:
        how = " are missing";
        break;
    }
    if (gap.missing == 1)
        how.replace(0, 5, " was");
    if (gap.cause == Continuity::Cause::None || gap.cause == Continuity::Cause::Unknown)
        how = gap.missing == 1 ? " is missing" : " are missing";
    return what + where + how + " before being read";
}

std::string continuityLimits(const StreamFacts& facts, std::string_view stream)
{
    if (!facts.isStream() || facts.countsKnown())
        return {};
    return "the server does not count the entries ever added to " + std::string(stream)
           + " (Redis 7 does): a stream deleted and written again, rewound by a failover, or trimmed ahead of a reader"
             " can be told only by its entry ids, and snapshots are matched to the stream by their last entry alone";
}

} // namespace shop
