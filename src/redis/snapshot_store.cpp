// The snapshot store. Saving is WATCH + MULTI/EXEC so that the blob, its index entry and
// the trimming to the newest N land together or not at all, even with two writers.
#include "snapshot_store.hpp"

#include "keys.hpp"
#include "stream_reader.hpp"

#include "core/shop_state.hpp"
#include "core/stream_id.hpp"

#include <algorithm>

namespace shop::redis {

namespace {
std::string scoreOf(std::string_view id)
{
    const auto parsed = StreamId::parse(id);
    return std::to_string(parsed ? parsed->ms : 0);
}

bool idAfter(std::string_view a, std::string_view b)
{
    const auto x = StreamId::parse(a);
    const auto y = StreamId::parse(b);
    return x && y && *x > *y;
}
} // namespace

SnapshotStore::SnapshotStore(Connection& connection, std::string stream, int keep)
    : connection_(connection), stream_(std::move(stream)), keep_(std::max(1, keep))
{
}

bool SnapshotStore::save(const ShopState& state, std::int64_t createdMs)
{
    error_.clear();
    if (state.lastEventId.empty()) {
        error_ = "nothing to snapshot: no event has been applied yet";
        return false;
    }
    const std::string blob = encodeSnapshot(state, stream_, createdMs);
    const std::string index = snapshotIndexKey(stream_);
    const std::string key = snapshotKey(stream_, state.lastEventId);
    const std::string score = scoreOf(state.lastEventId);

    for (int attempt = 0; attempt < 5; ++attempt) {
        Reply watched = connection_.command({"WATCH", index});
        if (!watched || watched.isError()) {
            error_ = watched ? std::string(watched.str()) : connection_.error();
            return false;
        }
        Reply ids = connection_.command({"ZRANGE", index, "0", "-1"});
        if (!ids || !ids.isArray()) {
            error_ = ids ? std::string(ids.str()) : connection_.error();
            connection_.command({"UNWATCH"});
            return false;
        }
        // The ids that fall out once this one is in: all but the newest keep_.
        std::vector<std::string> all;
        ReplyView list(ids.raw());
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (list[i].str() != state.lastEventId)
                all.emplace_back(list[i].str());
        }
        all.push_back(state.lastEventId);
        std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) {
            return StreamId::parse(a).value_or(StreamId{}) < StreamId::parse(b).value_or(StreamId{});
        });
        std::vector<std::string> drop;
        if (all.size() > static_cast<std::size_t>(keep_))
            drop.assign(all.begin(), all.end() - keep_);

        connection_.append({"MULTI"});
        connection_.append({"SET", key, blob});
        connection_.append({"ZADD", index, score, state.lastEventId});
        for (const std::string& id : drop) {
            connection_.append({"ZREM", index, id});
            connection_.append({"DEL", snapshotKey(stream_, id)});
        }
        connection_.append({"EXEC"});
        const std::size_t replies = 4 + 2 * drop.size();
        Reply exec;
        for (std::size_t i = 0; i < replies; ++i) {
            Reply r = connection_.getReply();
            if (!r && !connection_.isConnected()) {
                error_ = connection_.error();
                return false;
            }
            if (i + 1 == replies)
                exec = std::move(r);
        }
        if (exec.isError()) {
            error_ = "the snapshot was not stored: " + std::string(exec.str());
            return false;
        }
        if (exec.isArray())
            return true;
        // A nil EXEC: another writer touched the index meanwhile; try again.
    }
    error_ = "the snapshot index kept changing under us; try again";
    return false;
}

bool SnapshotStore::list(std::vector<SnapshotListing>& out)
{
    out.clear();
    error_.clear();
    Reply ids = connection_.command({"ZRANGE", snapshotIndexKey(stream_), "0", "-1"});
    if (!ids || ids.isError()) {
        error_ = ids ? std::string(ids.str()) : connection_.error();
        return false;
    }
    ReplyView list(ids.raw());
    for (std::size_t i = 0; i < list.size(); ++i) {
        SnapshotListing entry;
        entry.id = std::string(list[i].str());
        std::string blob;
        if (!loadBlob(entry.id, blob)) {
            if (!connection_.isConnected())
                return false;
            entry.problem = error_;
            error_.clear();
        } else {
            entry.bytes = blob.size();
            entry.problem = verifySnapshot(blob, stream_, &entry.header);
            if (entry.problem.empty() && entry.header.lastEventId != entry.id)
                entry.problem = "the snapshot's event id " + entry.header.lastEventId + " differs from its key";
            entry.verified = entry.problem.empty();
        }
        out.push_back(std::move(entry));
    }
    std::sort(out.begin(), out.end(), [](const SnapshotListing& a, const SnapshotListing& b) {
        return StreamId::parse(a.id).value_or(StreamId{}) < StreamId::parse(b.id).value_or(StreamId{});
    });
    return true;
}

