// Cluster slots of our keys (the CRC16 that Redis Cluster uses: polynomial 0x1021, XMODEM).
#include "keys.hpp"

#include <array>
#include <cstdint>

namespace shop::redis {

namespace {

constexpr std::array<std::uint16_t, 256> crcTable()
{
    std::array<std::uint16_t, 256> table {};
    for (int byte = 0; byte < 256; ++byte) {
        std::uint16_t crc = std::uint16_t(byte << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? std::uint16_t((crc << 1) ^ 0x1021) : std::uint16_t(crc << 1);
        table[std::size_t(byte)] = crc;
    }
    return table;
}

constexpr auto kCrcTable = crcTable();

std::uint16_t crc16(std::string_view bytes)
{
    std::uint16_t crc = 0;
    for (unsigned char c : bytes)
        crc = std::uint16_t((crc << 8) ^ kCrcTable[((crc >> 8) ^ c) & 0xff]);
    return crc;
}

} // namespace

std::string_view hashTag(std::string_view key)
{
    const auto open = key.find('{');
    if (open == std::string_view::npos)
        return {};
    const auto close = key.find('}', open + 1);
    if (close == std::string_view::npos)
        return {};
    return key.substr(open + 1, close - open - 1); // "" for "{}": no tag, as Redis reads it
}

int keySlot(std::string_view key)
{
    const std::string_view tag = hashTag(key);
    return crc16(tag.empty() ? key : tag) & 16383;
}

std::string hashTagAdvice(std::string_view stream)
{
    if (!hashTag(stream).empty())
        return {};
    return "the stream key " + std::string(stream) + " has no {hash tag}, so its snapshots and idempotency records would "
           "land in other slots of the cluster: writing to it is refused (reading works). Name the stream with a hash tag, "
           "{" + std::string(stream) + "} instead of " + std::string(stream) + " (--stream '{" + std::string(stream) + "}')";
}

} // namespace shop::redis
