// UTF-8 checks and the two ways the CLI makes untrusted bytes safe to print: escaped for a
// terminal (text output), or made valid UTF-8 with U+FFFD (data output such as CSV, the way
// the JSON output's serializer does it).
#pragma once

#include <string>
#include <string_view>

namespace shop {

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(std::string_view text);

// Text for a terminal: C0 controls (U+0000-U+001F), DEL and C1 controls (U+0080-U+009F)
// and every byte that is not part of valid UTF-8 become visible escapes: \n \r \t, \x1b,
// \x7f, \u0085, \xff. Everything else, printable non-ASCII included, is kept as it is. The
// backslash itself is not escaped, so a name that contains the four characters \x1b
// prints like an escaped ESC; JSON and CSV output are the exact forms.
std::string escapeForTerminal(std::string_view text);
void appendEscapedForTerminal(std::string& out, std::string_view text);

// Appends `text` with each maximal ill-formed subsequence replaced by U+FFFD (the
// substitution Unicode recommends, and nlohmann::json's error_handler_t::replace).
void appendReplacingInvalidUtf8(std::string& out, std::string_view text);

} // namespace shop
