// The event handlers: apply a decoded Event to ShopState all or nothing, with the per-type
// checks of DESIGN section 3 in their order. Pure and deterministic.
#pragma once

#include "domain.hpp"
#include "entry.hpp"

#include <string>

namespace shop {

class ShopState;

// Returns Reason::None when applied; otherwise the state is unchanged, and `why` (when
// given) says what decided it with its values, for people: "balance 25.00 < total 30.00",
// "no user 5555", "item \"cpu\": 5 ordered, 3 in stock". The same code decides and
// explains; nothing is written to `why` for an applied event.
Reason applyEvent(ShopState& state, const Event& event, std::string* why = nullptr);

// Decode + apply + count one entry, and advance state.lastEventId. `scratch` is reused
// between calls to avoid allocations. `why` as for decodeEntry and applyEvent.
Reason processEntry(ShopState& state, const RawEntry& entry, Event& scratch, std::string* why = nullptr);

} // namespace shop
