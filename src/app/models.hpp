// List models behind the Users, Items, Events and Snapshots pages. They live on the GUI
// thread and are fed value types (engine::ConsumerBatch) by ShopSession: one insert per
// batch, changed rows reported as ranges with the roles that changed, a rebuild as a reset.
#pragma once

#include "engine/engine_types.hpp"

#include <QAbstractListModel>
#include <QHash>
#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace shop::app {

// The shop's users, in the order they first appeared (sort with ShopSortFilterModel).
class UserListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("UserListModel is owned by ShopSession")
public:
    enum Roles {
        UserIdRole = Qt::UserRole + 1, ///< qint64: the user's id
        NameRole,                      ///< QString: the user's name (plain text; may be empty)
        BalanceRole,                   ///< qint64: balance in minor units (cents)
        SpentRole,                     ///< qint64: total spent in minor units
        OrdersRole,                    ///< qint64: applied orders
        BalanceTextRole,               ///< QString: balance with two decimals
        SpentTextRole,                 ///< QString: spent with two decimals
    };
    Q_ENUM(Roles)

    explicit UserListModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Applies a batch's users: new ones inserted in one go, changed ones reported as ranges.
    void apply(const std::vector<User>& users, bool reset);
    Q_INVOKABLE int rowOf(qint64 userId) const; // -1 when absent
    const User* find(UserId id) const;

private:
    std::vector<User> rows_;
    QHash<qint64, int> rowById_;
};

// The shop's items, in the order they first appeared.
class ItemListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ItemListModel is owned by ShopSession")
public:
    enum Roles {
        ItemIdRole = Qt::UserRole + 1, ///< QString: the item's id
        NameRole,                      ///< QString: the item's name (plain text; may be empty)
        PriceRole,                     ///< qint64: price in minor units; 0 means unpriced
        StockRole,                     ///< qint64: units in stock
        SoldRole,                      ///< qint64: units sold
        PriceTextRole,                 ///< QString: price with two decimals, or "unpriced"
        UnpricedRole,                  ///< bool: price is 0, so it cannot be ordered
    };
    Q_ENUM(Roles)

    explicit ItemListModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void apply(const std::vector<Item>& items, bool reset);
    Q_INVOKABLE int rowOf(const QString& itemId) const;
    const Item* find(const std::string& id) const;
    Q_INVOKABLE QStringList itemIds() const; // for the order dialog's pickers

private:
    std::vector<Item> rows_;
    QHash<QString, int> rowById_;
};

// Every entry of the stream with its verdict, kept compactly (about 40 bytes an entry, no
// event data: that is fetched on demand), newest last, with filters applied in place so a
// million rows stay responsive.
class EventListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("EventListModel is owned by ShopSession")
    /// Only entries of this type ("" for all; canonical names, "Order" covers OrderType).
    Q_PROPERTY(QString typeFilter READ typeFilter WRITE setTypeFilter NOTIFY filterChanged)
    /// "" for all, "applied" or "rejected".
    Q_PROPERTY(QString verdictFilter READ verdictFilter WRITE setVerdictFilter NOTIFY filterChanged)
    /// Only entries naming this user (0 for all).
    Q_PROPERTY(qint64 userFilter READ userFilter WRITE setUserFilter NOTIFY filterChanged)
    /// Only entries naming this item ("" for all).
    Q_PROPERTY(QString itemFilter READ itemFilter WRITE setItemFilter NOTIFY filterChanged)
    /// All entries, filtered or not.
    Q_PROPERTY(qint64 totalCount READ totalCount NOTIFY totalCountChanged)
