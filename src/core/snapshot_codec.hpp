// The snapshot format (DESIGN section 5): a one-line JSON header (format, version, stream,
// last event id, counts, body size and checksum) followed by a JSON body with the state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

class ShopState;

inline constexpr std::string_view kSnapshotFormat = "shopstream-snapshot";
inline constexpr int kSnapshotVersion = 1;

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
};

std::string encodeSnapshot(const ShopState& state, std::string_view stream, std::int64_t createdMs);

// Reads only the header line. Returns an empty string on success, else what is wrong.
std::string decodeSnapshotHeader(std::string_view blob, SnapshotHeader& out);

// Verifies format, version, stream key, size and checksum without loading the body.
// Returns an empty string when all hold, else what is wrong.
std::string verifySnapshot(std::string_view blob, std::string_view expectedStream, SnapshotHeader* header = nullptr);

// Verifies as verifySnapshot, then loads the state. Returns an
// empty string on success, else the reason in words; `out` is cleared on failure.
std::string decodeSnapshot(std::string_view blob, std::string_view expectedStream, ShopState& out,
                           SnapshotHeader* header = nullptr);

std::string checksumHex(std::string_view bytes);

} // namespace shop
