#include "whatif.hpp"

#include "handlers.hpp"

namespace shop {

void WhatIfReplay::change(const RawEntry* replacement)
{
    if (replacement)
        replacementReason_ = processEntry(changed_, *replacement, scratch_);
}

Reason WhatIfReplay::replay(Reason realReason, const Event& event)
{
    const Reason reason = decidedByEntryAlone(realReason) ? realReason : applyEvent(changed_, event);
    changed_.counts.count(reason);
    return reason;
}

void WhatIfReplay::later(std::string_view id, Reason realReason, const Event& event)
{
    const Reason reason = replay(realReason, event);
    changed_.lastEventId.assign(id);
    if (reason != realReason)
        changes_.push_back({std::string(id), realReason, reason});
}

} // namespace shop
