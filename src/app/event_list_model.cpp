// EventListModel: a million entries in about 40 bytes each, appended once per batch, with
// the filters applied in place.
#include "event_list_model.hpp"

#include "display_text.hpp"

#include "core/domain.hpp"
#include "core/stream_id.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <utility>

namespace shop::app {

namespace {

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
        return e.userId == 0 ? QString() : QString::number(e.userId);
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
    const QString text = fromUtf8(type);
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
    const QString text = fromUtf8(itemId);
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
            odd.emplace_back(index, fromUtf8(v.id));
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

void EventListModel::setUserFilter(const QString& userId)
{
    if (userId == userFilterText_)
        return;
    userFilterText_ = userId;
    bool ok = false;
    const qint64 id = userId.toLongLong(&ok);
    userFilter_ = userId.isEmpty() ? 0 : !ok || id < 0 ? -1 : id;
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

QVariantList EventListModel::balanceHistory(const QString& userId) const
{
    bool ok = false;
    const qint64 id = userId.toLongLong(&ok);
    return ok ? balanceHistory(id) : QVariantList();
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

} // namespace shop::app
