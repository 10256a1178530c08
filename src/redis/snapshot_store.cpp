// The snapshot store. Saving is WATCH + MULTI/EXEC so that the blob, its index entry and
// the trimming to the newest N land together or not at all, even with two writers.
// Reading never trusts a blob for more than it proves: the header is read alone first
// (GETRANGE), a blob over the size limit is never read whole, and a decoded snapshot is
// checked against the stream before it is used.
#include "snapshot_store.hpp"

#include "keys.hpp"
#include "state_loader.hpp"
#include "stream_reader.hpp"
#include "transaction.hpp"

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

// A snapshot id is a full entry id ("<ms>-<seq>"), as the key it names was made from.
std::optional<StreamId> snapshotIdOf(std::string_view member)
{
    if (member.find('-') == std::string_view::npos)
        return std::nullopt;
    return StreamId::parse(member);
}

bool isWrongType(const Reply& r) { return r && r.isError() && r.str().starts_with("WRONGTYPE"); }

std::string text(std::string_view s) { return std::string(s); }
} // namespace

SnapshotStore::SnapshotStore(Connection& connection, std::string stream, int keep)
    : connection_(connection), stream_(std::move(stream)), keep_(std::max(1, keep))
{
}

std::string SnapshotStore::keyType(const std::string& key)
{
    Reply r = connection_.command({"TYPE", key});
    return r && !r.isError() ? text(r.str()) : std::string("value of another type");
}

bool SnapshotStore::keptInOneSlot() const
{
    return connection_.url().kind != RedisUrl::Kind::Cluster || !hashTag(stream_).empty();
}

bool SnapshotStore::indexIds(std::vector<std::string>& newestFirst, std::vector<std::string>& warnings)
{
    newestFirst.clear();
    if (!keptInOneSlot())
        return true; // its snapshots could not be written by us, nor read from this node
    const std::string index = snapshotIndexKey(stream_);
    Reply ids = connection_.command({"ZRANGE", index, "0", "-1"});
    if (!ids) {
        error_ = connection_.error();
        return false;
    }
    if (isWrongType(ids)) {
        warnings.push_back("the snapshot index " + index + " holds a " + keyType(index)
                           + ", not a sorted set: no snapshot is used (rename or delete that key to keep snapshots)");
        return true;
    }
    if (ids.isError() || !ids.isArray()) {
        error_ = "reading the snapshot index " + index + " failed: " + text(ids.str());
        return false;
    }
    ReplyView list(ids.raw());
    std::vector<std::pair<StreamId, std::string>> valid;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string member(list[i].str());
        if (const auto id = snapshotIdOf(member))
            valid.emplace_back(*id, member);
        else
            warnings.push_back("the snapshot index " + index + " holds \"" + member
                               + "\", which is not an entry id: it is ignored");
    }
    // By entry id: within one millisecond the index's own order is by member text.
    std::sort(valid.begin(), valid.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [id, member] : valid)
        newestFirst.push_back(std::move(member));
    return true;
}

