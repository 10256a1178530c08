// JsonTape: a validating JSON parser that turns a document into a flat "tape" of tokens
// without building a tree, so the decoder can pick the fields it knows and skip the rest.
// Any text that is JSON by RFC 8259 is accepted: numbers of any size (1e400 and 400-digit
// integers are valid JSON, only not int64), lone \u surrogate escapes, any nesting depth
// (the parser keeps its own stack, never the machine's). Raw bytes must be valid UTF-8.
// The tape's storage is reused between documents: no allocation per event once warm.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace shop {

class JsonTape {
public:
    enum class Kind : std::uint8_t { Object, Array, String, Int, BigInt, Float, True, False, Null };

    struct Token {
        Kind kind;
        bool escaped = false;    // String: holds backslash escapes (decode with stringValue)
        std::uint32_t begin = 0; // String: first byte inside the quotes; numbers: first byte
        std::uint32_t length = 0;
        std::uint32_t next = 0;  // index of the token after this value (and its children)
        std::int64_t integer = 0; // Int
    };

    // Parses `text`. False when it is not JSON. The tape keeps views into `text`, which must
    // outlive the tape's use: a temporary string would leave them dangling, so handing one
    // over does not compile.
    bool parse(std::string_view text);
    template <typename S>
        requires std::is_same_v<S, std::string> // an rvalue std::string (a temporary)
    bool parse(S&&) = delete;

    const Token& at(std::uint32_t index) const { return tokens_[index]; }
    std::uint32_t size() const { return static_cast<std::uint32_t>(tokens_.size()); }
    bool rootIsObject() const { return !tokens_.empty() && tokens_[0].kind == Kind::Object; }

    // In the object at `object`, the value of the LAST member named `key` (as a JSON parser
    // building a map keeps the last), or 0 when there is none (0 is never a member value).
    std::uint32_t find(std::uint32_t object, std::string_view key) const;

    // Elements of the array at `array`: first() then next(), 0 past the end.
    std::uint32_t firstChild(std::uint32_t container) const;
    std::uint32_t nextSibling(std::uint32_t container, std::uint32_t child) const;
    std::uint32_t childCount(std::uint32_t container) const;

    // The decoded text of a String token (escapes resolved to UTF-8).
    void stringValue(std::uint32_t index, std::string& out) const;
    // The byte length stringValue would give, without building it.
    std::size_t stringBytes(std::uint32_t index) const;

private:
    bool parseString(std::size_t& pos, Token& token);
    bool parseNumber(std::size_t& pos, Token& token);
    bool keyEquals(const Token& token, std::string_view key) const;

    std::string_view text_;
    std::vector<Token> tokens_;
    std::vector<std::uint32_t> stack_;
};

} // namespace shop
