// The list models behind the pages. They apply ShopSession's batches with as few signals as
// the views need (one insert a batch, changed rows as ranges), and the event model keeps a
// million entries in about 40 bytes each.
#include "models.hpp"

#include <span>

#include "core/domain.hpp"
#include "core/stream_id.hpp"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

namespace shop::app {

namespace {

// Rows sorted and merged into [first, last] runs, so that a view repaints each run once.
std::vector<std::pair<int, int>> contiguousRanges(std::vector<int> rows)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::vector<std::pair<int, int>> ranges;
    for (int row : rows) {
        if (!ranges.empty() && ranges.back().second + 1 == row)
            ranges.back().second = row;
        else
            ranges.emplace_back(row, row);
    }
    return ranges;
}

QString toQString(const std::string& text) { return QString::fromUtf8(text.data(), qsizetype(text.size())); }

QString localTimeText(qint64 ms, const QString& format) { return QDateTime::fromMSecsSinceEpoch(ms).toString(format); }

// Rows keyed by id, in first-seen order: what UserListModel and ItemListModel keep. The
// models announce the changes; these helpers only change the rows.

// Replaces all rows (a reset). A coalesced batch may name a row twice: the later copy wins.
template <typename Row, typename Key, typename KeyOf>
void resetRows(std::vector<Row>& rows, QHash<Key, int>& rowById, const std::vector<Row>& incoming, KeyOf keyOf)
{
    rows.clear();
    rowById.clear();
    for (const Row& r : incoming) {
        const Key key = keyOf(r);
        if (const auto it = rowById.constFind(key); it != rowById.cend()) {
            rows[static_cast<std::size_t>(*it)] = r;
            continue;
        }
        rowById.insert(key, static_cast<int>(rows.size()));
        rows.push_back(r);
    }
}

// Updates known rows in place; returns the changed ones as [first, last] runs, and in
// `added` the new ones (each once, its last copy), to be appended with appendRows().
template <typename Row, typename Key, typename KeyOf, typename Same>
std::vector<std::pair<int, int>> updateRows(std::vector<Row>& rows, const QHash<Key, int>& rowById,
                                            const std::vector<Row>& incoming, KeyOf keyOf, Same same,
                                            std::vector<Row>& added)
{
    std::vector<int> changed;
    QHash<Key, std::size_t> addedById;
    for (const Row& r : incoming) {
        const Key key = keyOf(r);
        if (const auto it = rowById.constFind(key); it != rowById.cend()) {
            Row& row = rows[static_cast<std::size_t>(*it)];
            if (!same(row, r)) {
                row = r;
                changed.push_back(*it);
            }
        } else if (const auto a = addedById.constFind(key); a != addedById.cend()) {
            added[*a] = r;
        } else {
            addedById.insert(key, added.size());
            added.push_back(r);
        }
    }
    return contiguousRanges(std::move(changed));
}

template <typename Row, typename Key, typename KeyOf>
void appendRows(std::vector<Row>& rows, QHash<Key, int>& rowById, std::vector<Row>& added, KeyOf keyOf)
{
    for (Row& r : added) {
        rowById.insert(keyOf(r), static_cast<int>(rows.size()));
        rows.push_back(std::move(r));
    }
}

qint64 userKey(const User& u) { return qint64(u.id); }

// Rough heap cost of a QString's own buffer (header plus UTF-16 code units).
qint64 stringBytes(const QString& s) { return s.isNull() ? 0 : qint64(s.capacity() + 1) * 2 + 16; }

// Rough heap cost of a Qt 6 QHash: its span entries plus one offset byte per bucket.
template <class Hash> qint64 hashBytes(const Hash& hash)
{
    using Node = std::pair<typename Hash::key_type, typename Hash::mapped_type>;
    return qint64(hash.capacity()) * qint64(sizeof(Node) + 1);
}

constexpr std::uint8_t kWideSeq = 1; // the seq lives in wideSeq_
constexpr std::uint8_t kOddId = 2;   // the id did not parse; the text lives in oddIds_
constexpr std::uint32_t kNoSuchItem = std::numeric_limits<std::uint32_t>::max();

} // namespace

