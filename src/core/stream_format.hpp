// Which format a stream is in, judged from its newest entries (DESIGN section 4: appends
// follow the stream's format). An entry is the original demo's (legacy) when it has no `v`
// and its data does not start with '{' (DESIGN section 3); an empty or missing stream is
// native, the format of new streams; a stream with both takes its newest entry's format.
#pragma once

#include "entry.hpp"
#include "entry_decoder.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace shop {

enum class StreamFormat : std::uint8_t { Native, Legacy, Mixed };

// How many of the newest entries are looked at.
inline constexpr std::size_t kStreamFormatSample = 10;

struct StreamFormatReport {
    StreamFormat format = StreamFormat::Native;
    EntryFormat appendAs = EntryFormat::Native; // what appends are written in
    std::size_t sampled = 0;                     // entries looked at; 0: an empty or missing stream
    std::size_t legacy = 0;                      // of which in the original demo's format
    std::string newestId;                        // empty when the stream is empty
};

// `newestFirst`: the stream's newest entries, newest first (XREVRANGE + - COUNT n).
StreamFormatReport classifyStreamFormat(std::span<const RawEntry> newestFirst);

// "native", "legacy", "mixed".
std::string_view streamFormatName(StreamFormat format);
// "native", "legacy".
std::string_view entryFormatName(EntryFormat format);

// One sentence for people: which format the stream is in, and for a mixed one which format
// its newest entry has, so appends take it.
std::string describeStreamFormat(const StreamFormatReport& report, std::string_view stream);

} // namespace shop
