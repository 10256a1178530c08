// ShopRules (a QML singleton): what the dialogs call to check what is typed and to show
// amounts and reasons in words.
#pragma once

#include <QObject>
#include <QString>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

namespace shop::app {

// The ranges of DESIGN section 3 for the dialogs, checked as the user types. Each check
// returns "" when the text is acceptable, or what is wrong in words.
class ShopRules : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
public:
    explicit ShopRules(QObject* parent = nullptr) : QObject(parent) {}
    Q_INVOKABLE QString checkUserId(const QString& text) const;
    Q_INVOKABLE QString checkItemId(const QString& text) const;
    Q_INVOKABLE QString checkName(const QString& text, bool required) const;
    Q_INVOKABLE QString checkReason(const QString& text) const;
    // Money typed with up to two decimals ("12.50"); min/max in minor units. wholeUnits: only
    // whole currency units, as the original demo's format takes (12.00, not 12.50).
    Q_INVOKABLE QString checkMoney(const QString& text, qint64 minMinor, qint64 maxMinor, bool allowZero,
                                   bool wholeUnits = false) const;
    Q_INVOKABLE QString checkSignedMoney(const QString& text) const; // AdjustBalance delta, not 0
    Q_INVOKABLE QString checkCount(const QString& text, qint64 min, qint64 max) const;
    Q_INVOKABLE QString checkStockDelta(const QString& text) const;     // not 0
    Q_INVOKABLE QString checkOrderId(const QString& text) const;
    // Parsed values (call after the check passed).
    Q_INVOKABLE qint64 moneyToMinor(const QString& text) const;
    Q_INVOKABLE qint64 toInteger(const QString& text) const;
    Q_INVOKABLE QString formatMoney(qint64 minor) const;
    /// A count in the locale's format, never exponent notation (1e+06): use it for every count.
    Q_INVOKABLE QString formatCount(qint64 n) const;
    /// "1 user", "1,234 users".
    Q_INVOKABLE QString countOf(qint64 n, const QString& one, const QString& many) const;
    Q_INVOKABLE QString reasonText(const QString& reasonName) const;
    // Every rejection reason of section 3 as a filter choice, in the enum's order:
    // [{text: "Rejected: insufficient_funds", value: "insufficient_funds"}].
    Q_INVOKABLE QVariantList reasonChoices() const;
    // Between a file dialog's URLs and the paths the export fields hold.
    Q_INVOKABLE QString localFile(const QUrl& url) const { return url.toLocalFile(); }
    Q_INVOKABLE QUrl fileUrl(const QString& path) const { return QUrl::fromLocalFile(path); }
    // The folder a path is in, as a URL ("" for a path without one).
    Q_INVOKABLE QUrl folderUrl(const QString& path) const;
};

} // namespace shop::app
