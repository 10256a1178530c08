// ShopSortFilterModel: sorting and text search over the user or item model, for the pages'
// tables.
#pragma once

#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

namespace shop::app {

// Sorting and text search over the user or item model, for the pages' tables.
class ShopSortFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
    QML_ELEMENT
    /// Case-insensitive text matched against the id and the name.
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY searchChanged)
    /// Role name to sort by ("userId", "name", "balance", ...).
    Q_PROPERTY(QString sortRoleName READ sortRoleName WRITE setSortRoleName NOTIFY sortChanged)
    Q_PROPERTY(bool descending READ descending WRITE setDescending NOTIFY sortChanged)
public:
    explicit ShopSortFilterModel(QObject* parent = nullptr);
    void setSourceModel(QAbstractItemModel* model) override;
    QString search() const { return search_; }
    void setSearch(const QString& text);
    QString sortRoleName() const { return sortRoleName_; }
    void setSortRoleName(const QString& name);
    bool descending() const { return descending_; }
    void setDescending(bool descending);
    Q_INVOKABLE int sourceRow(int proxyRow) const;
    Q_INVOKABLE int proxyRow(int sourceRow) const;

signals:
    void searchChanged();
    void sortChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    void resolveRoles();
    void applySort();
    QString search_;
    QString sortRoleName_;
    bool descending_ = false;
    int idRole_ = -1;   // the first role named "...Id", for the search
    int nameRole_ = -1; // the "name" role, for the search
    QList<QMetaObject::Connection> sourceConnections_;
};

} // namespace shop::app
