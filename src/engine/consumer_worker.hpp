// ConsumerWorker: the one consumer of the stream, shared by the GUI and `shopstream-cli
// consume`. It lives on its own QThread (ConsumerThread sets that up), owns the hiredis
// connection and the ShopState, reads through the StateLoader's budgeted step (so its event
// loop stays live) and waits at the head with XREAD BLOCK in short steps, and emits
// value-type batches coalesced to at most ~30 a second. Snapshots are written on a QTimer
// when something changed, and on request. Connection loss is met with reconnects (with
// backoff) from the last applied id. A stream that is reset under it (deleted and written
// again, flushed, rewound) is rebuilt from scratch, saying so; entries lost before it read
// them (a gap) stop it, saying so, until it is told to go on without them.
#pragma once

#include "engine_types.hpp"

#include "redis/redis_url.hpp"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QThread>

#include <memory>
#include <set>
#include <string>

class QTimer;

namespace shop::engine {

struct ConsumerOptions {
    redis::RedisUrl url;
    QString targetDescription; // shown in the status, no password
    std::string stream = "shop:events";
    qint64 snapshotIntervalMs = 30000; // 0: no timed snapshots; may exceed what QTimer takes (timer_interval.hpp)
    int keepSnapshots = 10;
    std::size_t batchSize = 5000;
    int blockMs = 100;              // XREAD BLOCK step at the head
    int flushIntervalMs = 33;       // at most ~30 batches a second
    int statusIntervalMs = 500;
    bool untilCaughtUp = false;     // stop once the head is reached
    bool collectChanges = true;     // false: counts only (headless consume)
    bool fromScratch = false;       // ignore snapshots at start
    std::string restoreSnapshotId;  // start from this snapshot (it must verify) instead of the newest
    bool allowGaps = false;         // go on without lost entries (with a warning) instead of stopping at a gap
    bool snapshotOnStop = false;    // save a last snapshot (when something changed) on stop()
    bool failIfUnreachable = false; // give up when the first connection fails (one-shot runs)
    bool failOnGap = false;         // a gap is a failure (one-shot runs) instead of a wait for acceptGap()
    bool viewOnly = false;          // viewer mode: nothing is written (no snapshots; the connection refuses writes)
    int generation = 0;             // copied into every batch: the owner's tag of this consumer
    std::shared_ptr<HistoryNames> historyNames; // the refs batches' history rows use (null: its own)
};

class ConsumerWorker : public QObject {
    Q_OBJECT
public:
    explicit ConsumerWorker(ConsumerOptions options, QObject* parent = nullptr);
    ~ConsumerWorker() override;

public slots:
    void start();           // connect, restore, then follow; call on the worker's thread
    void stop();            // stops reading and emits stopped()
    void requestSnapshot(); // save a snapshot of the current state now
    void acceptGap();       // at a gap: go on without the lost entries (the next snapshot records them)
    // Timed snapshots from now on every `ms` (0: none); a consumer started with none (the
    // window, until the user agreed to keep snapshots) gets them here. Not in viewer mode.
    void setSnapshotInterval(qint64 ms);
    // Viewer mode from now on (or no longer): no snapshots, and the connection sends no writes.
    void setViewOnly(bool on);

signals:
    void batchReady(const shop::engine::ConsumerBatch& batch);
    void statusChanged(const shop::engine::ConsumerStatus& status);
    void restored(const QString& snapshotId, qint64 total, const QStringList& warnings);
    void caughtUp(qint64 total, qint64 replayed, qint64 elapsedMs);
    void snapshotSaved(const QString& id, qint64 elapsedMs, bool onRequest);
    void snapshotFailed(const QString& message);
    // The stream is no longer the one the state was built from: the state was dropped and is
    // being rebuilt from the stream as it is now.
    void streamReset(const QString& why);
    // Entries were lost before they could be read: following stopped (state Gap) until
    // acceptGap() or stop().
    void gapFound(const shop::engine::StreamGap& gap);
    // What the server's state means for the data (it cannot write to its disk, it evicts
    // keys), said at connect when it changed; empty when all is well.
    void serverWarningsChanged(const QStringList& warnings);
    // The server connected to is another than before (or the first): its address. Behind
    // sentinels this is the master they named, so a change is a failover followed (the
    // status's target then ends "→ master ADDRESS").
    void serverChanged(const QString& address);
    // Something the user should hear while following (entries gone on without, with
    // allowGaps; snapshots passed over after a reset), besides the logging category.
    void warning(const QString& message);
    void failed(const QString& message); // gave up: nothing more will come
    void stopped();

private:
    void step();
    void scheduleStep(int delayMs = 0);
    bool ensureConnected();
    void connectionLost(const QString& why);
    bool settleConnection(); // the connection free for commands other than the loader's; false: not connected
    void checkServer();
    void restoreState();
    void onReset(const QString& why);
    void onGap();
    void recordEntry(const RawEntry& entry, Reason reason, const Event& event, const ShopState& after);
    // Sends what changed since the last batch; `WhenDue`, from the timer, may keep the changed
    // rows back for a later batch while catching up.
    enum class Rows { Now, WhenDue };
    void flush(Rows rows = Rows::Now);
    // At the head: does the stream still continue the state? False when it does not (a reset
    // or a gap is being handled now) or the connection was lost.
    bool stillContinues();
    void publishStatus();
    void saveSnapshot(bool onRequest);
    void startSnapshotTimer();
    void setState(ConnectionState state, const QString& message = {});
    void fail(const QString& message);

    struct Private;
    std::unique_ptr<Private> d;
};

// Owns a ConsumerWorker on its own QThread: construct, connect to worker(), then start().
// Destruction stops the worker and waits for the thread (quit() then wait()).
class ConsumerThread : public QObject {
    Q_OBJECT
public:
    explicit ConsumerThread(ConsumerOptions options, QObject* parent = nullptr);
    ~ConsumerThread() override;
    ConsumerWorker* worker() const { return worker_; }
    void start();
    void shutdown();

private:
    QThread thread_;
    ConsumerWorker* worker_;
};

} // namespace shop::engine
