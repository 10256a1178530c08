// ShopRules: the section 3 ranges as checks the dialogs run while the user types. The
// limits come from src/core, so the dialogs and the consumer never disagree on a range.
#include "shop_rules.hpp"

#include "display_text.hpp"

#include "core/domain.hpp"

#include <QFileInfo>
#include <QRegularExpression>

namespace shop::app {

namespace {

bool parseInt64(const QString& text, qint64& out)
{
    bool ok = false;
    out = text.trimmed().toLongLong(&ok);
    return ok;
}

// "12", "12.5", "12.50", "-3.05" (and a comma for the point) to minor units.
bool parseMoney(const QString& text, bool allowSign, qint64& out)
{
    static const QRegularExpression pattern(QStringLiteral("^([+-]?)(\\d{1,16})(?:[.,](\\d{1,2}))?$"));
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return false;
    const bool negative = match.captured(1) == QLatin1String("-");
    if (!match.captured(1).isEmpty() && !allowSign)
        return false;
    const qint64 whole = match.captured(2).toLongLong();
    QString cents = match.captured(3);
    if (cents.size() == 1)
        cents += QLatin1Char('0');
    const qint64 minor = whole * 100 + (cents.isEmpty() ? 0 : cents.toLongLong());
    out = negative ? -minor : minor;
    return true;
}

} // namespace

QString ShopRules::checkUserId(const QString& text) const
{
    qint64 id = 0;
    if (text.trimmed().isEmpty())
        return tr("Enter the user's id.");
    if (!parseInt64(text, id) || id < 1)
        return tr("A user id is a whole number from 1 to 9223372036854775807.");
    return {};
}

QString ShopRules::checkItemId(const QString& text) const
{
    if (text.isEmpty())
        return tr("Enter the item's id.");
    if (text.toUtf8().size() > static_cast<qsizetype>(limits::kMaxItemIdBytes))
        return tr("An item id has at most 64 characters.");
    if (!isValidItemId(text.toStdString()))
        return tr("An item id may use only letters A-Z and a-z, digits, '_', '.' and '-'.");
    return {};
}

QString ShopRules::checkName(const QString& text, bool required) const
{
    if (required && text.isEmpty())
        return tr("Enter a name.");
    if (text.toUtf8().size() > static_cast<qsizetype>(limits::kMaxNameBytes))
        return tr("The name is too long: at most 100 bytes (fewer letters when they are not plain ASCII).");
    return {};
}

QString ShopRules::checkReason(const QString& text) const
{
    if (text.isEmpty())
        return tr("Say why (this is kept with the event).");
    if (text.toUtf8().size() > static_cast<qsizetype>(limits::kMaxReasonBytes))
        return tr("The reason is too long: at most 200 bytes.");
    return {};
}

QString ShopRules::checkMoney(const QString& text, qint64 minMinor, qint64 maxMinor, bool allowZero, bool wholeUnits) const
{
    qint64 minor = 0;
    if (text.trimmed().isEmpty())
        return tr("Enter an amount, e.g. 12.50.");
    if (!parseMoney(text, false, minor))
        return tr("Write the amount as a number with at most two decimals, e.g. 12.50.");
    if (minor == 0 && !allowZero)
        return tr("The amount must be more than 0.");
    if (minor < minMinor || minor > maxMinor)
        return tr("The amount must be between %1 and %2.").arg(formatMoney(minMinor), formatMoney(maxMinor));
    if (wholeUnits && minor % limits::kLegacyMoneyFactor != 0) {
        const qint64 below = minor - minor % limits::kLegacyMoneyFactor;
        const qint64 above = below + limits::kLegacyMoneyFactor;
        const QString whole = below >= std::max<qint64>(minMinor, allowZero ? 0 : 1)
                                  ? tr("%1 or %2").arg(formatMoney(below), formatMoney(above))
                                  : formatMoney(above);
        return tr("The original demo's format takes whole units (%1, not %2).").arg(whole, formatMoney(minor));
    }
    return {};
}

QString ShopRules::checkSignedMoney(const QString& text) const
{
    qint64 minor = 0;
    if (text.trimmed().isEmpty())
        return tr("Enter the change, e.g. -5.00 or 20.");
    if (!parseMoney(text, true, minor))
        return tr("Write the change as a number with at most two decimals, e.g. -5.00.");
    if (minor == 0)
        return tr("The change must not be 0.");
    if (minor < -limits::kMaxBalanceDelta || minor > limits::kMaxBalanceDelta)
        return tr("The change must be between %1 and %2.")
            .arg(formatMoney(-limits::kMaxBalanceDelta), formatMoney(limits::kMaxBalanceDelta));
    return {};
}

QString ShopRules::checkCount(const QString& text, qint64 min, qint64 max) const
{
    qint64 n = 0;
    if (text.trimmed().isEmpty())
        return tr("Enter a number.");
    if (!parseInt64(text, n))
        return tr("Enter a whole number.");
    if (n < min || n > max)
        return tr("The number must be between %1 and %2.").arg(min).arg(max);
    return {};
}

QString ShopRules::checkStockDelta(const QString& text) const
{
    qint64 n = 0;
    if (text.trimmed().isEmpty())
        return tr("Enter the change, e.g. -3 or 10.");
    if (!parseInt64(text, n))
        return tr("Enter a whole number, e.g. -3 or 10.");
    if (n == 0)
        return tr("The change must not be 0.");
    if (n < -limits::kMaxStockDelta || n > limits::kMaxStockDelta)
        return tr("The change must be between -1000000000 and 1000000000.");
    return {};
}

QString ShopRules::checkOrderId(const QString& text) const
{
    if (text.toUtf8().size() > static_cast<qsizetype>(limits::kMaxOrderIdBytes))
        return tr("An order id has at most 64 bytes.");
    return {};
}

qint64 ShopRules::moneyToMinor(const QString& text) const
{
    qint64 minor = 0;
    return parseMoney(text, true, minor) ? minor : 0;
}

qint64 ShopRules::toInteger(const QString& text) const
{
    qint64 n = 0;
    return parseInt64(text, n) ? n : 0;
}

QString ShopRules::formatMoney(qint64 minor) const { return shop::app::formatMoney(minor); }

QString ShopRules::formatCount(qint64 n) const { return shop::app::formatCount(n); }

QString ShopRules::countOf(qint64 n, const QString& one, const QString& many) const
{
    return shop::app::countOf(n, one, many);
}

QVariantList ShopRules::reasonChoices() const
{
    QVariantList out;
    for (int r = 1; r < kReasonCount; ++r) {
        const std::string_view name = reasonName(static_cast<Reason>(r));
        const QString value = QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
        out.append(QVariantMap{{QStringLiteral("text"), tr("Rejected: %1").arg(value)}, {QStringLiteral("value"), value}});
    }
    return out;
}

QString ShopRules::reasonText(const QString& reasonName) const
{
    const auto reason = parseReason(reasonName.toStdString());
    return reason ? QString::fromUtf8(shop::reasonText(*reason).data(), static_cast<qsizetype>(shop::reasonText(*reason).size()))
                  : reasonName;
}

QUrl ShopRules::folderUrl(const QString& path) const
{
    const QString trimmed = path.trimmed();
    if (trimmed.isEmpty())
        return {};
    return QUrl::fromLocalFile(QFileInfo(trimmed).absolutePath());
}

} // namespace shop::app
