// Micro-benchmarks of src/core with Google Benchmark: decode+apply of native and legacy
// entries held in memory (what the consumer does per entry once Redis has answered), and
// apply-only of events decoded beforehand. Entries come from the traffic simulator
// (10k users, 1k items, as `shopstream-cli bench` uses), so the mix of verdicts is the same.
#include "core/entry_decoder.hpp"
#include "core/handlers.hpp"
#include "core/shop_state.hpp"
#include "core/simulator.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

constexpr std::size_t kEntries = 200000;

struct Corpus {
    std::vector<shop::SimEntry> raw;
    std::vector<std::string> ids;
    std::vector<shop::RawEntry> entries;

    explicit Corpus(bool legacy)
    {
        shop::SimulatorOptions options;
        options.users = 10000;
        options.items = 1000;
        options.legacy = legacy;
        shop::ShopSimulator sim(options);
        raw.resize(kEntries);
        ids.resize(kEntries);
        entries.resize(kEntries);
        for (std::size_t i = 0; i < kEntries; ++i) {
            sim.next(raw[i]);
            ids[i] = std::to_string(1700000000000 + i / 16) + "-" + std::to_string(i % 16);
        }
        for (std::size_t i = 0; i < kEntries; ++i) {
            shop::RawEntry& e = entries[i];
            e.id = ids[i];
            e.type = raw[i].type;
            e.data = raw[i].data;
            if (!legacy) { // as `produce` writes them
                e.v = "1";
                e.eid = "0b5d7c1e-4a4f-4d43-9d3e-7a3c2b1f0e9d";
                e.actor = "simulator";
            }
        }
    }
};

const Corpus& native()
{
    static const Corpus corpus(false);
    return corpus;
}

const Corpus& legacy()
{
    static const Corpus corpus(true);
    return corpus;
}

// Decode + apply + count, entry by entry, from a fresh state each pass over the corpus.
void decodeApply(benchmark::State& st, const Corpus& corpus)
{
    shop::ShopState state;
    shop::Event scratch;
    std::size_t i = 0;
    for (auto _ : st) {
        if (i == corpus.entries.size()) {
            st.PauseTiming();
            state.clear();
            i = 0;
            st.ResumeTiming();
        }
        benchmark::DoNotOptimize(shop::processEntry(state, corpus.entries[i++], scratch));
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

void BM_DecodeApplyNative(benchmark::State& st) { decodeApply(st, native()); }
void BM_DecodeApplyLegacy(benchmark::State& st) { decodeApply(st, legacy()); }

// Decode only (no state), to split the decode+apply figure.
void BM_DecodeNative(benchmark::State& st)
{
    const Corpus& corpus = native();
    shop::Event scratch;
    std::size_t i = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(shop::decodeEntry(corpus.entries[i], scratch));
        i = i + 1 == corpus.entries.size() ? 0 : i + 1;
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

void BM_DecodeLegacy(benchmark::State& st)
{
    const Corpus& corpus = legacy();
    shop::Event scratch;
    std::size_t i = 0;
    for (auto _ : st) {
        benchmark::DoNotOptimize(shop::decodeEntry(corpus.entries[i], scratch));
        i = i + 1 == corpus.entries.size() ? 0 : i + 1;
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

// Apply-only: the events are decoded once, up front; each pass applies them (and counts
// the verdicts) on a fresh state.
void BM_ApplyOnlyNative(benchmark::State& st)
{
    const Corpus& corpus = native();
    static const auto decoded = [&] {
        std::vector<std::pair<shop::Reason, shop::Event>> out(corpus.entries.size());
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i].first = shop::decodeEntry(corpus.entries[i], out[i].second);
        return out;
    }();
    shop::ShopState state;
    std::size_t i = 0;
    for (auto _ : st) {
        if (i == decoded.size()) {
            st.PauseTiming();
            state.clear();
            i = 0;
            st.ResumeTiming();
        }
        const auto& [reason, event] = decoded[i++];
        const shop::Reason verdict = reason == shop::Reason::None ? shop::applyEvent(state, event) : reason;
        state.counts.count(verdict);
        benchmark::DoNotOptimize(verdict);
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
}

} // namespace

BENCHMARK(BM_DecodeApplyNative);
BENCHMARK(BM_DecodeApplyLegacy);
BENCHMARK(BM_DecodeNative);
BENCHMARK(BM_DecodeLegacy);
BENCHMARK(BM_ApplyOnlyNative);

BENCHMARK_MAIN();
