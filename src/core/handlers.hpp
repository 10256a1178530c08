// The event handlers: apply a decoded Event to ShopState all or nothing, with the per-type
// checks of DESIGN section 3 in their order. Pure and deterministic.
#pragma once

#include "domain.hpp"
#include "entry.hpp"

namespace shop {

class ShopState;

// Returns Reason::None when applied; otherwise the state is unchanged.
Reason applyEvent(ShopState& state, const Event& event);

// Decode + apply + count one entry, and advance state.lastEventId. `scratch` is reused
// between calls to avoid allocations.
Reason processEntry(ShopState& state, const RawEntry& entry, Event& scratch);

} // namespace shop
