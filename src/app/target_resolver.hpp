// TargetResolver: how the window's connection settings become a connection target. A URL
// (read by redis::RedisUrl, with the connection dialog's user and password and the keyring's
// password), or none: the managed local server, which may have to be started. Resolving
// runs on a short-lived thread of its own, so the GUI thread never waits for a server.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QVariantMap>
#include <QString>

#include <memory>

namespace shop::engine {
class ConnectionTarget;
}

namespace shop::app {

struct SessionOptions {
    QString redisUrl;   // empty: the managed local server
    QString stream = QStringLiteral("shop:events");
    QString dataDir;    // managed server's data directory (tests)
    qint64 snapshotIntervalMs = 30000; // up to a year: more milliseconds than an int holds
    bool viewOnly = false; // viewer mode: nothing is written to Redis
    // A stream with no snapshots on a server other than the managed one gets none written
    // until the user agreed (ShopSession::snapshotQuestion); false: keep them without asking.
    bool askBeforeSnapshots = true;
};

// The Connection dialog's TLS fields (for a rediss:// URL). Non-empty fields win over the
// URL's own tls-* options; the passphrase is a secret like the password (keyring only).
struct TlsFields {
    QString caFile, certFile, keyFile, serverName, keyPassphrase;
    bool insecure = false;
};

class TargetResolver : public QObject {
    Q_OBJECT
public:
    explicit TargetResolver(QObject* parent = nullptr);
    ~TargetResolver() override;

    // Resolves options.redisUrl (or the managed server) off this thread: resolved() or
    // failed() follows on this object's thread. A newer call supersedes one still running.
    void resolve(const SessionOptions& options);
    // The target of the last resolve() that succeeded; null while resolving or after a failure.
    const engine::ConnectionTarget* target() const { return target_.get(); }

    // The connection dialog's fields as options over `base` (its data directory and snapshot
    // interval): the URL's user and password give way to the fields'; with no password and
    // `remember` off, the keyring's is used. A remembered connection keeps its URL without
    // user or password in the settings and its password in the keyring. connectionRequested()
    // follows (at once, or once the keyring answered).
    void requestConnection(const SessionOptions& base, const QString& url, const QString& user,
                           const QString& password, const QString& stream, bool remember, const TlsFields& tls = {});
    // A URL split for the dialog: {url: without its tls-* options, caFile, certFile, keyFile,
    // serverName, insecure}; the URL as it is when it does not read.
    static QVariantMap splitTls(const QString& url);

    // The target as the status line shows it before it is resolved: "local server", or the
    // URL without its password ("" when it does not read: resolving says why).
    static QString describeUnresolved(const SessionOptions& options);
    // "" when redis::RedisUrl reads `url`, else what is wrong with it, as a sentence.
    static QString checkUrl(const QString& url);
    // The stream key the dialog's text names ("shop:events" when blank).
    static QString streamKey(const QString& text);

signals:
    void resolved();
    void failed(const QString& message);
    void connectionRequested(const shop::app::SessionOptions& options);
    void notice(const QString& message);

private:
    void requestWith(SessionOptions options, const QString& cleanUrl, const QString& user, const QString& secret,
                     const QString& passphrase);

    std::unique_ptr<engine::ConnectionTarget> target_;
    int generation_ = 0; // of the resolve() whose answer is awaited
};

} // namespace shop::app

Q_DECLARE_METATYPE(shop::app::SessionOptions)
