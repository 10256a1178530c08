// CommandTracker: the user's commands from submit to verdict. Each gets a request id; the
// CommandWriter says which entry it became (or why it never did), and the consumer's verdict
// on that entry finishes it: commandFinished, which the window shows as a toast.
#pragma once

#include "core/domain.hpp"

#include <QHash>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <cstddef>
#include <memory>
#include <optional>

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

    // QML's map as the event's JSON data (integer fields become JSON integers): what submit
    // sends, and what the previews process.
    static QByteArray eventJson(const QVariantMap& data);
    // Sends `type` with `data` (eventJson) to `writer` and returns the request id; with no
    // writer, commandFinished says so (queued). `predicted`: the preview's verdict when the
    // window could make one; a consumer's verdict that differs is said in the message.
    QString submit(engine::CommandWriter* writer, const QString& type, const QVariantMap& data,
                   std::optional<Reason> predicted = std::nullopt);
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
