// EventListModel: every entry of the stream with its verdict, for the Events page and the
// users' and items' histories.
#pragma once

#include "engine/engine_types.hpp"

#include <QAbstractListModel>
#include <QHash>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace shop::app {

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
    /// Only entries naming this user, its id in decimal ("" or "0" for all; text that is not
    /// an id matches nothing). Text, as QML's numbers are exact only to 2^53.
    Q_PROPERTY(QString userFilter READ userFilter WRITE setUserFilter NOTIFY filterChanged)
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
        UserIdRole,                     ///< QString: user named by the event, in decimal; "" for none
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
    QString userFilter() const { return userFilterText_; }
    void setUserFilter(const QString& userId);
    QString itemFilter() const { return itemFilter_; }
    void setItemFilter(const QString& itemId);
    qint64 totalCount() const { return static_cast<qint64>(count_); }

    Q_INVOKABLE int rowOfEntry(const QString& entryId) const; // among the filtered rows, -1 if absent
    // Balance after each entry that touched the user, oldest first: [{index, entryId, balance}].
    // The user's id as text from QML (exact beyond 2^53).
    Q_INVOKABLE QVariantList balanceHistory(const QString& userId) const;
    QVariantList balanceHistory(qint64 userId) const;
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
        std::uint8_t flags = 0;  // kWideSeq, kOddId (see event_list_model.cpp)
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
    QString userFilterText_;
    qint64 userFilter_ = 0; // 0: all; -1: text that is not an id, matching nothing
    QString itemFilter_;
    std::uint32_t itemFilterIndex_ = 0; // the Compact::item the item filter wants
};

} // namespace shop::app
