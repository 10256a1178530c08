// JsonTape: an iterative, validating JSON tokenizer (RFC 8259).
#include "json_tape.hpp"

#include "tape_navigation.hpp"

#include <cstring>

namespace shop {

namespace {

bool isWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool readHex4(std::string_view s, std::size_t pos, std::uint32_t& out)
{
    if (pos + 4 > s.size())
        return false;
    out = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const int h = hexValue(s[pos + i]);
        if (h < 0)
            return false;
        out = out * 16 + static_cast<std::uint32_t>(h);
    }
    return true;
}

// Length of the valid UTF-8 sequence starting at s[pos] (a byte >= 0x80), or 0.
std::size_t utf8Sequence(std::string_view s, std::size_t pos)
{
    const auto byte = [&](std::size_t i) { return pos + i < s.size() ? static_cast<unsigned char>(s[pos + i]) : 0u; };
    const auto cont = [&](std::size_t i) { return (byte(i) & 0xC0u) == 0x80u; };
    const unsigned b0 = byte(0);
    if (b0 >= 0xC2 && b0 <= 0xDF)
        return cont(1) ? 2 : 0;
    if (b0 == 0xE0)
        return byte(1) >= 0xA0 && byte(1) <= 0xBF && cont(2) ? 3 : 0;
    if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
        return cont(1) && cont(2) ? 3 : 0;
    if (b0 == 0xED) // no UTF-16 surrogates encoded in UTF-8
        return byte(1) >= 0x80 && byte(1) <= 0x9F && cont(2) ? 3 : 0;
    if (b0 == 0xF0)
        return byte(1) >= 0x90 && byte(1) <= 0xBF && cont(2) && cont(3) ? 4 : 0;
    if (b0 >= 0xF1 && b0 <= 0xF3)
        return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (b0 == 0xF4)
        return byte(1) >= 0x80 && byte(1) <= 0x8F && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

void appendUtf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace

bool JsonTape::parseString(std::size_t& pos, Token& token)
{
    // pos is at the opening quote.
    const std::size_t start = ++pos;
    token.kind = Kind::String;
    token.escaped = false;
    const std::size_t n = text_.size();
    while (pos < n) {
        const auto c = static_cast<unsigned char>(text_[pos]);
        if (c == '"') {
            token.begin = static_cast<std::uint32_t>(start);
            token.length = static_cast<std::uint32_t>(pos - start);
            ++pos;
            return true;
        }
        if (c == '\\') {
            token.escaped = true;
            if (pos + 1 >= n)
                return false;
            const char e = text_[pos + 1];
            if (e == 'u') {
                std::uint32_t unit;
                if (!readHex4(text_, pos + 2, unit))
                    return false;
                pos += 6;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                pos += 2;
            } else {
                return false;
            }
        } else if (c < 0x20) {
            return false;
        } else if (c < 0x80) {
            ++pos;
        } else {
            const std::size_t len = utf8Sequence(text_, pos);
            if (len == 0)
                return false;
            pos += len;
        }
    }
    return false; // no closing quote
}

bool JsonTape::parseNumber(std::size_t& pos, Token& token)
{
    const std::size_t start = pos;
    const std::size_t n = text_.size();
    bool negative = false;
    if (text_[pos] == '-') {
        negative = true;
        ++pos;
    }
    if (pos >= n || !isDigit(text_[pos]))
        return false;
    // Magnitude with overflow detection: int64 holds up to 2^63 - 1, or 2^63 when negative.
    const std::uint64_t limit = negative ? 9223372036854775808ULL : 9223372036854775807ULL;
    std::uint64_t magnitude = 0;
    bool overflow = false;
    if (text_[pos] == '0') {
        ++pos;
    } else {
        while (pos < n && isDigit(text_[pos])) {
            const auto d = static_cast<std::uint64_t>(text_[pos] - '0');
            if (magnitude > (limit - d) / 10)
                overflow = true;
            else
                magnitude = magnitude * 10 + d;
            ++pos;
        }
    }
    bool isFloat = false;
    if (pos < n && text_[pos] == '.') {
        isFloat = true;
        ++pos;
        if (pos >= n || !isDigit(text_[pos]))
            return false;
        while (pos < n && isDigit(text_[pos]))
            ++pos;
    }
    if (pos < n && (text_[pos] == 'e' || text_[pos] == 'E')) {
        isFloat = true;
        ++pos;
        if (pos < n && (text_[pos] == '+' || text_[pos] == '-'))
            ++pos;
        if (pos >= n || !isDigit(text_[pos]))
            return false;
        while (pos < n && isDigit(text_[pos]))
            ++pos;
    }
    token.begin = static_cast<std::uint32_t>(start);
    token.length = static_cast<std::uint32_t>(pos - start);
    if (isFloat) {
        token.kind = Kind::Float;
    } else if (overflow) {
        token.kind = Kind::BigInt;
    } else {
        token.kind = Kind::Int;
        token.integer = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
    }
    return true;
}

bool JsonTape::parse(std::string_view text)
{
    text_ = text;
    tokens_.clear();
    stack_.clear();
    const std::size_t n = text.size();
    std::size_t pos = 0;
    const auto skipWs = [&] {
        while (pos < n && isWs(text[pos]))
            ++pos;
    };
    // After '{' or ',' inside an object: a key string and a colon.
    const auto readKey = [&]() -> bool {
        skipWs();
        if (pos >= n || text[pos] != '"')
            return false;
        // Tokens are filled where they lie: one built aside and copied in costs a stalled load
        // of what was just stored, a measurable share of a catch-up.
        const auto at = static_cast<std::uint32_t>(tokens_.size());
        Token& key = tokens_.emplace_back();
        if (!parseString(pos, key))
            return false;
        key.next = at + 1;
        skipWs();
        if (pos >= n || text[pos] != ':')
            return false;
        ++pos;
        return true;
    };

    for (;;) {
        // A value.
        skipWs();
        if (pos >= n)
            return false;
        const char c = text[pos];
        const auto index = static_cast<std::uint32_t>(tokens_.size());
        Token& token = tokens_.emplace_back(); // valid until the next token is added
        bool opened = false;
        if (c == '{' || c == '[') {
            token.kind = c == '{' ? Kind::Object : Kind::Array;
            stack_.push_back(index);
            ++pos;
            skipWs();
            const char close = c == '{' ? '}' : ']';
            if (pos < n && text[pos] == close) {
                ++pos;
                stack_.pop_back();
                tokens_[index].next = index + 1;
            } else if (c == '{') {
                if (!readKey())
                    return false;
                opened = true;
            } else {
                opened = true;
            }
        } else if (c == '"') {
            if (!parseString(pos, token))
                return false;
            token.next = index + 1;
        } else if (c == '-' || isDigit(c)) {
            if (!parseNumber(pos, token))
                return false;
            token.next = index + 1;
        } else {
            static constexpr struct {
                std::string_view word;
                Kind kind;
            } kLiterals[] = {{"true", Kind::True}, {"false", Kind::False}, {"null", Kind::Null}};
            bool matched = false;
            for (const auto& literal : kLiterals) {
                if (text.substr(pos, literal.word.size()) == literal.word) {
                    token.kind = literal.kind;
                    token.begin = static_cast<std::uint32_t>(pos);
                    token.length = static_cast<std::uint32_t>(literal.word.size());
                    token.next = index + 1;
                    pos += literal.word.size();
                    matched = true;
                    break;
                }
            }
            if (!matched)
                return false;
        }
        if (opened)
            continue; // the container's first value comes next

        // After a value: close containers, or move to the next member / element.
        for (;;) {
            if (stack_.empty()) {
                skipWs();
                return pos == n;
            }
            const std::uint32_t container = stack_.back();
            const bool isObject = tokens_[container].kind == Kind::Object;
            skipWs();
            if (pos >= n)
                return false;
            if (text[pos] == ',') {
                ++pos;
                if (isObject && !readKey())
                    return false;
                break; // next value
            }
            if (text[pos] == (isObject ? '}' : ']')) {
                ++pos;
                tokens_[container].next = static_cast<std::uint32_t>(tokens_.size());
                stack_.pop_back();
                continue;
            }
            return false;
        }
    }
}

bool JsonTape::keyEquals(const Token& token, std::string_view key) const
{
    if (!token.escaped)
        return text_.substr(token.begin, token.length) == key;
    thread_local std::string decoded;
    stringValue(static_cast<std::uint32_t>(&token - tokens_.data()), decoded);
    return decoded == key;
}

std::uint32_t JsonTape::find(std::uint32_t object, std::string_view key) const
{
    return tape::findMember(tokens_, object, [&](std::uint32_t k) { return keyEquals(tokens_[k], key); });
}

std::uint32_t JsonTape::firstChild(std::uint32_t container) const { return tape::firstChild(tokens_, container); }

std::uint32_t JsonTape::nextSibling(std::uint32_t container, std::uint32_t child) const
{
    return tape::nextSibling(tokens_, container, child);
}

std::uint32_t JsonTape::childCount(std::uint32_t container) const { return tape::childCount(tokens_, container); }

void JsonTape::stringValue(std::uint32_t index, std::string& out) const
{
    const Token& token = tokens_[index];
    const std::string_view raw = text_.substr(token.begin, token.length);
    out.clear();
    if (!token.escaped) {
        out.assign(raw);
        return;
    }
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        if (raw[i] != '\\') {
            out.push_back(raw[i++]);
            continue;
        }
        const char e = raw[i + 1];
        switch (e) {
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            std::uint32_t unit = 0;
            readHex4(raw, i + 2, unit);
            i += 6;
            // A high surrogate followed by a low one is one code point; a lone surrogate
            // becomes U+FFFD (as Go's encoding/json does): kept as its own bytes (WTF-8) it
            // made names that are not UTF-8, which a snapshot cannot hold as they are.
            if (unit >= 0xD800 && unit <= 0xDBFF && i + 6 <= raw.size() && raw[i] == '\\' && raw[i + 1] == 'u') {
                std::uint32_t low = 0;
                if (readHex4(raw, i + 2, low) && low >= 0xDC00 && low <= 0xDFFF) {
                    appendUtf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
                    i += 6;
                    continue;
                }
            }
            appendUtf8(out, unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit);
            continue;
        }
        default: // '"', '\\', '/'
            out.push_back(e);
            break;
        }
        i += 2;
    }
}

std::size_t JsonTape::stringBytes(std::uint32_t index) const
{
    const Token& token = tokens_[index];
    if (!token.escaped)
        return token.length;
    thread_local std::string decoded;
    stringValue(index, decoded);
    return decoded.size();
}

} // namespace shop
