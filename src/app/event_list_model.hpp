// EventListModel: every entry of the stream with its verdict, for the Events page and the
// users' and items' histories.
#pragma once

#include "engine/history.hpp"

#include <QAbstractListModel>

#include <functional>
#include <string_view>
#include <QHash>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <cstdint>
#include <vector>

namespace shop::app {

// Every entry of the stream with its verdict, newest last, read from the HistoryStore it
// shares with the replay timeline (no event data: that is fetched on demand), with filters
// applied in place so ten million rows stay responsive.
class EventListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("EventListModel is owned by ShopSession")
    /// Only entries of this type ("" for all; canonical names, "Order" covers OrderType).
    Q_PROPERTY(QString typeFilter READ typeFilter WRITE setTypeFilter NOTIFY filterChanged)
    /// "" for all, "applied", "rejected", or one rejection reason's name ("out_of_stock").
    Q_PROPERTY(QString verdictFilter READ verdictFilter WRITE setVerdictFilter NOTIFY filterChanged)
    /// Only entries naming this user, its id in decimal ("" or "0" for all; text that is not
    /// an id matches nothing). Text, as QML's numbers are exact only to 2^53.
    Q_PROPERTY(QString userFilter READ userFilter WRITE setUserFilter NOTIFY filterChanged)
    /// Only entries naming this item ("" for all).
    Q_PROPERTY(QString itemFilter READ itemFilter WRITE setItemFilter NOTIFY filterChanged)
    /// The text the entries' data was searched for (EntrySearch), "" for none: only the
    /// entries found are rows, so entries added after the search are not.
    Q_PROPERTY(QString textFilter READ textFilter NOTIFY filterChanged)
    /// All entries, filtered or not.
    Q_PROPERTY(qint64 totalCount READ totalCount NOTIFY totalCountChanged)
    /// Only the first `limit` entries of the stream are rows (history mode: the entries up to
    /// the timeline's current one); -1 for all.
    Q_PROPERTY(qint64 limit READ limit NOTIFY limitChanged)
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

    explicit EventListModel(const engine::HistoryStore& history, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The history grew from `from` rows to its size: one beginInsertRows for the rows that
    // pass the filters.
    void appended(std::size_t from);
    // The history was emptied.
    void clear();

    QString typeFilter() const { return typeFilter_; }
    void setTypeFilter(const QString& type);
    QString verdictFilter() const { return verdictFilter_; }
    void setVerdictFilter(const QString& verdict);
    QString userFilter() const { return userFilterText_; }
    void setUserFilter(const QString& userId);
    QString itemFilter() const { return itemFilter_; }
    void setItemFilter(const QString& itemId);
    QString textFilter() const { return textFilter_; }
    // A search's result: only the entries at these stream indices (ascending) pass.
    void setTextMatches(const QString& text, std::vector<std::uint32_t> indices);
    void clearTextMatches();
    qint64 totalCount() const { return static_cast<qint64>(count_); }
    qint64 limit() const { return limit_ == kNoLimit ? -1 : static_cast<qint64>(limit_); }
    // Rows for the entries before stream index `limit` only (-1: all); the rows past it are
    // removed at the end, or inserted back, as one change.
    void setLimit(qint64 limit);

    Q_INVOKABLE int rowOfEntry(const QString& entryId) const; // among the filtered rows, -1 if absent
    // Balance after each entry that touched the user, oldest first, up to the limit:
    // [{index, entryId, balance}].
    // The user's id as text from QML (exact beyond 2^53).
    Q_INVOKABLE QVariantList balanceHistory(const QString& userId) const;
    QVariantList balanceHistory(qint64 userId) const;
    // The rows shown (filtered, up to the limit), taken as they are now and readable from
    // any thread (the blocks are shared, immutable): what an export writes while the window
    // goes on.
    struct RowsSnapshot {
        engine::HistoryStore history;
        std::vector<std::uint32_t> rows; // the stream indices shown, when filtered
        std::size_t count = 0;            // rows shown
        bool filtered = false;            // else the rows are [0, count)
        std::vector<QString> types;       // by type ref, as text
    };
    RowsSnapshot snapshotRows() const;
    // A snapshot's rows, in order, as CSV (header id,time,type,verdict,user,item; RFC 4180,
    // CRLF) or as a JSON array of objects with those keys (user a number, or null): the
    // Events page's export. Returns the rows written.
    static std::size_t writeRows(const RowsSnapshot& rows, bool json, const std::function<void(std::string_view)>& sink);
    // Bytes of memory the stored entries take (for the benchmark and the About box).
    Q_INVOKABLE qint64 memoryBytes() const;

signals:
    void filterChanged();
    void limitChanged();
    void totalCountChanged();

private:
    enum class VerdictFilter : std::uint8_t { All, Applied, Rejected, OneReason, Nothing };

    const engine::HistoryRow& rowAt(std::size_t index) const; // cached: one row, many roles
    bool accepts(const engine::HistoryRow& row) const;
    bool anyFilter() const;
    void filterRange(std::size_t from, std::size_t to, std::vector<std::uint32_t>& out) const;
    void refilter();
    void refreshNames();
    void resolveFilters();
    int rowOfIndex(std::size_t index) const;
    bool typeMatchesFilter(const QString& type) const;
    // The rows there are with entries up to `limit` (exclusive).
    std::size_t rowsBelow(std::size_t limit) const;

    static constexpr std::size_t kNoLimit = std::size_t(-1);
    const engine::HistoryStore& history_;
    std::size_t count_ = 0;
    std::size_t limit_ = kNoLimit;
    std::vector<std::uint32_t> visible_; // indices of the entries shown when a filter is set
    bool filtered_ = false;
    std::vector<QString> types_;            // by type ref, as text
    std::vector<std::uint8_t> typeMatches_; // by type ref: passes the type filter
    mutable std::size_t cachedIndex_ = std::size_t(-1);
    mutable engine::HistoryRow cachedRow_;

    QString typeFilter_;
    QString verdictFilter_;
    VerdictFilter verdictMode_ = VerdictFilter::All;
    Reason verdictReason_ = Reason::None; // with OneReason
    QString userFilterText_;
    qint64 userFilter_ = 0; // 0: all; -1: text that is not an id, matching nothing
    std::uint32_t userFilterRef_ = 0; // its HistoryNames ref; 0 while no row names it
    QString itemFilter_;
    std::uint32_t itemFilterRef_ = 0; // likewise
    QString textFilter_;
    std::vector<std::uint32_t> textMatches_; // with textFilter_: the stream indices found
};

} // namespace shop::app
