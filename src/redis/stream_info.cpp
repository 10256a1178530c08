// XINFO STREAM read into StreamInfo, and SCAN with TYPE stream.
#include "stream_info.hpp"

#include <algorithm>

namespace shop::redis {

namespace {
// The id of an entry as XINFO STREAM gives it ([id, [field, value, ...]]), or nil.
std::string entryId(ReplyView entry) { return entry.isArray() && entry.size() > 0 ? std::string(entry[0].str()) : std::string(); }
} // namespace

bool readStreamInfo(Connection& connection, std::string_view stream, StreamInfo& out, std::string& error)
{
    out = {};
    Reply type = connection.command({"TYPE", stream});
    if (!type) {
        error = connection.error();
        return false;
    }
    if (type.isError()) {
        error = std::string(type.str());
        return false;
    }
    if (type.str() == "none")
        return true; // no such key: an empty stream to be
    if (type.str() != "stream") {
        error = "the key " + std::string(stream) + " holds a " + std::string(type.str()) + ", not a stream";
        return false;
    }
    Reply info = connection.command({"XINFO", "STREAM", stream});
    if (!info || info.isError() || !info.isArray()) {
        error = info ? std::string(info.str()) : connection.error();
        return false;
    }
    out.exists = true;
    const ReplyView fields(info.raw());
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        const std::string_view key = fields[i].str();
        const ReplyView value = fields[i + 1];
        if (key == "length")
            out.length = value.integer();
        else if (key == "entries-added")
            out.entriesAdded = value.integer();
        else if (key == "groups")
            out.groups = value.integer();
        else if (key == "last-generated-id")
            out.lastGeneratedId = std::string(value.str());
        else if (key == "first-entry")
            out.firstId = entryId(value);
        else if (key == "last-entry")
            out.lastId = entryId(value);
    }
    Reply memory = connection.command({"MEMORY", "USAGE", stream});
    if (memory && memory.isInteger())
        out.memoryBytes = memory.integer();
    else if (!memory && !connection.isConnected()) {
        error = connection.error();
        return false;
    }
    return true;
}

bool listStreamKeys(Connection& connection, std::size_t limit, std::vector<std::string>& keys, bool& truncated,
                    std::string& error)
{
    keys.clear();
    truncated = false;
    std::string cursor = "0";
    do {
        Reply page = connection.command({"SCAN", cursor, "COUNT", "1000", "TYPE", "stream"});
        if (!page || page.isError() || !page.isArray() || page.size() != 2) {
            error = page ? std::string(page.str()) : connection.error();
            return false;
        }
        const ReplyView reply(page.raw());
        cursor = std::string(reply[0].str());
        const ReplyView found = reply[1];
        for (std::size_t i = 0; i < found.size(); ++i) {
            if (keys.size() == limit) {
                truncated = true;
                break;
            }
            keys.emplace_back(found[i].str());
        }
    } while (cursor != "0" && !truncated);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end()); // SCAN may return a key twice
    return true;
}

} // namespace shop::redis
