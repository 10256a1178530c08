// Stream appends. append() is idempotent by eid: one Lua script checks S:eid:<uuid>, XADDs
// only when it is new and records the id for 24 h, so a client that retries after a lost
// reply gets the first entry's id back instead of a second entry. appendBatch() is plain
// pipelined XADD for the simulator and benchmarks.
#include "stream_writer.hpp"

#include "keys.hpp"
#include "server_facts.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace shop::redis {

namespace {

// KEYS[1] stream, KEYS[2] eid key; ARGV: type, data, eid, actor, ttl seconds, legacy ("1":
// only type and data, as the original demo wrote them). Returns {id, 1 if it was there}.
constexpr std::string_view kAppendScript = R"lua(
local id = redis.call('GET', KEYS[2])
if id then return {id, 1} end
if ARGV[6] == '1' then
  id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[1], 'data', ARGV[2])
else
  id = redis.call('XADD', KEYS[1], '*', 'type', ARGV[1], 'data', ARGV[2], 'v', '1', 'eid', ARGV[3], 'actor', ARGV[4])
end
redis.call('SET', KEYS[2], id, 'EX', tonumber(ARGV[5]))
return {id, 0}
)lua";

// Redis's words without the "script: <sha>, on @user_script:1." that a refusal inside the
// append script carries: it tells a user nothing.
std::string_view withoutScriptSuffix(std::string_view text)
{
    const std::size_t at = text.find(" script: ");
    return at == std::string_view::npos ? text : text.substr(0, at);
}

} // namespace

// A Redis error reply on a write, in words: what the user can do about it, then Redis's text.
std::string StreamWriter::describeWriteError(ErrorKind kind, std::string_view text)
{
    const std::string quoted = " (" + std::string(withoutScriptSuffix(text)) + ")";
    switch (kind) {
    case ErrorKind::PermissionDenied:
        return "the server does not permit writing to " + stream_ + " for this user" + quoted;
    case ErrorKind::ReadOnlyReplica:
        return "the server is a read-only replica and cannot take writes to " + stream_ + quoted;
    case ErrorKind::OutOfMemory:
        return "redis is out of memory (maxmemory) and refused to write to " + stream_ + quoted;
    case ErrorKind::PasswordRequired:
        return "the server requires a password before writing to " + stream_ + quoted;
    case ErrorKind::WrongType:
        return "the key " + stream_ + " exists but is not a stream" + quoted;
    case ErrorKind::NoHashTag: // our own refusal: its words are the advice
        return std::string(text.substr(text.find(' ') + 1));
    case ErrorKind::Misconf:
        return describeDiskRefusal(connection_, withoutScriptSuffix(text)); // the same sentence as at connect
    default:
        return "writing to " + stream_ + " failed" + quoted;
    }
}

void StreamWriter::failWith(const Reply& reply)
{
    errorKind_ = reply.errorKind();
    error_ = describeWriteError(errorKind_, reply.str());
}

void StreamWriter::failWithConnection()
{
    errorKind_ = connection_.errorKind();
    error_ = connection_.error();
}

StreamWriter::StreamWriter(Connection& connection, std::string stream)
    : connection_(connection), stream_(std::move(stream))
{
}

std::string StreamWriter::newEid()
{
    thread_local std::mt19937_64 engine = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
        return std::mt19937_64(seed);
    }();
    std::uint64_t hi = engine();
    std::uint64_t lo = engine();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL; // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; // variant 10
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(36, '-');
    std::size_t pos = 0;
    auto put = [&](std::uint64_t value, int nibbles, int shift) {
        for (int i = 0; i < nibbles; ++i) {
            if (pos == 8 || pos == 13 || pos == 18 || pos == 23)
                ++pos;
            out[pos++] = kHex[(value >> (shift - 4 * i)) & 0xF];
        }
    };
    put(hi, 16, 60);
    put(lo, 16, 60);
    return out;
}

bool StreamWriter::loadScript()
{
    Reply reply = connection_.command({"SCRIPT", "LOAD", kAppendScript});
    if (!reply) {
        failWithConnection();
        return false;
    }
    if (reply.isError()) {
        failWith(reply);
        return false;
    }
    if (!reply.isString()) {
        errorKind_ = ErrorKind::Other;
        error_ = describeWriteError(errorKind_, "SCRIPT LOAD gave no sha");
        return false;
    }
    scriptSha_ = std::string(reply.str());
    return true;
}

