// Value types that cross from the consumer's thread to its users (GUI models, CLI): only
// copies, never pointers into the worker's state.
#pragma once

#include "core/domain.hpp"
#include "core/entry.hpp"
#include "core/shop_state.hpp"
#include "history.hpp"
#include "replay_timeline.hpp"

#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop::engine {

// What one read batch (or several, coalesced) changed.
struct ConsumerBatch {
    HistoryChunk history;                // the entries processed, in stream order
    std::vector<TimelineCheckpoint> checkpoints; // the state where ReplayTimeline::checkpointDue
    std::vector<User> users;             // users changed, as they are now
    std::vector<Item> items;             // items changed, as they are now
    VerdictCounts counts;                // totals after the batch
    std::string lastEventId;
    bool reset = false;                  // the state was rebuilt: replace everything
    int generation = 0;                  // ConsumerOptions::generation of the consumer that made it
};

// Gap: the consumer stopped before entries that were lost before it could read them, and
// waits to be told to go on without them (or to be stopped).
enum class ConnectionState { Connecting, Restoring, CatchingUp, Live, Disconnected, Failed, Stopped, Gap };

// Entries lost from the stream before the consumer read them (DESIGN section 5).
struct StreamGap {
    qint64 missing = -1;   // how many; -1 when not known
    QString after;         // the gap lies after this entry id (empty: from the start)...
    QString before;        // ...and before this one (empty: not known)
    QString cause;         // "trimmed", "deleted" or "" when not known
    QString message;       // in words
};

struct ConsumerStatus {
    ConnectionState state = ConnectionState::Connecting;
    QString target;        // where, without password
    QString role;          // the server's: "master", "replica" ("" until known)
    QString stream;
    QString lastEventId;
    qint64 lag = 0;        // entries behind the head
    double eventsPerSecond = 0;
    qint64 total = 0;      // entries processed so far
    QString message;       // what is going on, in words (errors included)
};

// A stored snapshot compared with the state rebuilt from scratch up to it.
struct SnapshotVerification {
    QString id;
    bool compared = false; // it passed its checks, so it was compared with the rebuild
    bool verified = false; // equal to the rebuild
    QString why;           // how it differs, or why it was not compared
};

// A stored snapshot as listed by the CommandWriter, for the Snapshots page.
struct StoredSnapshot {
    QString id;            // the id of the last entry it includes
    qint64 createdMs = 0;
    qint64 events = 0;     // entries it covers
    qint64 bytes = 0;      // size of the blob
    bool checked = false;  // it passes every check (DESIGN section 5)
    QString problem;       // why it does not, in words
};

// The stream as the server describes it (XINFO STREAM, MEMORY USAGE) and its format, for
// the window's stream panel.
struct StreamSummary {
    bool exists = false;
    qint64 length = 0;
    qint64 entriesAdded = -1;  // -1: the server does not count them (before Redis 7)
    QString firstId;           // "" when empty
    QString lastId;
    QString lastGeneratedId;
    qint64 groups = 0;         // consumer groups
    qint64 memoryBytes = -1;   // -1: the server would not say
    QString format;            // "native", "legacy", "mixed" ("" when it could not be told)
    QString formatText;        // the format in a sentence
};

// One stream entry's fields as written, fetched on demand for the entry details.
struct EntryFields {
    QString type;
    QString eid;
    QString actor;
    QString version;       // the `v` field
    QString format;        // "JSON" or "legacy MessagePack"
    QString data;          // legacy data decoded to JSON text (or a note that it does not decode)
    // Checks 1 to 5 on the entry as read: what they decided (None: it decodes), and the
    // decoded event when they did not (its amounts for the details pane; step 6 needs the
    // state before the entry, which the window's timeline has).
    Reason decodeReason = Reason::None;
    Event event;
    // The entry as read, owned (RawEntry only views), so the window can explain it with
    // explainEntry against the state before it: the same fields the consumer read.
    std::string id;
    std::optional<std::string> rawType, rawData, rawV, rawEid, rawActor;
    RawEntry raw() const
    {
        const auto view = [](const std::optional<std::string>& s) {
            return s ? std::optional<std::string_view>(*s) : std::nullopt;
        };
        return {id, view(rawType), view(rawData), view(rawV), view(rawEid), view(rawActor)};
    }
};

QString connectionStateName(ConnectionState state);

// Adds one processed entry to the history (and where one is due, a checkpoint of `after` to
// `checkpoints`, so the window's timeline never applies what this thread already did).
// `decoded` is the event as decoded (valid only when the verdict came from the handlers),
// `after` the state after the entry; `checkpointEvery` a fixed K; `streamLength` the
// stream's length as the feeder read it, which the history will at least reach
// (ReplayTimeline::checkpointDue's expected size).
void recordEntry(const RawEntry& entry, Reason reason, const Event& decoded, const ShopState& after,
                 HistoryBuilder& history, std::vector<TimelineCheckpoint>& checkpoints, std::size_t checkpointEvery = 0,
                 std::int64_t streamLength = 0);

// recordEntry's two halves, for a feeder that writes its rows on another thread: the
// checkpoint (where one is due), and the row, with what it needs of the state after the entry.
void checkpointIfDue(const ShopState& after, std::vector<TimelineCheckpoint>& checkpoints, std::size_t checkpointEvery,
                     std::int64_t streamLength);
struct RowFacts {
    std::int64_t balanceAfter = -1; // the user's (-1: not decoded, or no such user)
    std::int64_t orderTotal = 0;    // an applied order's
};
RowFacts rowFacts(Reason reason, const Event& decoded, const ShopState& after);
// Whether the row of an entry with this verdict reads its event (decoded, or failed check 5).
constexpr bool rowReadsEvent(Reason reason) { return HistoryBlock::keepsEvent(reason) || reason == Reason::Invalid; }
void addRow(HistoryBuilder& history, std::string_view id, std::string_view type, Reason reason, const Event& decoded,
            RowFacts facts);

void registerEngineMetaTypes();

} // namespace shop::engine

Q_DECLARE_METATYPE(shop::engine::ConsumerBatch)
Q_DECLARE_METATYPE(shop::engine::ConsumerStatus)
Q_DECLARE_METATYPE(shop::engine::StreamGap)
Q_DECLARE_METATYPE(shop::engine::SnapshotVerification)
Q_DECLARE_METATYPE(shop::engine::StoredSnapshot)
Q_DECLARE_METATYPE(shop::engine::EntryFields)
Q_DECLARE_METATYPE(shop::engine::StreamSummary)