bool SnapshotStore::save(const ShopState& state, std::int64_t createdMs)
{
    error_.clear();
    warnings_.clear();
    trimmed_ = 0;
    if (!keptInOneSlot()) {
        error_ = hashTagAdvice(stream_);
        return false;
    }
    if (state.lastEventId.empty()) {
        error_ = "nothing to snapshot: no event has been applied yet";
        return false;
    }
    // Never save a state that is not the stream's: a consumer that has not yet noticed that
    // the stream was deleted and written again must not leave its old shop behind.
    StreamReader reader(connection_, stream_);
    StreamFacts facts;
    if (!reader.facts(facts)) {
        error_ = reader.error();
        return false;
    }
    std::string blob;
    if (state.lastEntryFingerprint != 0) {
        blob = encodeSnapshot(state, stream_, createdMs);
    } else {
        // A state built in memory (tests, the bench) does not know its last entry's
        // fingerprint: it takes the stream's, and the counts still have to agree.
        std::optional<std::uint64_t> atId;
        if (!fingerprintAt(state.lastEventId, atId))
            return false;
        if (!atId) {
            error_ = "the snapshot was not saved: the stream has no entry " + state.lastEventId;
            return false;
        }
        ShopState withFingerprint = state;
        withFingerprint.lastEntryFingerprint = *atId;
        blob = encodeSnapshot(withFingerprint, stream_, createdMs);
    }
    if (blob.size() > kMaxSnapshotBytes) {
        error_ = "the state is too large for a snapshot (" + std::to_string(blob.size()) + " bytes, the limit is "
                 + std::to_string(kMaxSnapshotBytes) + ")";
        return false;
    }
    SnapshotHeader header;
    if (auto problem = decodeSnapshotHeader(blob, header); !problem.empty()) {
        error_ = "the snapshot was not saved: " + problem;
        return false;
    }
    bool unconfirmed = false;
    if (auto problem = identityProblem(header, facts, unconfirmed); !problem.empty()) {
        error_ = "the snapshot was not saved: the state no longer belongs to the stream (" + problem + ")";
        return false;
    }
    const std::string index = snapshotIndexKey(stream_);
    const std::string key = snapshotKey(stream_, state.lastEventId);
    const std::string score = scoreOf(state.lastEventId);
    // SET would replace whatever is there: a key of another type is someone's data, not ours.
    if (const std::string type = keyType(key); type != "none" && type != "string") {
        error_ = "the snapshot was not saved: the key " + key + " holds a " + type + ", not a snapshot (rename or delete it)";
        return false;
    }

    for (int attempt = 0; attempt < 5; ++attempt) {
        Reply watched = connection_.command({"WATCH", index});
        if (!watched || watched.isError()) {
            error_ = watched ? text(watched.str()) : connection_.error();
            return false;
        }
        std::vector<std::string> ids, notes;
        if (!indexIds(ids, notes)) {
            connection_.command({"UNWATCH"});
            return false;
        }
        if (!notes.empty() && ids.empty()) {
            Reply type = connection_.command({"TYPE", index});
            if (type && type.str() != "zset" && type.str() != "none") {
                connection_.command({"UNWATCH"});
                error_ = "the snapshot was not saved: " + notes.front();
                return false;
            }
        }
        warnings_ = notes;
        // Members after the stream's newest entry cannot be snapshots of it: they are left
        // alone and reported, and not counted among the newest (or they would push this one out).
        std::vector<std::string> kept;
        for (const std::string& id : ids) {
            if (id == state.lastEventId)
                continue;
            if (idAfter(id, facts.lastGeneratedId.toString())) {
                warnings_.push_back("the snapshot index " + index + " holds " + id
                                    + ", after the stream's newest entry: it is ignored");
                continue;
            }
            kept.push_back(id);
        }
        kept.push_back(state.lastEventId);
        std::sort(kept.begin(), kept.end(), [](const std::string& a, const std::string& b) {
            return StreamId::parse(a).value_or(StreamId{}) < StreamId::parse(b).value_or(StreamId{});
        });
        std::vector<std::string> drop;
        if (kept.size() > static_cast<std::size_t>(keep_))
            drop.assign(kept.begin(), kept.end() - keep_);
        if (std::find(drop.begin(), drop.end(), state.lastEventId) != drop.end()) {
            // Older than every one kept (a slow writer): storing it would only trim it away.
            connection_.command({"UNWATCH"});
            error_ = "the snapshot at " + state.lastEventId + " is older than the " + std::to_string(keep_)
                     + " kept in " + index + ", so it was not stored";
            return false;
        }

        Transaction tx(connection_);
        tx.queue({"SET", key, blob});
        tx.queue({"ZADD", index, score, state.lastEventId});
        for (const std::string& id : drop) {
            tx.queue({"ZREM", index, id});
            const std::string dropKey = snapshotKey(stream_, id);
            tx.queue({"DEL", dropKey});
        }
        // Read back in the same transaction: the index must hold it when it commits.
        tx.queue({"ZSCORE", index, state.lastEventId});
        tx.queue({"EXISTS", key});
        const TransactionResult result = tx.exec();
        if (result.watchAborted)
            continue; // another writer touched the index meanwhile; try again
        if (!result.ok()) {
            error_ = "the snapshot was not stored: " + result.error;
            return false;
        }
        const ReplyView results(result.replies.raw());
        const std::size_t n = results.size();
        if (n < 2 || results[n - 2].isNil() || results[n - 1].integer() != 1) {
            error_ = "the snapshot was written but is not in the index " + index + " afterwards";
            return false;
        }
        trimmed_ = static_cast<int>(drop.size());
        return true;
    }
    error_ = "the snapshot index kept changing under us; try again";
    return false;
}

