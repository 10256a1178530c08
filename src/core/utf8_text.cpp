// UTF-8 decoding by the well-formed byte sequences of the Unicode standard (Table 3-7).
#include "utf8_text.hpp"

#include <cstdint>

namespace shop {

namespace {

struct Step {
    std::int32_t codePoint; // -1: ill-formed
    std::size_t length;     // bytes taken: the sequence, or the maximal ill-formed subpart (>= 1)
};

Step decodeAt(std::string_view s, std::size_t i)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80)
        return {lead, 1};
    std::size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF; // range of the second byte
    std::int32_t cp = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        cp = lead & 0x0F;
        if (lead == 0xE0)
            lo = 0xA0; // no overlong forms
        else if (lead == 0xED)
            hi = 0x9F; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        cp = lead & 0x07;
        if (lead == 0xF0)
            lo = 0x90;
        else if (lead == 0xF4)
            hi = 0x8F; // nothing above U+10FFFF
    } else {
        return {-1, 1};
    }
    std::size_t k = 1;
    for (; k <= need; ++k) {
        if (i + k >= s.size())
            return {-1, k};
        const unsigned char c = byte(i + k);
        const unsigned char min = k == 1 ? lo : 0x80;
        const unsigned char max = k == 1 ? hi : 0xBF;
        if (c < min || c > max)
            return {-1, k};
        cp = (cp << 6) | (c & 0x3F);
    }
    return {cp, need + 1};
}

void appendHexByte(std::string& out, const char* prefix, unsigned value, int digits)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += prefix;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out.push_back(kHex[(value >> shift) & 0xF]);
}

} // namespace

bool isValidUtf8(std::string_view text)
{
    for (std::size_t i = 0; i < text.size();) {
        const Step step = decodeAt(text, i);
        if (step.codePoint < 0)
            return false;
        i += step.length;
    }
    return true;
}

std::string escapeForTerminal(std::string_view text)
{
    std::string out;
    appendEscapedForTerminal(out, text);
    return out;
}

void appendEscapedForTerminal(std::string& out, std::string_view text)
{
    out.reserve(out.size() + text.size());
    for (std::size_t i = 0; i < text.size();) {
        const Step step = decodeAt(text, i);
        if (step.codePoint < 0) {
            for (std::size_t k = 0; k < step.length; ++k)
                appendHexByte(out, "\\x", static_cast<unsigned char>(text[i + k]), 2);
        } else if (step.codePoint == '\n') {
            out += "\\n";
        } else if (step.codePoint == '\r') {
            out += "\\r";
        } else if (step.codePoint == '\t') {
            out += "\\t";
        } else if (step.codePoint < 0x20 || step.codePoint == 0x7F) {
            appendHexByte(out, "\\x", static_cast<unsigned>(step.codePoint), 2);
        } else if (step.codePoint >= 0x80 && step.codePoint <= 0x9F) {
            appendHexByte(out, "\\u", static_cast<unsigned>(step.codePoint), 4);
        } else {
            out.append(text.substr(i, step.length));
        }
        i += step.length;
    }
}

void appendReplacingInvalidUtf8(std::string& out, std::string_view text)
{
    out.reserve(out.size() + text.size());
    std::size_t clean = 0; // start of the valid run not yet copied
    for (std::size_t i = 0; i < text.size();) {
        const Step step = decodeAt(text, i);
        if (step.codePoint < 0) {
            out.append(text.substr(clean, i - clean));
            out += "\xEF\xBF\xBD";
            clean = i + step.length;
        }
        i += step.length;
    }
    out.append(text.substr(clean));
}

} // namespace shop
