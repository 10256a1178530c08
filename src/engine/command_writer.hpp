// CommandWriter: the GUI's writes and one-off reads, off the GUI thread. It appends the
// user's events (each with its own eid, so a retry after a lost connection never adds a
// second entry), produces the demo shop, lists snapshots and fetches single entries (the
// history before a restored snapshot is HistoryLoader's, on a thread of its own). It
// lives on its own QThread (CommandWriterThread) with its own connection.
// Appends follow the stream's format: on the original demo's stream (whose consumer deletes
// what it cannot parse) events are written in the demo's format, or refused unwritten.
#pragma once

#include "engine_types.hpp"

#include "core/entry.hpp"
#include "redis/redis_url.hpp"

#include <QObject>
#include <QList>
#include <QStringList>
#include <QThread>

#include <memory>
#include <string>
#include <string_view>

namespace shop::engine {

// The entry an append writes for `type` with native JSON `data` (minor units): as given, with
// v "1" (StreamWriter's), or in the original demo's format when `legacy`. The window's
// previews process this same entry, so a preview is of what would be written.
struct EntryToAppend {
    std::string type;
    std::string data;
    bool legacy = false;
    // As the consumer would read it (no id yet; the eid and actor decide nothing).
    RawEntry raw() const;
};
// False, with why in words, when the demo's format cannot hold the event (legacyFromNative).
bool entryToAppend(std::string_view type, std::string_view data, bool legacy, EntryToAppend& out, std::string& why);

class CommandWriter : public QObject {
    Q_OBJECT
public:
    // viewOnly: viewer mode; appends and the demo shop are refused unsent, and the
    // connection itself sends no writes (redis::Connection::setViewOnly).
    CommandWriter(redis::RedisUrl url, std::string stream, bool viewOnly = false, QObject* parent = nullptr);
    // Appends count as done once WAIT confirms them on `replicas` replicas (0: not asked);
    // one that is not confirmed within timeoutMs is still appended, and says so (appended()).
    void setWaitReplicas(int replicas, int timeoutMs);
    ~CommandWriter() override;
    // Why a write was not sent in viewer mode, in words.
    static QString viewOnlyRefusal();

public slots:
    // Appends an event (data: native JSON text, minor units) with a fresh eid; retried once
    // with the same eid after a reconnect when the connection broke. The stream's format is
    // looked at first: in the original demo's format the event is converted, or refused
    // (appendFailed) when that format cannot hold it.
    void append(const QString& requestId, const QString& type, const QByteArray& data, const QString& actor);
    // Looks at the stream's newest entries: streamFormatDetected.
    void detectFormat();
    void produceDemo(int events, quint64 seed);
    void listSnapshots();
    // Rebuilds the state from scratch once and compares it with every stored snapshot that
    // passes its checks: snapshotsVerified.
    void verifySnapshots();
    void loadEntry(const QString& entryId);
    // The stream's facts and format: streamSummaryRead.
    void readStreamSummary();
    // The keys of the server's database that hold streams (at most 1000): streamKeysListed.
    void listStreamKeys();

signals:
    // unconfirmed: with setWaitReplicas, why the append is not known to be on enough
    // replicas (StreamWriter::unconfirmed); "" when it is, or was not asked.
    void appended(const QString& requestId, const QString& entryId, bool duplicate, const QString& unconfirmed);
    // permissionDenied: the server refused writing for this user (a read-only ACL).
    void appendFailed(const QString& requestId, const QString& message, bool permissionDenied);
    // format: "native", "legacy" or "mixed" ("" when it could not be told: error says why);
    // legacyAppends: appends are written in the original demo's format (a legacy stream, or a
    // mixed one whose newest entry is legacy); description: one sentence for people.
    void streamFormatDetected(const QString& format, bool legacyAppends, const QString& description,
                              const QString& error);
    void demoProduced(int count, const QString& error);
    // Oldest first; error when it failed.
    void snapshotsListed(const QList<shop::engine::StoredSnapshot>& snapshots, const QString& error);
    // Oldest first; error when the rebuild itself failed (a gap, a reset, the connection).
    void snapshotsVerified(const QList<shop::engine::SnapshotVerification>& results, const QString& error);
    // The entry's fields (data decoded to JSON text for legacy entries); empty, and error
    // set, when it could not be read or is absent.
    void entryLoaded(const QString& entryId, const shop::engine::EntryFields& fields, const QString& error);
    void streamSummaryRead(const shop::engine::StreamSummary& summary, const QString& error);
    void streamKeysListed(const QStringList& keys, bool truncated, const QString& error);

private:
    bool ensureConnected(QString& error);
    bool refreshFormat(QString& error); // detects and reports; false when it cannot be told

    struct Private;
    std::unique_ptr<Private> d;
};

// Owns a CommandWriter on its own thread. Destruction quits and waits.
class CommandWriterThread {
public:
    CommandWriterThread(redis::RedisUrl url, std::string stream, bool viewOnly = false, int waitReplicas = 0);
    ~CommandWriterThread();
    CommandWriter* writer() const { return writer_; }

private:
    QThread thread_;
    CommandWriter* writer_;
};

} // namespace shop::engine
