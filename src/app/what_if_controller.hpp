// WhatIfController: "what if this had not happened" and "what if it had been …" for the
// window. The history the window holds is replayed in memory, on a thread of its own, from the
// timeline's state just before the chosen entry (a checkpoint plus at most K entries) with that
// entry left out or replaced (engine::runHistoryWhatIf); the result lists the later entries
// whose verdict changes and the shop at the head against the real one. Nothing is written to
// Redis, and the result is never applied anywhere.
#pragma once

#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace shop::engine {
class ReplayTimeline;
}

namespace shop::app {

class WhatIfController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("WhatIfController is owned by ReplayController")

    /// True while a replay runs (progress 0..1; cancel() stops it).
    Q_PROPERTY(bool running READ running NOTIFY stateChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    /// The last replay's answer (empty before the first): {title, entryId, replaced (bool),
    /// replacementVerdict, changes: [{position, id, time, before, after, beforeText, afterText}]
    /// (at most 1,000), changesTotal, comparison (as Compare's: users, items, more),
    /// countsText, cancelled}.
    Q_PROPERTY(QVariantMap result READ result NOTIFY stateChanged)

public:
    explicit WhatIfController(const engine::ReplayTimeline& timeline, QObject* parent = nullptr);
    ~WhatIfController() override;

    bool running() const;
    double progress() const;
    QVariantMap result() const { return result_; }

    // The entry at `index` (0-based; the timeline's position index + 1 shows it) left out.
    Q_INVOKABLE void leaveOut(qint64 index);
    // The entry at `index` replaced by TYPE with `json` as its data (native, minor units). A
    // usage error (not an object) is the result's "error" and nothing runs.
    Q_INVOKABLE void replace(qint64 index, const QString& type, const QString& json);
    // The same with the data as an edit dialog sends it (its eventData), encoded as submit
    // encodes it (CommandTracker::eventJson).
    Q_INVOKABLE void replaceWith(qint64 index, const QString& type, const QVariantMap& data);
    Q_INVOKABLE void cancel();
    Q_INVOKABLE void clear();

signals:
    void stateChanged();
    void progressChanged();

private:
    struct Job;
    void start(qint64 index, const QString& type, const QString& json, bool replaced);
    void finished(std::shared_ptr<Job> job);
    void stop();

    const engine::ReplayTimeline& timeline_;
    std::shared_ptr<Job> job_;
    QTimer poll_;
    QVariantMap result_;
};

} // namespace shop::app
