// The Redis keys derived from a stream key (DESIGN section 4). A {hash tag} in the stream
// key is kept, so all of them land in one Cluster slot.
#pragma once

#include <string>
#include <string_view>

namespace shop::redis {

inline std::string snapshotIndexKey(std::string_view stream) { return std::string(stream) + ":snapshots"; }
inline std::string snapshotKey(std::string_view stream, std::string_view lastEventId)
{
    return std::string(stream) + ":snapshot:" + std::string(lastEventId);
}
inline std::string eidKey(std::string_view stream, std::string_view eid) { return std::string(stream) + ":eid:" + std::string(eid); }

inline constexpr std::string_view kDefaultStream = "shop:events";

// Redis Cluster's rule: the text between the first '{' and the first '}' after it, when
// that is not empty, is what decides the slot ("" when the key has no such tag).
std::string_view hashTag(std::string_view key);
// The Redis Cluster slot of a key (0..16383): CRC16 (XMODEM) of its hash tag, or of the
// whole key when it has none.
int keySlot(std::string_view key);

// In a cluster, writing to a stream needs all its keys in one slot: the words that say so
// and how to name the stream ("" when `stream` has a hash tag).
std::string hashTagAdvice(std::string_view stream);

} // namespace shop::redis
