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
    }
    return {};
}

void registerEngineMetaTypes()
{
    qRegisterMetaType<ConsumerBatch>();
    qRegisterMetaType<ConsumerStatus>();
}

} // namespace shop::engine
