// The window's value texts; money is core's formatMoney, so CLI and window never differ.
#include "display_text.hpp"

#include "core/domain.hpp"
#include "core/money.hpp"

#include <QDateTime>
#include <QLocale>

namespace shop::app {

QString moneyNote(const Event& e)
{
    // The field as written (the demo's names are capitalised) and its value in minor units.
    const auto note = [&](const char* native, const char* legacy, std::int64_t minor) {
        if (e.legacy)
            return QStringLiteral("%1 %2 = %3 (whole units)").arg(QLatin1String(legacy)).arg(minor / 100).arg(formatMoney(minor));
        return QStringLiteral("%1 %2 = %3").arg(QLatin1String(native)).arg(minor).arg(formatMoney(minor));
    };
    switch (e.type) {
    case EventType::TopUp:
        return note("amount", "Amount", e.amount);
    case EventType::AdjustBalance:
        return note("delta", "Delta", e.delta);
    case EventType::SetPrice:
        return note("price", "Price", e.price);
    case EventType::AddItem:
        return e.hasPrice ? note("price", "Price", e.price) : QString();
    case EventType::RegisterUser:
    case EventType::AdjustStock:
    case EventType::Order:
        return {};
    }
    return {};
}

QString formatMoney(qint64 minor) { return QString::fromStdString(shop::formatMoney(minor)); }

QString localTimeText(qint64 ms, const QString& format) { return QDateTime::fromMSecsSinceEpoch(ms).toString(format); }

QString formatCount(qint64 n)
{
    return QLocale().toString(n);
}

QString countOf(qint64 n, const QString& one, const QString& many)
{
    return formatCount(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

} // namespace shop::app
