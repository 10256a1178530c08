// MessagePack exactly as the original Go demo's encoder wrote it, for the simulator's legacy
// traffic and the legacy encoder: fixstr or str8 keys and strings, int64 always as d3 and
// uint64 always as cf (8 bytes, however small the value), arrays with a fixarray or array16
// header. The demo's structs never need more (item ids are at most 64 bytes, orders at most
// 100 lines).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shop {

class GoMsgpack {
public:
    explicit GoMsgpack(std::string& out) : out_(out) { out_.clear(); }
    void map(std::size_t n) { out_.push_back(static_cast<char>(0x80 | n)); }
    void str(std::string_view s)
    {
        if (s.size() < 32) {
            out_.push_back(static_cast<char>(0xa0 | s.size()));
        } else {
            out_.push_back(static_cast<char>(0xd9));
            out_.push_back(static_cast<char>(s.size()));
        }
        out_.append(s);
    }
    void int64(std::int64_t v) { big(0xd3, static_cast<std::uint64_t>(v)); }
    void uint64(std::uint64_t v) { big(0xcf, v); }
    void array(std::size_t n)
    {
        if (n < 16) {
            out_.push_back(static_cast<char>(0x90 | n));
        } else {
            out_.push_back(static_cast<char>(0xdc));
            out_.push_back(static_cast<char>(n >> 8));
            out_.push_back(static_cast<char>(n & 0xff));
        }
    }

private:
    void big(unsigned char tag, std::uint64_t v)
    {
        out_.push_back(static_cast<char>(tag));
        for (int shift = 56; shift >= 0; shift -= 8)
            out_.push_back(static_cast<char>((v >> shift) & 0xff));
    }
    std::string& out_;
};

} // namespace shop