bool SnapshotStore::loadBlob(std::string_view id, std::string& blob)
{
    Reply r = connection_.command({"GET", snapshotKey(stream_, id)});
    if (!r) {
        error_ = connection_.error();
        return false;
    }
    if (r.isError()) {
        error_ = std::string(r.str());
        return false;
    }
    if (!r.isString()) {
        error_ = "the snapshot blob is missing";
        return false;
    }
    blob.assign(r.str());
    return true;
}

RestoreOutcome SnapshotStore::restoreNewest(ShopState& state, std::string_view untilId)
{
    RestoreOutcome outcome;
    state.clear();
    error_.clear();
    // Only ids first: blobs are loaded newest first, and only until one verifies.
    Reply index = connection_.command({"ZRANGE", snapshotIndexKey(stream_), "0", "-1"});
    if (!index || index.isError()) {
        outcome.error = index ? std::string(index.str()) : connection_.error();
        return outcome;
    }
    std::vector<std::string> ids;
    ReplyView list(index.raw());
    for (std::size_t i = 0; i < list.size(); ++i)
        ids.emplace_back(list[i].str());
    if (ids.empty())
        return outcome;
    std::sort(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
        return StreamId::parse(a).value_or(StreamId{}) > StreamId::parse(b).value_or(StreamId{});
    });
    return restoreFrom(ids, state, untilId);
}

RestoreOutcome SnapshotStore::restore(std::string_view id, ShopState& state)
{
    return restoreFrom({std::string(id)}, state, {});
}

RestoreOutcome SnapshotStore::restoreFrom(const std::vector<std::string>& ids, ShopState& state, std::string_view untilId)
{
    RestoreOutcome outcome;
    state.clear();
    error_.clear();
    StreamReader reader(connection_, stream_);
    StreamInfo info;
    std::string lastEntry;
    if (!reader.info(info) || !reader.lastEntryId(lastEntry)) {
        outcome.error = reader.error();
        return outcome;
    }

    for (const std::string& id : ids) {
        if (!untilId.empty() && idAfter(id, untilId))
            continue; // taken after the point asked for: not a candidate, not a fault
        if (lastEntry.empty() || idAfter(id, lastEntry)) {
            outcome.warnings.push_back("snapshot " + id + " passed over: it is after the stream's last entry ("
                                       + (lastEntry.empty() ? std::string("the stream is empty") : lastEntry) + ")");
            continue;
        }
        std::string blob;
        if (!loadBlob(id, blob)) {
            if (!connection_.isConnected()) {
                outcome.error = error_;
                return outcome;
            }
            outcome.warnings.push_back("snapshot " + id + " passed over: " + error_);
            continue;
        }
        if (auto problem = decodeSnapshot(blob, stream_, state); !problem.empty()) {
            outcome.warnings.push_back("snapshot " + id + " passed over: " + problem);
            continue;
        }
        if (state.lastEventId != id) {
            outcome.warnings.push_back("snapshot " + id + " passed over: it holds the state at " + state.lastEventId);
            state.clear();
            continue;
        }
        // Entries after the snapshot must all still be there: when the stream's first
        // entry is after it, the ones in between may have been trimmed away.
        if (!info.firstId.empty() && idAfter(info.firstId, id) && info.entriesAdded >= 0
            && info.entriesAdded - state.counts.total > info.length) {
            const auto missing = info.entriesAdded - state.counts.total - info.length;
            outcome.error = "the stream " + stream_ + " was trimmed past snapshot " + id + ": " + std::to_string(missing)
                            + " entries between it and the first entry (" + info.firstId
                            + ") are gone, so the state cannot be rebuilt correctly";
            state.clear();
            return outcome;
        }
        // An entry after the snapshot deleted with XDEL (Redis 7 records the largest deleted
        // id): the tail would silently lack it.
        if (!info.maxDeletedId.empty() && idAfter(info.maxDeletedId, id)) {
            outcome.error = "entries of the stream " + stream_ + " after snapshot " + id
                            + " were deleted (the latest deleted id is " + info.maxDeletedId
                            + "), so the state cannot be rebuilt correctly";
            state.clear();
            return outcome;
        }
        outcome.restored = true;
        outcome.snapshotId = id;
        return outcome;
    }
    state.clear();
    return outcome;
}

} // namespace shop::redis
