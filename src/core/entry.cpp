// RawEntry field capture.
#include "entry.hpp"

namespace shop {

void RawEntry::setField(std::string_view name, std::string_view value)
{
    if (name == "type")
        type = value;
    else if (name == "data")
        data = value;
    else if (name == "v")
        v = value;
    else if (name == "eid")
        eid = value;
    else if (name == "actor")
        actor = value;
}

} // namespace shop