QString formatMoney(qint64 minor)
{
    // Unsigned magnitude, so that the most negative int64 formats too.
    const quint64 magnitude = minor < 0 ? quint64(0) - quint64(minor) : quint64(minor);
    const quint64 cents = magnitude % 100;
    QString text = QString::number(magnitude / 100) + QLatin1Char('.') + QLatin1Char(char('0' + cents / 10))
                   + QLatin1Char(char('0' + cents % 10));
    if (minor < 0)
        text.prepend(QLatin1Char('-'));
    return text;
}

// ---- UserListModel ----

UserListModel::UserListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

int UserListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant UserListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const User& u = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return toQString(u.name);
    case UserIdRole:
        return qint64(u.id);
    case BalanceRole:
        return qint64(u.balance);
    case SpentRole:
        return qint64(u.spent);
    case OrdersRole:
        return qint64(u.orders);
    case BalanceTextRole:
        return formatMoney(u.balance);
    case SpentTextRole:
        return formatMoney(u.spent);
    default:
        return {};
    }
}

QHash<int, QByteArray> UserListModel::roleNames() const
{
    return {
        {UserIdRole, "userId"},
        {NameRole, "name"},
        {BalanceRole, "balance"},
        {SpentRole, "spent"},
        {OrdersRole, "orders"},
        {BalanceTextRole, "balanceText"},
        {SpentTextRole, "spentText"},
    };
}

void UserListModel::apply(const std::vector<User>& users, bool reset)
{
    if (reset) {
        beginResetModel();
        resetRows(rows_, rowById_, users, userKey);
        endResetModel();
        return;
    }
    static const QList<int> kValueRoles
        = {NameRole, BalanceRole, SpentRole, OrdersRole, BalanceTextRole, SpentTextRole, Qt::DisplayRole};
    std::vector<User> added;
    for (const auto& [first, last] : updateRows(rows_, rowById_, users, userKey, std::equal_to<User>(), added))
        emit dataChanged(index(first), index(last), kValueRoles);
    if (added.empty())
        return;
    const int first = static_cast<int>(rows_.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    appendRows(rows_, rowById_, added, userKey);
    endInsertRows();
}

int UserListModel::rowOf(qint64 userId) const { return rowById_.value(userId, -1); }

const User* UserListModel::find(UserId id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &rows_[static_cast<std::size_t>(row)];
}

// ---- ItemListModel ----

ItemListModel::ItemListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

int ItemListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ItemListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item& item = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return toQString(item.name);
    case ItemIdRole:
        return toQString(item.id);
    case PriceRole:
        return qint64(item.price);
    case StockRole:
        return qint64(item.stock);
    case SoldRole:
        return qint64(item.sold);
    case PriceTextRole:
        return item.price == 0 ? tr("unpriced") : formatMoney(item.price);
    case UnpricedRole:
        return item.price == 0;
    default:
        return {};
    }
}

QHash<int, QByteArray> ItemListModel::roleNames() const
{
    return {
        {ItemIdRole, "itemId"},
        {NameRole, "name"},
        {PriceRole, "price"},
        {StockRole, "stock"},
        {SoldRole, "sold"},
        {PriceTextRole, "priceText"},
        {UnpricedRole, "unpriced"},
    };
}

void ItemListModel::apply(const std::vector<Item>& items, bool reset)
{
    const auto itemKey = [](const Item& item) { return toQString(item.id); };
    if (reset) {
        beginResetModel();
        resetRows(rows_, rowById_, items, itemKey);
        endResetModel();
        return;
    }
    static const QList<int> kValueRoles
        = {NameRole, PriceRole, StockRole, SoldRole, PriceTextRole, UnpricedRole, Qt::DisplayRole};
    std::vector<Item> added;
    for (const auto& [first, last] : updateRows(rows_, rowById_, items, itemKey, std::equal_to<Item>(), added))
        emit dataChanged(index(first), index(last), kValueRoles);
    if (added.empty())
        return;
    const int first = static_cast<int>(rows_.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    appendRows(rows_, rowById_, added, itemKey);
    endInsertRows();
}

int ItemListModel::rowOf(const QString& itemId) const { return rowById_.value(itemId, -1); }

const Item* ItemListModel::find(const std::string& id) const
{
    const int row = rowOf(toQString(id));
    return row < 0 ? nullptr : &rows_[static_cast<std::size_t>(row)];
}

QStringList ItemListModel::itemIds() const
{
    QStringList ids;
    ids.reserve(qsizetype(rows_.size()));
    for (const Item& item : rows_)
        ids.append(toQString(item.id));
    ids.sort();
    return ids;
}

// ---- EventListModel ----

EventListModel::EventListModel(QObject* parent)
    : QAbstractListModel(parent)
{
    static_assert(sizeof(Compact) == 40, "an entry should stay at 40 bytes (DESIGN section 6)");
}

int EventListModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return static_cast<int>(filtered_ ? visible_.size() : count_);
}

