// `shopstream-cli snapshot save|list|verify`: take a snapshot at the head, list the stored
// ones, or check the newest against the state rebuilt from scratch up to it.
#include "cli_context.hpp"

#include "core/shop_state.hpp"
#include "core/snapshot_codec.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"

#include <nlohmann/json.hpp>

#include <QDateTime>
#include <QElapsedTimer>

#include <cstdio>

namespace shop::cli {

namespace {

using ordered_json = nlohmann::ordered_json;

std::string isoTime(std::int64_t ms)
{
    if (ms <= 0)
        return "-";
    return QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODate).toStdString();
}

int save(Session& session, redis::SnapshotStore& store)
{
    ShopState state;
    redis::LoadReport report;
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(state, {}, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(report.error);
    QElapsedTimer timer;
    timer.start();
    if (!store.save(state, QDateTime::currentMSecsSinceEpoch()))
        return fail(store.error());
    std::printf("saved snapshot %s of %s: %lld events (%lld applied, %lld rejected), %zu users, %zu items, in %lld ms\n",
                shown(state.lastEventId).c_str(), shown(session.stream).c_str(), static_cast<long long>(state.counts.total),
                static_cast<long long>(state.counts.applied), static_cast<long long>(state.counts.rejected),
                state.users().size(), state.items().size(), static_cast<long long>(timer.elapsed()));
    return kExitOk;
}

int list(const Session& session, const std::vector<redis::SnapshotListing>& listing, bool json)
{
    if (json) {
        ordered_json out = ordered_json::array();
        for (const auto& s : listing)
            out.push_back({{"id", s.id},
                           {"createdMs", s.header.createdMs},
                           {"events", s.header.total},
                           {"users", s.header.users},
                           {"items", s.header.items},
                           {"bytes", s.bytes},
                           {"verified", s.checked},
                           {"problem", s.problem}});
        print(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return kExitOk;
    }
    if (listing.empty()) {
        std::printf("no snapshots of %s\n", shown(session.stream).c_str());
        return kExitOk;
    }
    std::printf("%-22s %-25s %12s %12s  %s\n", "id", "taken", "events", "bytes", "verified");
    for (const auto& s : listing)
        std::printf("%-22s %-25s %12lld %12zu  %s\n", shown(s.id).c_str(), isoTime(s.header.createdMs).c_str(),
                    static_cast<long long>(s.header.total), s.bytes, s.checked ? "yes" : ("no: " + shown(s.problem)).c_str());
    return kExitOk;
}

// The newest snapshot against the state rebuilt from scratch up to its id.
int verify(Session& session, redis::SnapshotStore& store, const std::vector<redis::SnapshotListing>& listing)
{
    if (listing.empty())
        return fail("there is no snapshot of " + session.stream + " to verify");
    const redis::SnapshotListing& newest = listing.back();
    for (const auto& s : listing) {
        if (!s.checked)
            warn("snapshot " + s.id + " does not verify: " + s.problem);
    }
    if (!newest.checked)
        return fail("the newest snapshot " + newest.id + " is damaged: " + newest.problem);
    std::string blob;
    ShopState fromSnapshot;
    if (!store.loadBlob(newest.id, blob))
        return fail(store.error());
    if (auto problem = decodeSnapshot(blob, session.stream, fromSnapshot); !problem.empty())
        return fail("snapshot " + newest.id + ": " + problem);
    ShopState rebuilt;
    redis::LoadReport report;
    redis::LoadOptions options;
    options.fromScratch = true;
    options.untilId = newest.id;
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(rebuilt, options, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(report.error);
    if (!(rebuilt == fromSnapshot))
        return fail("snapshot " + newest.id
                    + " differs from the state rebuilt from scratch up to it: the snapshot is wrong "
                      "or the stream changed before it");
    std::printf("snapshot %s verified: it equals the state rebuilt from scratch (%lld events, %zu users, %zu items)\n",
                shown(newest.id).c_str(), static_cast<long long>(rebuilt.counts.total), rebuilt.users().size(),
                rebuilt.items().size());
    return kExitOk;
}

int run(const Invocation& call)
{
    if (call.positionals.size() != 1)
        return usageError(QStringLiteral("snapshot needs one of save, list, verify"), call.command);
    const QString action = call.positionals[0];
    if (action != QLatin1String("save") && action != QLatin1String("list") && action != QLatin1String("verify"))
        return usageError(QStringLiteral("unknown snapshot action \"%1\": use save, list or verify").arg(action), call.command);
    Session session;
    QString error;
    if (!openSession(call, session, error))
        return fail(error);
    redis::SnapshotStore store(session.connection, session.stream);
    if (action == QLatin1String("save"))
        return save(session, store);

    std::vector<redis::SnapshotListing> listing;
    if (!store.list(listing))
        return fail(store.error());
    if (action == QLatin1String("list"))
        return list(session, listing, call.isSet(QStringLiteral("json")));
    return verify(session, store, listing);
}

} // namespace

Command snapshotCommand()
{
    return {
        QStringLiteral("snapshot"),
        QStringLiteral("snapshot save|list|verify [--json]"),
        QStringLiteral("take, list or check snapshots"),
        QStringLiteral("  save     bring the state up to the head (newest snapshot plus tail) and store a snapshot\n"
                       "  list     the stored snapshots: id, time, events covered, size, and whether each verifies\n"
                       "  verify   rebuild from scratch up to the newest snapshot and compare the two; exit 1 when\n"
                       "           they differ"),
        {
            {QStringLiteral("json"), QStringLiteral("with list: a JSON array instead of a table")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
