// Rebuilds a ShopState from Redis: the newest snapshot that verifies (unless from scratch),
// then the tail of the stream up to its head or to a given id. Used by the CLI commands and
// by the consumer worker's start-up.
#pragma once

#include "connection.hpp"
#include "stream_reader.hpp"

#include "core/domain.hpp"

#include <functional>
#include <string>
#include <vector>

namespace shop {
class ShopState;
}

namespace shop::redis {

struct LoadOptions {
    bool fromScratch = false;
    std::string untilId;          // empty: up to the head
    std::size_t batchSize = 5000;
    bool allowGaps = false;       // go on (with a warning) when entries are missing
    std::string snapshotId;       // restore exactly this snapshot (an error when it does not verify)
};

struct LoadReport {
    std::string snapshotId;       // empty: replayed from the start
    std::int64_t replayed = 0;    // entries applied after the snapshot
    std::vector<std::string> warnings;
    std::string error;            // set when it failed or refused
};

class StateLoader {
public:
    StateLoader(Connection& connection, std::string stream);

    // Restores the starting point: a snapshot or the empty state. Refuses (false, report.error)
    // when entries are missing between that point and the stream's first entry.
    bool restore(ShopState& state, const LoadOptions& options, LoadReport& report);

    // Applies entries after state.lastEventId up to options.untilId or the head as it is
    // when called. `onBatch` sees each batch and its verdicts after they are applied.
    using BatchObserver = std::function<void(const EntryBatch&, const std::vector<Reason>&)>;
    bool catchUp(ShopState& state, const LoadOptions& options, LoadReport& report, const BatchObserver& onBatch = {});

    // restore() then catchUp().
    bool load(ShopState& state, const LoadOptions& options, LoadReport& report, const BatchObserver& onBatch = {});

private:
    Connection& connection_;
    std::string stream_;
};

} // namespace shop::redis
