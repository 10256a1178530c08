// libFuzzer target for the snapshot decoder (decodeSnapshot). The first byte picks a mode:
// even, the rest is a blob as stored in Redis; odd, the rest is a header line and a body
// and the harness fixes the header's bodyBytes and checksum, so that mutations reach the
// body's parser instead of stopping at the checksum. Beyond "no crash", a snapshot that
// decodes must encode again to one that decodes to the same state.
#include "core/shop_state.hpp"
#include "core/snapshot_codec.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view kStream = "shop:events";

void require(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "snapshot_fuzzer: invariant broken: %s\n", what);
        std::abort();
    }
}

// The header with the body's true size and checksum, when the header is a JSON object.
std::string withFixedHeader(std::string_view rest)
{
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos)
        return std::string(rest);
    const std::string_view body = rest.substr(nl + 1);
    nlohmann::json header = nlohmann::json::parse(rest.substr(0, nl), nullptr, false);
    if (header.is_discarded() || !header.is_object())
        return std::string(rest);
    header["bodyBytes"] = body.size();
    header["checksum"] = shop::checksumHex(body);
    return header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n" + std::string(body);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::string_view rest(reinterpret_cast<const char*>(bytes + 1), size - 1);
    const std::string blob = (bytes[0] & 1) ? withFixedHeader(rest) : std::string(rest);

    shop::SnapshotHeader listed;
    (void)shop::decodeSnapshotHeader(blob, listed);
    (void)shop::verifySnapshot(blob, kStream);

    shop::ShopState state;
    shop::SnapshotHeader header;
    const std::string problem = shop::decodeSnapshot(blob, kStream, state, &header);
    if (!problem.empty()) {
        require(state.users().empty() && state.items().empty() && state.counts.total == 0,
                "a snapshot that does not decode leaves an empty state");
        return 0;
    }
    const shop::VerdictCounts& c = state.counts;
    require(c.applied + c.rejected == c.total, "applied + rejected == total");
    require(static_cast<std::int64_t>(state.users().size()) == header.users, "user count as in the header");
    require(static_cast<std::int64_t>(state.items().size()) == header.items, "item count as in the header");

    const std::string again = shop::encodeSnapshot(state, kStream, header.createdMs);
    shop::ShopState back;
    const std::string problemAgain = shop::decodeSnapshot(again, kStream, back);
    if (!problemAgain.empty())
        std::fprintf(stderr, "snapshot_fuzzer: re-encoded snapshot does not decode: %s\n", problemAgain.c_str());
    require(problemAgain.empty(), "a decoded snapshot encodes again to one that decodes");
    require(back == state, "a decoded snapshot round-trips to the same state");
    return 0;
}
