// `shopstream-cli snapshot save|list|verify`: take a snapshot at the head, list the stored
// ones with whether each passes every check (DESIGN section 5: checksum, version, stream key,
// content, identity against the stream), or rebuild from scratch and compare with the newest
// (or, with --all, with every stored snapshot, in one pass).
#include "cli_context.hpp"

#include "core/shop_state.hpp"
#include "core/snapshot_codec.hpp"
#include "redis/snapshot_store.hpp"
#include "redis/state_loader.hpp"

#include <nlohmann/json.hpp>

#include <QDateTime>
#include <QElapsedTimer>

#include <algorithm>
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

int save(Session& session, redis::SnapshotStore& store, bool allowGaps)
{
    ShopState state;
    redis::LoadReport report;
    redis::LoadOptions options;
    options.allowGaps = allowGaps; // the snapshot then records the entries gone on without
    redis::StateLoader loader(session.connection, session.stream);
    const bool ok = loader.load(state, options, report);
    printWarnings(report.warnings);
    if (!ok)
        return fail(report.error);
    QElapsedTimer timer;
    timer.start();
    const bool saved = store.save(state, QDateTime::currentMSecsSinceEpoch());
    for (const std::string& w : store.warnings()) { // the load may have said these already
        if (std::find(report.warnings.begin(), report.warnings.end(), w) == report.warnings.end())
            warn(w);
    }
    if (!saved)
        return fail(store.error());
    std::printf("saved snapshot %s of %s: %lld events (%lld applied, %lld rejected), %zu users, %zu items, in %lld ms\n",
                shown(state.lastEventId).c_str(), shown(session.stream).c_str(), static_cast<long long>(state.counts.total),
                static_cast<long long>(state.counts.applied), static_cast<long long>(state.counts.rejected),
                state.users().size(), state.items().size(), static_cast<long long>(timer.elapsed()));
    if (state.skipped > 0)
        std::printf("it records %lld entries lost before it that were gone on without\n", static_cast<long long>(state.skipped));
    if (store.trimmed() > 0)
        std::printf("trimmed %d older snapshot%s (the newest 10 are kept)\n", store.trimmed(), store.trimmed() == 1 ? "" : "s");
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
                           {"checked", s.checked},
                           {"unconfirmed", s.unconfirmed},
                           {"problem", s.problem}});
        print(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return kExitOk;
    }
    if (listing.empty()) {
        std::printf("no snapshots of %s\n", shown(session.stream).c_str());
        return kExitOk;
    }
    std::printf("%-22s %-25s %12s %12s  %s\n", "id", "taken", "events", "bytes", "checked");
    for (const auto& s : listing) {
        const std::string checked =
            s.checked ? (s.unconfirmed ? "yes (its entry was trimmed: identity rests on the counts)" : "yes")
                      : "no: " + shown(s.problem);
        std::printf("%-22s %-25s %12lld %12zu  %s\n", shown(s.id).c_str(), isoTime(s.header.createdMs).c_str(),
                    static_cast<long long>(s.header.total), s.bytes, checked.c_str());
    }
    return kExitOk;
}

// Rebuilds from scratch once, comparing at each snapshot to verify (the newest, or all of
// them) as the rebuild passes its id. Exit 1 when any differs, or does not pass its checks.
int verify(Session& session, redis::SnapshotStore& store, const std::vector<redis::SnapshotListing>& listing, bool all)
{
    if (listing.empty())
        return fail("there is no snapshot of " + session.stream + " to verify");
    std::vector<redis::SnapshotListing> targets;
    if (all)
        targets = listing;
    else
        targets.push_back(listing.back());
    std::vector<redis::SnapshotVerification> results;
    std::vector<std::string> warnings;
    const bool ok = store.verifyByRebuild(targets, results, warnings);
    printWarnings(warnings);
    if (!ok)
        return fail(store.error());
    std::size_t bad = 0;
    for (const auto& r : results) {
        const auto listed = std::find_if(targets.begin(), targets.end(), [&](const auto& s) { return s.id == r.id; });
        if (r.verified) {
            std::printf("snapshot %s verified: it equals the state rebuilt from scratch up to it\n", shown(r.id).c_str());
        } else if (listed != targets.end() && !listed->checked) {
            ++bad;
            warn("snapshot " + r.id + " does not pass its checks: " + listed->problem);
        } else {
            ++bad;
            std::printf("snapshot %s NOT verified: %s\n", shown(r.id).c_str(), shown(r.why).c_str());
        }
    }
    std::fflush(stdout);
    if (bad > 0)
        return fail(all ? std::to_string(bad) + " of " + std::to_string(results.size()) + " stored snapshots did not verify"
                        : "the newest snapshot " + listing.back().id + " did not verify");
    return kExitOk;
}

int run(const Invocation& call)
{
    if (call.positionals.size() != 1)
        return usageError(QStringLiteral("snapshot needs one of save, list, verify"), call.command);
    const QString action = call.positionals[0];
    if (action != QLatin1String("save") && action != QLatin1String("list") && action != QLatin1String("verify"))
        return usageError(QStringLiteral("unknown snapshot action \"%1\": use save, list or verify").arg(action), call.command);
    if (action == QLatin1String("save") && call.global.readOnly)
        return usageError(QStringLiteral("snapshot save writes a snapshot, and --read-only writes nothing"), call.command);
    Session session;
    QString error;
    if (!openSession(call, session, error))
        return fail(error);
    redis::SnapshotStore store(session.connection, session.stream);
    if (action == QLatin1String("save"))
        return save(session, store, call.isSet(QStringLiteral("allow-gaps")));

    std::vector<redis::SnapshotListing> listing;
    const bool listed = store.list(listing);
    printWarnings(store.warnings());
    if (!listed)
        return fail(store.error());
    if (action == QLatin1String("list"))
        return list(session, listing, call.isSet(QStringLiteral("json")));
    return verify(session, store, listing, call.isSet(QStringLiteral("all")));
}

} // namespace

Command snapshotCommand()
{
    return {
        QStringLiteral("snapshot"),
        QStringLiteral("snapshot save [--allow-gaps] | list [--json] | verify [--all]"),
        QStringLiteral("take, list or check snapshots"),
        QStringLiteral("  save     bring the state up to the head (newest snapshot plus tail) and store a snapshot;\n"
                       "           a state that no longer belongs to the stream is never saved\n"
                       "  list     the stored snapshots: id, time, events covered, size, and whether each is\n"
                       "           checked: checksum, version, stream key, content (every row in range, counts\n"
                       "           that add up) and identity (taken from this stream as it is now, not from\n"
                       "           an earlier one under the same key)\n"
                       "  verify   rebuild from scratch up to the newest snapshot and compare the two; exit 1 when\n"
                       "           they differ or it is not checked"),
        {
            {QStringLiteral("json"), QStringLiteral("with list: a JSON array instead of a table")},
            {QStringLiteral("all"), QStringLiteral("with verify: every stored snapshot, in one rebuild from scratch")},
            {QStringLiteral("allow-gaps"),
             QStringLiteral("with save: go on without entries lost before being read (trimmed or deleted);\n"
                            "the snapshot records them, so later loads do not ask again")},
        },
        {},
        run,
    };
}

} // namespace shop::cli
