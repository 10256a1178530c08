// Stream reads: XRANGE pages with exclusive starts, XREAD BLOCK at the head, XINFO STREAM.
// Entries are string_views into the reply the batch keeps, so a page of N entries costs one
// reply tree and one vector, nothing per entry.
#include "stream_reader.hpp"

#include <hiredis.h>

#include <charconv>

namespace shop::redis {

namespace {

constexpr int kBlockMarginMs = 1000; // socket timeout over an XREAD BLOCK time

// Decimal text of n in a caller-provided buffer (no allocation).
std::string_view toText(std::size_t n, char (&buffer)[24])
{
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
    (void)ec;
    return {buffer, static_cast<std::size_t>(end - buffer)};
}

bool isText(const redisReply* r) { return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS); }
std::string_view textOf(const redisReply* r) { return {r->str, r->len}; }

} // namespace

void EntryBatch::clear()
{
    entries.clear();
    reply = Reply();
}

StreamReader::StreamReader(Connection& connection, std::string stream)
    : connection_(connection), stream_(std::move(stream))
{
}

bool StreamReader::range(std::string_view afterId, std::size_t count, EntryBatch& out, std::string_view untilId)
{
    out.clear();
    if (count == 0)
        return true;
    std::string start = "-";
    if (!afterId.empty() && afterId != "0-0") {
        start.assign("(");
        start.append(afterId);
    }
    const std::string_view end = untilId.empty() ? std::string_view("+") : untilId;
    char countBuffer[24];
    Reply reply = connection_.command({"XRANGE", stream_, start, end, "COUNT", toText(count, countBuffer)});
    if (!reply) {
        error_ = connection_.error();
        return false;
    }
    if (reply.isError()) {
        error_ = "reading " + stream_ + " with XRANGE failed: " + std::string(reply.str());
        return false;
    }
    out.reply = std::move(reply);
    return parseEntries(ReplyView(out.reply.raw()), out);
}

bool StreamReader::readBlocking(std::string_view afterId, std::size_t count, int blockMs, EntryBatch& out)
{
    out.clear();
    if (afterId.empty())
        afterId = "0-0";
    if (blockMs < 0)
        blockMs = 0;
    // A socket timeout shorter than the block time would drop the connection mid-wait, so
    // it is raised for this one call when needed (BLOCK 0 waits forever: no timeout).
    const int timeout = connection_.commandTimeoutMs();
    const bool raise = timeout > 0 && (blockMs == 0 || blockMs + kBlockMarginMs > timeout);
    if (raise && !connection_.setCommandTimeout(blockMs == 0 ? 0 : blockMs + kBlockMarginMs)) {
        error_ = connection_.error();
        return false;
    }
    char countBuffer[24];
    char blockBuffer[24];
    Reply reply = connection_.command({"XREAD", "COUNT", toText(count == 0 ? 1 : count, countBuffer), "BLOCK",
                                       toText(static_cast<std::size_t>(blockMs), blockBuffer), "STREAMS", stream_,
                                       afterId});
    if (raise)
        connection_.setCommandTimeout(timeout);
    if (!reply) {
        error_ = connection_.error();
        return false;
    }
    if (reply.isError()) {
        error_ = "reading " + stream_ + " with XREAD failed: " + std::string(reply.str());
        return false;
    }
    if (reply.isNull())
        return true; // the block time passed with nothing new
    // [[stream, [entries...]]]
    const ReplyView streams(reply.raw());
    const ReplyView entries = streams[0][1];
    if (!entries.isArray()) {
        error_ = "unexpected XREAD reply shape for " + stream_;
        return false;
    }
    out.reply = std::move(reply);
    return parseEntries(entries, out);
}

bool StreamReader::parseEntries(ReplyView entries, EntryBatch& out)
{
    const redisReply* list = entries.raw();
    if (!list || list->type != REDIS_REPLY_ARRAY) {
        error_ = "unexpected reply shape while reading " + stream_ + " (expected a list of entries)";
        out.clear();
        return false;
    }
    out.entries.reserve(list->elements);
    for (std::size_t i = 0; i < list->elements; ++i) {
        const redisReply* e = list->element[i];
        if (!e || e->type != REDIS_REPLY_ARRAY || e->elements < 2 || !isText(e->element[0])) {
            error_ = "unexpected reply shape for an entry of " + stream_;
            out.clear();
            return false;
        }
        RawEntry& entry = out.entries.emplace_back();
        entry.id = textOf(e->element[0]);
        const redisReply* fields = e->element[1];
        // A nil field list (an entry deleted under a consumer group's feet) has no fields.
        if (!fields || fields->type != REDIS_REPLY_ARRAY)
            continue;
        for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
            const redisReply* name = fields->element[f];
            const redisReply* value = fields->element[f + 1];
            if (isText(name) && isText(value))
                entry.setField(textOf(name), textOf(value));
        }
    }
    return true;
}

bool StreamReader::info(StreamInfo& out)
{
    out = StreamInfo{};
    Reply reply = connection_.command({"XINFO", "STREAM", stream_});
    if (!reply) {
        error_ = connection_.error();
        return false;
    }
    if (reply.isError()) {
        if (reply.str().find("no such key") != std::string_view::npos)
            return true; // a stream nobody has written yet: exists = false
        error_ = "XINFO STREAM " + stream_ + " failed: " + std::string(reply.str());
        return false;
    }
    if (!reply.isArray()) {
        error_ = "unexpected XINFO STREAM reply shape for " + stream_;
        return false;
    }
    out.exists = true;
    const ReplyView fields(reply.raw());
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string_view name = fields[i].str();
        const ReplyView value = fields[i + 1];
        if (name == "length")
            out.length = value.integer();
        else if (name == "last-generated-id")
            out.lastId = std::string(value.str());
        else if (name == "entries-added")
            out.entriesAdded = value.integer();
        else if (name == "max-deleted-entry-id")
            out.maxDeletedId = std::string(value.str());
        else if (name == "first-entry" && value.isArray())
            out.firstId = std::string(value[0].str());
    }
    return true;
}

bool StreamReader::lastEntryId(std::string& out)
{
    out.clear();
    Reply reply = connection_.command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"});
    if (!reply) {
        error_ = connection_.error();
        return false;
    }
    if (reply.isError()) {
        error_ = "reading the last entry of " + stream_ + " failed: " + std::string(reply.str());
        return false;
    }
    if (reply.size() > 0)
        out = std::string(ReplyView(reply.raw())[0][0].str());
    return true;
}

} // namespace shop::redis
