// The names of the rows gui_catchup_bench prints that `shopstream-cli bench` looks up by name
// (the median, the worst run, the live row): one spelling for both.
#pragma once

namespace shop::bench {

inline constexpr const char* kGuiCatchUpRow = "GUI: catch-up in the real window";
inline constexpr const char* kGuiStallRow = "GUI: longest GUI-thread stall in catch-up";
inline constexpr const char* kGuiLiveRow = "GUI: window live (at the head, editable)";

} // namespace shop::bench
