// NotificationLog: everything the window told the user in this session (verdicts, errors,
// snapshots, notices), newest last, for the log panel (Ctrl+J). Toasts fade; the log keeps.
#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QtQml/qqmlregistration.h>

#include <deque>

namespace shop::app {

class NotificationLog : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("NotificationLog is owned by ShopSession")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    /// Entries added since the panel was last shown (markRead).
    Q_PROPERTY(int unread READ unread NOTIFY unreadChanged)
    /// Of those, the ones that went wrong (rejections, errors).
    Q_PROPERTY(int unreadProblems READ unreadProblems NOTIFY unreadChanged)
public:
    enum class Kind { Applied, Rejected, Error, Info };
    Q_ENUM(Kind)
    enum Roles {
        KindRole = Qt::UserRole + 1, ///< QString: "applied", "rejected", "error" or "info"
        TextRole,                    ///< QString: what was said, in full
        TimeTextRole,                ///< QString: when, local time (hh:mm:ss)
        TimeMsRole,                  ///< qint64: when, ms since the epoch
    };
    Q_ENUM(Roles)

    // A long session keeps the newest kLimit entries (the oldest go first).
    static constexpr int kLimit = 10000;

    explicit NotificationLog(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void add(Kind kind, const QString& text);
    /// From QML: kind is "applied", "rejected", "error" or "info" (anything else: info).
    Q_INVOKABLE void add(const QString& kind, const QString& text);
    Q_INVOKABLE void markRead();
    Q_INVOKABLE void clear();
    /// The entry at `row` as one line ("12:03:04  rejected  Order rejected: ..."), for copying.
    Q_INVOKABLE QString line(int row) const;
    /// Every entry, one line each, oldest first.
    Q_INVOKABLE QString allText() const;

    int count() const { return static_cast<int>(entries_.size()); }
    int unread() const { return unread_; }
    int unreadProblems() const { return unreadProblems_; }

signals:
    void countChanged();
    void unreadChanged();

private:
    struct Entry {
        Kind kind;
        QString text;
        QDateTime time;
    };
    static QString kindName(Kind kind);

    std::deque<Entry> entries_;
    int unread_ = 0;
    int unreadProblems_ = 0;
};

} // namespace shop::app
