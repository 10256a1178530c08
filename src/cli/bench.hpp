// `shopstream-cli bench`: the performance suite (DESIGN section 9). It starts its own
// redis-server, fills it, and prints every figure next to its baseline. It measures; it
// never fails on speed (a non-zero exit means a figure could not be measured at all).
#pragma once

#include "cli_commands.hpp"

namespace shop::cli {

extern const char* const kBenchHelp;

int cmdBench(const CommandArgs& args);

} // namespace shop::cli
