// ReplayController: the timeline, the history-mode models, playback and Compare.
#include "replay_controller.hpp"

#include "display_text.hpp"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <map>

namespace shop::app {

namespace {
constexpr int kTickMs = 33;              // at most ~30 updates a second, as the live view
constexpr qint64 kFastestPerTick = 2000; // "as fast as possible": this many entries a tick at least
constexpr int kMaxCompareRows = 5000;

QString fromStd(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QString timeText(std::uint64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(ms)).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QVariantMap userValues(const User& u)
{
    return {{QStringLiteral("name"), fromStd(u.name)},
            {QStringLiteral("balance"), qint64(u.balance)},
            {QStringLiteral("balanceText"), formatMoney(u.balance)},
            {QStringLiteral("spent"), qint64(u.spent)},
            {QStringLiteral("spentText"), formatMoney(u.spent)},
            {QStringLiteral("orders"), qint64(u.orders)}};
}

QVariantMap itemValues(const Item& i)
{
    return {{QStringLiteral("name"), fromStd(i.name)},
            {QStringLiteral("price"), qint64(i.price)},
            {QStringLiteral("priceText"), i.price ? formatMoney(i.price) : QObject::tr("unpriced")},
            {QStringLiteral("stock"), qint64(i.stock)},
            {QStringLiteral("sold"), qint64(i.sold)}};
}

} // namespace

ReplayController::ReplayController(const engine::HistoryStore& history, QObject* parent)
    : QObject(parent), timeline_(history)
{
    timer_.setInterval(kTickMs);
    connect(&timer_, &QTimer::timeout, this, &ReplayController::tick);
}

qint64 ReplayController::position() const
{
    return live_ ? length() : static_cast<qint64>(timeline_.position());
}

void ReplayController::setSpeed(int entriesPerSecond)
{
    entriesPerSecond = std::max(0, entriesPerSecond);
    if (entriesPerSecond == speed_)
        return;
    speed_ = entriesPerSecond;
    // Keep playing from where we are at the new pace.
    playStartPosition_ = position();
    playClock_.restart();
    emit speedChanged();
}

QVariantMap ReplayController::current() const
{
    const qint64 p = position();
    if (p <= 0 || timeline_.size() == 0)
        return {};
    const auto index = static_cast<std::size_t>(p - 1);
    const auto info = timeline_.entry(index);
    QStringList items;
    for (const std::string& item : info.items)
        items << fromStd(item);
    return {{QStringLiteral("entryId"), fromStd(info.id)},
            {QStringLiteral("position"), p},
            {QStringLiteral("timeText"), timeText(timeline_.entryTimeMs(index))},
            {QStringLiteral("type"), info.applied ? fromStd(typeName(info.type)) : QString()},
            {QStringLiteral("applied"), info.applied},
            {QStringLiteral("reason"), fromStd(reasonName(info.reason))},
            {QStringLiteral("reasonText"), info.applied ? tr("applied") : fromStd(reasonText(info.reason))},
            {QStringLiteral("userId"), info.userId ? QString::number(info.userId) : QString()},
            {QStringLiteral("items"), items}};
}

qint64 ReplayController::appliedAt() const
{
    return live_ ? -1 : timeline_.state().counts.applied;
}

qint64 ReplayController::rejectedAt() const
{
    return live_ ? -1 : timeline_.state().counts.rejected;
}

QString ReplayController::playbackText() const
{
    const QLocale locale;
    const qint64 p = position();
    QString text = tr("%1 of %2").arg(locale.toString(p), locale.toString(length()));
    if (playing() && playClock_.elapsed() > 0) {
        const double rate = double(p - playStartPosition_) * 1000.0 / double(std::max<qint64>(1, playClock_.elapsed()));
        text += tr(" · %1 a second").arg(locale.toString(qRound64(rate)));
        if (rate > 0)
            text += tr(" · %1 s left").arg(double(length() - p) / rate, 0, 'f', 1);
    }
    return text;
}

void ReplayController::seek(qint64 p)
{
    if (!available_ || timeline_.size() == 0)
        return;
    p = std::clamp<qint64>(p, 0, length());
    const bool wasLive = live_;
    live_ = false;
    timeline_.seek(static_cast<std::size_t>(p));
    showCursor(wasLive || timeline_.lastTouched().all);
}

void ReplayController::stepForward()
{
    if (!live_ && position() < length())
        seek(position() + 1);
}

void ReplayController::stepBack()
{
    seek(position() - 1);
}

void ReplayController::play()
{
    if (!available_ || timeline_.size() == 0)
        return;
    if (live_ || position() >= length())
        seek(0);
    playStartPosition_ = position();
    playClock_.restart();
    timer_.start();
    emit playingChanged();
}

void ReplayController::pause()
{
    if (!timer_.isActive())
        return;
    timer_.stop();
    emit playingChanged();
    cursorMoved();
}

void ReplayController::goLive()
{
    pause();
    if (live_)
        return;
    live_ = true;
    touchedUsers_.clear();
    touchedItems_.clear();
    cursorMoved();
}

void ReplayController::replayFromStart()
{
    seek(0);
    play();
}

void ReplayController::tick()
{
    qint64 target;
    if (speed_ > 0)
        target = playStartPosition_ + playClock_.elapsed() * speed_ / 1000;
    else
        target = position() + std::max(kFastestPerTick, length() / 200);
    target = std::min(target, length());
    if (target != position())
        seek(target);
    if (target >= length())
        goLive(); // the head: back to following the stream
}

bool ReplayController::seekToEntry(const QString& entryId)
{
    const std::string id = entryId.trimmed().toStdString();
    const std::size_t index = timeline_.lowerBound(id);
    if (index >= timeline_.size() || timeline_.entryId(index) != id)
        return false;
    seek(static_cast<qint64>(index) + 1);
    return true;
}

bool ReplayController::seekToTime(const QString& text)
{
    const QString t = text.trimmed();
    QDateTime when = QDateTime::fromString(t, Qt::ISODateWithMs);
    for (const char* format : {"yyyy-MM-dd HH:mm:ss.zzz", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"}) {
        if (when.isValid())
            break;
        when = QDateTime::fromString(t, QString::fromLatin1(format));
    }
    if (!when.isValid() || timeline_.size() == 0)
        return false;
    // The state at a time: every entry up to and including that moment.
    const auto ms = static_cast<std::uint64_t>(std::max<qint64>(0, when.toMSecsSinceEpoch()));
    seek(static_cast<qint64>(timeline_.indexAtTime(ms + 1)));
    return true;
}

QString ReplayController::entryIdAt(qint64 p) const
{
    if (p <= 0 || p > length())
        return {};
    return fromStd(timeline_.entryId(static_cast<std::size_t>(p - 1)));
}

QString ReplayController::timeTextAt(qint64 p) const
{
    if (p <= 0 || p > length())
        return {};
    return timeText(timeline_.entryTimeMs(static_cast<std::size_t>(p - 1)));
}

QVariantMap compareStates(const ShopState& a, const ShopState& b)
{
    QVariantList users;
    int more = 0;
    std::map<UserId, std::pair<const User*, const User*>> userPairs;
    for (const auto& [id, u] : a.users())
        userPairs[id].first = &u;
    for (const auto& [id, u] : b.users())
        userPairs[id].second = &u;
    for (const auto& [id, pair] : userPairs) {
        const auto [before, after] = pair;
        if (before && after && *before == *after)
            continue;
        if (users.size() >= kMaxCompareRows) {
            ++more;
            continue;
        }
        users.append(QVariantMap{{QStringLiteral("id"), QString::number(id)},
                                 {QStringLiteral("name"), fromStd((after ? after : before)->name)},
                                 {QStringLiteral("before"), before ? QVariant(userValues(*before)) : QVariant()},
                                 {QStringLiteral("after"), after ? QVariant(userValues(*after)) : QVariant()}});
    }
    QVariantList items;
    std::map<std::string, std::pair<const Item*, const Item*>> itemPairs;
    for (const auto& [id, i] : a.items())
        itemPairs[id].first = &i;
    for (const auto& [id, i] : b.items())
        itemPairs[id].second = &i;
    for (const auto& [id, pair] : itemPairs) {
        const auto [before, after] = pair;
        if (before && after && *before == *after)
            continue;
        if (items.size() >= kMaxCompareRows) {
            ++more;
            continue;
        }
        items.append(QVariantMap{{QStringLiteral("id"), fromStd(id)},
                                 {QStringLiteral("name"), fromStd((after ? after : before)->name)},
                                 {QStringLiteral("before"), before ? QVariant(itemValues(*before)) : QVariant()},
                                 {QStringLiteral("after"), after ? QVariant(itemValues(*after)) : QVariant()}});
    }
    return {{QStringLiteral("users"), users}, {QStringLiteral("items"), items}, {QStringLiteral("more"), more}};
}

QVariantMap ReplayController::compare(qint64 from, qint64 to) const
{
    from = std::clamp<qint64>(from, 0, length());
    to = std::clamp<qint64>(to, 0, length());
    QVariantMap out = compareStates(timeline_.stateAt(static_cast<std::size_t>(from)), timeline_.stateAt(static_cast<std::size_t>(to)));
    out[QStringLiteral("from")] = from;
    out[QStringLiteral("to")] = to;
    out[QStringLiteral("fromId")] = entryIdAt(from);
    out[QStringLiteral("toId")] = entryIdAt(to);
    out[QStringLiteral("fromTime")] = timeTextAt(from);
    out[QStringLiteral("toTime")] = timeTextAt(to);
    out[QStringLiteral("entries")] = std::abs(to - from);
    return out;
}

void ReplayController::addCheckpoints(std::vector<engine::TimelineCheckpoint>&& checkpoints)
{
    for (engine::TimelineCheckpoint& c : checkpoints)
        timeline_.addCheckpoint(std::move(c));
    checkpoints.clear();
}

void ReplayController::appended()
{
    if (!available_)
        return;
    updateMarks();
    emit lengthChanged();
    if (live_)
        emit positionChanged(); // not cursorChanged: nothing shows the cursor's entry while live
}

void ReplayController::clear()
{
    pause();
    whatIf_.clear(); // its positions were this history's
    timeline_.clear();
    live_ = true;
    touchedUsers_.clear();
    touchedItems_.clear();
    users_.apply({}, UserListModel::Update::Reset);
    items_.apply({}, ItemListModel::Update::Reset);
    updateMarks();
    emit lengthChanged();
    cursorMoved();
}

void ReplayController::setAvailable(bool available, const QString& reason)
{
    if (available == available_ && reason == unavailableReason_)
        return;
    available_ = available;
    unavailableReason_ = reason;
    if (!available)
        goLive();
    emit availableChanged();
}

void ReplayController::setSnapshotIds(const QStringList& ids)
{
    snapshotIds_ = ids;
    updateMarks();
}

void ReplayController::updateMarks()
{
    QVariantList marks;
    const qint64 n = length();
    if (n > 0) {
        for (const QString& id : snapshotIds_) {
            const std::size_t index = timeline_.lowerBound(id.toStdString());
            if (index < timeline_.size() && timeline_.entryId(index) == id.toStdString())
                marks.append(QVariantMap{{QStringLiteral("id"), id},
                                         {QStringLiteral("position"), qint64(index) + 1},
                                         {QStringLiteral("fraction"), double(index + 1) / double(n)}});
        }
    }
    if (marks != marks_) {
        marks_ = marks;
        emit marksChanged();
    }
}

// The shown point moved, and what is at it changed with it.
void ReplayController::cursorMoved()
{
    emit positionChanged();
    emit cursorChanged();
}

// Puts the cursor's state into the history models: everything after a checkpoint restore,
// only the touched rows after steps forward.
void ReplayController::showCursor(bool full)
{
    const ShopState& state = timeline_.state();
    const auto& touched = timeline_.lastTouched();
    if (full) {
        // In the order the history first names them, which is close to the order they were
        // created in: the rows a seek adds or removes are then a few runs at the end, not
        // thousands of single rows all over the table (each a signal through the proxy).
        std::vector<User> users;
        users.reserve(state.users().size());
        std::vector<Item> items;
        items.reserve(state.items().size());
        {
            const engine::HistoryNames::Reader names(timeline_.history().names());
            for (std::uint32_t ref = 1; ref <= names.lastUser(); ++ref) {
                if (const User* u = state.findUser(names.user(ref)))
                    users.push_back(*u);
            }
            for (std::uint32_t ref = 1; ref <= names.lastItem(); ++ref) {
                if (const Item* i = state.findItem(names.item(ref)))
                    items.push_back(*i);
            }
        }
        // Any the history does not name (none, as the state is made of its rows), by id.
        if (users.size() < state.users().size()) {
            for (const User* u : state.sortedUsers())
                users.push_back(*u); // the model keeps a key's last copy: no duplicates
        }
        if (items.size() < state.items().size()) {
            for (const Item* i : state.sortedItems())
                items.push_back(*i);
        }
        users_.apply(users, UserListModel::Update::Replace);
        items_.apply(items, ItemListModel::Update::Replace);
    } else {
        std::vector<User> users;
        for (UserId id : touched.users) {
            if (const User* u = state.findUser(id))
                users.push_back(*u);
        }
        std::vector<Item> items;
        for (const std::string& id : touched.items) {
            if (const Item* i = state.findItem(id))
                items.push_back(*i);
        }
        users_.apply(users, UserListModel::Update::Merge);
        items_.apply(items, ItemListModel::Update::Merge);
    }
    touchedUsers_.clear();
    touchedItems_.clear();
    if (timeline_.position() > 0) {
        const auto info = timeline_.entry(timeline_.position() - 1);
        if (info.userId != 0)
            touchedUsers_ << QString::number(info.userId);
        for (const std::string& item : info.items)
            touchedItems_ << fromStd(item);
    }
    cursorMoved();
}

} // namespace shop::app