QVariant EventListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::size_t i
        = filtered_ ? visible_[static_cast<std::size_t>(index.row())] : static_cast<std::size_t>(index.row());
    const Compact& e = at(i);
    const auto reason = static_cast<Reason>(e.reason);
    switch (role) {
    case Qt::DisplayRole:
    case EntryIdRole:
        return entryId(e, i);
    case TypeRole: {
        const QString& type = types_[e.type];
        return type.isEmpty() ? QStringLiteral("?") : type;
    }
    case AppliedRole:
        return reason == Reason::None;
    case ReasonRole:
        return QString::fromLatin1(reasonName(reason));
    case ReasonTextRole:
        return reason == Reason::None ? tr("applied") : QString::fromLatin1(reasonText(reason));
    case UserIdRole:
        return qint64(e.userId);
    case ItemIdRole:
        return e.item == 0 ? QString() : items_[e.item - 1];
    case TimeTextRole: {
        // Ids are not checked against the clock, so clamp rather than wrap.
        const qint64 ms
            = e.ms > quint64(std::numeric_limits<qint64>::max()) ? std::numeric_limits<qint64>::max() : qint64(e.ms);
        return localTimeText(ms, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    }
    case BalanceAfterRole:
        return qint64(e.balanceAfter);
    case IndexRole:
        return qint64(i);
    default:
        return {};
    }
}

QHash<int, QByteArray> EventListModel::roleNames() const
{
    // "streamIndex", not "index": a delegate's own row number already has that name.
    return {
        {EntryIdRole, "entryId"},
        {TypeRole, "type"},
        {AppliedRole, "applied"},
        {ReasonRole, "reason"},
        {ReasonTextRole, "reasonText"},
        {UserIdRole, "userId"},
        {ItemIdRole, "itemId"},
        {TimeTextRole, "timeText"},
        {BalanceAfterRole, "balanceAfter"},
        {IndexRole, "streamIndex"},
    };
}

std::uint32_t EventListModel::internType(const std::string& type)
{
    // The common case, a type seen before, without making a QString.
    if (const auto it = typeLookup_.find(type); it != typeLookup_.end())
        return it->second;
    const QString text = toQString(type);
    if (const auto it = typeIndex_.constFind(text); it != typeIndex_.cend())
        return *it;
    const auto index = static_cast<std::uint32_t>(types_.size());
    types_.push_back(text);
    typeIndex_.insert(text, index);
    typeLookup_.emplace(type, index);
    typeMatches_.push_back(typeMatchesFilter(text) ? 1 : 0);
    return index;
}

std::uint32_t EventListModel::internItem(const std::string& itemId)
{
    if (itemId.empty())
        return 0;
    if (const auto it = itemLookup_.find(itemId); it != itemLookup_.end())
        return it->second;
    const QString text = toQString(itemId);
    if (const auto it = itemIndex_.constFind(text); it != itemIndex_.cend())
        return *it;
    items_.push_back(text);
    const auto index = static_cast<std::uint32_t>(items_.size()); // + 1: 0 means none
    itemIndex_.insert(text, index);
    itemLookup_.emplace(itemId, index);
    // The item filter may name an item that only now appears.
    if (text == itemFilter_)
        itemFilterIndex_ = index;
    return index;
}

bool EventListModel::typeMatchesFilter(const QString& type) const
{
    if (typeFilter_.isEmpty())
        return true;
    // The filter uses canonical names; the original demo writes orders as "OrderType".
    return type == typeFilter_ || (typeFilter_ == QLatin1String("Order") && type == QLatin1String("OrderType"));
}

