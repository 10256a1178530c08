// ShopSession: what the QML front end talks to (a QML singleton), a facade. It runs the
// consumer on its thread and the CommandWriter on another and feeds the models from the
// consumer's batches; TargetResolver turns the connection settings into a target, and
// CommandTracker follows the user's commands to their verdicts. The GUI thread never
// touches the network.
#pragma once

#include "entry_data_search.hpp"
#include "event_list_model.hpp"
#include "items_model.hpp"
#include "notification_log.hpp"
#include "overview_model.hpp"
#include "snapshot_list_model.hpp"
#include "users_model.hpp"
#include "replay_controller.hpp"
#include "target_resolver.hpp"

#include "engine/engine_types.hpp"

#include <QObject>
#include <QPointer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QQmlEngine;
class QJSEngine;

namespace shop::engine {
class ConsumerThread;
class CommandWriter;
class HistoryLoader;
class CommandWriterThread;
} // namespace shop::engine

namespace shop::app {

class ShopSession : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON

    Q_PROPERTY(shop::app::UserListModel* users READ users CONSTANT)
    Q_PROPERTY(shop::app::ItemListModel* items READ items CONSTANT)
    Q_PROPERTY(shop::app::EventListModel* events READ events CONSTANT)
    Q_PROPERTY(shop::app::SnapshotListModel* snapshots READ snapshots CONSTANT)
    /// Every verdict, error, snapshot and notice of the session (the log panel, Ctrl+J).
    Q_PROPERTY(shop::app::NotificationLog* notifications READ notifications CONSTANT)
    /// The last snapshot written in this session ("" none yet): "<id> at hh:mm:ss".
    Q_PROPERTY(QString lastSnapshot READ lastSnapshot NOTIFY lastSnapshotChanged)
    /// Time travel: the timeline over the whole history and the state at any point.
    Q_PROPERTY(shop::app::ReplayController* replay READ replay CONSTANT)
    /// The Overview page's figures at the timeline's current point.
    Q_PROPERTY(shop::app::OverviewModel* overview READ overview CONSTANT)
    /// The Events page's search in the entries' data.
    Q_PROPERTY(shop::app::EntryDataSearch* dataSearch READ dataSearch CONSTANT)
    /// An events export is being written.
    Q_PROPERTY(bool exporting READ exporting NOTIFY exportingChanged)
    /// False while the history before a restored snapshot is still loading.
    Q_PROPERTY(bool historyComplete READ historyComplete NOTIFY historyCompleteChanged)

