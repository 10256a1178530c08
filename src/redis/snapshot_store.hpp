// Snapshots in Redis (DESIGN sections 4 and 5): S:snapshot:<lastEventId> blobs indexed by
// the sorted set S:snapshots, written atomically with MULTI/EXEC and trimmed to the newest N.
// A snapshot is used only when it passes every check: its checksum, format version and
// stream key, its content (core's decodeSnapshot), and its identity against the stream as
// it is now (it was taken from this incarnation of the stream, not an earlier one).
#pragma once

#include "connection.hpp"
#include "core/snapshot_codec.hpp"
#include "core/stream_continuity.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop {
class ShopState;
}

namespace shop::redis {

struct SnapshotListing {
    std::string id;         // the last event id it covers (the index member)
    SnapshotHeader header;  // zeroed when the header does not decode
    std::size_t bytes = 0;
    bool checked = false;   // passes every check against the stream as it is now
    bool unconfirmed = false; // checked, but its own entry is gone: it rests on the stream's counts
    std::string problem;    // why not checked
};

// A stored snapshot compared with the state rebuilt from scratch up to its id.
struct SnapshotVerification {
    std::string id;
    bool compared = false; // it passed its checks, so it was compared with the rebuild
    bool verified = false; // equal to the rebuild
    std::string why;       // how it differs, or why it was not compared
};

struct RestoreOutcome {
    bool restored = false;      // a snapshot was loaded into the state
    std::string snapshotId;
    std::vector<std::string> warnings; // snapshots passed over, and why
    std::string error;          // I/O error: nothing could be decided
};

class SnapshotStore {
public:
    SnapshotStore(Connection& connection, std::string stream, int keep = 10);

    // Writes the blob, the index entry and trims to the newest `keep`, in one MULTI/EXEC,
    // after checking that the state still belongs to the stream (a state built from an
    // earlier incarnation of it is never saved); then checks that the index kept it.
    // Index members that are not entry ids, or are after the stream's newest entry, are
    // left alone and reported in warnings().
    bool save(const ShopState& state, std::int64_t createdMs);
    // Snapshots dropped from the index by the last save, and the warnings of the last save
    // or list (index members ignored, an index of another type).
    int trimmed() const { return trimmed_; }
    const std::vector<std::string>& warnings() const { return warnings_; }
    // Snapshots not to be used again by this store (one whose counts did not add up with the
    // stream when it was used): restores pass them over.
    void distrust(const std::string& id) { distrusted_.push_back(id); }
    void setDistrusted(std::vector<std::string> ids) { distrusted_ = std::move(ids); }

    // Every snapshot in the index, oldest first, with whether it passes every check. The
    // headers are read with GETRANGE and a blob over the size limit is never read; the
    // others are decoded one at a time to check their content and identity.
    bool list(std::vector<SnapshotListing>& out);
    // Rebuilds the state from scratch once and compares it with each snapshot of `listing`
    // that passes its checks, as the rebuild passes its id (oldest first). Those that do not
    // pass their checks are not compared (verified false, why = the problem). False (error())
    // when the rebuild itself fails (a gap, a reset, an I/O error).
    bool verifyByRebuild(const std::vector<SnapshotListing>& listing, std::vector<SnapshotVerification>& out,
                         std::vector<std::string>& warnings);
    // The whole blob; refused (with error()) when it is missing, of another type or over the
    // size limit.
    bool loadBlob(std::string_view id, std::string& blob);

    // Loads the newest snapshot that passes every check and whose id is not after `untilId`
    // (when given). The others are passed over with a warning. `facts` are the stream's.
    RestoreOutcome restoreNewest(ShopState& state, const StreamFacts& facts, std::string_view untilId = {});
    // Loads exactly the snapshot `id`, with the same checks; not restored (with a warning
    // saying why) when it fails one.
    RestoreOutcome restore(std::string_view id, ShopState& state, const StreamFacts& facts);
    // The same, reading the stream's facts first.
    RestoreOutcome restoreNewest(ShopState& state, std::string_view untilId = {});
    RestoreOutcome restore(std::string_view id, ShopState& state);

    // The snapshot ids in the index, newest first. A key of another type at S:snapshots is a
    // warning, not an error: there are then no snapshots. False only on an I/O error.
    bool indexIds(std::vector<std::string>& newestFirst, std::vector<std::string>& warnings);

    const std::string& error() const { return error_; }
    const std::string& stream() const { return stream_; }

private:
    RestoreOutcome restoreFrom(const std::vector<std::string>& newestFirst, ShopState& state, const StreamFacts& facts,
                               std::string_view untilId);
    // The fingerprint of the stream's entry at `id`, none when it has none. False on I/O error.
    bool fingerprintAt(std::string_view id, std::optional<std::uint64_t>& out);
    // A snapshot that decoded: does it belong to the stream? An empty string when it does.
    std::string identityProblem(const SnapshotHeader& header, const StreamFacts& facts, bool& unconfirmed);
    bool blobSize(std::string_view id, std::size_t& bytes);
    // The header alone (GETRANGE), checked; "" when plausible, else why not.
    std::string readHeader(std::string_view id, SnapshotHeader& header, std::size_t& bytes);
    std::string keyType(const std::string& key);
    // False for a stream without a {hash tag} in a cluster: its snapshot keys would be in
    // other slots, so it has none (listing finds none; saving is refused with advice).
    bool keptInOneSlot() const;

    Connection& connection_;
    std::string stream_;
    int keep_;
    std::string error_;
    int trimmed_ = 0;
    std::vector<std::string> warnings_;
    std::vector<std::string> distrusted_;
};

} // namespace shop::redis