bool EventListModel::accepts(const Compact& e) const
{
    if (!typeFilter_.isEmpty() && !typeMatches_[e.type])
        return false;
    switch (verdictMode_) {
    case VerdictFilter::All:
        break;
    case VerdictFilter::Applied:
        if (e.reason != std::uint8_t(Reason::None))
            return false;
        break;
    case VerdictFilter::Rejected:
        if (e.reason == std::uint8_t(Reason::None))
            return false;
        break;
    case VerdictFilter::Nothing:
        return false;
    }
    if (userFilter_ != 0 && e.userId != userFilter_)
        return false;
    if (!itemFilter_.isEmpty() && e.item != itemFilterIndex_)
        return false;
    return true;
}

void EventListModel::append(const std::vector<engine::VerdictRecord>& verdicts)
{
    append(verdicts.data(), verdicts.size());
}

void EventListModel::append(const engine::VerdictRecord* first, std::size_t count)
{
    if (count == 0)
        return;
    const std::span<const engine::VerdictRecord> verdicts(first, count);

    // Encode first (interning touches only the side tables, which existing rows index
    // stably), then count what passes the filters, so that the insert is announced once.
    std::vector<Compact> incoming;
    incoming.reserve(verdicts.size());
    std::vector<std::pair<std::size_t, std::uint64_t>> wide;
    std::vector<std::pair<std::size_t, QString>> odd;
    std::vector<bool> passes; // decided once, so that the count announced is the count added
    passes.reserve(filtered_ ? verdicts.size() : 0);
    std::size_t passing = 0;
    for (const engine::VerdictRecord& v : verdicts) {
        const std::size_t index = count_ + incoming.size();
        Compact e;
        if (const auto id = StreamId::parse(v.id); id && v.id.find('-') != std::string::npos) {
            e.ms = id->ms;
            e.seq = static_cast<std::uint32_t>(id->seq);
            if (id->seq > std::numeric_limits<std::uint32_t>::max()) {
                e.flags |= kWideSeq;
                wide.emplace_back(index, id->seq);
            }
        } else {
            e.flags |= kOddId;
            odd.emplace_back(index, toQString(v.id));
        }
        e.userId = v.userId;
        e.balanceAfter = v.balanceAfter;
        e.item = internItem(v.itemId);
        e.type = internType(v.type);
        e.reason = static_cast<std::uint8_t>(v.reason);
        if (!filtered_) {
            ++passing;
        } else {
            passes.push_back(accepts(e));
            passing += passes.back() ? 1 : 0;
        }
        incoming.push_back(e);
    }

    const int firstRow = rowCount();
    if (passing > 0)
        beginInsertRows({}, firstRow, firstRow + static_cast<int>(passing) - 1);
    for (std::size_t n = 0; n < incoming.size(); ++n) {
        if ((count_ >> kBlockShift) == blocks_.size())
            blocks_.push_back(std::make_unique<Compact[]>(kBlockSize));
        if (filtered_ && passes[n])
            visible_.push_back(static_cast<std::uint32_t>(count_));
        blocks_[count_ >> kBlockShift][count_ & (kBlockSize - 1)] = incoming[n];
        ++count_;
    }
    for (const auto& [index, seq] : wide)
        wideSeq_.insert(index, seq);
    for (auto& [index, id] : odd)
        oddIds_.insert(index, std::move(id));
    if (passing > 0)
        endInsertRows();
    emit totalCountChanged();
}

void EventListModel::clear()
{
    beginResetModel();
    blocks_.clear();
    blocks_.shrink_to_fit();
    count_ = 0;
    visible_.clear();
    visible_.shrink_to_fit();
    wideSeq_.clear();
    oddIds_.clear();
    items_.clear();
    items_.shrink_to_fit();
    itemIndex_.clear();
    itemLookup_.clear();
    types_.clear();
    types_.shrink_to_fit();
    typeIndex_.clear();
    typeLookup_.clear();
    typeMatches_.clear();
    itemFilterIndex_ = itemFilter_.isEmpty() ? 0 : kNoSuchItem;
    endResetModel();
    emit totalCountChanged();
}

void EventListModel::setTypeFilter(const QString& type)
{
    if (type == typeFilter_)
        return;
    typeFilter_ = type;
    for (std::size_t i = 0; i < types_.size(); ++i)
        typeMatches_[i] = typeMatchesFilter(types_[i]) ? 1 : 0;
    refilter();
}