bool SnapshotStore::blobSize(std::string_view id, std::size_t& bytes)
{
    const std::string key = snapshotKey(stream_, id);
    Reply r = connection_.command({"STRLEN", key});
    if (!r) {
        error_ = connection_.error();
        return false;
    }
    if (isWrongType(r)) {
        error_ = "its key " + key + " holds a " + keyType(key) + ", not a snapshot";
        return false;
    }
    if (r.isError()) {
        error_ = text(r.str());
        return false;
    }
    bytes = static_cast<std::size_t>(r.integer());
    if (bytes == 0) {
        error_ = "the snapshot blob is missing";
        return false;
    }
    if (bytes > kMaxSnapshotBytes) {
        error_ = "the snapshot is " + std::to_string(bytes) + " bytes, over the limit of "
                 + std::to_string(kMaxSnapshotBytes) + " (it is not read)";
        return false;
    }
    return true;
}

std::string SnapshotStore::readHeader(std::string_view id, SnapshotHeader& header, std::size_t& bytes)
{
    bytes = 0;
    if (!blobSize(id, bytes))
        return error_;
    const std::string key = snapshotKey(stream_, id);
    const std::string last = std::to_string(std::min<std::size_t>(bytes, kMaxSnapshotHeaderBytes) - 1);
    Reply head = connection_.command({"GETRANGE", key, "0", last});
    if (!head)
        return connection_.error();
    if (auto p = decodeSnapshotHeader(head.isString() ? head.str() : std::string_view(), header); !p.empty())
        return p;
    if (auto p = checkSnapshotHeader(header, stream_, bytes); !p.empty())
        return p;
    if (header.lastEventId != id)
        return "the snapshot's event id " + header.lastEventId + " differs from its key";
    return {};
}

bool SnapshotStore::loadBlob(std::string_view id, std::string& blob)
{
    std::size_t bytes = 0;
    if (!blobSize(id, bytes))
        return false;
    Reply r = connection_.command({"GET", snapshotKey(stream_, id)});
    if (!r) {
        error_ = connection_.error();
        return false;
    }
    if (r.isError() || !r.isString()) {
        error_ = r.isError() ? text(r.str()) : std::string("the snapshot blob is missing");
        return false;
    }
    blob.assign(r.str());
    return true;
}

bool SnapshotStore::fingerprintAt(std::string_view id, std::optional<std::uint64_t>& out)
{
    out.reset();
    StreamReader reader(connection_, stream_);
    EntryBatch batch;
    if (!reader.entry(id, batch)) {
        error_ = reader.error();
        return false;
    }
    if (!batch.entries.empty())
        out = entryFingerprint(batch.entries.front());
    return true;
}

