// The window's value texts; money is core's formatMoney, so CLI and window never differ.
#include "display_text.hpp"

#include "core/money.hpp"

#include <QDateTime>
#include <QLocale>

namespace shop::app {

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