void EventListModel::setVerdictFilter(const QString& verdict)
{
    if (verdict == verdictFilter_)
        return;
    verdictFilter_ = verdict;
    if (verdict.isEmpty())
        verdictMode_ = VerdictFilter::All;
    else if (verdict == QLatin1String("applied"))
        verdictMode_ = VerdictFilter::Applied;
    else if (verdict == QLatin1String("rejected"))
        verdictMode_ = VerdictFilter::Rejected;
    else
        verdictMode_ = VerdictFilter::Nothing; // an unknown verdict matches no entry
    refilter();
}

void EventListModel::setUserFilter(qint64 userId)
{
    if (userId == userFilter_)
        return;
    userFilter_ = userId;
    refilter();
}

void EventListModel::setItemFilter(const QString& itemId)
{
    if (itemId == itemFilter_)
        return;
    itemFilter_ = itemId;
    // An item not seen yet matches nothing until it appears (internItem then sets it).
    itemFilterIndex_ = itemId.isEmpty() ? 0 : itemIndex_.value(itemId, kNoSuchItem);
    refilter();
}

void EventListModel::refilter()
{
    beginResetModel();
    filtered_
        = !typeFilter_.isEmpty() || verdictMode_ != VerdictFilter::All || userFilter_ != 0 || !itemFilter_.isEmpty();
    visible_.clear();
    if (filtered_) {
        for (std::size_t i = 0; i < count_; ++i) {
            if (accepts(at(i)))
                visible_.push_back(static_cast<std::uint32_t>(i));
        }
    }
    // Unfiltered, or a narrow filter after a wide one: give the memory back.
    visible_.shrink_to_fit();
    endResetModel();
    emit filterChanged();
}

std::uint64_t EventListModel::seqOf(const Compact& e, std::size_t index) const
{
    return (e.flags & kWideSeq) ? wideSeq_.value(index) : e.seq;
}

QString EventListModel::entryId(const Compact& e, std::size_t index) const
{
    if (e.flags & kOddId)
        return oddIds_.value(index);
    return QString::number(e.ms) + QLatin1Char('-') + QString::number(seqOf(e, index));
}

int EventListModel::rowOfIndex(std::size_t index) const
{
    if (!filtered_)
        return index < count_ ? static_cast<int>(index) : -1;
    const auto it = std::lower_bound(visible_.begin(), visible_.end(), index);
    if (it == visible_.end() || *it != index)
        return -1;
    return static_cast<int>(it - visible_.begin());
}

int EventListModel::rowOfEntry(const QString& entryId) const
{
    const QByteArray text = entryId.toLatin1();
    const auto id = StreamId::parse(std::string_view(text.constData(), std::size_t(text.size())));
    if (!id) {
        for (auto it = oddIds_.cbegin(); it != oddIds_.cend(); ++it) {
            if (it.value() == entryId)
                return rowOfIndex(it.key());
        }
        return -1;
    }
    // Ids grow along the stream, so the entries are sorted by (ms, seq).
    std::size_t lo = 0;
    std::size_t hi = count_;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        const Compact& e = at(mid);
        if (StreamId{e.ms, seqOf(e, mid)} < *id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == count_)
        return -1;
    const Compact& e = at(lo);
    if ((e.flags & kOddId) || StreamId{e.ms, seqOf(e, lo)} != *id)
        return -1;
    return rowOfIndex(lo);
}

QVariantList EventListModel::balanceHistory(qint64 userId) const
{
    QVariantList points;
    if (userId == 0)
        return points;
    for (std::size_t i = 0; i < count_; ++i) {
        const Compact& e = at(i);
        if (e.userId != userId || e.balanceAfter < 0)
            continue;
        points.append(QVariantMap{
            {QStringLiteral("index"), qint64(i)},
            {QStringLiteral("entryId"), entryId(e, i)},
            {QStringLiteral("balance"), qint64(e.balanceAfter)},
        });
    }
    return points;
}

qint64 EventListModel::memoryBytes() const
{
    qint64 bytes = qint64(blocks_.size()) * qint64(kBlockSize * sizeof(Compact));
    bytes += qint64(blocks_.capacity() * sizeof(blocks_[0]));
    bytes += qint64(visible_.capacity() * sizeof(std::uint32_t));
    bytes += hashBytes(wideSeq_) + hashBytes(oddIds_);
    for (const QString& id : oddIds_)
        bytes += stringBytes(id);
    // The interned strings are shared between the vectors and the hashes: count them once.
    bytes += qint64(items_.capacity() * sizeof(QString)) + hashBytes(itemIndex_);
    for (const QString& item : items_)
        bytes += stringBytes(item);
    bytes += qint64(types_.capacity() * sizeof(QString)) + hashBytes(typeIndex_);
    for (const QString& type : types_)
        bytes += stringBytes(type);
    bytes += qint64(typeMatches_.capacity());
    return bytes;
}

