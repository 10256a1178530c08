// Appends to a stream: one idempotent append by eid through a Lua script (EVALSHA, loaded
// once; the id of the first append comes back on a retry), and pipelined batches of plain
// XADDs for the simulator. It also tells which format the stream is in: appends to the
// original demo's stream must be in its format.
#pragma once

#include "connection.hpp"
#include "core/stream_format.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct AppendRequest {
    std::string type;
    std::string data;  // JSON text (or MessagePack for legacy entries)
    std::string eid;   // empty: a new UUID is made
    std::string actor; // who issued it
    bool legacy = false; // write only `type` and `data`, as the original demo did
};

struct AppendResult {
    bool ok = false;
    bool duplicate = false; // the eid had been appended before; id is that first entry's
    std::string id;
    std::string error;
    ErrorKind kind = ErrorKind::None; // why it failed (PermissionDenied: a read-only ACL user)
    // With setWaitReplicas(n): how many replicas WAIT confirmed (-1: not asked). ok and id
    // stay those of the append; fewer than n means written, but not confirmed.
    int replicasConfirmed = -1;
};

class StreamWriter {
public:
    StreamWriter(Connection& connection, std::string stream);

    // Idempotent append (native format: type, data, v=1, eid, actor; legacy: type and data,
    // the eid record kept beside the stream all the same).
    AppendResult append(const AppendRequest& request);
    // After each append, WAIT for `replicas` replicas (0: don't), at most `timeoutMs`.
    void setWaitReplicas(int replicas, int timeoutMs)
    {
        waitReplicas_ = replicas;
        waitTimeoutMs_ = timeoutMs;
    }
    // An append that WAIT did not confirm on enough replicas, in words: "not confirmed on
    // 1 replica within 1000 ms (WAIT answered 0): a failover now could lose it"; "" when it
    // was confirmed, or not asked.
    std::string unconfirmed(const AppendResult& result) const;
    // The stream's format from its newest kStreamFormatSample entries (XREVRANGE); a missing
    // stream is native. False on error (error(), errorKind(): WrongType for another type).
    bool detectFormat(StreamFormatReport& out);
    // Pipelined XADDs of native (or legacy) entries, `pipeline` per round trip; eids are
    // generated, no idempotency record is kept. Returns the number written; error() on failure.
    std::size_t appendBatch(const std::vector<AppendRequest>& requests, std::size_t pipeline = 1000);

    const std::string& error() const { return error_; }
    ErrorKind errorKind() const { return errorKind_; }

    static std::string newEid(); // random UUID v4 text
    static constexpr int kEidTtlSeconds = 24 * 3600;

private:
    bool loadScript();
    std::string describeWriteError(ErrorKind kind, std::string_view text); // may ask the server (CONFIG GET dir)
    void failWith(const Reply& reply); // a Redis error reply
    void failWithConnection();         // an I/O error of the connection

    Connection& connection_;
    std::string stream_;
    std::string scriptSha_;
    int waitReplicas_ = 0;
    int waitTimeoutMs_ = 1000;
    std::string error_;
    ErrorKind errorKind_ = ErrorKind::None;
};

} // namespace shop::redis
