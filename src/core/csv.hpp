// CSV output of the CLI (`events --csv`, `state --csv`): RFC 4180, CRLF line ends, a header
// row. CSV is data, not terminal text: control characters are kept (a field holding one of
// , " CR LF is quoted, quotes doubled), and invalid UTF-8 becomes U+FFFD as in the JSON output.
#pragma once

#include "text_sink.hpp"

#include <string>
#include <string_view>

namespace shop {

class ShopState;

inline constexpr std::string_view kCsvLineEnd = "\r\n";

// Appends one field (without a separator).
void appendCsvField(std::string& out, std::string_view field);

// The users table (id,name,balance,spent,orders), an empty line, then the items table
// (id,name,price,stock,sold); sorted as in `state --json`, money in minor units.
void writeStateCsv(const ShopState& state, const TextSink& sink);

} // namespace shop
