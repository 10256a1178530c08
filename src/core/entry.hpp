// A stream entry as read from Redis: its id and the fields shopstream looks at.
// Views point into storage owned by the caller (a reply, or a test's strings).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shop {

struct RawEntry {
    std::string_view id;
    std::optional<std::string_view> type;
    std::optional<std::string_view> data;
    std::optional<std::string_view> v;
    std::optional<std::string_view> eid;
    std::optional<std::string_view> actor;

    // Records a field by name; a field seen twice keeps its last value. Others are ignored.
    void setField(std::string_view name, std::string_view value);
};

// A 64-bit fingerprint (FNV-1a) of the entry's id and the fields shopstream reads, so that a
// snapshot can tell the entry it was taken at from another one with the same id (a stream
// that was deleted and written again).
std::uint64_t entryFingerprint(const RawEntry& entry);

} // namespace shop