std::string SnapshotStore::identityProblem(const SnapshotHeader& header, const StreamFacts& facts, bool& unconfirmed)
{
    unconfirmed = false;
    if (!facts.isStream())
        return facts.exists ? "the key " + stream_ + " is not a stream" : "the stream " + stream_ + " does not exist";
    std::optional<std::uint64_t> atId;
    if (!fingerprintAt(header.lastEventId, atId))
        return error_;
    const SnapshotIdentity identity = checkSnapshotIdentity(header, facts, atId);
    if (identity.kind == SnapshotIdentity::Kind::Foreign)
        return identity.why;
    unconfirmed = identity.unconfirmed;
    return {};
}

bool SnapshotStore::list(std::vector<SnapshotListing>& out)
{
    out.clear();
    error_.clear();
    warnings_.clear();
    std::vector<std::string> ids;
    if (!indexIds(ids, warnings_))
        return false;
    StreamReader reader(connection_, stream_);
    StreamFacts facts;
    if (!reader.facts(facts)) {
        error_ = reader.error();
        return false;
    }
    for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
        SnapshotListing entry;
        entry.id = *it;
        const auto problem = [&]() -> std::string {
            if (auto p = readHeader(entry.id, entry.header, entry.bytes); !p.empty())
                return p;
            // The header is plausible: the whole blob, for the content and the identity.
            std::string blob;
            if (!loadBlob(entry.id, blob))
                return error_;
            ShopState state;
            if (auto p = decodeSnapshot(blob, stream_, state, &entry.header); !p.empty())
                return p;
            return identityProblem(entry.header, facts, entry.unconfirmed);
        }();
        if (!connection_.isConnected())
            return false;
        entry.problem = problem;
        entry.checked = problem.empty();
        error_.clear();
        out.push_back(std::move(entry));
    }
    return true;
}

bool SnapshotStore::verifyByRebuild(const std::vector<SnapshotListing>& listing, std::vector<SnapshotVerification>& out,
                                    std::vector<std::string>& warnings)
{
    out.clear();
    error_.clear();
    std::vector<const SnapshotListing*> targets;
    for (const SnapshotListing& s : listing) {
        if (s.checked)
            targets.push_back(&s);
        else
            out.push_back({s.id, false, false, "not compared: it does not pass its checks (" + s.problem + ")"});
    }
    std::sort(targets.begin(), targets.end(), [](const SnapshotListing* a, const SnapshotListing* b) {
        return StreamId::parse(a->id).value_or(StreamId{}) < StreamId::parse(b->id).value_or(StreamId{});
    });
    ShopState rebuilt;
    LoadReport report;
    LoadOptions options;
    options.fromScratch = true;
    StateLoader loader(connection_, stream_);
    if (!targets.empty() && !loader.restore(rebuilt, options, report)) {
        error_ = report.error;
        return false;
    }
    for (const SnapshotListing* target : targets) { // oldest first: one pass
        options.untilId = target->id;
        const bool ok = loader.catchUp(rebuilt, options, report);
        warnings.insert(warnings.end(), report.warnings.begin(), report.warnings.end());
        report.warnings.clear();
        if (!ok) {
            error_ = report.error;
            return false;
        }
        std::string blob;
        ShopState fromSnapshot;
        if (!loadBlob(target->id, blob))
            return false;
        std::string why = decodeSnapshot(blob, stream_, fromSnapshot);
        if (why.empty())
            why = rebuilt.lastEventId != target->id ? "the stream has no entry " + target->id
                                                     : describeDifference(fromSnapshot, rebuilt);
        out.push_back({target->id, true, why.empty(), why});
    }
    std::sort(out.begin(), out.end(), [](const SnapshotVerification& a, const SnapshotVerification& b) {
        return StreamId::parse(a.id).value_or(StreamId{}) < StreamId::parse(b.id).value_or(StreamId{});
    });
    return true;
}

RestoreOutcome SnapshotStore::restoreNewest(ShopState& state, const StreamFacts& facts, std::string_view untilId)
{
    RestoreOutcome outcome;
    state.clear();
    error_.clear();
    std::vector<std::string> ids;
    if (!indexIds(ids, outcome.warnings)) {
        outcome.error = error_;
        return outcome;
    }
    if (ids.empty())
        return outcome;
    RestoreOutcome rest = restoreFrom(ids, state, facts, untilId);
    rest.warnings.insert(rest.warnings.begin(), outcome.warnings.begin(), outcome.warnings.end());
    return rest;
}

