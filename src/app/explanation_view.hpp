// The core's explanations (core/explain.hpp) as QML reads them: the ladder of checks and the
// rows an event changed, for the entry details pane and the edit dialogs' previews. Nothing
// here decides a verdict: explainEntry does, as the consumer would.
#pragma once

#include "core/domain.hpp"

#include <QString>
#include <QVariantMap>

#include <optional>

namespace shop {
struct Explanation;
}

namespace shop::app {

class UserListModel;
class ItemListModel;

// {applied, reason (a section 3 name, "" when applied), reasonText, why,
//  ladder: [{check, checkText, outcome ("passed", "decided", "not_reached"), detail}],
//  changes: [{label ("user 7 \"Alan\"", "item \"cpu\""), text (describeChange)}]}
QVariantMap explanationForQml(const Explanation& explanation);

// What a dialog's event would do if appended now.
struct EventPreview {
    // explanationForQml plus verdictText ("would be applied", "would be rejected: <words>
    // (<why>)", or why nothing would be written) and refused (the last, else "").
    QVariantMap view;
    // The verdict it would get; empty when it would not be written at all.
    std::optional<Reason> reason;
};

// Encodes `data` as submit does (CommandTracker::eventJson; in the original demo's format when
// `legacy`, as the writer converts it), copies the rows the event names from the live tables
// into an otherwise empty state and processes the entry on it with explainEntry. A verdict
// depends only on the rows the event names, so this is the consumer's, unless another entry
// comes first.
EventPreview previewEvent(const QString& type, const QVariantMap& data, bool legacy, const UserListModel& users,
                          const ItemListModel& items);

// A decoded event as its edit dialog's fields take it, for "What if it had been…": {type
// (the native name: an OrderType of the original demo is "Order"), userId (as text: ids
// beyond 2^53 stay exact), itemId, amount, price, delta (money as "12.50", counts as "3"),
// count, name, reason, orderId, lines: [{itemId, qty}]}, only the fields of its type. An
// AddItem without a price or a name has "" there (the dialog's "keep the current" value).
QVariantMap eventForDialog(const Event& event);

} // namespace shop::app