bool StreamWriter::detectFormat(StreamFormatReport& out)
{
    error_.clear();
    errorKind_ = ErrorKind::None;
    const std::string count = std::to_string(kStreamFormatSample);
    const Reply reply = connection_.command({"XREVRANGE", stream_, "+", "-", "COUNT", count});
    if (!reply) {
        failWithConnection();
        return false;
    }
    if (reply.isError()) {
        errorKind_ = reply.errorKind();
        error_ = reply.errorKind() == ErrorKind::WrongType
                     ? "the key " + stream_ + " exists but is not a stream (" + std::string(reply.str()) + ")"
                     : "reading the newest entries of " + stream_ + " failed (" + std::string(reply.str()) + ")";
        return false;
    }
    // The entries are views into the reply, which lives until the report is made.
    std::vector<RawEntry> entries;
    const ReplyView list(reply.raw());
    entries.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        RawEntry entry;
        entry.id = list[i][0].str();
        const ReplyView fields = list[i][1];
        for (std::size_t f = 0; f + 1 < fields.size(); f += 2)
            entry.setField(fields[f].str(), fields[f + 1].str());
        entries.push_back(entry);
    }
    out = classifyStreamFormat(entries);
    return true;
}

AppendResult StreamWriter::append(const AppendRequest& request)
{
    AppendResult result;
    error_.clear();
    errorKind_ = ErrorKind::None;
    const auto failed = [&] {
        result.error = error_;
        result.kind = errorKind_;
        return result;
    };
    if (scriptSha_.empty() && !loadScript())
        return failed();
    const std::string eid = request.eid.empty() ? newEid() : request.eid;
    const std::string key = eidKey(stream_, eid);
    char ttl[16];
    const auto ttlEnd = std::to_chars(ttl, ttl + sizeof ttl, kEidTtlSeconds).ptr;
    const std::string_view ttlText(ttl, static_cast<std::size_t>(ttlEnd - ttl));

    Reply reply;
    // Once more after NOSCRIPT: the server restarted or someone ran SCRIPT FLUSH.
    for (int attempt = 0; attempt < 2; ++attempt) {
        reply = connection_.command({"EVALSHA", scriptSha_, "2", stream_, key, request.type, request.data, eid,
                                     request.actor, ttlText, request.legacy ? "1" : "0"});
        if (reply.errorKind() != ErrorKind::NoScript || attempt == 1)
            break;
        if (!loadScript())
            return failed();
    }
    if (!reply) {
        failWithConnection();
        return failed();
    }
    if (reply.isError()) {
        failWith(reply);
        return failed();
    }
    const ReplyView pair(reply.raw());
    if (!pair.isArray() || pair.size() != 2 || !pair[0].isString()) {
        errorKind_ = ErrorKind::Other;
        error_ = "unexpected reply from the append script for " + stream_;
        return failed();
    }
    result.ok = true;
    result.id = std::string(pair[0].str());
    result.duplicate = pair[1].integer() == 1;
    if (waitReplicas_ > 0) {
        // A retry waits too: the first append may not have reached the replicas yet.
        const Reply confirmed = connection_.command({"WAIT", std::to_string(waitReplicas_), std::to_string(waitTimeoutMs_)});
        result.replicasConfirmed = confirmed && confirmed.isInteger() ? int(confirmed.integer()) : 0;
    }
    return result;
}

std::string StreamWriter::unconfirmed(const AppendResult& result) const
{
    if (!result.ok || result.replicasConfirmed < 0 || result.replicasConfirmed >= waitReplicas_)
        return {};
    return "not confirmed on " + std::to_string(waitReplicas_) + (waitReplicas_ == 1 ? " replica" : " replicas") + " within "
           + std::to_string(waitTimeoutMs_) + " ms (WAIT answered " + std::to_string(result.replicasConfirmed)
           + "): a failover now could lose it";
}

std::size_t StreamWriter::appendBatch(const std::vector<AppendRequest>& requests, std::size_t pipeline)
{
    if (pipeline == 0)
        pipeline = 1;
    std::size_t written = 0;
    bool failed = false;
    error_.clear();
    errorKind_ = ErrorKind::None;
    for (std::size_t begin = 0; begin < requests.size() && !failed; begin += pipeline) {
        const std::size_t end = std::min(requests.size(), begin + pipeline);
        std::size_t sent = 0;
        for (std::size_t i = begin; i < end; ++i) {
            const AppendRequest& r = requests[i];
            bool ok;
            if (r.legacy) {
                ok = connection_.append({"XADD", stream_, "*", "type", r.type, "data", r.data});
            } else {
                // hiredis copies the command into its buffer here, so a temporary eid is fine.
                const std::string eid = r.eid.empty() ? newEid() : r.eid;
                ok = connection_.append(
                    {"XADD", stream_, "*", "type", r.type, "data", r.data, "v", "1", "eid", eid, "actor", r.actor});
            }
            if (!ok) {
                failWithConnection();
                return written;
            }
            ++sent;
        }
        // Read every reply of this round trip, even after an error, so the connection stays
        // in step; commands after a failed one may still have been applied, and are counted.
        // The first error is put in words only then: that may ask the server (MISCONF).
        Reply firstError;
        for (std::size_t i = 0; i < sent; ++i) {
            Reply reply = connection_.getReply();
            if (!reply) {
                failWithConnection();
                return written;
            }
            if (!reply.isError())
                ++written;
            else if (!failed && !firstError)
                firstError = std::move(reply);
        }
        if (firstError) {
            failWith(firstError);
            failed = true;
        }
    }
    return written;
}

} // namespace shop::redis
