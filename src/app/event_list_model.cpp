// EventListModel: rows read from the history store, announced once per appended batch, with
// the filters applied in place.
#include "event_list_model.hpp"

#include "display_text.hpp"

#include "core/domain.hpp"
#include "core/stream_id.hpp"

#include "core/csv.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace shop::app {

using engine::HistoryNames;
using engine::HistoryRow;

EventListModel::EventListModel(const engine::HistoryStore& history, QObject* parent)
    : QAbstractListModel(parent), history_(history)
{
}

int EventListModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return static_cast<int>(rowsBelow(limit_));
}

std::size_t EventListModel::rowsBelow(std::size_t limit) const
{
    if (!filtered_)
        return std::min(count_, limit);
    if (limit >= count_)
        return visible_.size();
    return static_cast<std::size_t>(std::lower_bound(visible_.begin(), visible_.end(), limit) - visible_.begin());
}

void EventListModel::setLimit(qint64 limit)
{
    const std::size_t next = limit < 0 ? kNoLimit : static_cast<std::size_t>(limit);
    if (next == limit_)
        return;
    const std::size_t before = rowsBelow(limit_);
    const std::size_t after = rowsBelow(next);
    if (after < before) {
        beginRemoveRows({}, static_cast<int>(after), static_cast<int>(before) - 1);
        limit_ = next;
        endRemoveRows();
    } else if (after > before) {
        beginInsertRows({}, static_cast<int>(before), static_cast<int>(after) - 1);
        limit_ = next;
        endInsertRows();
    } else {
        limit_ = next;
    }
    emit limitChanged();
}

const HistoryRow& EventListModel::rowAt(std::size_t index) const
{
    if (index != cachedIndex_) {
        cachedRow_ = history_.row(index);
        cachedIndex_ = index;
    }
    return cachedRow_;
}

