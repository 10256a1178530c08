// Stream continuity: whether a reader that stands at some entry of a stream can go on
// reading it without silently missing entries (a gap: trimmed or deleted before it read them)
// or without mixing two different streams (a reset: the key deleted and written again,
// flushed, rewound by a failover). Pure logic over what Redis reports about the stream
// (XINFO STREAM), so that the loader, the consumer and the snapshot store all decide alike
// and the rules can be tested without a server (DESIGN section 5).
#pragma once

#include "stream_id.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace shop {

// What Redis says about a stream key at one moment.
struct StreamFacts {
    bool exists = false;
    std::string otherType;                  // the key holds this type instead of a stream ("" when a stream or absent)
    std::int64_t length = 0;                // XLEN
    std::int64_t entriesAdded = -1;         // every entry ever added (Redis 7); -1 when unknown
    std::optional<StreamId> firstId;        // the first entry present; none when empty
    StreamId lastGeneratedId;               // the newest id ever given (0-0 when never written)
    std::optional<StreamId> maxDeletedId;   // the largest id removed by XDEL (Redis 7); none when none

    bool isStream() const { return exists && otherType.empty(); }
    bool countsKnown() const { return entriesAdded >= 0; }
};

// What cannot be checked on this server, in one sentence for a warning (empty when all can):
// a server before Redis 7 keeps no count of the entries ever added, so a stream that was
// deleted and written again, rewound or trimmed ahead of a reader is told by its ids alone.
std::string continuityLimits(const StreamFacts& facts, std::string_view stream);

// Where a reader stands: the last entry it took and how many entries of the stream's history
// that accounts for (entries processed plus entries it knowingly skipped).
struct ReadPosition {
    std::optional<StreamId> last; // none: before the first entry
    std::int64_t covered = 0;
    std::optional<StreamId> deletionsAccepted; // entries deleted up to here were already accepted as a gap
};

struct Continuity {
    enum class Kind : std::uint8_t { Intact, Gap, Reset };
    enum class Cause : std::uint8_t { None, Trimmed, Deleted, Unknown };
    Kind kind = Kind::Intact;
    Cause cause = Cause::None;     // Gap: why the entries are gone, when it can be told
    std::int64_t missing = -1;     // Gap: entries lost; -1 when it cannot be counted yet
    std::optional<StreamId> after; // Gap: lies after this entry (none: from the start)...
    std::optional<StreamId> before; // ...and before this one, when known
    std::int64_t added = -1;       // Gap from the start: entries the stream ever had (-1: not said)
    std::string why;               // in words, for people
    bool positionAtFault = false;  // Reset: the stream is fine, the position's count is wrong
                                   // (a state from a snapshot that is not what it claims)

    bool intact() const { return kind == Kind::Intact; }
    static Continuity ok() { return {}; }
};

// Before reading the entries after `at`: can all of them still be read, and is this the
// stream the position was taken in? Conclusive for what `facts` show; a page read
// atomically with the facts (MULTI/EXEC) leaves no room between the two.
// With `until`, only entries up to it are to be read: deletions after it do not matter.
Continuity checkBeforeRead(const ReadPosition& at, const StreamFacts& facts,
                           const std::optional<StreamId>& until = std::nullopt);

// After a read that took every entry after `at` up to the stream's end, atomically with
// `facts`: the entries read must be exactly those added since `at`. More is a reset, fewer a
// gap (entries deleted or trimmed before they were read). Needs entries-added (Redis 7):
// intact when unknown.
Continuity checkAtHead(const ReadPosition& at, std::int64_t entriesRead, const StreamFacts& facts);

// One line for people: "12 entries between 1-0 and 9-0 were trimmed" and the like.
std::string describeGap(const Continuity& gap);

} // namespace shop
