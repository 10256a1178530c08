// Deciding a stream's format from its newest entries.
#include "stream_format.hpp"

namespace shop {

StreamFormatReport classifyStreamFormat(std::span<const RawEntry> newestFirst)
{
    StreamFormatReport report;
    report.sampled = newestFirst.size();
    if (newestFirst.empty())
        return report; // a new stream is native
    report.newestId.assign(newestFirst.front().id);
    for (const RawEntry& entry : newestFirst) {
        if (entryFormat(entry) == EntryFormat::Legacy)
            ++report.legacy;
    }
    report.appendAs = entryFormat(newestFirst.front());
    if (report.legacy == 0)
        report.format = StreamFormat::Native;
    else if (report.legacy == report.sampled)
        report.format = StreamFormat::Legacy;
    else
        report.format = StreamFormat::Mixed;
    return report;
}

std::string_view streamFormatName(StreamFormat format)
{
    switch (format) {
    case StreamFormat::Native:
        return "native";
    case StreamFormat::Legacy:
        return "legacy";
    case StreamFormat::Mixed:
        return "mixed";
    }
    return "native";
}

std::string_view entryFormatName(EntryFormat format) { return format == EntryFormat::Legacy ? "legacy" : "native"; }

std::string describeStreamFormat(const StreamFormatReport& report, std::string_view stream)
{
    const std::string name(stream);
    if (report.sampled == 0)
        return name + " is empty: appends are in the native format";
    switch (report.format) {
    case StreamFormat::Native:
        return name + " is in the native format";
    case StreamFormat::Legacy:
        return name + " is in the original demo's format";
    case StreamFormat::Mixed:
        break;
    }
    return name + " holds both formats (" + std::to_string(report.legacy) + " of its newest "
           + std::to_string(report.sampled) + " entries are in the original demo's format); its newest entry, "
           + report.newestId + ", is "
           + (report.appendAs == EntryFormat::Legacy ? "in the original demo's format" : "native")
           + ", so appends take that format";
}

} // namespace shop