RestoreOutcome SnapshotStore::restore(std::string_view id, ShopState& state, const StreamFacts& facts)
{
    return restoreFrom({std::string(id)}, state, facts, {});
}

RestoreOutcome SnapshotStore::restoreNewest(ShopState& state, std::string_view untilId)
{
    StreamReader reader(connection_, stream_);
    StreamFacts facts;
    if (!reader.facts(facts)) {
        state.clear();
        RestoreOutcome outcome;
        outcome.error = reader.error();
        return outcome;
    }
    return restoreNewest(state, facts, untilId);
}

RestoreOutcome SnapshotStore::restore(std::string_view id, ShopState& state)
{
    StreamReader reader(connection_, stream_);
    StreamFacts facts;
    if (!reader.facts(facts)) {
        state.clear();
        RestoreOutcome outcome;
        outcome.error = reader.error();
        return outcome;
    }
    return restore(id, state, facts);
}

RestoreOutcome SnapshotStore::restoreFrom(const std::vector<std::string>& ids, ShopState& state,
                                          const StreamFacts& facts, std::string_view untilId)
{
    RestoreOutcome outcome;
    state.clear();
    error_.clear();
    const std::string newest = facts.lastGeneratedId.toString();
    for (const std::string& id : ids) {
        if (!untilId.empty() && idAfter(id, untilId))
            continue; // taken after the point asked for: not a candidate, not a fault
        const auto passOver = [&](const std::string& why) {
            outcome.warnings.push_back("snapshot " + id + " passed over: " + why);
            state.clear();
        };
        if (!facts.isStream() || idAfter(id, newest)) {
            passOver("it is after the stream's newest entry ("
                     + (facts.isStream() && !facts.lastGeneratedId.isZero() ? newest : std::string("the stream is empty"))
                     + ")");
            continue;
        }
        if (std::find(distrusted_.begin(), distrusted_.end(), id) != distrusted_.end()) {
            passOver("when it was used, the entries read after it did not add up to the stream's count: it is not "
                     "what it claims to be");
            continue;
        }
        // The header alone first: a huge or garbage blob is never read whole.
        SnapshotHeader header;
        std::size_t bytes = 0;
        std::string blob;
        std::string unusable = readHeader(id, header, bytes);
        if (unusable.empty() && !loadBlob(id, blob))
            unusable = error_;
        if (!connection_.isConnected()) {
            outcome.error = error_.empty() ? connection_.error() : error_;
            return outcome;
        }
        if (!unusable.empty()) {
            passOver(unusable);
            continue;
        }
        if (auto problem = decodeSnapshot(blob, stream_, state, &header); !problem.empty()) {
            passOver(problem);
            continue;
        }
        if (state.lastEventId != id) {
            passOver("it holds the state at " + state.lastEventId);
            continue;
        }
        bool unconfirmed = false;
        const std::string problem = identityProblem(header, facts, unconfirmed);
        if (!connection_.isConnected()) {
            outcome.error = error_;
            state.clear();
            return outcome;
        }
        if (!problem.empty()) {
            passOver(problem);
            continue;
        }
        if (unconfirmed)
            outcome.warnings.push_back(
                "snapshot " + id + " is used, but its own entry was trimmed away: that it belongs to this stream rests on "
                + (facts.countsKnown() ? std::string("the stream's counts alone (a stream deleted and written again whose "
                                                     "counts line up exactly could not be told apart)")
                                       : std::string("the ids alone (the server does not report entries-added: Redis "
                                                     "before 7)")));
        outcome.restored = true;
        outcome.snapshotId = id;
        return outcome;
    }
    state.clear();
    return outcome;
}

} // namespace shop::redis