    /// Where the consumer is: compared in QML as ShopSession.Live and so on.
    Q_PROPERTY(ConnectionState connectionState READ connectionState NOTIFY statusChanged)
    /// What is going on, in words (errors included); empty when all is well.
    Q_PROPERTY(QString statusMessage READ statusMessage NOTIFY statusChanged)
    /// Where we are connected, without password.
    Q_PROPERTY(QString target READ target NOTIFY statusChanged)
    /// The role of the server in use: "master", "replica" ("" until known).
    Q_PROPERTY(QString serverRole READ serverRole NOTIFY statusChanged)
    Q_PROPERTY(QString stream READ stream NOTIFY statusChanged)
    Q_PROPERTY(QString lastEventId READ lastEventId NOTIFY statusChanged)
    /// Entries the stream holds that the window does not show yet: the head (as the consumer
    /// last saw it) minus the entries shown. The progress row and the counts use the same two
    /// numbers, so they never disagree.
    Q_PROPERTY(qint64 lag READ lag NOTIFY lagChanged)
    Q_PROPERTY(double eventsPerSecond READ eventsPerSecond NOTIFY statusChanged)
    Q_PROPERTY(qint64 totalEvents READ totalEvents NOTIFY countsChanged)
    Q_PROPERTY(qint64 appliedEvents READ appliedEvents NOTIFY countsChanged)
    Q_PROPERTY(qint64 rejectedEvents READ rejectedEvents NOTIFY countsChanged)
    /// True once the consumer has reached the head of the stream at least once.
    Q_PROPERTY(bool caughtUp READ caughtUp NOTIFY statusChanged)
    /// True when caught up and the stream holds no entries: offer the demo shop.
    Q_PROPERTY(bool streamEmpty READ streamEmpty NOTIFY countsChanged)
    /// A restore (or first catch-up) in progress: 0..1, or -1 when none.
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(QString progressText READ progressText NOTIFY progressChanged)
    /// The server refused a write for this user (read-only ACL): editing is off.
    Q_PROPERTY(bool readOnly READ readOnly NOTIFY readOnlyChanged)
    /// Viewer mode: nothing is written to Redis (no snapshots, no edits, no demo shop). Set by
    /// --read-only, the Connection dialog's switch, or the answer "View only".
    Q_PROPERTY(bool viewOnly READ viewOnly NOTIFY viewOnlyChanged)
    /// The stream has no snapshots yet, and none are written until the user answers
    /// answerSnapshotQuestion(): the question's keys, "orders:snapshots, orders:snapshot:*";
    /// "" when nothing is asked.
    Q_PROPERTY(QString snapshotQuestion READ snapshotQuestion NOTIFY snapshotQuestionChanged)
    /// The last time the stream was found reset under us (deleted and written again, flushed,
    /// rewound), in words; "" when it was not, or after dismissResetNotice().
    Q_PROPERTY(QString resetNotice READ resetNotice NOTIFY resetNoticeChanged)
    /// Entries lost before the consumer read them: following stopped until continueWithoutGap().
    Q_PROPERTY(bool gapPending READ gapPending NOTIFY gapChanged)
    /// The gap in words (how many entries, between which ids, trimmed or deleted).
    Q_PROPERTY(QString gapMessage READ gapMessage NOTIFY gapChanged)
    /// What the server's state means for the data (cannot write to its disk, evicts keys).
    Q_PROPERTY(QStringList serverWarnings READ serverWarnings NOTIFY serverWarningsChanged)
    /// Why the snapshots could not be listed the last time ("" when they were): the Snapshots
    /// page says it until a listing works (it is asked again when the connection comes back).
    Q_PROPERTY(QString snapshotsError READ snapshotsError NOTIFY snapshotsErrorChanged)
    /// The stream as the server describes it, after refreshStreamInfo(): {exists, length,
    /// entriesAdded (-1 unknown), firstId, lastId, lastGeneratedId, groups, memoryBytes (-1
    /// unknown), format, formatText}, or {error}; {} before the first answer.
    Q_PROPERTY(QVariantMap streamInfo READ streamInfo NOTIFY streamInfoChanged)
    /// A rebuild comparing the stored snapshots is running.
    Q_PROPERTY(bool verifyingSnapshots READ verifyingSnapshots NOTIFY verifyingSnapshotsChanged)
    /// The stream's format, from its newest entries: "native" (also an empty stream),
    /// "legacy" (the original Go demo's), "mixed", or "" while not known.
    Q_PROPERTY(QString streamFormat READ streamFormat NOTIFY streamFormatChanged)
    /// Appends are written in the original demo's format (a legacy stream, or a mixed one
    /// whose newest entry is legacy): only TopUp, AddItem and Order, whole currency units,
    /// no price, name or orderId.
    Q_PROPERTY(bool legacyAppends READ legacyAppends NOTIFY streamFormatChanged)
    Q_PROPERTY(QString version READ version CONSTANT)
    Q_PROPERTY(QString qtVersion READ qtVersion CONSTANT)

public:
    // engine::ConnectionState for QML (the engine's enum has no meta-object): a value per
    // engine state, mapped one to one by a switch, so a new engine state fails to compile
    // (-Wswitch) until it is added here.
    enum class ConnectionState { Connecting, Restoring, CatchingUp, Live, Disconnected, Failed, Stopped, Gap };
    Q_ENUM(ConnectionState)

    // No default constructor on purpose: Qt 6.4 would then build its own singleton
    // instead of calling create(), which hands QML the instance main() configured.
    explicit ShopSession(QObject* parent);
    ~ShopSession() override;

