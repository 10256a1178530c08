#include "overview_model.hpp"

#include "display_text.hpp"
#include "items_model.hpp"
#include "replay_controller.hpp"
#include "users_model.hpp"

#include "core/domain.hpp"

#include <algorithm>

namespace shop::app {

namespace {
// Rows read per turn of the event loop: a long history is read in pieces, the window responsive.
constexpr std::size_t kRowsPerTurn = std::size_t(1) << 20;
} // namespace

OverviewModel::OverviewModel(const engine::HistoryStore& history, ReplayController& replay, const UserListModel& users,
                             const ItemListModel& items, QObject* parent)
    : QObject(parent), history_(history), replay_(replay), users_(users), items_(items), overview_(history)
{
    timer_.setSingleShot(true);
    timer_.setInterval(150);
    connect(&timer_, &QTimer::timeout, this, &OverviewModel::refresh);
    connect(&replay_, &ReplayController::positionChanged, this, &OverviewModel::schedule);
}

void OverviewModel::setActive(bool active)
{
    if (active == active_)
        return;
    active_ = active;
    emit activeChanged();
    if (active_)
        refresh();
}

void OverviewModel::historyGrew() { schedule(); }

void OverviewModel::historyCleared()
{
    overview_.clear();
    schedule();
}

void OverviewModel::schedule()
{
    if (active_ && !timer_.isActive())
        timer_.start();
}

QString OverviewModel::revenueText() const { return formatMoney(tally_.revenue); }

void OverviewModel::refresh()
{
    overview_.extend(kRowsPerTurn); // (an emptied history came through historyCleared)
    // Live: every entry held (also when the timeline is off and says length 0); in history:
    // up to the current event.
    const std::size_t target = replay_.live() ? history_.size()
                                              : std::min<std::size_t>(static_cast<std::size_t>(std::max<qint64>(0, replay_.position())),
                                                                      history_.size());
    ready_ = overview_.scanned() >= target;
    compute(std::min(target, overview_.scanned()));
    if (overview_.scanned() < history_.size() && active_)
        QTimer::singleShot(0, this, &OverviewModel::refresh);
}

void OverviewModel::compute(std::size_t position)
{
    tally_ = overview_.tallyAt(position);

    const engine::HistoryNames::Reader names(history_.names());
    struct TypeRow {
        QString type;
        std::int64_t applied, rejected;
    };
    std::vector<TypeRow> rows;
    for (std::size_t ref = 0; ref < tally_.byType.size(); ++ref) {
        const auto& [applied, rejected] = tally_.byType[ref];
        if (applied + rejected == 0)
            continue;
        const std::string_view name = names.type(static_cast<std::uint8_t>(ref));
        rows.push_back({ref == engine::HistoryNames::kOtherType ? tr("(other types)")
                        : name.empty()                           ? tr("(no type)")
                                                                 : fromUtf8(name),
                        applied, rejected});
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const TypeRow& a, const TypeRow& b) { return a.applied + a.rejected > b.applied + b.rejected; });
    types_.clear();
    for (const TypeRow& r : rows)
        types_.append(QVariantMap{{QStringLiteral("type"), r.type}, {QStringLiteral("applied"), qint64(r.applied)},
                                  {QStringLiteral("rejected"), qint64(r.rejected)}});

    std::vector<int> reasons;
    for (int r = 1; r < kReasonCount; ++r)
        if (tally_.byReason[std::size_t(r)] > 0)
            reasons.push_back(r);
    std::stable_sort(reasons.begin(), reasons.end(), [this](int a, int b) {
        return tally_.byReason[std::size_t(a)] > tally_.byReason[std::size_t(b)];
    });
    reasons_.clear();
    for (int r : reasons) {
        const auto reason = static_cast<Reason>(r);
        reasons_.append(QVariantMap{{QStringLiteral("reason"), QString::fromLatin1(reasonName(reason).data(), qsizetype(reasonName(reason).size()))},
                                    {QStringLiteral("text"), fromUtf8(reasonText(reason))},
                                    {QStringLiteral("count"), qint64(tally_.byReason[std::size_t(r)])}});
    }

    series_.clear();
    seriesMaxCount_ = 0;
    seriesMaxRevenue_ = 0;
    const std::vector<engine::OverviewBucket> buckets = overview_.series(position, kBuckets);
    // Times to the second when the buckets are that long, else to the millisecond.
    const bool coarse = !buckets.empty() && buckets.front().toMs - buckets.front().fromMs >= 1000;
    const QString format = coarse ? QStringLiteral("yyyy-MM-dd HH:mm:ss") : QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz");
    for (const engine::OverviewBucket& b : buckets) {
        seriesMaxCount_ = std::max<qint64>(seriesMaxCount_, b.applied + b.rejected);
        seriesMaxRevenue_ = std::max(seriesMaxRevenue_, double(b.revenue) / 100.0);
        series_.append(QVariantMap{{QStringLiteral("fromText"), localTimeText(qint64(b.fromMs), format)},
                                   {QStringLiteral("toText"), localTimeText(qint64(b.toMs), format)},
                                   {QStringLiteral("applied"), qint64(b.applied)},
                                   {QStringLiteral("rejected"), qint64(b.rejected)},
                                   {QStringLiteral("revenue"), double(b.revenue) / 100.0},
                                   {QStringLiteral("revenueText"), formatMoney(b.revenue)}});
    }
    computeTop();
    emit changed();
}

void OverviewModel::computeTop()
{
    // The tables show the same point: the live ones at the head, the replay's in history.
    const std::vector<User>& users = replay_.live() ? users_.rows() : replay_.users()->rows();
    const std::vector<Item>& items = replay_.live() ? items_.rows() : replay_.items()->rows();

    std::vector<const User*> buyers;
    for (const User& u : users)
        if (u.spent > 0 || u.orders > 0)
            buyers.push_back(&u);
    const auto topUsers = std::min<std::size_t>(buyers.size(), kTop);
    std::partial_sort(buyers.begin(), buyers.begin() + std::ptrdiff_t(topUsers), buyers.end(), [](const User* a, const User* b) {
        return a->spent != b->spent ? a->spent > b->spent : a->orders != b->orders ? a->orders > b->orders : a->id < b->id;
    });
    topUsers_.clear();
    for (std::size_t i = 0; i < topUsers; ++i)
        topUsers_.append(QVariantMap{{QStringLiteral("userId"), QString::number(buyers[i]->id)},
                                     {QStringLiteral("name"), fromUtf8(buyers[i]->name)},
                                     {QStringLiteral("spentText"), formatMoney(buyers[i]->spent)},
                                     {QStringLiteral("orders"), qint64(buyers[i]->orders)}});

    std::vector<const Item*> sold;
    for (const Item& it : items)
        if (it.sold > 0)
            sold.push_back(&it);
    const auto topItems = std::min<std::size_t>(sold.size(), kTop);
    std::partial_sort(sold.begin(), sold.begin() + std::ptrdiff_t(topItems), sold.end(), [](const Item* a, const Item* b) {
        return a->sold != b->sold ? a->sold > b->sold : a->id < b->id;
    });
    topItems_.clear();
    for (std::size_t i = 0; i < topItems; ++i)
        topItems_.append(QVariantMap{{QStringLiteral("itemId"), fromUtf8(sold[i]->id)},
                                     {QStringLiteral("name"), fromUtf8(sold[i]->name)},
                                     {QStringLiteral("sold"), qint64(sold[i]->sold)},
                                     {QStringLiteral("stock"), qint64(sold[i]->stock)}});
}

} // namespace shop::app
