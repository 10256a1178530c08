// libFuzzer target for the entry decoder and the handlers: processEntry on a small shop.
// Input: one flag byte, then `type \n v \n data` (the rest after the second newline is the
// data, so it may hold any bytes). Flag bits, as ASCII digits in the seeds: 1 type present,
// 2 data present, 4 v present; '7' is a native entry, '3' a legacy one (no v).
// Beyond "no crash, no sanitizer report", it checks what must always hold: the counts add
// up, no balance or stock goes negative, and a snapshot of the state decodes to the same
// state (what `snapshot verify` relies on).
#include "core/entry.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/snapshot_codec.hpp"
#include "core/state_json.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require(bool condition, const char* what)
{
    if (!condition) {
        std::fprintf(stderr, "entry_fuzzer: invariant broken: %s\n", what);
        std::abort();
    }
}

void apply(shop::ShopState& state, shop::Event& scratch, const char* id, const char* type, const char* data)
{
    shop::RawEntry e;
    e.id = id;
    e.type = type;
    e.data = data;
    e.v = "1";
    shop::processEntry(state, e, scratch);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    if (size < 1)
        return 0;
    const unsigned flags = bytes[0];
    const std::string_view rest(reinterpret_cast<const char*>(bytes + 1), size - 1);
    const auto nl1 = rest.find('\n');
    const auto nl2 = nl1 == std::string_view::npos ? std::string_view::npos : rest.find('\n', nl1 + 1);
    const std::string type(rest.substr(0, nl1));
    const std::string v(nl1 == std::string_view::npos ? std::string_view() : rest.substr(nl1 + 1, nl2 - nl1 - 1));
    const std::string data(nl2 == std::string_view::npos ? std::string_view() : rest.substr(nl2 + 1));

    // A small shop for the handlers to work on: a user with money, a priced and an unpriced item.
    shop::ShopState state;
    shop::Event scratch;
    apply(state, scratch, "1-1", "RegisterUser", R"({"userId":1,"name":"alice"})");
    apply(state, scratch, "1-2", "TopUp", R"({"userId":1,"amount":100000})");
    apply(state, scratch, "1-3", "AddItem", R"({"itemId":"mug","count":10,"price":1250,"name":"Mug"})");
    apply(state, scratch, "1-4", "AddItem", R"({"itemId":"pen","count":5})");
    require(state.counts.applied == 4, "the seed shop applies");

    shop::RawEntry entry;
    if (flags & 1)
        entry.type = type;
    if (flags & 2)
        entry.data = data;
    if (flags & 4)
        entry.v = v;
    entry.eid = "00000000-0000-4000-8000-000000000000";
    entry.actor = "fuzz";
    // Twice: the second sees what the first did (user_exists, stock gone, ...).
    entry.id = "2-1";
    const shop::Reason first = shop::processEntry(state, entry, scratch);
    entry.id = "2-2";
    const shop::Reason second = shop::processEntry(state, entry, scratch);
    (void)first;
    (void)second;

    const shop::VerdictCounts& c = state.counts;
    require(c.total == 6, "every entry is counted once");
    require(c.applied + c.rejected == c.total, "applied + rejected == total");
    require(c.byReason[0] == c.applied, "byReason[applied] == applied");
    std::int64_t rejected = 0;
    for (int r = 1; r < shop::kReasonCount; ++r)
        rejected += c.byReason[r];
    require(rejected == c.rejected, "the reasons add up to the rejected count");
    require(state.lastEventId == "2-2", "lastEventId is the last entry's");
    for (const auto& [id, user] : state.users()) {
        require(id > 0, "user ids are positive");
        require(user.balance >= 0, "no balance goes negative");
        require(user.name.size() <= 100, "names are at most 100 bytes");
    }
    for (const auto& [id, item] : state.items()) {
        require(item.stock >= 0, "no stock goes negative");
        require(item.price >= 0, "no price goes negative");
    }

    // A snapshot of the state must give the state back.
    const std::string blob = shop::encodeSnapshot(state, "fuzz:events", 0);
    shop::ShopState back;
    const std::string problem = shop::decodeSnapshot(blob, "fuzz:events", back);
    if (!problem.empty())
        std::fprintf(stderr, "entry_fuzzer: snapshot does not decode: %s\n", problem.c_str());
    require(problem.empty(), "a snapshot of the state decodes");
    require(back == state, "a snapshot of the state equals the state");
    (void)shop::stateToJson(state, "fuzz:events");
    return 0;
}
