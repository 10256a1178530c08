// The state loader: snapshot (or nothing) plus the stream's tail, batch by batch.
#include "state_loader.hpp"

#include "snapshot_store.hpp"

#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/stream_id.hpp"

namespace shop::redis {

StateLoader::StateLoader(Connection& connection, std::string stream)
    : connection_(connection), stream_(std::move(stream))
{
}

bool StateLoader::restore(ShopState& state, const LoadOptions& options, LoadReport& report)
{
    state.clear();
    if (!options.fromScratch) {
        SnapshotStore store(connection_, stream_);
        RestoreOutcome outcome = options.snapshotId.empty() ? store.restoreNewest(state, options.untilId)
                                                            : store.restore(options.snapshotId, state);
        if (!options.snapshotId.empty() && !outcome.restored && outcome.error.empty())
            outcome.error = "snapshot " + options.snapshotId + " cannot be used: "
                            + (outcome.warnings.empty() ? std::string("it was not found") : outcome.warnings.back());
        report.warnings.insert(report.warnings.end(), outcome.warnings.begin(), outcome.warnings.end());
        if (!outcome.error.empty()) {
            if (!options.allowGaps || !connection_.isConnected()) {
                report.error = outcome.error;
                return false;
            }
            report.warnings.push_back(outcome.error);
            state.clear();
        }
        if (outcome.restored) {
            report.snapshotId = outcome.snapshotId;
            return true;
        }
    }
    // From the start: every entry ever added must still be there.
    StreamReader reader(connection_, stream_);
    StreamInfo info;
    if (!reader.info(info)) {
        report.error = reader.error();
        return false;
    }
    if (info.entriesAdded > info.length) {
        const std::string message = "the stream " + stream_ + " has lost " + std::to_string(info.entriesAdded - info.length)
                                    + " of its " + std::to_string(info.entriesAdded)
                                    + " entries (trimmed or deleted), so the state from the start would be wrong";
        if (!options.allowGaps) {
            report.error = message;
            return false;
        }
        report.warnings.push_back(message);
    }
    return true;
}

bool StateLoader::catchUp(ShopState& state, const LoadOptions& options, LoadReport& report, const BatchObserver& onBatch)
{
    StreamReader reader(connection_, stream_);
    std::string head = options.untilId;
    if (head.empty()) {
        if (!reader.lastEntryId(head)) {
            report.error = reader.error();
            return false;
        }
        if (head.empty())
            return true; // empty stream
    }
    const auto headId = StreamId::parse(head);
    if (!headId) {
        report.error = "\"" + head + "\" is not a stream entry id (expected <milliseconds>-<sequence>)";
        return false;
    }
    if (!state.lastEventId.empty() && StreamId::parse(state.lastEventId).value_or(StreamId{}) >= *headId)
        return true;

    const std::size_t batchSize = options.batchSize > 0 ? options.batchSize : LoadOptions{}.batchSize;
    EntryBatch batch;
    Event scratch;
    std::vector<Reason> verdicts;
    // One page is always asked for ahead: Redis prepares page k+1 while page k is applied.
    if (!reader.requestRange(state.lastEventId.empty() ? std::string("0-0") : state.lastEventId, batchSize, head)) {
        report.error = reader.error();
        return false;
    }
    for (;;) {
        if (!reader.receiveRange(batch)) {
            report.error = reader.error();
            return false;
        }
        if (batch.entries.empty())
            return true;
        const bool more = batch.entries.size() == batchSize;
        if (more && !reader.requestRange(batch.entries.back().id, batchSize, head)) {
            report.error = reader.error();
            return false;
        }
        verdicts.clear();
        for (const RawEntry& entry : batch.entries)
            verdicts.push_back(processEntry(state, entry, scratch));
        report.replayed += static_cast<std::int64_t>(batch.entries.size());
        if (onBatch)
            onBatch(batch, verdicts);
        if (!more)
            return true;
    }
}

bool StateLoader::load(ShopState& state, const LoadOptions& options, LoadReport& report, const BatchObserver& onBatch)
{
    return restore(state, options, report) && catchUp(state, options, report, onBatch);
}

} // namespace shop::redis
