// The window's value texts; money is core's formatMoney, so CLI and window never differ.
#include "display_text.hpp"

#include "core/money.hpp"

#include <QDateTime>

namespace shop::app {

QString formatMoney(qint64 minor) { return QString::fromStdString(shop::formatMoney(minor)); }

QString localTimeText(qint64 ms, const QString& format) { return QDateTime::fromMSecsSinceEpoch(ms).toString(format); }

} // namespace shop::app
