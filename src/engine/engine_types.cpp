// Meta-type registration so the value types can travel through queued connections.
#include "engine_types.hpp"

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

void recordVerdict(const RawEntry& entry, Reason reason, const Event& e, const ShopState& after,
                   std::vector<VerdictRecord>& out, std::string& ops, std::vector<TimelineCheckpoint>& checkpoints)
{
    const auto position = static_cast<std::size_t>(after.counts.total);
    if (ReplayTimeline::checkpointDue(position))
        checkpoints.push_back(TimelineCheckpoint::capture(after, position));
    constexpr std::size_t kTypeClip = 32;
    VerdictRecord& record = out.emplace_back();
    record.id.assign(entry.id);
    if (entry.type)
        record.type.assign(entry.type->substr(0, kTypeClip));
    record.reason = reason;
    // Past check 5 the event was decoded, so its fields say what it named.
    record.decoded = reason == Reason::None || reason > Reason::Invalid;
    if (!record.decoded)
        return;
    record.eventType = e.type;
    record.userId = e.userId;
    record.itemId = !e.itemId.empty() ? e.itemId : (e.lines.empty() ? std::string() : e.lines.front().itemId);
    if (const User* user = e.userId != 0 ? after.findUser(e.userId) : nullptr)
        record.balanceAfter = user->balance;
    if (reason == Reason::None) {
        record.opOffset = static_cast<std::uint32_t>(ops.size());
        ReplayTimeline::encodeEvent(e, ops);
        record.opLength = static_cast<std::uint32_t>(ops.size()) - record.opOffset;
    }
}

void registerEngineMetaTypes()
{
    qRegisterMetaType<ConsumerBatch>();
    qRegisterMetaType<ConsumerStatus>();
    qRegisterMetaType<StreamGap>();
    qRegisterMetaType<QList<SnapshotVerification>>();
    qRegisterMetaType<QList<StoredSnapshot>>();
    qRegisterMetaType<EntryFields>();
}

} // namespace shop::engine
