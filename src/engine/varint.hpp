// The byte packing of the window's history rows and replay checkpoints: LEB128 varints,
// zigzag for signed values, strings as a length and their bytes, and a cursor that reads them
// back. No checks: the bytes are only ever read by the code that wrote them.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace shop::engine::packing {

inline void putVarint(std::string& out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

inline std::uint64_t zigzag(std::int64_t v)
{
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

inline std::int64_t unzigzag(std::uint64_t z) { return static_cast<std::int64_t>((z >> 1) ^ (0 - (z & 1))); }

inline void putSigned(std::string& out, std::int64_t v) { putVarint(out, zigzag(v)); }

inline void putString(std::string& out, std::string_view s)
{
    putVarint(out, s.size());
    out.append(s);
}

// The same encodings written through a pointer into room the caller made (at most
// kMaxVarint bytes a varint, and a string's bytes after its length).
inline constexpr std::size_t kMaxVarint = 10;

inline char* writeVarint(char* p, std::uint64_t v)
{
    while (v >= 0x80) {
        *p++ = static_cast<char>(v | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
}

inline char* writeSigned(char* p, std::int64_t v) { return writeVarint(p, zigzag(v)); }

inline char* writeString(char* p, std::string_view s)
{
    p = writeVarint(p, s.size());
    if (!s.empty()) // an empty view's data() may be null, which memcpy may not be given
        std::memcpy(p, s.data(), s.size());
    return p + s.size();
}

// Reads forward through packed bytes.
struct Cursor {
    const std::uint8_t* p;
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        int shift = 0;
        while (*p & 0x80) {
            v |= static_cast<std::uint64_t>(*p++ & 0x7f) << shift;
            shift += 7;
        }
        v |= static_cast<std::uint64_t>(*p++) << shift;
        return v;
    }
    std::int64_t signedValue() { return unzigzag(varint()); }
    std::string_view string()
    {
        const std::size_t n = varint();
        std::string_view s(reinterpret_cast<const char*>(p), n);
        p += n;
        return s;
    }
};

} // namespace shop::engine::packing
