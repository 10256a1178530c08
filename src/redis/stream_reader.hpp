// Reads a stream in batches: XRANGE with exclusive starts for catching up, XREAD BLOCK for
// following the head. Entries are views into the reply, which the batch owns.
#pragma once

#include "connection.hpp"
#include "core/entry.hpp"
#include "core/stream_continuity.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop::redis {

struct EntryBatch {
    FlatReply reply;               // owns the memory the entries point into
    std::vector<RawEntry> entries; // in stream order
    void clear();
};

// A page of entries and what Redis said about the stream when it was read.
struct StreamPage {
    EntryBatch batch;
    StreamFacts facts;
    bool atomic = false;   // facts and entries come from one MULTI/EXEC: nothing happened between
    bool complete = false; // fewer entries than asked for: everything up to the end asked for was read
    std::size_t bytes() const { return batch.reply.arenaBytes(); }
};

class StreamReader {
public:
    StreamReader(Connection& connection, std::string stream);

    // Entries with id > afterId (afterId "0-0" or empty: from the start), at most `count`,
    // and at most up to `untilId` (inclusive) when it is not empty. False on error (error()).
    bool range(std::string_view afterId, std::size_t count, EntryBatch& out, std::string_view untilId = {});
    // A page read with the stream's facts, atomically when the server lets this user run
    // MULTI (and the facts through a read-only script, so that no entry bodies come with
    // them; XINFO STREAM otherwise). In two halves, so the next page can be asked for before
    // this one is applied (Redis prepares it meanwhile): requestPage sends, receivePage reads,
    // in order.
    bool requestPage(std::string_view afterId, std::size_t count, std::string_view untilId = {});
    bool receivePage(StreamPage& out);
    // XREAD BLOCK blockMs COUNT count STREAMS stream afterId. An empty batch means the
    // block time passed with nothing new.
    bool readBlocking(std::string_view afterId, std::size_t count, int blockMs, EntryBatch& out);
    // What Redis says about the stream now (exists, type, length, entries-added, ids).
    bool facts(StreamFacts& out);
    // The id of the newest entry, empty for an empty or missing stream.
    bool lastEntryId(std::string& out);
    // The entry with exactly this id (XRANGE id id): out.entries is empty when there is none.
    bool entry(std::string_view id, EntryBatch& out);

    const std::string& error() const { return error_; }
    const std::string& stream() const { return stream_; }

    // What this server lets the reader use, found out on the first page and kept.
    bool atomicPages() const { return multi_ != Permission::Refused; }
    bool factsFromScript() const { return script_ != Permission::Refused; }

private:
    enum class Permission : std::uint8_t { Unknown, Granted, Refused };
    enum class Received : std::uint8_t { Page, Failed, AskAgain };
    struct Request {
        std::string start = "-";
        std::string end = "+";
        std::size_t count = 1;
        bool multi = false;  // sent inside MULTI/EXEC
        bool script = false; // facts asked for with the script (else XINFO STREAM)
    };

    bool sendFacts();
    bool sendPage(Request request);
    Received receiveOnce(StreamPage& out, const Request& request);
    bool parseEntries(std::uint32_t entriesNode, EntryBatch& out);
    bool parseFacts(const FlatReply& reply, std::uint32_t node, bool fromScript, StreamFacts& out);
    bool applyFactsError(const std::string& text, StreamFacts& out);

    Connection& connection_;
    std::string stream_;
    std::string error_;
    Permission multi_ = Permission::Unknown;
    Permission script_ = Permission::Unknown;
    std::optional<Request> pending_; // the page asked for and not yet received (one at most)
    FlatReply scratch_;              // replies of MULTI and QUEUED, and of the facts outside MULTI
};

} // namespace shop::redis
