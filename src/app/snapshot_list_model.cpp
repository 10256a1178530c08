// SnapshotListModel: rows as SnapshotStore::list reports them, sizes and times in words.
#include "snapshot_list_model.hpp"

#include "display_text.hpp"

#include <QCoreApplication>

namespace shop::app {

SnapshotListModel::SnapshotListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

int SnapshotListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

namespace {
// 1023 -> "1023 B", 12595 -> "12.3 KiB", 4 MiB -> "4.0 MiB"; in integers, rounded to tenths.
QString sizeText(qint64 bytes)
{
    if (bytes < 1024)
        return QCoreApplication::translate("SnapshotListModel", "%1 B").arg(bytes);
    static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    qint64 scale = 1024;
    while (unit < 3 && bytes >= scale * 1024) {
        scale *= 1024;
        ++unit;
    }
    const qint64 tenths = (bytes * 10 + scale / 2) / scale;
    return QStringLiteral("%1.%2 %3").arg(tenths / 10).arg(tenths % 10).arg(QLatin1String(kUnits[unit]));
}
} // namespace

QVariant SnapshotListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case SnapshotIdRole:
        return row.id;
    case TimeTextRole:
        return localTimeText(row.createdMs, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case EventsRole:
        return row.events;
    case BytesRole:
        return row.bytes;
    case SizeTextRole:
        return sizeText(row.bytes);
    case CheckedRole:
        return row.checked;
    case ProblemRole:
        return row.problem;
    case RebuildRole:
    case RebuildWhyRole: {
        const auto it = verification_.constFind(row.id);
        if (it == verification_.cend())
            return QString();
        if (role == RebuildWhyRole)
            return it->why;
        return it->verified ? QStringLiteral("verified") : it->compared ? QStringLiteral("differs") : QStringLiteral("not compared");
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> SnapshotListModel::roleNames() const
{
    return {
        {SnapshotIdRole, "snapshotId"},
        {TimeTextRole, "timeText"},
        {EventsRole, "events"},
        {BytesRole, "bytes"},
        {SizeTextRole, "sizeText"},
        {CheckedRole, "checked"},
        {ProblemRole, "problem"},
        {RebuildRole, "rebuild"},
        {RebuildWhyRole, "rebuildWhy"},
    };
}

void SnapshotListModel::setRows(std::vector<Row> rows)
{
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

void SnapshotListModel::setVerification(const QList<engine::SnapshotVerification>& results)
{
    for (const auto& r : results)
        verification_.insert(r.id, r);
    if (!rows_.empty())
        emit dataChanged(index(0), index(int(rows_.size()) - 1), {RebuildRole, RebuildWhyRole});
}

QStringList SnapshotListModel::snapshotIds() const
{
    QStringList ids;
    ids.reserve(qsizetype(rows_.size()));
    for (const Row& row : rows_)
        ids.append(row.id);
    return ids;
}

} // namespace shop::app