QVariant EventListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::size_t i
        = filtered_ ? visible_[static_cast<std::size_t>(index.row())] : static_cast<std::size_t>(index.row());
    const HistoryRow& e = rowAt(i);
    const Reason reason = e.reason;
    switch (role) {
    case Qt::DisplayRole:
    case EntryIdRole:
        return QString::fromStdString(e.id.toString());
    case TypeRole: {
        const QString type = e.type < types_.size() ? types_[e.type] : QString();
        return type.isEmpty() ? QStringLiteral("?") : type;
    }
    case AppliedRole:
        return reason == Reason::None;
    case ReasonRole:
        return QString::fromLatin1(reasonName(reason));
    case ReasonTextRole:
        return reason == Reason::None ? tr("applied") : QString::fromLatin1(reasonText(reason));
    case UserIdRole: {
        if (e.user == 0)
            return QString();
        const HistoryNames::Reader names(history_.names());
        return QString::number(names.user(e.user));
    }
    case ItemIdRole: {
        if (e.item == 0)
            return QString();
        const HistoryNames::Reader names(history_.names());
        return fromUtf8(names.item(e.item));
    }
    case TimeTextRole: {
        // Ids are not checked against the clock, so clamp rather than wrap.
        const qint64 ms = e.id.ms > quint64(std::numeric_limits<qint64>::max()) ? std::numeric_limits<qint64>::max()
                                                                                 : qint64(e.id.ms);
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

// New entry types: their text, and whether they pass the type filter.
void EventListModel::refreshNames()
{
    const std::size_t n = history_.names().typeCount();
    while (types_.size() < n) {
        const auto ref = static_cast<std::uint8_t>(types_.size());
        types_.push_back(fromUtf8(history_.names().type(ref)));
        typeMatches_.push_back(typeMatchesFilter(types_.back()) ? 1 : 0);
    }
}

// The filters name a user and an item; rows name them by ref, known once some row names them.
void EventListModel::resolveFilters()
{
    if (userFilter_ > 0 && userFilterRef_ == 0)
        userFilterRef_ = history_.names().findUser(userFilter_);
    if (!itemFilter_.isEmpty() && itemFilterRef_ == 0)
        itemFilterRef_ = history_.names().findItem(itemFilter_.toStdString());
}

bool EventListModel::typeMatchesFilter(const QString& type) const
{
    if (typeFilter_.isEmpty())
        return true;
    // The filter uses canonical names; the original demo writes orders as "OrderType".
    return type == typeFilter_ || (typeFilter_ == QLatin1String("Order") && type == QLatin1String("OrderType"));
}

bool EventListModel::accepts(const HistoryRow& e) const
{
    if (!typeFilter_.isEmpty() && (e.type >= typeMatches_.size() || !typeMatches_[e.type]))
        return false;
    switch (verdictMode_) {
    case VerdictFilter::All:
        break;
    case VerdictFilter::Applied:
        if (e.reason != Reason::None)
            return false;
        break;
    case VerdictFilter::Rejected:
        if (e.reason == Reason::None)
            return false;
        break;
    case VerdictFilter::OneReason:
        if (e.reason != verdictReason_)
            return false;
        break;
    case VerdictFilter::Nothing:
        return false;
    }
    if (userFilter_ != 0 && (userFilterRef_ == 0 || e.user != userFilterRef_))
        return false;
    if (!itemFilter_.isEmpty()
        && (itemFilterRef_ == 0
            || (e.item != itemFilterRef_
                && std::find(e.moreItems.begin(), e.moreItems.end(), itemFilterRef_) == e.moreItems.end())))
        return false;
    return true;
}

void EventListModel::filterRange(std::size_t from, std::size_t to, std::vector<std::uint32_t>& out) const
{
    // A user or item filter that no row names yet, or an unknown verdict: nothing passes.
    if (verdictMode_ == VerdictFilter::Nothing || (userFilter_ != 0 && userFilterRef_ == 0)
        || (!itemFilter_.isEmpty() && itemFilterRef_ == 0))
        return;
    if (textFilter_.isEmpty()) {
        history_.forEach(from, to, [&](std::size_t index, const HistoryRow& row) {
            if (accepts(row))
                out.push_back(static_cast<std::uint32_t>(index));
        });
        return;
    }
    // Only the search's matches, each looked at once, in order.
    auto next = std::lower_bound(textMatches_.begin(), textMatches_.end(), from);
    if (next == textMatches_.end() || *next >= to)
        return;
    history_.forEach(*next, to, [&](std::size_t index, const HistoryRow& row) {
        while (next != textMatches_.end() && *next < index)
            ++next;
        if (next != textMatches_.end() && *next == index && accepts(row))
            out.push_back(static_cast<std::uint32_t>(index));
    });
}

bool EventListModel::anyFilter() const
{
    return !typeFilter_.isEmpty() || verdictMode_ != VerdictFilter::All || userFilter_ != 0 || !itemFilter_.isEmpty()
           || !textFilter_.isEmpty();
}

void EventListModel::setTextMatches(const QString& text, std::vector<std::uint32_t> indices)
{
    textFilter_ = text;
    textMatches_ = std::move(indices);
    refilter();
}

void EventListModel::clearTextMatches()
{
    if (textFilter_.isEmpty())
        return;
    textFilter_.clear();
    textMatches_ = {};
    refilter();
}

void EventListModel::appended(std::size_t from)
{
    const std::size_t size = history_.size();
    if (size <= from)
        return;
    cachedIndex_ = std::size_t(-1);
    refreshNames();
    std::vector<std::uint32_t> passed;
    if (filtered_) {
        resolveFilters();
        filterRange(from, size, passed);
    }
    // Rows only for the new entries below the limit (history mode shows none of them).
    const std::size_t rowsBefore = rowsBelow(limit_);
    std::size_t passing = 0;
    if (limit_ > from)
        passing = filtered_ ? std::size_t(std::lower_bound(passed.begin(), passed.end(), limit_) - passed.begin())
                            : std::min(size, limit_) - from;
    if (passing > 0)
        beginInsertRows({}, static_cast<int>(rowsBefore), static_cast<int>(rowsBefore + passing) - 1);
    count_ = size;
    visible_.insert(visible_.end(), passed.begin(), passed.end());
    if (passing > 0)
        endInsertRows();
    emit totalCountChanged();
}

void EventListModel::clear()
{
    beginResetModel();
    count_ = 0;
    cachedIndex_ = std::size_t(-1);
    visible_.clear();
    visible_.shrink_to_fit();
    userFilterRef_ = 0;
    itemFilterRef_ = 0;
    const bool searched = !textFilter_.isEmpty(); // its indices were of the old history
    textFilter_.clear();
    textMatches_ = {};
    filtered_ = anyFilter();
    endResetModel();
    emit totalCountChanged();
    if (searched)
        emit filterChanged();
}

void EventListModel::setTypeFilter(const QString& type)
{
    if (type == typeFilter_)
        return;
    typeFilter_ = type;
    refreshNames();
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
    else if (const auto reason = parseReason(verdict.toStdString()); reason && *reason != Reason::None) {
        verdictMode_ = VerdictFilter::OneReason;
        verdictReason_ = *reason;
    } else
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
    userFilterRef_ = 0;
    refilter();
}

void EventListModel::setItemFilter(const QString& itemId)
{
    if (itemId == itemFilter_)
        return;
    itemFilter_ = itemId;
    itemFilterRef_ = 0; // an item not seen yet matches nothing until a row names it
    refilter();
}

void EventListModel::refilter()
{
    beginResetModel();
    filtered_ = anyFilter();
    visible_.clear();
    if (filtered_) {
        refreshNames();
        resolveFilters();
        filterRange(0, count_, visible_);
    }
    // Unfiltered, or a narrow filter after a wide one: give the memory back.
    visible_.shrink_to_fit();
    endResetModel();
    emit filterChanged();
}

int EventListModel::rowOfIndex(std::size_t index) const
{
    if (index >= limit_)
        return -1;
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
    if (!id || count_ == 0)
        return -1;
    const std::size_t index = history_.lowerBound(*id);
    if (index >= count_ || history_.id(index) != *id)
        return -1;
    return rowOfIndex(index);
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
    const std::uint32_t ref = userId == 0 ? 0 : history_.names().findUser(userId);
    if (ref == 0)
        return points;
    history_.forEach(0, std::min(count_, limit_), [&](std::size_t index, const HistoryRow& row) {
        if (row.user != ref || row.balanceAfter < 0)
            return;
        points.append(QVariantMap{
            {QStringLiteral("index"), qint64(index)},
            {QStringLiteral("entryId"), QString::fromStdString(row.id.toString())},
            {QStringLiteral("balance"), qint64(row.balanceAfter)},
        });
    });
    return points;
}

EventListModel::RowsSnapshot EventListModel::snapshotRows() const
{
    RowsSnapshot out{history_, {}, rowsBelow(limit_), filtered_, types_};
    if (filtered_)
        out.rows.assign(visible_.begin(), visible_.begin() + static_cast<std::ptrdiff_t>(out.count));
    return out;
}

std::size_t EventListModel::writeRows(const RowsSnapshot& rows, bool json, const std::function<void(std::string_view)>& sink)
{
    constexpr std::size_t kFlushBytes = 64 * 1024;
    std::string out;
    out.reserve(kFlushBytes + 1024);
    out += json ? "[" : "id,time,type,verdict,user,item\r\n";
    std::size_t written = 0;
    const HistoryNames::Reader names(rows.history.names());
    qint64 lastMs = -1;
    std::string time; // of lastMs: entries of one millisecond come in runs
    const auto write = [&](std::size_t, const HistoryRow& row) {
        const std::string id = row.id.toString();
        const qint64 ms = row.id.ms > quint64(std::numeric_limits<qint64>::max()) ? std::numeric_limits<qint64>::max()
                                                                                   : qint64(row.id.ms);
        if (ms != lastMs) {
            time = localTimeText(ms, QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")).toStdString();
            lastMs = ms;
        }
        const QString typeText = row.type < rows.types.size() ? rows.types[row.type] : QString();
        const std::string type = typeText.toStdString();
        const std::string_view verdict = reasonName(row.reason); // "applied" for None
        const UserId user = row.user == 0 ? 0 : names.user(row.user);
        const std::string_view item = row.item == 0 ? std::string_view() : names.item(row.item);
        if (json) {
            const nlohmann::json o = {{"id", id},
                                      {"time", time},
                                      {"type", type},
                                      {"verdict", verdict},
                                      {"user", user == 0 ? nlohmann::json() : nlohmann::json(user)},
                                      {"item", item.empty() ? nlohmann::json() : nlohmann::json(item)}};
            out += written == 0 ? "\n" : ",\n";
            out += o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } else {
            for (const std::string_view field : {std::string_view(id), std::string_view(time), std::string_view(type), verdict}) {
                appendCsvField(out, field);
                out += ',';
            }
            if (user != 0)
                out += std::to_string(user);
            out += ',';
            appendCsvField(out, item);
            out += kCsvLineEnd;
        }
        ++written;
        if (out.size() >= kFlushBytes) {
            sink(out);
            out.clear();
        }
    };
    const std::size_t shown = rows.count;
    if (!rows.filtered) {
        rows.history.forEach(0, shown, write);
    } else if (shown > 0) {
        // One pass over the range the shown rows span, decoding each block once.
        std::size_t next = 0;
        rows.history.forEach(rows.rows[0], std::size_t(rows.rows[shown - 1]) + 1, [&](std::size_t index, const HistoryRow& row) {
            if (next < shown && rows.rows[next] == index) {
                write(index, row);
                ++next;
            }
        });
    }
    out += json ? (written == 0 ? "]\n" : "\n]\n") : "";
    sink(out);
    return written;
}

qint64 EventListModel::memoryBytes() const
{
    // The rows are the history store's (counted there); the model adds its filter's indices
    // and the type names.
    qint64 bytes = qint64(visible_.capacity() * sizeof(std::uint32_t));
    bytes += qint64(types_.capacity() * sizeof(QString) + typeMatches_.capacity());
    for (const QString& type : types_)
        bytes += qint64(type.capacity() + 1) * 2 + 16;
    return bytes;
}

} // namespace shop::app
