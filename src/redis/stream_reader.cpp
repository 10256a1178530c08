// Stream reads: XRANGE pages with exclusive starts, XREAD BLOCK at the head, XINFO STREAM.
// Entries are string_views into the reply the batch keeps, so a page of N entries costs one
// reply tree and one vector, nothing per entry.
#include "stream_reader.hpp"

#include <hiredis.h>

#include <charconv>
#include <optional>

namespace shop::redis {

namespace {

constexpr int kBlockMarginMs = 1000; // socket timeout over an XREAD BLOCK time

// The stream's facts without the entry bodies XINFO STREAM brings along (a stream of huge
// entries would send two of them with every page). Read-only (EVAL_RO), so it runs on
// replicas and for users without write rights; a user without scripting gets XINFO.
constexpr std::string_view kFactsScript = R"lua(
local t = redis.call('TYPE', KEYS[1])['ok']
if t ~= 'stream' then return {t} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local out = {t, 0, -1, '0-0', '0-0', '0-0'}
for i = 1, #info, 2 do
  local k = info[i]
  if k == 'length' then out[2] = info[i + 1]
  elseif k == 'entries-added' then out[3] = info[i + 1]
  elseif k == 'recorded-first-entry-id' then out[4] = info[i + 1]
  elseif k == 'last-generated-id' then out[5] = info[i + 1]
  elseif k == 'max-deleted-entry-id' then out[6] = info[i + 1]
  end
end
return out
)lua";

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
    std::string start = "-";
    if (!afterId.empty() && afterId != "0-0") {
        start.assign("(");
        start.append(afterId);
    }
    const std::string_view end = untilId.empty() ? std::string_view("+") : untilId;
    char countBuffer[24];
    if (!connection_.send({"XRANGE", stream_, start, end, "COUNT", toText(count, countBuffer)})
        || !connection_.readFlat(out.reply)) {
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

bool StreamReader::sendFacts()
{
    if (script_ != Permission::Refused)
        return connection_.send({"EVAL_RO", kFactsScript, "1", stream_});
    return connection_.send({"XINFO", "STREAM", stream_});
}

bool StreamReader::requestPage(std::string_view afterId, std::size_t count, std::string_view untilId)
{
    if (pending_) {
        error_ = "a page of " + stream_ + " is already asked for";
        return false;
    }
    Request request;
    request.count = count == 0 ? 1 : count;
    if (!afterId.empty() && afterId != "0-0")
        request.start = "(" + std::string(afterId);
    if (!untilId.empty())
        request.end = std::string(untilId);
    return sendPage(request);
}

bool StreamReader::sendPage(Request request)
{
    request.multi = multi_ != Permission::Refused;
    request.script = script_ != Permission::Refused;
    char countBuffer[24];
    const bool sent = (!request.multi || connection_.send({"MULTI"})) && sendFacts()
                      && connection_.send({"XRANGE", stream_, request.start, request.end, "COUNT",
                                           toText(request.count, countBuffer)})
                      && (!request.multi || connection_.send({"EXEC"}));
    if (!sent) {
        error_ = connection_.error();
        pending_.reset();
        return false;
    }
    pending_ = std::move(request);
    return true;
}

bool StreamReader::receivePage(StreamPage& out)
{
    for (;;) {
        out.batch.entries.clear();
        out.facts = StreamFacts{};
        out.atomic = false;
        out.complete = false;
        if (!pending_) {
            error_ = "no page of " + stream_ + " was asked for";
            return false;
        }
        Request request = std::move(*pending_);
        pending_.reset();
        switch (receiveOnce(out, request)) {
        case Received::Page:
            return true;
        case Received::Failed:
            return false;
        case Received::AskAgain:
            // The server refused MULTI or the script: the same page, the other way.
            if (!sendPage(std::move(request)))
                return false;
            continue;
        }
    }
}

StreamReader::Received StreamReader::receiveOnce(StreamPage& out, const Request& request)
{
    const auto ioFailed = [this] {
        error_ = connection_.error();
        return Received::Failed;
    };
    const auto errorText = [](const FlatReply& r, std::uint32_t node = 0) -> std::optional<std::string> {
        if (r.node(node).type != FlatReply::Type::Error)
            return std::nullopt;
        return std::string(r.text(r.node(node)));
    };
    // A refusal that another way around can avoid: no permission, or a server too old for EVAL_RO.
    const auto refused = [](const std::optional<std::string>& text) {
        return text
               && (text->starts_with("NOPERM") || text->starts_with("ERR unknown command")
                   || text->find("can't run this command") != std::string::npos);
    };
    std::optional<std::string> factsError;
    std::uint32_t factsNode = 0, entriesNode = 0;
    const FlatReply* factsReply = &scratch_;
    if (request.multi) {
        // MULTI's reply, QUEUED (or an error) for the facts and for XRANGE, then EXEC's.
        if (!connection_.readFlat(scratch_))
            return ioFailed();
        const auto multiError = errorText(scratch_);
        std::optional<std::string> rangeError;
        if (!connection_.readFlat(scratch_))
            return ioFailed();
        factsError = errorText(scratch_);
        if (multiError) {
            // The commands ran at once; EXEC answers "without MULTI". Read it all, ask again.
            if (!connection_.readFlat(out.batch.reply) || !connection_.readFlat(scratch_))
                return ioFailed();
            multi_ = Permission::Refused;
            return Received::AskAgain;
        }
        if (!connection_.readFlat(scratch_))
            return ioFailed();
        rangeError = errorText(scratch_);
        if (!connection_.readFlat(out.batch.reply)) // EXEC
            return ioFailed();
        multi_ = Permission::Granted;
        if (request.script && refused(factsError)) {
            script_ = Permission::Refused; // the transaction was discarded: nothing ran
            return Received::AskAgain;
        }
        if (factsError || rangeError) {
            error_ = "reading " + stream_ + " failed: " + (rangeError ? *rangeError : *factsError);
            return Received::Failed;
        }
        const FlatReply& r = out.batch.reply;
        const FlatReply::Node& root = r.root();
        if (root.type != FlatReply::Type::Array || root.length != 2) {
            error_ = "reading " + stream_ + " failed: "
                     + (root.type == FlatReply::Type::Error ? std::string(r.text(root)) : std::string("unexpected EXEC reply"));
            return Received::Failed;
        }
        factsReply = &r;
        factsNode = r.child(root, 0);
        entriesNode = r.child(root, 1);
        factsError = errorText(r, factsNode);
        out.atomic = true;
    } else {
        // The facts' reply, then XRANGE's.
        if (!connection_.readFlat(scratch_) || !connection_.readFlat(out.batch.reply))
            return ioFailed();
        factsError = errorText(scratch_);
        if (request.script && refused(factsError)) {
            script_ = Permission::Refused;
            return Received::AskAgain;
        }
    }
    if (factsError) {
        if (!applyFactsError(*factsError, out.facts))
            return Received::Failed;
    } else if (!parseFacts(*factsReply, factsNode, request.script, out.facts)) {
        return Received::Failed;
    }
    if (request.script)
        script_ = Permission::Granted;
    const FlatReply& r = out.batch.reply;
    if (const auto rangeError = errorText(r, entriesNode)) {
        // The key holds another type: the facts say so, and there is nothing to read.
        if (rangeError->starts_with("WRONGTYPE") && !out.facts.otherType.empty())
            return Received::Page;
        error_ = "reading " + stream_ + " with XRANGE failed: " + *rangeError;
        return Received::Failed;
    }
    if (!parseEntries(entriesNode, out.batch))
        return Received::Failed;
    out.complete = out.batch.entries.size() < request.count;
    return Received::Page;
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

bool StreamReader::facts(StreamFacts& out)
{
    out = StreamFacts{};
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool script = script_ != Permission::Refused;
        if (!sendFacts() || !connection_.readFlat(scratch_)) {
            error_ = connection_.error();
            return false;
        }
        const FlatReply::Node& root = scratch_.root();
        if (root.type == FlatReply::Type::Error) {
            const std::string text(scratch_.text(root));
            if (script && (text.starts_with("NOPERM") || text.starts_with("ERR unknown command")
                           || text.find("can't run this command") != std::string::npos)) {
                script_ = Permission::Refused;
                continue;
            }
            return applyFactsError(text, out);
        }
        if (script)
            script_ = Permission::Granted;
        return parseFacts(scratch_, 0, script, out);
    }
    error_ = "cannot read what redis knows about " + stream_;
    return false;
}

bool StreamReader::applyFactsError(const std::string& text, StreamFacts& out)
{
    // XINFO on a missing key: "ERR no such key"; on another type: WRONGTYPE.
    if (text.find("no such key") != std::string::npos) {
        out = StreamFacts{};
        return true;
    }
    if (text.starts_with("WRONGTYPE")) {
        out = StreamFacts{};
        out.exists = true;
        out.otherType = "value of another type";
        return true;
    }
    error_ = "XINFO STREAM " + stream_ + " failed: " + text;
    return false;
}

bool StreamReader::parseFacts(const FlatReply& r, std::uint32_t node, bool fromScript, StreamFacts& out)
{
    out = StreamFacts{};
    const FlatReply::Node& root = r.node(node);
    const auto shapeError = [&] {
        error_ = "unexpected reply shape for what redis knows about " + stream_;
        return false;
    };
    if (root.type != FlatReply::Type::Array)
        return shapeError();
    const auto textAt = [&](std::uint32_t i) { return r.text(r.node(r.child(root, i))); };
    const auto idAt = [&](std::string_view text) { return StreamId::parse(text).value_or(StreamId{}); };
    if (fromScript) {
        // {type} or {"stream", length, entries-added, recorded-first-id, last-generated-id, max-deleted-id}
        if (root.length < 1)
            return shapeError();
        const std::string_view type = textAt(0);
        if (type == "none")
            return true;
        out.exists = true;
        if (type != "stream") {
            out.otherType = std::string(type);
            return true;
        }
        if (root.length != 6)
            return shapeError();
        out.length = r.node(r.child(root, 1)).integer;
        out.entriesAdded = r.node(r.child(root, 2)).integer;
        if (out.length > 0)
            out.firstId = idAt(textAt(3));
        out.lastGeneratedId = idAt(textAt(4));
        const StreamId deleted = idAt(textAt(5));
        if (!deleted.isZero())
            out.maxDeletedId = deleted;
        return true;
    }
    // XINFO STREAM: name, value, name, value...
    out.exists = true;
    std::optional<StreamId> recordedFirst, firstEntry;
    for (std::uint32_t i = 0; i + 1 < root.length; i += 2) {
        const std::string_view name = textAt(i);
        const FlatReply::Node& value = r.node(r.child(root, i + 1));
        if (name == "length")
            out.length = value.integer;
        else if (name == "last-generated-id")
            out.lastGeneratedId = idAt(r.text(value));
        else if (name == "entries-added")
            out.entriesAdded = value.integer;
        else if (name == "max-deleted-entry-id" && !idAt(r.text(value)).isZero())
            out.maxDeletedId = idAt(r.text(value));
        else if (name == "recorded-first-entry-id")
            recordedFirst = idAt(r.text(value));
        else if (name == "first-entry" && value.type == FlatReply::Type::Array && value.length > 0)
            firstEntry = idAt(r.text(r.node(r.child(value, 0))));
    }
    if (out.length > 0)
        out.firstId = firstEntry ? firstEntry : recordedFirst;
    return true;
}

bool StreamReader::entry(std::string_view id, EntryBatch& out)
{
    out.entries.clear();
    if (!connection_.send({"XRANGE", stream_, id, id}) || !connection_.readFlat(out.reply)) {
        error_ = connection_.error();
        return false;
    }
    const FlatReply::Node& root = out.reply.root();
    if (root.type == FlatReply::Type::Error) {
        error_ = "reading entry " + std::string(id) + " of " + stream_ + " failed: " + std::string(out.reply.text(root));
        return false;
    }
    return parseEntries(0, out);
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
