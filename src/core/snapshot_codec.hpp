// The snapshot format (DESIGN section 5): a one-line JSON header (format, version, stream,
// the last entry and where it stands in the stream, counts, body size and checksum) followed
// by a JSON body with the state. A snapshot is trusted for its content, not its checksum
// alone: decoding checks every row against the ranges of DESIGN sections 2 and 3 and the
// counts against each other; checkSnapshotIdentity() checks it against the stream.
#pragma once

#include "stream_continuity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shop {

class ShopState;

inline constexpr std::string_view kSnapshotFormat = "shopstream-snapshot";
// 2: the header records the stream's identity at the last entry (entriesAdded, skipped,
// lastEntry). Version 1 snapshots carry no identity and are passed over.
inline constexpr int kSnapshotVersion = 2;
// A header line longer than this is not ours: a listing reads only this much of a blob.
inline constexpr std::size_t kMaxSnapshotHeaderBytes = 64 * 1024;
// A larger blob is refused without being read whole (about 8M users' worth).
inline constexpr std::uint64_t kMaxSnapshotBytes = 512ULL * 1024 * 1024;

struct SnapshotHeader {
    std::string format;
    int version = 0;
    std::string stream;
    std::string lastEventId;
    std::int64_t total = 0;
    std::int64_t applied = 0;
    std::int64_t rejected = 0;
    std::int64_t users = 0;
    std::int64_t items = 0;
    std::uint64_t bodyBytes = 0;
    std::string checksum; // hex FNV-1a 64 of the body
    std::int64_t createdMs = 0; // wall clock when taken (informational)
    // Where the snapshot stands in its stream (version 2):
    std::int64_t entriesAdded = 0;        // the stream's entries-added at lastEventId (total + skipped)
    std::int64_t skipped = 0;             // entries lost before it that the user chose to go on without
    std::uint64_t lastEntryFingerprint = 0; // entryFingerprint() of the entry at lastEventId
};

std::string encodeSnapshot(const ShopState& state, std::string_view stream, std::int64_t createdMs);

// Reads only the header line (the blob may be just its first kMaxSnapshotHeaderBytes).
// Returns an empty string on success, else what is wrong.
std::string decodeSnapshotHeader(std::string_view blob, SnapshotHeader& out);

// What the header alone can tell, for a blob of `blobBytes` bytes in all: format, version,
// stream key, a body size within the limit and matching the blob, and counts that agree
// with each other. Returns an empty string when all hold, else what is wrong.
std::string checkSnapshotHeader(const SnapshotHeader& header, std::string_view expectedStream, std::uint64_t blobBytes);

// checkSnapshotHeader, then the body's size and checksum, without loading the body.
// Returns an empty string when all hold, else what is wrong.
std::string verifySnapshot(std::string_view blob, std::string_view expectedStream, SnapshotHeader* header = nullptr);

// Verifies as verifySnapshot, then loads the state, checking every row (ids, names, money,
// stock and counts within the ranges of DESIGN sections 2 and 3, no id twice) and the totals
// against each other. Returns an empty string on success, else the reason in words; `out` is
// cleared on failure.
std::string decodeSnapshot(std::string_view blob, std::string_view expectedStream, ShopState& out,
                           SnapshotHeader* header = nullptr);

// Whether a snapshot belongs to the stream as it is now (DESIGN section 5). `entryAtId` is
// the fingerprint of the stream's entry at the snapshot's lastEventId, or none when the
// stream has no such entry. Fits: usable (continuity intact after it); Foreign: taken from
// another incarnation of the stream (deleted and written again, flushed, rewound), `why`
// says how it was told; Gap: it is the stream's, but entries after it are gone (`gap`).
struct SnapshotIdentity {
    enum class Kind : std::uint8_t { Fits, Foreign, Gap };
    Kind kind = Kind::Fits;
    std::string why;
    Continuity gap;
    bool unconfirmed = false; // Fits, but its own entry is gone (trimmed): it rests on the counts alone
                              // (on the ids alone when the counts are unknown, Redis < 7)
};
SnapshotIdentity checkSnapshotIdentity(const SnapshotHeader& header, const StreamFacts& facts,
                                       std::optional<std::uint64_t> entryAtId);

std::string checksumHex(std::string_view bytes);

} // namespace shop
