// Snapshot encoding: a header line (JSON) and a body (JSON) checked by an FNV-1a 64 sum, so
// a listing can read the header alone and a load can tell a damaged body from a good one.
#include "snapshot_codec.hpp"

#include "shop_state.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>
#include <type_traits>

namespace shop {

using nlohmann::json;

namespace {

std::uint64_t fnv1a64(std::string_view bytes)
{
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string encodeBody(const ShopState& state)
{
    json users = json::array();
    for (const User* u : state.sortedUsers())
        users.push_back(json::array({u->id, u->name, u->balance, u->spent, u->orders}));
    json items = json::array();
    for (const Item* i : state.sortedItems())
        items.push_back(json::array({i->id, i->name, i->price, i->stock, i->sold}));
    json byReason = json::object();
    for (int r = 0; r < kReasonCount; ++r) {
        if (state.counts.byReason[r] != 0)
            byReason[std::string(reasonName(static_cast<Reason>(r)))] = state.counts.byReason[r];
    }
    json body = {{"users", std::move(users)}, {"items", std::move(items)}, {"byReason", std::move(byReason)}};
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

template <typename T>
bool take(const json& object, const char* key, T& out)
{
    auto it = object.find(key);
    if (it == object.end())
        return false;
    // nlohmann converts a float to an integer with a plain cast, undefined when it does not
    // fit (1e30): numbers must be integers here (found by fuzz/snapshot_fuzzer).
    if constexpr (std::is_arithmetic_v<T>) {
        if (!it->is_number_integer())
            return false;
    }
    try {
        out = it->get<T>();
    } catch (const json::exception&) {
        return false;
    }
    return true;
}

// A body number as int64; only integers (see take()).
std::int64_t integerAt(const json& array, std::size_t index)
{
    const json& value = array.at(index);
    if (!value.is_number_integer())
        throw std::runtime_error("not an integer");
    return value.get<std::int64_t>();
}

std::int64_t rejectedByReason(const VerdictCounts& counts)
{
    std::int64_t sum = 0;
    for (int r = 1; r < kReasonCount; ++r)
        sum += counts.byReason[r];
    return sum;
}

} // namespace

std::string checksumHex(std::string_view bytes)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
    return buf;
}

std::string encodeSnapshot(const ShopState& state, std::string_view stream, std::int64_t createdMs)
{
    const std::string body = encodeBody(state);
    const json header = {
        {"format", kSnapshotFormat},
        {"version", kSnapshotVersion},
        {"stream", stream},
        {"lastEventId", state.lastEventId},
        {"total", state.counts.total},
        {"applied", state.counts.applied},
        {"rejected", state.counts.rejected},
        {"users", state.users().size()},
        {"items", state.items().size()},
        {"bodyBytes", body.size()},
        {"checksum", checksumHex(body)},
        {"createdMs", createdMs},
    };
    std::string out = header.dump(-1, ' ', false, json::error_handler_t::replace);
    out.push_back('\n');
    out += body;
    return out;
}

std::string decodeSnapshotHeader(std::string_view blob, SnapshotHeader& out)
{
    out = {};
    const auto newline = blob.find('\n');
    if (newline == std::string_view::npos)
        return "no header line (not a shopstream snapshot, or truncated)";
    const json h = json::parse(blob.substr(0, newline), nullptr, false);
    if (h.is_discarded() || !h.is_object())
        return "the header is not readable JSON";
    if (!take(h, "format", out.format) || out.format != kSnapshotFormat)
        return "not a shopstream snapshot (format is not \"" + std::string(kSnapshotFormat) + "\")";
    if (!take(h, "version", out.version))
        return "the header has no version";
    if (!take(h, "stream", out.stream) || !take(h, "lastEventId", out.lastEventId) || !take(h, "total", out.total)
        || !take(h, "applied", out.applied) || !take(h, "rejected", out.rejected) || !take(h, "users", out.users)
        || !take(h, "items", out.items) || !take(h, "bodyBytes", out.bodyBytes) || !take(h, "checksum", out.checksum))
        return "the header misses a field";
    take(h, "createdMs", out.createdMs);
    return {};
}

std::string verifySnapshot(std::string_view blob, std::string_view expectedStream, SnapshotHeader* headerOut)
{
    SnapshotHeader header;
    if (auto error = decodeSnapshotHeader(blob, header); !error.empty())
        return error;
    if (headerOut)
        *headerOut = header;
    if (header.version != kSnapshotVersion)
        return "snapshot version " + std::to_string(header.version) + " is not supported (this program reads version "
               + std::to_string(kSnapshotVersion) + ")";
    if (header.stream != expectedStream)
        return "the snapshot belongs to stream \"" + header.stream + "\", not \"" + std::string(expectedStream) + "\"";
    const std::string_view body = blob.substr(blob.find('\n') + 1);
    if (body.size() != header.bodyBytes)
        return "the body is " + std::to_string(body.size()) + " bytes, the header says " + std::to_string(header.bodyBytes)
               + " (truncated?)";
    if (checksumHex(body) != header.checksum)
        return "the checksum does not match (the snapshot is damaged)";
    return {};
}

std::string decodeSnapshot(std::string_view blob, std::string_view expectedStream, ShopState& out, SnapshotHeader* headerOut)
{
    out.clear();
    SnapshotHeader header;
    if (auto error = verifySnapshot(blob, expectedStream, &header); !error.empty())
        return error;
    if (headerOut)
        *headerOut = header;
    const std::string_view body = blob.substr(blob.find('\n') + 1);
    const json b = json::parse(body, nullptr, false);
    if (b.is_discarded() || !b.is_object())
        return "the body is not readable JSON";
    try {
        for (const json& u : b.at("users")) {
            User& user = out.addUser(integerAt(u, 0), u.at(1).get<std::string>());
            user.balance = integerAt(u, 2);
            user.spent = integerAt(u, 3);
            user.orders = integerAt(u, 4);
        }
        for (const json& i : b.at("items")) {
            Item& item = out.addItem(i.at(0).get<std::string>());
            item.name = i.at(1).get<std::string>();
            item.price = integerAt(i, 2);
            item.stock = integerAt(i, 3);
            item.sold = integerAt(i, 4);
        }
        for (const auto& [name, count] : b.at("byReason").items()) {
            const auto reason = parseReason(name);
            if (!reason)
                throw std::runtime_error("unknown reason");
            if (!count.is_number_integer())
                throw std::runtime_error("not an integer");
            out.counts.byReason[static_cast<std::size_t>(*reason)] = count.get<std::int64_t>();
        }
    } catch (const std::exception&) {
        out.clear();
        return "the body does not hold a valid state";
    }
    out.counts.total = header.total;
    out.counts.applied = header.applied;
    out.counts.rejected = header.rejected;
    out.lastEventId = header.lastEventId;
    if (static_cast<std::int64_t>(out.users().size()) != header.users
        || static_cast<std::int64_t>(out.items().size()) != header.items
        || out.counts.byReason[0] != out.counts.applied || out.counts.applied + out.counts.rejected != out.counts.total
        || rejectedByReason(out.counts) != out.counts.rejected) {
        out.clear();
        return "the body's counts disagree with the header";
    }
    return {};
}

} // namespace shop