public:
    enum Roles {
        EntryIdRole = Qt::UserRole + 1, ///< QString: the stream entry id
        TypeRole,                       ///< QString: the event type as written ("?" when missing)
        AppliedRole,                    ///< bool: applied (else rejected)
        ReasonRole,                     ///< QString: reason name ("applied" or e.g. "out_of_stock")
        ReasonTextRole,                 ///< QString: the verdict in plain words
        UserIdRole,                     ///< qint64: user named by the event, 0 for none
        ItemIdRole,                     ///< QString: item named by the event (first order line), "" for none
        TimeTextRole,                   ///< QString: the entry's time (from its id), local
        BalanceAfterRole,               ///< qint64: the user's balance after the entry, -1 when no user
        IndexRole,                      ///< qint64: position in the whole stream (0-based)
    };
    Q_ENUM(Roles)

    explicit EventListModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Appends a batch's verdicts: one beginInsertRows for the rows that pass the filters.
    void append(const std::vector<engine::VerdictRecord>& verdicts);
    void append(const engine::VerdictRecord* first, std::size_t count); // a slice of a batch
    void clear();

    QString typeFilter() const { return typeFilter_; }
    void setTypeFilter(const QString& type);
    QString verdictFilter() const { return verdictFilter_; }
    void setVerdictFilter(const QString& verdict);
    qint64 userFilter() const { return userFilter_; }
    void setUserFilter(qint64 userId);
    QString itemFilter() const { return itemFilter_; }
    void setItemFilter(const QString& itemId);
    qint64 totalCount() const { return static_cast<qint64>(count_); }

    Q_INVOKABLE int rowOfEntry(const QString& entryId) const; // among the filtered rows, -1 if absent
    // Balance after each entry that touched the user, oldest first: [{index, entryId, balance}].
    Q_INVOKABLE QVariantList balanceHistory(qint64 userId) const;
    // Bytes of memory the stored entries take (for the benchmark and the About box).
    Q_INVOKABLE qint64 memoryBytes() const;

signals:
    void filterChanged();
    void totalCountChanged();

private:
    // One entry in 40 bytes: the id as numbers, strings interned (types_, items_).
    struct Compact {
        std::uint64_t ms = 0;
        std::int64_t userId = 0;
        std::int64_t balanceAfter = -1;
        std::uint32_t seq = 0;   // ids whose seq does not fit keep it in wideSeq_
        std::uint32_t item = 0;  // index into items_ + 1; 0 for none
        std::uint32_t type = 0;  // index into types_
        std::uint8_t reason = 0; // shop::Reason
        std::uint8_t flags = 0;  // kWideSeq, kOddId (see models.cpp)
    };
    enum class VerdictFilter : std::uint8_t { All, Applied, Rejected, Nothing };

    const Compact& at(std::size_t index) const
    {
        return blocks_[index >> kBlockShift][index & (kBlockSize - 1)];
    }
    bool accepts(const Compact& e) const;
    void refilter();
    QString entryId(const Compact& e, std::size_t index) const;
    std::uint64_t seqOf(const Compact& e, std::size_t index) const;
    int rowOfIndex(std::size_t index) const;
    std::uint32_t internType(const std::string& type);
    std::uint32_t internItem(const std::string& itemId);
    bool typeMatchesFilter(const QString& type) const;

    // Fixed-size blocks rather than one vector: growing never copies the entries already
    // stored, and never leaves up to half of a doubled capacity unused.
    static constexpr std::size_t kBlockShift = 13;
    static constexpr std::size_t kBlockSize = std::size_t(1) << kBlockShift;
    std::vector<std::unique_ptr<Compact[]>> blocks_;
    std::size_t count_ = 0;
    std::vector<std::uint32_t> visible_; // indices of the entries shown when a filter is set
    bool filtered_ = false;
    QHash<std::size_t, std::uint64_t> wideSeq_; // seq >= 2^32, by index
    QHash<std::size_t, QString> oddIds_;       // ids that are not "<ms>-<seq>", by index
    std::vector<QString> items_;
    QHash<QString, std::uint32_t> itemIndex_;
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> itemLookup_; // same, by UTF-8 key
    std::vector<QString> types_;
    QHash<QString, std::uint32_t> typeIndex_;
    std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> typeLookup_;
    std::vector<std::uint8_t> typeMatches_; // per types_ entry: passes the type filter

    QString typeFilter_;
    QString verdictFilter_;
    VerdictFilter verdictMode_ = VerdictFilter::All;
    qint64 userFilter_ = 0;
    QString itemFilter_;
    std::uint32_t itemFilterIndex_ = 0; // the Compact::item the item filter wants
};

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
    QMetaObject::Connection sourceResetConnection_;
};

// Minor units with two decimals: 1250 -> "12.50", -305 -> "-3.05".
QString formatMoney(qint64 minor);

} // namespace shop::app
