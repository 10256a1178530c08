// RFC 4180 fields and the `state --csv` tables, streamed in pieces of ~64 KiB.
#include "csv.hpp"

#include "shop_state.hpp"
#include "utf8_text.hpp"

#include <string>

namespace shop {

namespace {
constexpr std::size_t kPieceBytes = 64 * 1024;
}

void appendCsvField(std::string& out, std::string_view field)
{
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        appendReplacingInvalidUtf8(out, field);
        return;
    }
    std::string valid;
    appendReplacingInvalidUtf8(valid, field);
    out.push_back('"');
    for (char c : valid) {
        if (c == '"')
            out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

void writeStateCsv(const ShopState& state, const TextSink& sink)
{
    std::string buffer;
    const auto endRow = [&] {
        buffer += kCsvLineEnd;
        if (buffer.size() >= kPieceBytes) {
            sink(buffer);
            buffer.clear();
        }
    };
    const auto number = [&](std::int64_t value) { buffer += ',' + std::to_string(value); };

    buffer += "id,name,balance,spent,orders";
    endRow();
    for (const User* u : state.sortedUsers()) {
        buffer += std::to_string(u->id);
        buffer.push_back(',');
        appendCsvField(buffer, u->name);
        number(u->balance);
        number(u->spent);
        number(u->orders);
        endRow();
    }
    endRow(); // the empty line between the two tables
    buffer += "id,name,price,stock,sold";
    endRow();
    for (const Item* i : state.sortedItems()) {
        appendCsvField(buffer, i->id);
        buffer.push_back(',');
        appendCsvField(buffer, i->name);
        number(i->price);
        number(i->stock);
        number(i->sold);
        endRow();
    }
    if (!buffer.empty())
        sink(buffer);
}

} // namespace shop