    // The instance main() configured; QML gets it through create().
    static void setInstance(ShopSession* session);
    static ShopSession* create(QQmlEngine* qmlEngine, QJSEngine* jsEngine);

    // Connects (managed server or URL) and starts the consumer and the writer.
    bool start(const SessionOptions& options);
    void stop();

    UserListModel* users() { return &users_; }
    ItemListModel* items() { return &items_; }
    EventListModel* events() { return &events_; }
    SnapshotListModel* snapshots() { return &snapshots_; }
    NotificationLog* notifications() { return &notifications_; }
    QString lastSnapshot() const { return lastSnapshot_; }
    ReplayController* replay() { return &replay_; }
    OverviewModel* overview() { return &overview_; }
    EntryDataSearch* dataSearch() { return &dataSearch_; }
    bool historyComplete() const { return historyComplete_; }

    ConnectionState connectionState() const;
    QString statusMessage() const;
    QString target() const { return status_.target; }
    QString serverRole() const { return status_.role; }
    QString stream() const { return status_.stream; }
    QString lastEventId() const { return status_.lastEventId; }
    qint64 lag() const { return std::max<qint64>(0, headTotal_ - counts_.total); }
    double eventsPerSecond() const { return status_.eventsPerSecond; }
    qint64 totalEvents() const { return counts_.total; }
    qint64 appliedEvents() const { return counts_.applied; }
    qint64 rejectedEvents() const { return counts_.rejected; }
    bool caughtUp() const { return caughtUp_; }
    bool streamEmpty() const { return caughtUp_ && counts_.total == 0; }
    double progress() const { return progress_; }
    QString progressText() const { return progressText_; }
    bool readOnly() const { return readOnly_; }
    bool viewOnly() const { return viewOnly_; }
    QString snapshotQuestion() const { return snapshotQuestion_; }
    QString resetNotice() const { return resetNotice_; }
    bool gapPending() const { return !gapMessage_.isEmpty(); }
    QString gapMessage() const { return gapMessage_; }
    QStringList serverWarnings() const { return serverWarnings_; }
    bool verifyingSnapshots() const { return verifyingSnapshots_; }
    QString snapshotsError() const { return snapshotsError_; }
    QVariantMap streamInfo() const { return streamInfo_; }
    QString streamFormat() const { return streamFormat_; }
    bool legacyAppends() const { return legacyAppends_; }
    QString version() const;
    QString qtVersion() const { return QString::fromLatin1(qVersion()); }

    // Appends an event of `type` with `data` (a JSON object as a map). Returns a request id;
    // commandFinished reports the outcome: the consumer's verdict, or why it never got there.
    Q_INVOKABLE QString submit(const QString& type, const QVariantMap& data);
    // What submit(type, data) would do if appended now, against the rows the event names as
    // the tables hold them (explanation_view's previewEvent): {verdictText, applied, reason,
    // reasonText, why, ladder, changes, refused}. The dialogs show it as the user types.
    Q_INVOKABLE QVariantMap preview(const QString& type, const QVariantMap& data) const;
    Q_INVOKABLE void takeSnapshot();
    Q_INVOKABLE void refreshSnapshots();
    Q_INVOKABLE void restoreSnapshot(const QString& snapshotId);
    // Rebuilds from scratch and compares every stored snapshot that passes its checks; the
    // Snapshots page shows the outcome per snapshot.
    Q_INVOKABLE void verifySnapshots();
    // At a gap: go on without the lost entries (the next snapshot records them).
    Q_INVOKABLE void continueWithoutGap();
    Q_INVOKABLE void dismissResetNotice();
    Q_INVOKABLE void replayFromScratch();
    Q_INVOKABLE void loadDemoShop(int events = 5000);
    // Fetches one entry's fields (type, data decoded as JSON text, eid, actor): entryLoaded.
    Q_INVOKABLE void loadEntry(const QString& entryId);
    // Looks at the stream's format again (it is looked at on connecting, when the first
    // entries arrive, and before every append): streamFormatChanged when it changed.
    Q_INVOKABLE void detectStreamFormat();
    // Asks the server about the stream (streamInfo) / for its keys that hold streams
    // (streamKeysListed; at most 1000, sorted).
    Q_INVOKABLE void refreshStreamInfo();
    Q_INVOKABLE void listStreamKeys();