// ---- SnapshotListModel ----

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

// ---- ShopSortFilterModel ----

ShopSortFilterModel::ShopSortFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void ShopSortFilterModel::setSourceModel(QAbstractItemModel* model)
{
    disconnect(sourceResetConnection_);
    // The base class resets the proxy; the roles are resolved after that, since sorting
    // inside a reset would be a layout change within a reset.
    QSortFilterProxyModel::setSourceModel(model);
    if (model) {
        // A reset may come with other role names (a model exposing other columns).
        sourceResetConnection_ = connect(model, &QAbstractItemModel::modelReset, this, [this] {
            const int id = idRole_;
            const int name = nameRole_;
            const int sort = sortRole();
            resolveRoles();
            if (id != idRole_ || name != nameRole_ || sort != sortRole())
                invalidate();
        });
    }
    resolveRoles();
    invalidateFilter();
}

void ShopSortFilterModel::resolveRoles()
{
    idRole_ = -1;
    nameRole_ = -1;
    if (!sourceModel()) {
        applySort();
        return;
    }
    const QHash<int, QByteArray> names = sourceModel()->roleNames();
    // The lowest "...Id" role is the row's own id (userId, itemId), not a reference.
    QList<int> roles = names.keys();
    std::sort(roles.begin(), roles.end());
    for (int role : roles) {
        const QByteArray& name = names[role];
        if (idRole_ < 0 && name.endsWith("Id"))
            idRole_ = role;
        if (nameRole_ < 0 && name == "name")
            nameRole_ = role;
    }
    applySort();
}

void ShopSortFilterModel::setSearch(const QString& text)
{
    if (text == search_)
        return;
    search_ = text;
    invalidateFilter();
    emit searchChanged();
}

void ShopSortFilterModel::setSortRoleName(const QString& name)
{
    if (name == sortRoleName_)
        return;
    sortRoleName_ = name;
    applySort();
    emit sortChanged();
}

void ShopSortFilterModel::setDescending(bool descending)
{
    if (descending == descending_)
        return;
    descending_ = descending;
    applySort();
    emit sortChanged();
}

void ShopSortFilterModel::applySort()
{
    int role = -1;
    if (sourceModel() && !sortRoleName_.isEmpty())
        role = sourceModel()->roleNames().key(sortRoleName_.toUtf8(), -1);
    if (role < 0) {
        // No (known) sort role: the source's own order, i.e. first seen.
        sort(-1);
        return;
    }
    setSortRole(role);
    sort(0, descending_ ? Qt::DescendingOrder : Qt::AscendingOrder);
}

bool ShopSortFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (search_.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (idRole_ >= 0 && index.data(idRole_).toString().contains(search_, Qt::CaseInsensitive))
        return true;
    return nameRole_ >= 0 && index.data(nameRole_).toString().contains(search_, Qt::CaseInsensitive);
}

namespace {
bool isInteger(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
    case QMetaType::Bool:
        return true;
    default:
        return false;
    }
}
} // namespace

bool ShopSortFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    // Amounts are int64: compare them as numbers, never as text ("900" < "10000").
    if (isInteger(l) && isInteger(r))
        return l.toLongLong() < r.toLongLong();
    if (l.typeId() == QMetaType::Double || r.typeId() == QMetaType::Double)
        return l.toDouble() < r.toDouble();
    return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
}

int ShopSortFilterModel::sourceRow(int proxyRow) const
{
    if (proxyRow < 0 || proxyRow >= rowCount())
        return -1;
    return mapToSource(index(proxyRow, 0)).row();
}

int ShopSortFilterModel::proxyRow(int sourceRow) const
{
    if (!sourceModel() || sourceRow < 0 || sourceRow >= sourceModel()->rowCount())
        return -1;
    return mapFromSource(sourceModel()->index(sourceRow, 0)).row();
}

} // namespace shop::app
