// MsgpackTape: a validating MessagePack reader that turns a document into a flat tape of
// tokens (no tree, no allocation once warm), for the original Go demo's entries. It accepts
// and refuses exactly what nlohmann::json::from_msgpack does in strict mode (map keys must
// be strings, 0xc1 and truncation and trailing bytes are errors), keeps the last of
// duplicate keys as a map would, and refuses nesting deeper than a limit instead of
// recursing into it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace shop {

class MsgpackTape {
public:
    enum class Kind : std::uint8_t { Map, Array, String, Binary, Int, BigUInt, Float, Bool, Nil };

    struct Token {
        Kind kind;
        std::uint32_t begin = 0;  // String: first byte of the text
        std::uint32_t length = 0; // String: bytes
        std::uint32_t next = 0;   // index of the token after this value (and its children)
        std::int64_t integer = 0; // Int
    };

    // False when the bytes are not one MessagePack value, or nest deeper than maxDepth. The
    // tape keeps views into `bytes`, which must outlive the tape's use: a temporary string
    // would leave them dangling, so handing one over does not compile.
    bool parse(std::string_view bytes, std::size_t maxDepth);
    template <typename S>
        requires std::is_same_v<S, std::string> // an rvalue std::string (a temporary)
    bool parse(S&&, std::size_t) = delete;

    const Token& at(std::uint32_t index) const { return tokens_[index]; }
    bool rootIsMap() const { return !tokens_.empty() && tokens_[0].kind == Kind::Map; }
    // In the map at `map`, the value of the last key equal to `key`; 0 when absent.
    std::uint32_t find(std::uint32_t map, std::string_view key) const;
    std::uint32_t firstChild(std::uint32_t container) const;
    std::uint32_t nextSibling(std::uint32_t container, std::uint32_t child) const;
    std::uint32_t childCount(std::uint32_t container) const;
    std::string_view text(std::uint32_t index) const { return bytes_.substr(tokens_[index].begin, tokens_[index].length); }

private:
    struct Open {
        std::uint32_t token;
        std::uint64_t remaining; // items left (a map's pairs count twice)
        bool isMap;
        bool expectKey;
    };
    std::string_view bytes_;
    std::vector<Token> tokens_;
    std::vector<Open> stack_;
};

} // namespace shop
