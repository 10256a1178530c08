// Snapshots in Redis (DESIGN sections 4 and 5): S:snapshot:<lastEventId> blobs indexed by
// the sorted set S:snapshots, written atomically with MULTI/EXEC and trimmed to the newest N.
#pragma once

#include "connection.hpp"
#include "core/snapshot_codec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shop {
class ShopState;
}

namespace shop::redis {

struct SnapshotListing {
    std::string id;         // the last event id it covers
    SnapshotHeader header;  // zeroed when the header does not decode
    std::size_t bytes = 0;
    bool verified = false;  // header + checksum + version + stream key all good
    std::string problem;    // why not verified
};

struct RestoreOutcome {
    bool restored = false;      // a snapshot was loaded into the state
    std::string snapshotId;
    std::vector<std::string> warnings; // snapshots passed over, and why
    std::string error;          // refusal (e.g. stream trimmed past the snapshot) or I/O
};

class SnapshotStore {
public:
    SnapshotStore(Connection& connection, std::string stream, int keep = 10);

    // Writes the blob, the index entry and trims to the newest `keep`, in one MULTI/EXEC.
    bool save(const ShopState& state, std::int64_t createdMs);
    bool list(std::vector<SnapshotListing>& out);   // oldest first
    bool loadBlob(std::string_view id, std::string& blob);

    // Loads the newest snapshot that verifies and whose id is not after `untilId` (when
    // given) nor after the stream's last id. Checks that no entries are missing between it
    // and the stream's first entry; refuses loudly when they are.
    RestoreOutcome restoreNewest(ShopState& state, std::string_view untilId = {});
    // Loads exactly the snapshot `id`, with the same checks; not restored (with a warning
    // saying why) when it fails one.
    RestoreOutcome restore(std::string_view id, ShopState& state);

    const std::string& error() const { return error_; }
    const std::string& stream() const { return stream_; }

private:
    RestoreOutcome restoreFrom(const std::vector<std::string>& newestFirst, ShopState& state, std::string_view untilId);

    Connection& connection_;
    std::string stream_;
    int keep_;
    std::string error_;
};

} // namespace shop::redis
