// Reason names exactly as DESIGN section 3 spells them, for the core suites; kept here (not
// taken from reasonName) so that a wrong name in the library shows up as a failure.
#pragma once

#include "core/domain.hpp"

#include <QByteArray>
#include <QtGlobal>

#include <cstddef>
#include <utility>

namespace reason_names {

inline const std::pair<shop::Reason, const char*> kReasonNames[] = {
    {shop::Reason::None, "applied"},
    {shop::Reason::TooLarge, "too_large"},
    {shop::Reason::UnsupportedVersion, "unsupported_version"},
    {shop::Reason::UnknownType, "unknown_type"},
    {shop::Reason::Malformed, "malformed"},
    {shop::Reason::Invalid, "invalid"},
    {shop::Reason::UserExists, "user_exists"},
    {shop::Reason::UnknownUser, "unknown_user"},
    {shop::Reason::NegativeBalance, "negative_balance"},
    {shop::Reason::Overflow, "overflow"},
    {shop::Reason::UnknownItem, "unknown_item"},
    {shop::Reason::NegativeStock, "negative_stock"},
    {shop::Reason::UnpricedItem, "unpriced_item"},
    {shop::Reason::OutOfStock, "out_of_stock"},
    {shop::Reason::InsufficientFunds, "insufficient_funds"},
};

inline QByteArray nameOf(shop::Reason r)
{
    for (const auto& [reason, name] : kReasonNames)
        if (reason == r)
            return name;
    return "reason#" + QByteArray::number(int(r));
}

inline shop::Reason reasonFrom(const QByteArray& name)
{
    for (const auto& [reason, n] : kReasonNames)
        if (name == n)
            return reason;
    qFatal("unknown reason name in test data: %s", name.constData());
}

inline std::size_t idx(shop::Reason r) { return static_cast<std::size_t>(r); }

} // namespace reason_names
