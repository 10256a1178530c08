// How `explain`, `append --dry-run` and `whatif` print an explanation and a comparison: as
// text for people (escaped for the terminal) or as JSON objects (nlohmann, built here so that
// the headers stay light).
#pragma once

#include "core/explain.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace shop::cli {

// {"id", "type", "verdict", "why", "checks": [{"check", "outcome", "detail"}],
//  "changes": [{"user": ID, "before": {...} | null, "after": {...}} | {"item": ID, ...}]}
// An empty id is null (a preview: the entry is not written).
nlohmann::ordered_json explanationJson(const Explanation& e, const std::string& id);

// "checks:" with one line per rung, then "changes:" with one line per row (or "changes: none").
std::string explanationText(const Explanation& e);

// "user 7 (\"Alan\")" / "item \"cpu\"" : how a row is named in text.
std::string userLabel(const User& u);
std::string itemLabel(const Item& i);

// One line per row that differs, "  user 7: balance 10.00 -> 25.00, ..." ("" when none).
std::string differenceText(const StateDifference& d);

// A JSON document as text, invalid UTF-8 replaced.
std::string dumpJson(const nlohmann::ordered_json& j);

} // namespace shop::cli
