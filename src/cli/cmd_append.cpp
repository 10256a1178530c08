// `shopstream-cli append TYPE JSON`: one idempotent append (DESIGN section 7).
#include "cli_context.hpp"

#include "core/domain.hpp"
#include "redis/stream_writer.hpp"

#include <nlohmann/json.hpp>

namespace shop::cli {

namespace {

int run(const Invocation& call)
{
    if (call.positionals.size() != 2)
        return usageError(QStringLiteral("append takes TYPE and JSON"), call.command);
    const std::string type = call.positionals[0].toStdString();
    const std::string data = call.positionals[1].toStdString();
    if (!call.isSet(QStringLiteral("raw"))) {
        if (!parseEventType(type))
            return usageError(QStringLiteral("unknown event type \"%1\": use RegisterUser, TopUp, AdjustBalance, AddItem, "
                                             "SetPrice, AdjustStock or Order")
                                  .arg(call.positionals[0]),
                              call.command);
        const auto parsed = nlohmann::json::parse(data, nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object())
            return usageError(QStringLiteral("the data is not a JSON object; nothing was appended"), call.command);
    }
    Session session;
    QString error;
    if (!openSession(call, session, error))
        return fail(error);
    redis::StreamWriter writer(session.connection, session.stream);
    redis::AppendRequest request;
    request.type = type;
    request.data = data;
    request.eid = call.value(QStringLiteral("eid")).toStdString();
    request.actor = call.isSet(QStringLiteral("actor"))
                        ? call.value(QStringLiteral("actor")).toStdString()
                        : (QStringLiteral("cli:") + qEnvironmentVariable("USER", QStringLiteral("unknown"))).toStdString();
    const redis::AppendResult result = writer.append(request);
    if (!result.ok)
        return fail(result.error);
    if (result.duplicate)
        warn("an event with this eid was appended before; nothing new was added");
    print(shown(result.id)); // on a retry, read back from the eid record: anyone could have written it
    return kExitOk;
}

} // namespace

Command appendCommand()
{
    return {
        QStringLiteral("append"),
        QStringLiteral("append TYPE JSON [--eid UUID] [--actor NAME] [--raw]"),
        QStringLiteral("append one event; prints the new entry id"),
        QStringLiteral("Appends one event to the stream and prints its entry id. TYPE is one of RegisterUser, TopUp,\n"
                       "AdjustBalance, AddItem, SetPrice, AdjustStock, Order (or OrderType); JSON is the event's data\n"
                       "object, e.g.  shopstream-cli append TopUp '{\"userId\": 7, \"amount\": 1500}'\n"
                       "Amounts are in minor units (cents). The consumer decides whether the event applies."),
        {
            {QStringLiteral("eid"),
             QStringLiteral("the idempotency id: appending again with the same eid (within 24 h) adds\n"
                            "nothing and prints the first entry's id. Default: a new random one."),
             QStringLiteral("UUID")},
            {QStringLiteral("actor"), QStringLiteral("who issued it (default: cli:$USER)"), QStringLiteral("NAME")},
            {QStringLiteral("raw"),
             QStringLiteral("append even when TYPE is unknown or JSON is not an object (to make test\n"
                            "streams with bad entries; they will be rejected by the consumer)")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
