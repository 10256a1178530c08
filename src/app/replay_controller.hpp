// ReplayController: time travel for the window. It keeps the ReplayTimeline (the whole
// decoded history with checkpoints), fed by ShopSession as entries arrive, and while not
// live it shows the state at the chosen entry in its own user and item models, with the
// rows that entry touched. Play, pause, step, speed, seek by position, id or time, and
// Compare between two points.
#pragma once

#include "items_model.hpp"
#include "users_model.hpp"
#include "what_if_controller.hpp"

#include "engine/engine_types.hpp"
#include "engine/replay_timeline.hpp"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace shop::app {

// What differs between two shops, rows by id: {users: [{id (in decimal), name, before,
// after}], items: [...], more (rows past the listing's bound)}; a row in only one of them has
// null on the other side. Compare (two points) and the what-if (real against changed) show it.
QVariantMap compareStates(const ShopState& a, const ShopState& b);

class ReplayController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ReplayController is owned by ShopSession")

    /// True while following the head: the pages show the live state and editing is on.
    Q_PROPERTY(bool live READ live NOTIFY positionChanged)
    /// Entries applied at the shown point: 0 (the empty shop) .. length.
    Q_PROPERTY(qint64 position READ position NOTIFY positionChanged)
    /// Entries in the history.
    Q_PROPERTY(qint64 length READ length NOTIFY lengthChanged)
    /// False until the whole history is loaded (after a restore the older part loads behind).
    Q_PROPERTY(bool available READ available NOTIFY availableChanged)
    Q_PROPERTY(QString unavailableReason READ unavailableReason NOTIFY availableChanged)
    Q_PROPERTY(bool playing READ playing NOTIFY playingChanged)
    /// Entries a second while playing; 0 means as fast as possible.
    Q_PROPERTY(int speed READ speed WRITE setSpeed NOTIFY speedChanged)
    /// The entry at position - 1: {entryId, timeText, type, applied, reason, reasonText, userId
    /// (in decimal, "" for none), items}. Like the other properties of the shown point, it is
    /// not notified of entries appended while live (only history mode shows it).
    Q_PROPERTY(QVariantMap current READ current NOTIFY cursorChanged)
    /// The state at the shown point, for the pages in history mode.
    Q_PROPERTY(shop::app::UserListModel* users READ users CONSTANT)
    Q_PROPERTY(shop::app::ItemListModel* items READ items CONSTANT)
    /// Ids the current entry touched (highlighted rows); user ids in decimal, as the models give them.
    Q_PROPERTY(QStringList touchedUsers READ touchedUsers NOTIFY cursorChanged)
    Q_PROPERTY(QStringList touchedItems READ touchedItems NOTIFY cursorChanged)
    /// Counts at the shown point.
    Q_PROPERTY(qint64 appliedAt READ appliedAt NOTIFY cursorChanged)
    Q_PROPERTY(qint64 rejectedAt READ rejectedAt NOTIFY cursorChanged)
    /// Where the stored snapshots sit on the timeline, as fractions 0..1.
    Q_PROPERTY(QVariantList snapshotMarks READ snapshotMarks NOTIFY marksChanged)
    /// While playing: "12,345 of 100,000 · 1,000 a second · 1 min 28 s left".
    Q_PROPERTY(QString playbackText READ playbackText NOTIFY positionChanged)
    /// What if an entry had not happened, or had been another event (in memory only).
    Q_PROPERTY(shop::app::WhatIfController* whatIf READ whatIf CONSTANT)

public:
    // Reads the entries from `history` (shared with the Events page), which outlives it.
    explicit ReplayController(const engine::HistoryStore& history, QObject* parent = nullptr);

    bool live() const { return live_; }
    qint64 position() const;
    // Without the start of the history (unavailable) there is no timeline.
    qint64 length() const { return available_ ? static_cast<qint64>(timeline_.size()) : 0; }
    bool available() const { return available_; }
    QString unavailableReason() const { return unavailableReason_; }
    bool playing() const { return timer_.isActive(); }
    int speed() const { return speed_; }
    void setSpeed(int entriesPerSecond);
    QVariantMap current() const;
    UserListModel* users() { return &users_; }
    ItemListModel* items() { return &items_; }
    QStringList touchedUsers() const { return touchedUsers_; }
    QStringList touchedItems() const { return touchedItems_; }
    qint64 appliedAt() const;
    qint64 rejectedAt() const;
    QVariantList snapshotMarks() const { return marks_; }
    QString playbackText() const;
    WhatIfController* whatIf() { return &whatIf_; }

    Q_INVOKABLE void seek(qint64 position);
    Q_INVOKABLE void stepForward();
    Q_INVOKABLE void stepBack();
    Q_INVOKABLE void play();
    Q_INVOKABLE void pause();
    Q_INVOKABLE void goLive();
    // Plays from the empty shop to the head at the current speed (the demonstration).
    Q_INVOKABLE void replayFromStart();
    // "1795758477027-718" or a prefix of a time ("2026-11-27 10:15" / ISO): false when not found.
    Q_INVOKABLE bool seekToEntry(const QString& entryId);
    Q_INVOKABLE bool seekToTime(const QString& text);
    Q_INVOKABLE QString entryIdAt(qint64 position) const;
    Q_INVOKABLE QString timeTextAt(qint64 position) const;
    // What changed between two points: {users: [{id (in decimal), name, before: {...}, after: {...}}],
    // items: [...], from, to, fromId, toId}. Rows present at only one point have null on
    // the other side.
    Q_INVOKABLE QVariantMap compare(qint64 from, qint64 to) const;

    // Fed by ShopSession.
    // The history grew (the entries are read from it).
    void appended();
    // The checkpoints the feeder captured (a batch's, before or after its entries), taken
    // over (each holds a packed copy of the whole shop).
    void addCheckpoints(std::vector<engine::TimelineCheckpoint>&& checkpoints);
    void clear();
    void setAvailable(bool available, const QString& reason = {});
    void setSnapshotIds(const QStringList& ids);
    const engine::ReplayTimeline& timeline() const { return timeline_; }

signals:
    void positionChanged();
    // What is at the shown point changed (current, touched, the counts there): with every
    // positionChanged but those of entries appended while live, where nothing shows them.
    void cursorChanged();
    void lengthChanged();
    void availableChanged();
    void playingChanged();
    void speedChanged();
    void marksChanged();

private:
    void cursorMoved(); // positionChanged and cursorChanged
    void showCursor(bool full);
    void tick();
    void updateMarks();

    engine::ReplayTimeline timeline_;
    WhatIfController whatIf_{timeline_};
    UserListModel users_;
    ItemListModel items_;
    bool live_ = true;
    bool available_ = true;
    QString unavailableReason_;
    int speed_ = 100;
    QTimer timer_;
    QElapsedTimer playClock_;
    qint64 playStartPosition_ = 0;
    QStringList touchedUsers_;
    QStringList touchedItems_;
    QStringList snapshotIds_;
    QVariantList marks_;
};

} // namespace shop::app
