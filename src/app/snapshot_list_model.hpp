// SnapshotListModel: the stored snapshots for the Snapshots page, with the outcome of
// comparing them with a rebuild.
#pragma once

#include "engine/engine_types.hpp"

#include <QAbstractListModel>
#include <QHash>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <vector>

namespace shop::app {

// The stored snapshots, as SnapshotStore::list reports them.
class SnapshotListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("SnapshotListModel is owned by ShopSession")
public:
    struct Row {
        QString id;
        qint64 createdMs = 0;
        qint64 events = 0;
        qint64 bytes = 0;
        bool checked = false;
        QString problem;
    };
    enum Roles {
        SnapshotIdRole = Qt::UserRole + 1, ///< QString: the last event id it covers
        TimeTextRole,                      ///< QString: when it was taken, local time
        EventsRole,                        ///< qint64: entries it covers
        BytesRole,                         ///< qint64: size of the blob
        SizeTextRole,                      ///< QString: size in KiB/MiB
        CheckedRole,                       ///< bool: passes every check (checksum, version, stream, content, identity)
        ProblemRole,                       ///< QString: why it is not checked
        RebuildRole,                       ///< QString: "" not asked yet, "verified" equal to a rebuild, "differs", "not compared" (not checked)
        RebuildWhyRole,                    ///< QString: how it differs from the rebuild, or why it was not compared
    };
    Q_ENUM(Roles)

    explicit SnapshotListModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    void setRows(std::vector<Row> rows); // newest first
    // Results of comparing snapshots with a rebuild from scratch; kept across setRows for the
    // ids still listed (a refresh does not forget them).
    void setVerification(const QList<engine::SnapshotVerification>& results);
    Q_INVOKABLE QStringList snapshotIds() const;

private:
    std::vector<Row> rows_;
    QHash<QString, engine::SnapshotVerification> verification_;
};

} // namespace shop::app
