// Where streamed output goes: writers hand over their text in pieces (of a few tens of KiB),
// so that a large document never has to be held whole in memory.
#pragma once

#include <functional>
#include <string_view>

namespace shop {

using TextSink = std::function<void(std::string_view)>;

} // namespace shop
