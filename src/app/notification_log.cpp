// NotificationLog: the session's messages, for the log panel.
#include "notification_log.hpp"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcNotifications, "shopstream.notifications", QtWarningMsg)

namespace shop::app {

NotificationLog::NotificationLog(QObject* parent) : QAbstractListModel(parent) {}

int NotificationLog::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : count();
}

QString NotificationLog::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Applied:
        return QStringLiteral("applied");
    case Kind::Rejected:
        return QStringLiteral("rejected");
    case Kind::Error:
        return QStringLiteral("error");
    case Kind::Info:
        break;
    }
    return QStringLiteral("info");
}

QVariant NotificationLog::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= count())
        return {};
    const Entry& e = entries_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case KindRole:
        return kindName(e.kind);
    case Qt::DisplayRole:
    case TextRole:
        return e.text;
    case TimeTextRole:
        return e.time.toString(QStringLiteral("HH:mm:ss"));
    case TimeMsRole:
        return e.time.toMSecsSinceEpoch();
    default:
        return {};
    }
}

QHash<int, QByteArray> NotificationLog::roleNames() const
{
    return {{KindRole, "kind"}, {TextRole, "text"}, {TimeTextRole, "timeText"}, {TimeMsRole, "timeMs"}};
}

void NotificationLog::add(Kind kind, const QString& text)
{
    if (text.isEmpty())
        return;
    if (count() >= kLimit) {
        beginRemoveRows({}, 0, 0);
        entries_.pop_front();
        endRemoveRows();
    }
    beginInsertRows({}, count(), count());
    entries_.push_back({kind, text, QDateTime::currentDateTime()});
    endInsertRows();
    ++unread_;
    if (kind == Kind::Rejected || kind == Kind::Error)
        ++unreadProblems_;
    qCInfo(lcNotifications).noquote() << kindName(kind) << text;
    emit countChanged();
    emit unreadChanged();
}

void NotificationLog::add(const QString& kind, const QString& text)
{
    Kind k = Kind::Info;
    if (kind == QLatin1String("applied"))
        k = Kind::Applied;
    else if (kind == QLatin1String("rejected"))
        k = Kind::Rejected;
    else if (kind == QLatin1String("error"))
        k = Kind::Error;
    add(k, text);
}

void NotificationLog::markRead()
{
    if (unread_ == 0 && unreadProblems_ == 0)
        return;
    unread_ = unreadProblems_ = 0;
    emit unreadChanged();
}

void NotificationLog::clear()
{
    if (entries_.empty())
        return;
    beginResetModel();
    entries_.clear();
    endResetModel();
    markRead();
    emit countChanged();
}

QString NotificationLog::line(int row) const
{
    if (row < 0 || row >= count())
        return {};
    const Entry& e = entries_[static_cast<std::size_t>(row)];
    return e.time.toString(QStringLiteral("HH:mm:ss")) + QLatin1String("  ") + kindName(e.kind) + QLatin1String("  ")
           + e.text;
}

QString NotificationLog::allText() const
{
    QStringList lines;
    for (int row = 0; row < count(); ++row)
        lines << line(row);
    return lines.join(QLatin1Char('\n'));
}

} // namespace shop::app
