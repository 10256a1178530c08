// Remembered connections: URL (without password), user and stream key in QSettings, and
// per stream whether to keep snapshots in Redis or only view it; the password in the system
// keyring through QtKeychain, never in a file (so is a TLS key's passphrase).
#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace shop::app {

struct RecentConnection {
    QString url;    // never holds a user or a password
    QString user;
    QString stream;
};

// What the user answered for a stream that had no snapshots: keep snapshots of it in Redis,
// or only view it (nothing written). Per server (without credentials) and stream key.
enum class SnapshotChoice { Ask, Keep, ViewOnly };

class ConnectionSettings {
public:
    static SnapshotChoice snapshotChoice(const QString& url, const QString& stream);
    static void setSnapshotChoice(const QString& url, const QString& stream, SnapshotChoice choice);
    // How many replicas must confirm each edit (WAIT) on this server; 0: none asked.
    static constexpr int kMaxWaitReplicas = 9;
    static int waitReplicas(const QString& url);
    static void setWaitReplicas(const QString& url, int replicas);

    static QList<RecentConnection> recent();
    static void remember(const RecentConnection& connection); // newest first, at most 8
    // The keyring key for a connection: URL and user, no secret.
    static QString keyringKey(const QString& url, const QString& user);
    // Asynchronous: `done` gets an error text ("" on success).
    static void storePassword(const QString& key, const QString& password, QObject* context,
                              std::function<void(QString error)> done);
    // An empty key reads nothing: `done` gets "" at once.
    static void readPassword(const QString& key, QObject* context, std::function<void(QString password, QString error)> done);
    // The server's address in a URL, read by redis::RedisUrl, without user and password
    // ("redis://u:pw@h" -> "redis://h:6379"); "" when it is not a URL RedisUrl reads.
    static QString withoutCredentials(const QString& url);
};

} // namespace shop::app
