// Reads a stream in batches: XRANGE with exclusive starts for catching up, XREAD BLOCK for
// following the head. Entries are views into the reply, which the batch owns.
#pragma once

#include "connection.hpp"
#include "core/entry.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct EntryBatch {
    FlatReply reply;               // owns the memory the entries point into
    std::vector<RawEntry> entries; // in stream order
    void clear();
};

struct StreamInfo {
    bool exists = false;
    std::int64_t length = 0;
    std::string firstId;  // empty when the stream is empty
    std::string lastId;   // last-generated-id ("0-0" when never written)
    std::int64_t entriesAdded = -1; // Redis 7+: all entries ever added; -1 if unknown
    std::string maxDeletedId;       // Redis 7+
};

class StreamReader {
public:
    StreamReader(Connection& connection, std::string stream);

    // Entries with id > afterId (afterId "0-0" or empty: from the start), at most `count`,
    // and at most up to `untilId` (inclusive) when it is not empty. False on error (error()).
    bool range(std::string_view afterId, std::size_t count, EntryBatch& out, std::string_view untilId = {});
    // The same in two halves, so the next page can be asked for before this one is applied
    // (Redis prepares it meanwhile): requestRange sends, receiveRange reads, in order.
    bool requestRange(std::string_view afterId, std::size_t count, std::string_view untilId = {});
    bool receiveRange(EntryBatch& out);
    // XREAD BLOCK blockMs COUNT count STREAMS stream afterId. An empty batch means the
    // block time passed with nothing new.
    bool readBlocking(std::string_view afterId, std::size_t count, int blockMs, EntryBatch& out);
    bool info(StreamInfo& out);
    // The id of the newest entry, empty for an empty or missing stream.
    bool lastEntryId(std::string& out);

    const std::string& error() const { return error_; }
    const std::string& stream() const { return stream_; }

private:
    bool parseEntries(std::uint32_t entriesNode, EntryBatch& out);

    Connection& connection_;
    std::string stream_;
    std::string error_;
};

} // namespace shop::redis
