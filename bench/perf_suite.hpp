// The performance suite (DESIGN section 9), run by `shopstream-cli bench`. It starts its own
// redis-server, fills it, and prints every figure next to its baseline. It measures; it never
// fails on speed. It runs the calling executable (/proc/self/exe) as `consume` for catch-up,
// so it must be linked into shopstream-cli.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace shop::bench {

struct SuiteOptions {
    std::size_t events = 1000000; // entries per stream
    bool quick = false;           // fewer repetitions (a smoke run)
    bool json = false;            // the figures as JSON instead of a table
    // Only these steps (suiteSteps() names), with what they need (the streams are always
    // written; the history for "overview", "what-if" and "replay"); empty: all of them.
    std::vector<std::string> only;
};

// The steps' names, in the order they run ("gui" last).
std::vector<std::string> suiteSteps();

// 0 when every figure was measured; 1 when one could not be (said on stderr).
int runSuite(const SuiteOptions& options);

} // namespace shop::bench
