// The `state --json` document of DESIGN section 7, written piece by piece. The layout
// (separators, indentation) is nlohmann's dump; strings are escaped by nlohmann itself, so
// the escaping rules have one owner.
#include "state_json.hpp"

#include "shop_state.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <vector>

namespace shop {

namespace {

constexpr std::size_t kPieceBytes = 64 * 1024;

class JsonWriter {
public:
    JsonWriter(const TextSink& sink, int indent) : sink_(sink), indent_(indent) { buffer_.reserve(kPieceBytes + 4096); }

    void open(char bracket)
    {
        buffer_.push_back(bracket);
        counts_.push_back(0);
    }
    void close(char bracket)
    {
        const bool hadAny = counts_.back() > 0;
        counts_.pop_back();
        if (hadAny)
            newline();
        buffer_.push_back(bracket);
        flushIfFull();
    }
    void key(std::string_view name)
    {
        element();
        string(name);
        buffer_ += indent_ >= 0 ? ": " : ":";
    }
    void element()
    {
        if (counts_.back()++ > 0)
            buffer_.push_back(',');
        newline();
    }
    void string(std::string_view text)
    {
        buffer_ += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    void number(std::int64_t value)
    {
        char digits[24];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
        buffer_.append(digits, end);
    }
    void null() { buffer_ += "null"; }
    void finish()
    {
        if (!buffer_.empty())
            sink_(buffer_);
        buffer_.clear();
    }

private:
    void newline()
    {
        if (indent_ < 0)
            return;
        buffer_.push_back('\n');
        buffer_.append(counts_.size() * static_cast<std::size_t>(indent_), ' ');
    }
    void flushIfFull()
    {
        if (buffer_.size() >= kPieceBytes) {
            sink_(buffer_);
            buffer_.clear();
        }
    }

    const TextSink& sink_;
    int indent_;
    std::string buffer_;
    std::vector<int> counts_; // members or elements so far, per open object or array
};

} // namespace

void writeStateJson(const ShopState& state, std::string_view stream, const TextSink& sink, int indent)
{
    JsonWriter w(sink, indent);
    w.open('{');
    w.key("stream");
    w.string(stream);
    w.key("lastEventId");
    if (state.lastEventId.empty())
        w.null();
    else
        w.string(state.lastEventId);
    w.key("events");
    w.open('{');
    w.key("total");
    w.number(state.counts.total);
    w.key("applied");
    w.number(state.counts.applied);
    w.key("rejected");
    w.number(state.counts.rejected);
    w.key("byReason");
    w.open('{');
    for (int r = 1; r < kReasonCount; ++r) {
        if (state.counts.byReason[r] != 0) {
            w.key(reasonName(static_cast<Reason>(r)));
            w.number(state.counts.byReason[r]);
        }
    }
    w.close('}');
    w.close('}');
    w.key("users");
    w.open('[');
    for (const User* u : state.sortedUsers()) {
        w.element();
        w.open('{');
        w.key("id");
        w.number(u->id);
        w.key("name");
        w.string(u->name);
        w.key("balance");
        w.number(u->balance);
        w.key("spent");
        w.number(u->spent);
        w.key("orders");
        w.number(u->orders);
        w.close('}');
    }
    w.close(']');
    w.key("items");
    w.open('[');
    for (const Item* i : state.sortedItems()) {
        w.element();
        w.open('{');
        w.key("id");
        w.string(i->id);
        w.key("name");
        w.string(i->name);
        w.key("price");
        w.number(i->price);
        w.key("stock");
        w.number(i->stock);
        w.key("sold");
        w.number(i->sold);
        w.close('}');
    }
    w.close(']');
    w.close('}');
    w.finish();
}

std::string stateToJson(const ShopState& state, std::string_view stream, int indent)
{
    std::string out;
    writeStateJson(state, stream, [&out](std::string_view piece) { out.append(piece); }, indent);
    return out;
}

} // namespace shop
