// CommandTracker: the user's commands from submit to verdict. Each gets a request id; the
// CommandWriter says which entry it became (or why it never did), and the consumer's verdict
// on that entry finishes it: commandFinished, which the window shows as a toast.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <cstddef>
#include <memory>

namespace shop::engine {
class CommandWriter;
struct HistoryChunk;
class HistoryNames;
} // namespace shop::engine

namespace shop::app {

class CommandTracker : public QObject {
    Q_OBJECT
public:
    explicit CommandTracker(QObject* parent = nullptr);
    ~CommandTracker() override;

    // Sends `type` with `data` (QML's map; integer fields become JSON integers) to `writer`
    // and returns the request id; with no writer, commandFinished says so (queued).
    QString submit(engine::CommandWriter* writer, const QString& type, const QVariantMap& data);
    // Follows `writer`'s answers (the entry an append became, or why it failed).
    void watch(engine::CommandWriter* writer);
    // The consumer's verdicts, in stream order: those on our entries finish their requests.
    void finish(const engine::HistoryChunk& chunk, const engine::HistoryNames& names);

signals:
    /// Same as ShopSession::commandFinished.
    void commandFinished(const QString& requestId, bool applied, const QString& reason, const QString& message,
                         const QString& entryId, const QString& type, const QString& userId, const QString& itemId);
    /// The server refused a write for this user (a read-only ACL).
    void writeRefused();

private:
    void onAppended(const QString& requestId, const QString& entryId, const QString& unconfirmed);
    void onAppendFailed(const QString& requestId, const QString& message, bool permissionDenied);
    struct Verdict;
    void finish(const QString& entryId, const Verdict& verdict);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace shop::app