    // Connection settings: reconnects to another server / stream. The password goes to
    // the system keyring (never to a file) when remember is set.
    // viewOnly: viewer mode, remembered for this server and stream (off forgets it).
    // tls: the dialog's TLS fields for a rediss:// URL ({caFile, certFile, keyFile,
    // serverName, keyPassphrase, insecure}; absent or empty ones leave the URL's own).
    // waitReplicas: each edit counts as done once WAIT confirms it on this many replicas
    // (0: not asked), remembered for this server; one not confirmed says so in its verdict.
    Q_INVOKABLE void connectTo(const QString& url, const QString& user, const QString& password, const QString& stream,
                               bool remember, bool viewOnly, const QVariantMap& tls = {}, int waitReplicas = 0);
    // The waitReplicas remembered for a server ("" : the managed one, which has no replicas).
    Q_INVOKABLE int waitReplicasFor(const QString& url) const;
    // A URL as the dialog shows it: {url without its tls-* options, caFile, certFile, keyFile,
    // serverName, insecure}.
    Q_INVOKABLE QVariantMap splitTls(const QString& url) const;
    Q_INVOKABLE void useLocalServer(const QString& stream, bool viewOnly);
    // The answer to snapshotQuestion, remembered for this server and stream: keep snapshots
    // (timed snapshots start), or view only (viewer mode from now on).
    Q_INVOKABLE void answerSnapshotQuestion(bool keep);
    Q_INVOKABLE QVariantList recentConnections() const; // [{url, user, stream}]
    // "" when redis::RedisUrl reads `url`, else what is wrong with it, as a sentence.
    Q_INVOKABLE QString checkUrl(const QString& url) const;
    // What the Connection dialog starts from: {url, user} of the server in use, without its
    // password (the keyring or the user supplies it again); url "" for the managed server.
    Q_INVOKABLE QVariantMap currentConnection() const;

