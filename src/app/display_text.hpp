// How the window writes values: money (the one formatting of src/core, shop::formatMoney,
// as a QString), UTF-8 from the core as QString, and times.
#pragma once

#include <QString>

#include <string_view>

namespace shop {
struct Event;
}

namespace shop::app {

// Minor units with two decimals: 1250 -> "12.50", -305 -> "-3.05".
QString formatMoney(qint64 minor);

// A count in the locale's digits and grouping (1000000 -> "1,000,000" in English), never in
// exponent notation: every count the window shows goes through here.
QString formatCount(qint64 n);
// "1 user", "1,234 users": the count and the noun it counts.
QString countOf(qint64 n, const QString& one, const QString& many);

inline QString fromUtf8(std::string_view text) { return QString::fromUtf8(text.data(), qsizetype(text.size())); }

// The money an event carries, with its units, for beside the raw data (whose numbers are
// minor units in the native format and whole units in the original demo's): "amount 2500 =
// 25.00"; "Amount 500 = 500.00 (whole units)". "" when it carries none.
QString moneyNote(const Event& event);

// Milliseconds since the epoch as local time in `format` (QDateTime's).
QString localTimeText(qint64 ms, const QString& format);

} // namespace shop::app
