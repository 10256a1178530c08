// A deterministic simulator of a shop's traffic for `produce` and the demo shop: the same
// options give the same entries on every machine. It mixes valid events with ones that
// will be rejected (unknown users, out of stock, too little money, malformed data...).
#pragma once

#include <cstdint>
#include <string>

namespace shop {

struct SimulatorOptions {
    std::int64_t users = 100;
    std::int64_t items = 50;
    std::uint64_t seed = 1;
    bool legacy = false; // the original demo's MessagePack format (TopUp, AddItem, OrderType)
};

struct SimEntry {
    std::string type;
    std::string data;
};

class ShopSimulator {
public:
    explicit ShopSimulator(SimulatorOptions options);
    // The next entry of the simulated traffic.
    void next(SimEntry& out);

private:
    std::uint64_t nextRandom();
    std::int64_t uniform(std::int64_t lo, std::int64_t hi); // inclusive
    std::string itemId(std::int64_t index) const;
    void nextNative(SimEntry& out);
    void nextLegacy(SimEntry& out);

    SimulatorOptions options_;
    std::uint64_t state_;
    std::uint64_t produced_ = 0;
};

} // namespace shop