    Q_INVOKABLE QString formatMoney(qint64 minor) const;
    // Bytes the history takes in this process: the rows, their names, the events list's
    // filter and the timeline's checkpoints (the About box, the benchmarks).
    Q_INVOKABLE qint64 historyMemoryBytes() const;
    // Export, to a local file (written whole or not at all), "csv" or "json". Events: the
    // Events page's rows as shown (filtered; in history, up to the current event), taken now
    // and written on a thread of the export pool (a million rows take seconds): "" when it
    // started, then eventsExported; else why it did not start. Shop: the users and items at
    // the timeline's point (the head when live), exactly as `shopstream-cli state --csv` /
    // `--json` print them, at once: "" on success, else why in words.
    Q_INVOKABLE QString exportEvents(const QString& path, const QString& format);
    Q_INVOKABLE QString exportShop(const QString& path, const QString& format) const;
    bool exporting() const { return exporting_; }
    // Where an export goes unless the user says otherwise: the Documents folder (else home),
    // "shopstream-<stream>-<what>-<time>.<format>".
    Q_INVOKABLE QString defaultExportPath(const QString& what, const QString& format) const;
    /// Puts `text` on the clipboard (QML has no clipboard of its own).
    Q_INVOKABLE void copyText(const QString& text) const;

signals:
    void statusChanged();
    void countsChanged();
    void lagChanged();
    void progressChanged();
    void readOnlyChanged();
    void viewOnlyChanged();
    void snapshotQuestionChanged();
    void streamFormatChanged();
    void historyCompleteChanged();
    void resetNoticeChanged();
    void gapChanged();
    void serverWarningsChanged();
    void verifyingSnapshotsChanged();
    void snapshotsErrorChanged();
    void streamInfoChanged();
    void streamKeysListed(const QStringList& keys, bool truncated, const QString& error);
    /// A command's outcome. applied: the consumer applied it (message: "", or why it is not
    /// known to be on the replicas asked for: "written, but not confirmed on 1 replica ...");
    /// otherwise reason (a section 3 name, or "" when it was never appended) and message say
    /// why, in words. userId is in
    /// decimal ("" for none): QML's numbers are exact only to 2^53.
    void commandFinished(const QString& requestId, bool applied, const QString& reason, const QString& message,
                         const QString& entryId, const QString& type, const QString& userId, const QString& itemId);
    /// A snapshot was written: onRequest when the user asked for it (Take snapshot), false
    /// for the timed ones (those belong in the status bar and the log, not in a toast).
    void snapshotTaken(const QString& snapshotId, bool onRequest);
    // An events export ended: ok, and what to tell the user ("Exported 1,000 events to …").
    void eventsExported(bool ok, const QString& message);
    void exportingChanged();
    void snapshotFailed(const QString& message);
    void lastSnapshotChanged();
    void entryLoaded(const QString& entryId, const QVariantMap& fields);
    /// Something the user should see once (warnings about skipped snapshots, failures).
    void notice(const QString& message);

private:
    void onBatch(engine::ConsumerBatch&& batch);
    void onStatus(const engine::ConsumerStatus& status);
    void startConsumer(const QString& snapshotId, bool fromScratch);
    void drainInbox();
    void clearHistory(); // the history store, the events list and the timeline
    // Takes the inbox's oldest batch into the tables, the counts and the history.
    void applyNextBatch();
    // The batch's entries into the history, its checkpoints (taken from it) into the timeline.
    void appendHistory(engine::ConsumerBatch& batch);
    void setHistoryComplete(bool complete);
    void onTargetResolved();
    void connectWriter(engine::CommandWriter* writer);
    void connectHistory(engine::HistoryLoader* history);
    void setViewOnly(bool on);
    void setSnapshotQuestion(const QString& question);
    void setSnapshotsError(const QString& error);
    // The progress row while restoring or catching up, from the entries shown and the head.
    void updateProgress();
    // Timed snapshots start (they were held until the user agreed, or snapshots turned up).
    void releaseSnapshots();
    // Why entry `entryId` (read as `fields`) got its verdict and what it changed: explainEntry
    // on the state just before it, as explanationForQml plus detail (the why of a rejection,
    // "" when applied). Empty when a step-6 verdict cannot be explained (not in the timeline).
    QVariantMap explainLoadedEntry(const QString& entryId, const engine::EntryFields& fields) const;

    struct Private;
    std::unique_ptr<Private> d;

    engine::HistoryStore history_; // read by events_ and replay_
    UserListModel users_;
    ItemListModel items_;
    EventListModel events_;
    SnapshotListModel snapshots_;
    NotificationLog notifications_;
    QString lastSnapshot_;
    bool outageLogged_ = false;
    ReplayController replay_;
    OverviewModel overview_; // reads history_, follows replay_
    EntryDataSearch dataSearch_; // sets events_' text filter
    bool exporting_ = false;
    bool historyComplete_ = true;
    engine::ConsumerStatus status_;
    VerdictCounts counts_;
    qint64 headTotal_ = 0; // entries in the stream at the consumer's last status (its total + lag)
    bool caughtUp_ = false;
    double progress_ = -1;
    QString progressText_;
    bool readOnly_ = false;
    bool viewOnly_ = false;
    bool snapshotsHeld_ = false; // no timed snapshots until the user agreed (or some exist)
    QString snapshotQuestion_;
    QString resetNotice_;
    QString gapMessage_;
    QString master_; // behind sentinels: the master's address the consumer connected to last
    QString moved_;  // the master (or slot) moved: said once it is known whether events were lost
    QStringList serverWarnings_;
    bool verifyingSnapshots_ = false;
    QString snapshotsError_;
    QVariantMap streamInfo_;
    QString streamFormat_;
    bool legacyAppends_ = false;
};

} // namespace shop::app
