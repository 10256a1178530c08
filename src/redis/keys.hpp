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

} // namespace shop::redis
