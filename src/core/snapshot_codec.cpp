// Snapshot encoding: a header line (JSON) and a body (JSON) checked by an FNV-1a 64 sum, so
// a listing can read the header alone and a load can tell a damaged body from a good one.
// The body is read with nlohmann's SAX interface straight into the state (no document tree),
// checking each row as it comes, so a large or hostile body costs no more than the state.
#include "snapshot_codec.hpp"

#include "shop_state.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <limits>
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

std::string hex64(std::uint64_t value)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
    return buf;
}

bool parseHex64(const std::string& text, std::uint64_t& out)
{
    if (text.size() != 16)
        return false;
    out = 0;
    for (char c : text) {
        int digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else
            return false;
        out = out << 4 | static_cast<std::uint64_t>(digit);
    }
    return true;
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

std::string entries(std::int64_t n) { return std::to_string(n) + (n == 1 ? " entry" : " entries"); }

// The body, read event by event: {"users":[[id,name,balance,spent,orders],...],
// "items":[[id,name,price,stock,sold],...],"byReason":{"<reason>":count,...}}. Every value is
// checked as it arrives; the first problem stops the parse and is kept in words.
class BodyReader : public json::json_sax_t {
public:
    explicit BodyReader(ShopState& state) : state_(state) {}

    std::string problem;

    bool null() override { return fail("a null where a value belongs"); }
    bool boolean(bool) override { return fail("a boolean where a value belongs"); }
    bool number_float(number_float_t, const string_t&) override { return fail("a fraction where an integer belongs"); }
    bool binary(binary_t&) override { return fail("binary data"); }
    bool number_unsigned(number_unsigned_t value) override
    {
        if (value > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
            return fail("a number beyond 64 bits");
        return number_integer(static_cast<std::int64_t>(value));
    }
    bool number_integer(number_integer_t value) override
    {
        if (where_ == Where::ReasonCount)
            return reasonCount(value);
        if (where_ != Where::Row)
            return fail("a number out of place");
        if (field_ == 1 || field_ >= 5)
            return fail("a row with a number where the name belongs, or too many fields");
        if (field_ == 0) {
            if (section_ != Section::Users)
                return fail("an item id that is not text");
            userId_ = value;
        } else {
            numbers_[field_ - 2] = value;
        }
        ++field_;
        return true;
    }
    bool string(string_t& value) override
    {
        if (where_ != Where::Row)
            return fail("text out of place");
        if (field_ == 0 && section_ == Section::Items) {
            itemId_ = std::move(value);
        } else if (field_ == 1) {
            name_ = std::move(value);
        } else {
            return fail("text where a number belongs");
        }
        ++field_;
        return true;
    }
    bool start_object(std::size_t) override
    {
        if (where_ == Where::Start) {
            where_ = Where::Top;
            return true;
        }
        if (where_ == Where::Section && section_ == Section::ByReason) {
            where_ = Where::Reasons;
            return true;
        }
        return fail("an object out of place");
    }
    bool key(string_t& name) override
    {
        if (where_ == Where::Top) {
            if (name == "users")
                section_ = Section::Users;
            else if (name == "items")
                section_ = Section::Items;
            else if (name == "byReason")
                section_ = Section::ByReason;
            else
                return fail("an unknown member \"" + name + "\"");
            if (seen_[static_cast<int>(section_)])
                return fail("\"" + name + "\" given twice");
            seen_[static_cast<int>(section_)] = true;
            where_ = Where::Section;
            return true;
        }
        if (where_ == Where::Reasons) {
            const auto reason = parseReason(name);
            if (!reason)
                return fail("an unknown reason \"" + name + "\"");
            reason_ = *reason;
            where_ = Where::ReasonCount;
            return true;
        }
        return fail("a member out of place");
    }
    bool end_object() override
    {
        if (where_ == Where::Reasons) {
            where_ = Where::Top;
            return true;
        }
        if (where_ == Where::Top) {
            where_ = Where::Done;
            return true;
        }
        return fail("an object closed out of place");
    }
    bool start_array(std::size_t) override
    {
        if (where_ == Where::Section && section_ != Section::ByReason) {
            where_ = Where::Rows;
            return true;
        }
        if (where_ == Where::Rows) {
            where_ = Where::Row;
            field_ = 0;
            return true;
        }
        return fail("a list out of place");
    }
    bool end_array() override
    {
        if (where_ == Where::Row) {
            where_ = Where::Rows;
            return field_ == 5 ? commitRow() : fail("a row without its five fields");
        }
        if (where_ == Where::Rows) {
            where_ = Where::Top;
            return true;
        }
        return fail("a list closed out of place");
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override
    {
        if (problem.empty())
            problem = "the body is not readable JSON";
        return false;
    }

    bool complete() const { return where_ == Where::Done && seen_[0] && seen_[1] && seen_[2]; }

private:
    enum class Where { Start, Top, Section, Rows, Row, Reasons, ReasonCount, Done };
    enum class Section { Users, Items, ByReason };

    bool fail(std::string what)
    {
        if (problem.empty())
            problem = std::move(what);
        return false;
    }

    bool reasonCount(std::int64_t value)
    {
        if (value < 0)
            return fail("a negative count for reason \"" + std::string(reasonName(reason_)) + "\"");
        state_.counts.byReason[static_cast<std::size_t>(reason_)] = value;
        where_ = Where::Reasons;
        return true;
    }

    bool commitRow()
    {
        if (name_.size() > limits::kMaxNameBytes)
            return fail("a name longer than " + std::to_string(limits::kMaxNameBytes) + " bytes");
        const auto [a, b, c] = numbers_;
        if (section_ == Section::Users) {
            const std::string who = "user " + std::to_string(userId_);
            if (userId_ <= 0)
                return fail("user id " + std::to_string(userId_) + " (ids are 1 or more)");
            if (a < 0 || b < 0 || c < 0)
                return fail(who + " has a negative balance, spending or order count");
            if (state_.findUser(userId_))
                return fail(who + " appears twice");
            User& user = state_.addUser(userId_, std::move(name_));
            user.balance = a;
            user.spent = b;
            user.orders = c;
        } else {
            if (!isValidItemId(itemId_))
                return fail("an item id that is not 1 to 64 characters of A-Z a-z 0-9 _ . -");
            const std::string what = "item " + itemId_;
            if (a < 0 || a > limits::kMaxPrice)
                return fail(what + " has a price outside 0.." + std::to_string(limits::kMaxPrice));
            if (b < 0 || c < 0)
                return fail(what + " has negative stock or sales");
            if (state_.findItem(itemId_))
                return fail(what + " appears twice");
            Item& item = state_.addItem(itemId_);
            item.name = std::move(name_);
            item.price = a;
            item.stock = b;
            item.sold = c;
        }
        name_.clear();
        return true;
    }

    ShopState& state_;
    Where where_ = Where::Start;
    Section section_ = Section::Users;
    bool seen_[3] = {false, false, false};
    int field_ = 0;
    std::int64_t userId_ = 0;
    std::string itemId_;
    std::string name_;
    std::int64_t numbers_[3] = {0, 0, 0};
    Reason reason_ = Reason::None;
};

// Totals that the rows must respect, given how many entries were applied: each applied
// entry creates at most one user or item, adds at most 10^15 to one user's balance plus
// spending (TopUp, AdjustBalance; an order only moves money), at most 10^9 to one item's
// stock plus sales (AddItem, AdjustStock; an order only moves units), and at most one order.
__extension__ typedef __int128 Wide; // sums of int64 values that must not overflow

std::string checkTotals(const ShopState& state)
{
    const VerdictCounts& counts = state.counts;
    std::int64_t rejected = 0;
    for (int r = 1; r < kReasonCount; ++r)
        rejected += counts.byReason[r];
    if (counts.byReason[0] != counts.applied || rejected != counts.rejected)
        return "the reasons add up to " + std::to_string(counts.byReason[0]) + " applied and " + std::to_string(rejected)
               + " rejected, the header says " + std::to_string(counts.applied) + " and "
               + std::to_string(counts.rejected);
    const auto applied = static_cast<Wide>(counts.applied);
    if (static_cast<Wide>(state.users().size()) > applied || static_cast<Wide>(state.items().size()) > applied)
        return "it has more users or items (" + std::to_string(state.users().size()) + ", "
               + std::to_string(state.items().size()) + ") than applied entries (" + std::to_string(counts.applied)
               + ") could have made";
    Wide money = 0, units = 0, orders = 0;
    for (const auto& [id, user] : state.users()) {
        money += static_cast<Wide>(user.balance) + user.spent;
        orders += user.orders;
    }
    for (const auto& [id, item] : state.items())
        units += static_cast<Wide>(item.stock) + item.sold;
    if (orders > applied)
        return "its users have more orders than entries were applied";
    if (money > applied * limits::kMaxAmount)
        return "its users hold more money than " + entries(counts.applied) + " could have brought in";
    if (units > applied * limits::kMaxCount)
        return "its items hold more units than " + entries(counts.applied) + " could have added";
    return {};
}

} // namespace

std::string checksumHex(std::string_view bytes) { return hex64(fnv1a64(bytes)); }

std::string encodeSnapshot(const ShopState& state, std::string_view stream, std::int64_t createdMs)
{
    const std::string body = encodeBody(state);
    const json header = {
        {"format", kSnapshotFormat},
        {"version", kSnapshotVersion},
        {"stream", stream},
        {"lastEventId", state.lastEventId},
        {"lastEntry", hex64(state.lastEntryFingerprint)},
        {"entriesAdded", state.covered()},
        {"skipped", state.skipped},
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
    const auto newline = blob.substr(0, kMaxSnapshotHeaderBytes).find('\n');
    if (newline == std::string_view::npos)
        return blob.size() >= kMaxSnapshotHeaderBytes ? "no header line in its first "
                                                            + std::to_string(kMaxSnapshotHeaderBytes)
                                                            + " bytes (not a shopstream snapshot)"
                                                      : "no header line (not a shopstream snapshot, or truncated)";
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
    if (out.version == kSnapshotVersion) {
        std::string fingerprint;
        if (!take(h, "entriesAdded", out.entriesAdded) || !take(h, "skipped", out.skipped)
            || !take(h, "lastEntry", fingerprint))
            return "the header misses the stream's identity (entriesAdded, skipped, lastEntry)";
        if (!parseHex64(fingerprint, out.lastEntryFingerprint))
            return "the header's lastEntry is not a fingerprint";
    }
    return {};
}

std::string checkSnapshotHeader(const SnapshotHeader& header, std::string_view expectedStream, std::uint64_t blobBytes)
{
    if (header.format != kSnapshotFormat)
        return "not a shopstream snapshot (format is not \"" + std::string(kSnapshotFormat) + "\")";
    if (header.version == 1)
        return "snapshot version 1 was written by an older shopstream and does not record which stream it was taken "
               "from; it is not used (the state is rebuilt from the stream)";
    if (header.version != kSnapshotVersion)
        return "snapshot version " + std::to_string(header.version) + " is not supported (this program reads version "
               + std::to_string(kSnapshotVersion) + ")";
    if (header.stream != expectedStream)
        return "the snapshot belongs to stream \"" + header.stream + "\", not \"" + std::string(expectedStream) + "\"";
    if (blobBytes > kMaxSnapshotBytes)
        return "the snapshot is " + std::to_string(blobBytes) + " bytes, over the limit of "
               + std::to_string(kMaxSnapshotBytes) + " (it is not read)";
    // The body follows a header line of at least a few bytes and its newline.
    if (header.bodyBytes >= blobBytes)
        return "the header says the body is " + std::to_string(header.bodyBytes) + " bytes, but the whole snapshot is "
               + std::to_string(blobBytes) + " (truncated?)";
    // Only the empty shop has no last entry (the store never saves one; the codec reads it back).
    const bool empty = header.lastEventId.empty();
    const auto lastId = StreamId::parse(header.lastEventId);
    // 0-0 is no entry's id (Redis refuses it).
    if (!empty && (!lastId || lastId->isZero() || header.lastEventId.find('-') == std::string::npos))
        return "the header's lastEventId is not a stream entry id";
    if (header.total < 0 || header.applied < 0 || header.rejected < 0 || header.users < 0 || header.items < 0
        || header.skipped < 0)
        return "the header has a negative count";
    if (header.applied > std::numeric_limits<std::int64_t>::max() - header.rejected
        || header.applied + header.rejected != header.total)
        return "the header's counts disagree: applied and rejected do not add up to the total";
    if (header.total > std::numeric_limits<std::int64_t>::max() - header.skipped
        || header.total + header.skipped != header.entriesAdded)
        return "the header's counts disagree: entriesAdded is not the total plus the entries skipped";
    if (empty != (header.entriesAdded == 0))
        return "the header's counts disagree with its lastEventId";
    if (header.users > header.applied || header.items > header.applied)
        return "the header's counts disagree: more users or items than applied entries could have made";
    return {};
}

std::string verifySnapshot(std::string_view blob, std::string_view expectedStream, SnapshotHeader* headerOut)
{
    SnapshotHeader header;
    if (auto error = decodeSnapshotHeader(blob, header); !error.empty())
        return error;
    if (headerOut)
        *headerOut = header;
    if (auto error = checkSnapshotHeader(header, expectedStream, blob.size()); !error.empty())
        return error;
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
    BodyReader reader(out);
    const bool parsed = json::sax_parse(body.begin(), body.end(), &reader, json::input_format_t::json, true);
    if (!parsed || !reader.complete()) {
        out.clear();
        return "the body does not hold a valid state: "
               + (reader.problem.empty() ? std::string("users, items or byReason are missing") : reader.problem);
    }
    out.counts.total = header.total;
    out.counts.applied = header.applied;
    out.counts.rejected = header.rejected;
    out.lastEventId = header.lastEventId;
    out.lastEntryFingerprint = header.lastEntryFingerprint;
    out.skipped = header.skipped;
    if (static_cast<std::int64_t>(out.users().size()) != header.users
        || static_cast<std::int64_t>(out.items().size()) != header.items) {
        out.clear();
        return "the body's counts disagree with the header";
    }
    if (auto problem = checkTotals(out); !problem.empty()) {
        out.clear();
        return "the body's counts disagree with the header: " + problem;
    }
    return {};
}

SnapshotIdentity checkSnapshotIdentity(const SnapshotHeader& header, const StreamFacts& facts,
                                       std::optional<std::uint64_t> entryAtId)
{
    SnapshotIdentity out;
    const auto foreign = [&](std::string why) {
        out.kind = SnapshotIdentity::Kind::Foreign;
        out.why = std::move(why);
        return out;
    };
    // The empty shop stands before the first entry.
    const std::optional<StreamId> at =
        header.lastEventId.empty() ? std::nullopt : std::optional<StreamId>(StreamId::parse(header.lastEventId).value_or(StreamId{}));
    if (entryAtId && *entryAtId != header.lastEntryFingerprint)
        return foreign("the stream's entry " + header.lastEventId
                       + " is not the one the snapshot was taken at: the stream was deleted and written again");
    if (at && !entryAtId && facts.firstId && *facts.firstId <= *at)
        return foreign("the entry " + header.lastEventId
                       + " it was taken at is no longer in the stream, so it cannot be told to belong to it");
    const Continuity continuity = checkBeforeRead(ReadPosition{at, header.entriesAdded, std::nullopt}, facts);
    if (continuity.kind == Continuity::Kind::Reset)
        return foreign("it was taken from an earlier stream under this key (" + continuity.why + ")");
    if (continuity.kind == Continuity::Kind::Gap) {
        out.kind = SnapshotIdentity::Kind::Gap;
        out.gap = continuity;
        out.why = continuity.why;
        return out;
    }
    // Its own entry trimmed away: that it belongs rests on the counts (and without them, on
    // nothing but the ids). A stream deleted and written again whose counts happen to line
    // up exactly cannot be told apart, so a restore says so rather than stay quiet.
    out.unconfirmed = !entryAtId;
    return out;
}

} // namespace shop
