// `shopstream-cli append TYPE JSON`: one idempotent append (DESIGN section 7), in the
// stream's own format (section 4): the original demo's consumer deletes every entry it
// cannot parse, so on its stream TopUp, AddItem and Order are written as its Go structs,
// and what that format cannot hold is refused before anything is written.
#include "cli_context.hpp"

#include "explain_output.hpp"

#include "core/domain.hpp"
#include "core/explain.hpp"
#include "core/shop_state.hpp"
#include "core/legacy_encoder.hpp"
#include "core/stream_format.hpp"
#include "redis/state_loader.hpp"
#include "redis/stream_writer.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace shop::cli {

namespace {

enum class FormatChoice { Auto, Native, Legacy };

// The way out of a refusal, and what it costs.
const char* const kNativeAdvice = "--format native writes it natively, but the original demo's consumer deletes "
                                  "entries it cannot read";

// `why` comes from the encoder; `context` says why the demo's format was chosen (auto).
int refuse(const Invocation& call, const std::string& why, const std::string& context = {})
{
    return usageError(QString::fromStdString(why + context + "; nothing was appended. " + kNativeAdvice), call.command);
}

// --dry-run: the entry the append would write, processed against the shop as it is now (the
// newest snapshot that verifies plus the tail) on a connection that sends no writes.
int preview(const Invocation& call, Session& session, const redis::AppendRequest& request, const std::string& told)
{
    ShopState state;
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(state, {}, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(report.error);
    RawEntry entry;
    entry.id = "";
    entry.type = request.type;
    entry.data = request.data;
    if (!request.legacy) {
        entry.v = "1";
        entry.eid = request.eid;
        entry.actor = request.actor;
    }
    const std::string at = state.lastEventId.empty() ? std::string("the empty shop") : "the shop at " + state.lastEventId;
    const Explanation e = explainEntry(state, entry);
    if (call.isSet(QStringLiteral("json"))) {
        print(dumpJson(explanationJson(e, {})));
        return kExitOk;
    }
    if (!told.empty())
        note(told);
    print("dry run, nothing was appended: " + std::string(e.type ? typeName(*e.type) : std::string_view(request.type))
          + (e.applied() ? " would be applied" : " would be rejected: " + std::string(reasonName(e.reason)) + " (" + shown(e.why) + ")")
          + " against " + shown(at));
    std::printf("%s", explanationText(e).c_str());
    return kExitOk;
}

int run(const Invocation& call)
{
    if (call.positionals.size() != 2)
        return usageError(QStringLiteral("append takes TYPE and JSON"), call.command);
    FormatChoice choice = FormatChoice::Auto;
    if (call.isSet(QStringLiteral("format"))) {
        const QString format = call.value(QStringLiteral("format"));
        if (format == QLatin1String("native"))
            choice = FormatChoice::Native;
        else if (format == QLatin1String("legacy"))
            choice = FormatChoice::Legacy;
        else if (format != QLatin1String("auto"))
            return usageError(QStringLiteral("--format takes auto, native or legacy, not \"%1\"").arg(format), call.command);
    }
    const bool raw = call.isSet(QStringLiteral("raw"));
    const std::string type = call.positionals[0].toStdString();
    const std::string data = call.positionals[1].toStdString();
    if (!raw) {
        if (const QString problem = eventArgumentsProblem(call.positionals[0], data); !problem.isEmpty())
            return usageError(problem + QStringLiteral("; nothing was appended"), call.command);
    }
    // The data stays native JSON on the command line (minor units); it is converted only
    // when the entry is written in the demo's format. --raw writes the bytes as given.
    LegacyEntry legacy{type, data};
    std::string why;
    const auto convert = [&] { return raw ? LegacyRefusal::None : legacyFromNative(type, data, legacy, why); };
    if (choice == FormatChoice::Legacy && convert() != LegacyRefusal::None)
        return refuse(call, why); // before connecting: nothing is tried

    const bool dryRun = call.isSet(QStringLiteral("dry-run"));
    if (call.isSet(QStringLiteral("json")) && !dryRun)
        return usageError(QStringLiteral("--json is for --dry-run: an append prints the new entry's id"), call.command);
    Session session;
    QString error;
    if (!openSession(call, session, error, /*viewOnly=*/dryRun))
        return fail(error);
    redis::StreamWriter writer(session.connection, session.stream);
    qint64 waitReplicas = 0, waitTimeoutMs = 1000;
    if (call.isSet(QStringLiteral("wait-replicas")) && !parseCount(call.value(QStringLiteral("wait-replicas")), 1, 100, waitReplicas))
        return usageError(QStringLiteral("--wait-replicas takes a number of replicas from 1 to 100"), call.command);
    if (call.isSet(QStringLiteral("wait-timeout")) && !parseCount(call.value(QStringLiteral("wait-timeout")), 1, 3600000, waitTimeoutMs))
        return usageError(QStringLiteral("--wait-timeout takes milliseconds, from 1 to 3600000"), call.command);
    writer.setWaitReplicas(int(waitReplicas), int(waitTimeoutMs));
    bool writeLegacy = choice == FormatChoice::Legacy;
    std::string told; // what auto chose, when it is not the plain native default
    if (choice != FormatChoice::Legacy) {
        StreamFormatReport report;
        const bool detected = writer.detectFormat(report);
        if (!detected && choice == FormatChoice::Auto)
            return fail("cannot tell which format " + session.stream + " is in (" + writer.error()
                        + "); --format native or --format legacy says which to write");
        if (detected && choice == FormatChoice::Native && report.appendAs == EntryFormat::Legacy)
            warn(describeStreamFormat(report, session.stream)
                 + "; its consumer deletes entries it cannot read, and this one is native");
        if (detected && choice == FormatChoice::Auto) {
            writeLegacy = report.appendAs == EntryFormat::Legacy;
            if (report.format == StreamFormat::Mixed)
                told = describeStreamFormat(report, session.stream);
            else if (writeLegacy)
                told = describeStreamFormat(report, session.stream)
                       + ": the event is written in it (whole currency units; the entry keeps no eid or actor)";
            if (writeLegacy && convert() != LegacyRefusal::None)
                return refuse(call, why,
                              report.format == StreamFormat::Mixed
                                  ? ", and the newest entry of " + session.stream + " (" + report.newestId + ") is in that format"
                                  : ", and " + session.stream + " is in that format");
        }
    }

    redis::AppendRequest request;
    request.legacy = writeLegacy;
    request.type = writeLegacy ? legacy.type : type;
    request.data = writeLegacy ? legacy.data : data;
    // Kept for a legacy entry too: the entry cannot hold it, but the eid record beside the
    // stream still makes a retry add nothing.
    request.eid = call.value(QStringLiteral("eid")).toStdString();
    if (request.eid.empty())
        request.eid = redis::StreamWriter::newEid(); // made here, so that a failure can name it
    request.actor = call.isSet(QStringLiteral("actor"))
                        ? call.value(QStringLiteral("actor")).toStdString()
                        : (QStringLiteral("cli:") + qEnvironmentVariable("USER", QStringLiteral("unknown"))).toStdString();
    if (dryRun)
        return preview(call, session, request, told);
    const redis::AppendResult result = writer.append(request);
    if (!result.ok)
        return fail(result.error);
    if (!told.empty())
        note(told);
    if (result.duplicate)
        warn("an event with this eid was appended before; nothing new was added");
    print(shown(result.id)); // on a retry, read back from the eid record: anyone could have written it
    if (const std::string unconfirmed = writer.unconfirmed(result); !unconfirmed.empty())
        return fail("written as " + result.id + ", but " + unconfirmed + "; appending again with --eid " + request.eid
                    + " adds nothing if it was kept");
    return kExitOk;
}

} // namespace

Command appendCommand()
{
    return {
        QStringLiteral("append"),
        QStringLiteral("append TYPE JSON [--format auto|native|legacy] [--eid UUID] [--actor NAME] [--raw]\n"
                       "       [--wait-replicas N [--wait-timeout MS]] [--dry-run [--json]]"),
        QStringLiteral("append one event; prints the new entry id"),
        QStringLiteral("Appends one event to the stream and prints its entry id. TYPE is one of RegisterUser, TopUp,\n"
                       "AdjustBalance, AddItem, SetPrice, AdjustStock, Order (or OrderType); JSON is the event's data\n"
                       "object, e.g.  shopstream-cli append TopUp '{\"userId\": 7, \"amount\": 1500}'\n"
                       "Amounts are in minor units (cents). The consumer decides whether the event applies.\n"
                       "\n"
                       "The entry takes the stream's format. On a stream of the original Go demo (such as its \"orders\"),\n"
                       "whose consumer deletes every entry it cannot parse, TopUp, AddItem and Order are written as the\n"
                       "demo's MessagePack structs (amounts in whole currency units: 1500 is written as 15). What that\n"
                       "format cannot hold is refused before anything is written (exit 2): RegisterUser, AdjustBalance,\n"
                       "SetPrice and AdjustStock, AddItem's price and name, Order's orderId, and amounts that are not\n"
                       "whole units (1550)."),
        {
            {QStringLiteral("format"),
             QStringLiteral("auto (default): the format of the stream's newest entries (when they are\n"
                            "mixed, the newest one's; a new stream is native); native: type, JSON data, v, eid\n"
                            "and actor; legacy: the original demo's, type and MessagePack data only"),
             QStringLiteral("FORMAT")},
            {QStringLiteral("eid"),
             QStringLiteral("the idempotency id: appending again with the same eid (within 24 h) adds\n"
                            "nothing and prints the first entry's id (in either format). Default: a new random one."),
             QStringLiteral("UUID")},
            {QStringLiteral("actor"), QStringLiteral("who issued it (default: cli:$USER; not kept in a legacy entry)"),
             QStringLiteral("NAME")},
            {QStringLiteral("raw"),
             QStringLiteral("append even when TYPE is unknown or JSON is not an object (to make test\n"
                            "streams with bad entries; they will be rejected by the consumer); the data is\n"
                            "written as given, also in the legacy format")},
            {QStringLiteral("wait-replicas"),
             QStringLiteral("the append counts as done only when WAIT confirms it on N replicas;\n"
                            "otherwise exit 1 with \"written, but not confirmed\" (the id is still printed)"),
             QStringLiteral("N")},
            {QStringLiteral("wait-timeout"), QStringLiteral("how long WAIT waits, in ms (default 1000)"), QStringLiteral("MS")},
            {QStringLiteral("dry-run"),
             QStringLiteral("append nothing: print what the event would do if appended now, its verdict\n"
                            "against the shop as it is (the checks, and the rows it would change, before\n"
                            "and after); the consumer's verdict stays the truth once an event is written")},
            {QStringLiteral("json"), QStringLiteral("with --dry-run: print the preview as explain --json does (id null)")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
