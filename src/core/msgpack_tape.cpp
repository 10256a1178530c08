// MsgpackTape: an iterative, validating MessagePack tokenizer.
#include "msgpack_tape.hpp"

#include "tape_navigation.hpp"

namespace shop {

bool MsgpackTape::parse(std::string_view s, std::size_t maxDepth)
{
    bytes_ = s;
    tokens_.clear();
    stack_.clear();
    std::size_t pos = 0;
    const auto need = [&](std::uint64_t n) { return s.size() - pos >= n; };
    const auto readBe = [&](std::size_t n) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v = (v << 8) | static_cast<unsigned char>(s[pos + i]);
        pos += n;
        return v;
    };
    do {
        if (!need(1))
            return false;
        const auto b = static_cast<unsigned char>(s[pos++]);
        Token t{};
        t.kind = Kind::Nil;
        std::uint64_t skip = 0;     // payload bytes after the header
        std::uint64_t children = 0; // items of a container
        bool container = false;
        if (b <= 0x7f) {
            t.kind = Kind::Int;
            t.integer = b;
        } else if (b >= 0xe0) {
            t.kind = Kind::Int;
            t.integer = static_cast<std::int64_t>(b) - 256;
        } else if (b <= 0x8f) {
            t.kind = Kind::Map;
            container = true;
            children = 2ULL * (b & 0x0f);
        } else if (b <= 0x9f) {
            t.kind = Kind::Array;
            container = true;
            children = b & 0x0f;
        } else if (b <= 0xbf) {
            t.kind = Kind::String;
            skip = b & 0x1f;
        } else {
            switch (b) {
            case 0xc0:
                t.kind = Kind::Nil;
                break;
            case 0xc2:
            case 0xc3:
                t.kind = Kind::Bool;
                break;
            case 0xc4: case 0xc5: case 0xc6: { // bin 8/16/32
                const std::size_t n = std::size_t(1) << (b - 0xc4);
                if (!need(n))
                    return false;
                t.kind = Kind::Binary;
                skip = readBe(n);
                break;
            }
            case 0xc7: case 0xc8: case 0xc9: { // ext 8/16/32: length, then a type byte
                const std::size_t n = std::size_t(1) << (b - 0xc7);
                if (!need(n))
                    return false;
                t.kind = Kind::Binary;
                skip = readBe(n) + 1;
                break;
            }
            case 0xca:
                t.kind = Kind::Float;
                skip = 4;
                break;
            case 0xcb:
                t.kind = Kind::Float;
                skip = 8;
                break;
            case 0xcc: case 0xcd: case 0xce: case 0xcf: { // uint 8/16/32/64
                const std::size_t n = std::size_t(1) << (b - 0xcc);
                if (!need(n))
                    return false;
                const std::uint64_t v = readBe(n);
                t.kind = v > 0x7fffffffffffffffULL ? Kind::BigUInt : Kind::Int;
                t.integer = static_cast<std::int64_t>(v);
                break;
            }
            case 0xd0: case 0xd1: case 0xd2: case 0xd3: { // int 8/16/32/64
                const std::size_t n = std::size_t(1) << (b - 0xd0);
                if (!need(n))
                    return false;
                const std::uint64_t v = readBe(n);
                const unsigned bits = 8 * static_cast<unsigned>(n);
                // Sign-extend from the encoded width.
                const std::uint64_t sign = std::uint64_t(1) << (bits - 1);
                t.kind = Kind::Int;
                t.integer = bits == 64 ? static_cast<std::int64_t>(v)
                                       : static_cast<std::int64_t>((v ^ sign) - sign);
                break;
            }
            case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: // fixext 1..16 plus a type byte
                t.kind = Kind::Binary;
                skip = 1 + (std::uint64_t(1) << (b - 0xd4));
                break;
            case 0xd9: case 0xda: case 0xdb: { // str 8/16/32
                const std::size_t n = std::size_t(1) << (b - 0xd9);
                if (!need(n))
                    return false;
                t.kind = Kind::String;
                skip = readBe(n);
                break;
            }
            case 0xdc: case 0xdd: { // array 16/32
                const std::size_t n = b == 0xdc ? 2 : 4;
                if (!need(n))
                    return false;
                t.kind = Kind::Array;
                container = true;
                children = readBe(n);
                break;
            }
            case 0xde: case 0xdf: { // map 16/32
                const std::size_t n = b == 0xde ? 2 : 4;
                if (!need(n))
                    return false;
                t.kind = Kind::Map;
                container = true;
                children = 2 * readBe(n);
                break;
            }
            default: // 0xc1 is never used
                return false;
            }
        }
        // A map's keys are strings (nlohmann reads them as such and fails otherwise).
        if (!stack_.empty() && stack_.back().isMap && stack_.back().expectKey && t.kind != Kind::String)
            return false;
        if (!need(skip))
            return false;
        t.begin = static_cast<std::uint32_t>(pos);
        t.length = static_cast<std::uint32_t>(skip);
        pos += skip;
        const auto index = static_cast<std::uint32_t>(tokens_.size());
        t.next = index + 1;
        tokens_.push_back(t);
        if (!stack_.empty()) {
            Open& parent = stack_.back();
            --parent.remaining;
            if (parent.isMap)
                parent.expectKey = !parent.expectKey; // key, value, key, value...
        }
        if (container && children > 0) {
            if (stack_.size() + 1 > maxDepth || children > s.size() - pos) // every item takes a byte
                return false;
            stack_.push_back({index, children, t.kind == Kind::Map, t.kind == Kind::Map});
        }
        while (!stack_.empty() && stack_.back().remaining == 0) {
            tokens_[stack_.back().token].next = static_cast<std::uint32_t>(tokens_.size());
            stack_.pop_back();
        }
    } while (!stack_.empty());
    return pos == s.size();
}

std::uint32_t MsgpackTape::find(std::uint32_t object, std::string_view key) const
{
    return tape::findMember(tokens_, object, [&](std::uint32_t k) { return text(k) == key; });
}

std::uint32_t MsgpackTape::firstChild(std::uint32_t container) const { return tape::firstChild(tokens_, container); }

std::uint32_t MsgpackTape::nextSibling(std::uint32_t container, std::uint32_t child) const
{
    return tape::nextSibling(tokens_, container, child);
}

std::uint32_t MsgpackTape::childCount(std::uint32_t container) const { return tape::childCount(tokens_, container); }

} // namespace shop
