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


} // namespace

void EntryBatch::clear()
{
    entries.clear();
    reply.clear();
}

StreamReader::StreamReader(Connection& connection, std::string stream)
    : connection_(connection), stream_(std::move(stream))
{
}

bool StreamReader::range(std::string_view afterId, std::size_t count, EntryBatch& out, std::string_view untilId)
{
    out.entries.clear();
    if (count == 0)
        return true;
    return requestRange(afterId, count, untilId) && receiveRange(out);
}

bool StreamReader::requestRange(std::string_view afterId, std::size_t count, std::string_view untilId)
{
    std::string start = "-";
    if (!afterId.empty() && afterId != "0-0") {
        start.assign("(");
        start.append(afterId);
    }
    const std::string_view end = untilId.empty() ? std::string_view("+") : untilId;
    char countBuffer[24];
    if (!connection_.send({"XRANGE", stream_, start, end, "COUNT", toText(count == 0 ? 1 : count, countBuffer)})) {
        error_ = connection_.error();
        return false;
    }
    return true;
}

bool StreamReader::receiveRange(EntryBatch& out)
{
    out.entries.clear();
    if (!connection_.readFlat(out.reply)) {
        error_ = connection_.error();
        return false;
    }
    const FlatReply::Node& root = out.reply.root();
    if (root.type == FlatReply::Type::Error) {
        error_ = "reading " + stream_ + " with XRANGE failed: " + std::string(out.reply.text(root));
        return false;
    }
    return parseEntries(0, out);
}

bool StreamReader::readBlocking(std::string_view afterId, std::size_t count, int blockMs, EntryBatch& out)
{
    out.entries.clear();
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
    const bool sent = connection_.send({"XREAD", "COUNT", toText(count == 0 ? 1 : count, countBuffer), "BLOCK",
                                        toText(static_cast<std::size_t>(blockMs), blockBuffer), "STREAMS", stream_, afterId});
    const bool read = sent && connection_.readFlat(out.reply);
    if (raise && connection_.isConnected())
        connection_.setCommandTimeout(timeout);
    if (!read) {
        error_ = connection_.error();
        return false;
    }
    const FlatReply& r = out.reply;
    const FlatReply::Node& root = r.root();
    if (root.type == FlatReply::Type::Error) {
        error_ = "reading " + stream_ + " with XREAD failed: " + std::string(r.text(root));
        return false;
    }
    if (root.type == FlatReply::Type::Nil)
        return true; // the block time passed with nothing new
    // [[stream, [entries...]]]
    if (root.type != FlatReply::Type::Array || root.length < 1) {
        error_ = "unexpected XREAD reply shape for " + stream_;
        return false;
    }
    const FlatReply::Node& pair = r.node(r.child(root, 0));
    if (pair.type != FlatReply::Type::Array || pair.length < 2) {
        error_ = "unexpected XREAD reply shape for " + stream_;
        return false;
    }
    return parseEntries(r.child(pair, 1), out);
}

bool StreamReader::parseEntries(std::uint32_t entriesNode, EntryBatch& out)
{
    const FlatReply& r = out.reply;
    const FlatReply::Node& list = r.node(entriesNode);
    if (list.type != FlatReply::Type::Array) {
        error_ = "unexpected reply shape while reading " + stream_ + " (expected a list of entries)";
        out.entries.clear();
        return false;
    }
    const auto isText = [](const FlatReply::Node& n) {
        return n.type == FlatReply::Type::String || n.type == FlatReply::Type::Status;
    };
    out.entries.reserve(list.length);
    for (std::uint32_t i = 0; i < list.length; ++i) {
        const FlatReply::Node& e = r.node(r.child(list, i));
        if (e.type != FlatReply::Type::Array || e.length < 2 || !isText(r.node(r.child(e, 0)))) {
            error_ = "unexpected reply shape for an entry of " + stream_;
            out.entries.clear();
            return false;
        }
        RawEntry& entry = out.entries.emplace_back();
        entry.id = r.text(r.node(r.child(e, 0)));
        const FlatReply::Node& fields = r.node(r.child(e, 1));
        // A nil field list (an entry deleted under a consumer group's feet) has no fields.
        if (fields.type != FlatReply::Type::Array)
            continue;
        for (std::uint32_t f = 0; f + 1 < fields.length; f += 2) {
            const FlatReply::Node& name = r.node(r.child(fields, f));
            const FlatReply::Node& value = r.node(r.child(fields, f + 1));
            if (isText(name) && isText(value))
                entry.setField(r.text(name), r.text(value));
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
