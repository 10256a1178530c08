// The core's explanations (core/explain.hpp) as QML reads them: the ladder of checks and the
// rows an event changed, for the entry details pane. Nothing here decides a verdict:
// explainEntry does, as the consumer would.
#pragma once

#include <QVariantMap>

namespace shop {
struct Explanation;
}

namespace shop::app {

// {applied, reason (a section 3 name, "" when applied), reasonText, why,
//  ladder: [{check, checkText, outcome ("passed", "decided", "not_reached"), detail}],
//  changes: [{label ("user 7 \"Alan\"", "item \"cpu\""), text (describeChange)}]}
QVariantMap explanationForQml(const Explanation& explanation);

} // namespace shop::app
