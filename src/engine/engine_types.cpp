// Meta-type registration so the value types can travel through queued connections.
#include "engine_types.hpp"

#include <algorithm>

namespace shop::engine {

QString connectionStateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Connecting:
        return QStringLiteral("connecting");
    case ConnectionState::Restoring:
        return QStringLiteral("restoring");
    case ConnectionState::CatchingUp:
        return QStringLiteral("catching up");
    case ConnectionState::Live:
        return QStringLiteral("live");
    case ConnectionState::Disconnected:
        return QStringLiteral("disconnected");
    case ConnectionState::Failed:
        return QStringLiteral("failed");
    case ConnectionState::Stopped:
        return QStringLiteral("stopped");
    case ConnectionState::Gap:
        return QStringLiteral("gap");
    }
    return {};
}

void checkpointIfDue(const ShopState& after, std::vector<TimelineCheckpoint>& checkpoints, std::size_t checkpointEvery,
                     std::int64_t streamLength)
{
    const auto position = static_cast<std::size_t>(after.counts.total);
    const auto expectedSize = static_cast<std::size_t>(std::max<std::int64_t>(0, streamLength));
    if (ReplayTimeline::checkpointDue(position, checkpointEvery, expectedSize))
        checkpoints.push_back(TimelineCheckpoint::capture(after, position));
}

RowFacts rowFacts(Reason reason, const Event& e, const ShopState& after)
{
    RowFacts facts;
    if (!HistoryBlock::keepsEvent(reason)) // not decoded: its fields say nothing
        return facts;
    if (const User* user = e.userId != 0 ? after.findUser(e.userId) : nullptr)
        facts.balanceAfter = user->balance;
    if (reason == Reason::None && e.type == EventType::Order)
        facts.orderTotal = after.lastOrderTotal;
    return facts;
}

void addRow(HistoryBuilder& history, std::string_view id, std::string_view type, Reason reason, const Event& e,
            RowFacts facts)
{
    // Past check 5 the event was decoded, so its fields say what it named. One that failed
    // check 5 (invalid) names what passed before the field that failed: its user and the
    // items of its lines when they are well-formed ids, so that the user and item filters
    // find it too.
    // Before check 5 (malformed and earlier) nothing was read.
    const bool decoded = HistoryBlock::keepsEvent(reason);
    if (!decoded) {
        UserId user = 0;
        std::string_view item;
        if (reason == Reason::Invalid) {
            user = e.userId > 0 ? e.userId : 0;
            item = firstItemNamed(e);
            if (!isValidItemId(item))
                item = {};
        }
        history.add(id, type, reason, user, item, -1, nullptr, reason == Reason::Invalid ? &e.lines : nullptr);
        return;
    }
    history.add(id, type, reason, e.userId, firstItemNamed(e), facts.balanceAfter, &e, &e.lines, facts.orderTotal);
}

void recordEntry(const RawEntry& entry, Reason reason, const Event& e, const ShopState& after, HistoryBuilder& history,
                 std::vector<TimelineCheckpoint>& checkpoints, std::size_t checkpointEvery, std::int64_t streamLength)
{
    checkpointIfDue(after, checkpoints, checkpointEvery, streamLength);
    addRow(history, entry.id, entry.type.value_or(std::string_view()), reason, e, rowFacts(reason, e, after));
}

void registerEngineMetaTypes()
{
    qRegisterMetaType<ConsumerBatch>();
    qRegisterMetaType<ConsumerStatus>();
    qRegisterMetaType<StreamGap>();
    qRegisterMetaType<QList<SnapshotVerification>>();
    qRegisterMetaType<QList<StoredSnapshot>>();
    qRegisterMetaType<EntryFields>();
    qRegisterMetaType<StreamSummary>();
}

} // namespace shop::engine
