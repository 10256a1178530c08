// QSettings for the recent list, QtKeychain for passwords.
#include "connection_settings.hpp"

#include "redis/redis_url.hpp"

#include <qt6keychain/keychain.h>

#include <QSettings>
#include <QUrl>

#include <algorithm>

namespace shop::app {

namespace {
constexpr int kMaxRecent = 8;
const QString kKeychainService = QStringLiteral("shopstream");
} // namespace

namespace {
// One settings key per server (how TLS is set up does not make another server), and stream
// when given: percent-encoded, so that the '/' of a URL does not make QSettings groups.
QString settingKey(const QString& group, const QString& url, const QString& stream = {})
{
    redis::RedisUrl parsed;
    std::string error;
    QString server;
    if (redis::RedisUrl::parse(url.toStdString(), parsed, error)) {
        parsed.tlsOptions = {};
        server = QString::fromStdString(parsed.withoutCredentials());
    }
    const QString what = stream.isNull() ? server : server + QLatin1Char(' ') + stream;
    return group + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(what));
}

QString choiceKey(const QString& url, const QString& stream) { return settingKey(QStringLiteral("snapshotChoices"), url, stream); }
} // namespace

SnapshotChoice ConnectionSettings::snapshotChoice(const QString& url, const QString& stream)
{
    const QString value = QSettings().value(choiceKey(url, stream)).toString();
    return value == QLatin1String("keep")   ? SnapshotChoice::Keep
           : value == QLatin1String("view") ? SnapshotChoice::ViewOnly
                                            : SnapshotChoice::Ask;
}

void ConnectionSettings::setSnapshotChoice(const QString& url, const QString& stream, SnapshotChoice choice)
{
    QSettings settings;
    switch (choice) {
    case SnapshotChoice::Ask:
        settings.remove(choiceKey(url, stream));
        return;
    case SnapshotChoice::Keep:
        settings.setValue(choiceKey(url, stream), QStringLiteral("keep"));
        return;
    case SnapshotChoice::ViewOnly:
        settings.setValue(choiceKey(url, stream), QStringLiteral("view"));
        return;
    }
}

int ConnectionSettings::waitReplicas(const QString& url)
{
    return std::clamp(QSettings().value(settingKey(QStringLiteral("waitReplicas"), url), 0).toInt(), 0, kMaxWaitReplicas);
}

void ConnectionSettings::setWaitReplicas(const QString& url, int replicas)
{
    QSettings settings;
    if (replicas <= 0)
        settings.remove(settingKey(QStringLiteral("waitReplicas"), url));
    else
        settings.setValue(settingKey(QStringLiteral("waitReplicas"), url), std::min(replicas, kMaxWaitReplicas));
}

QList<RecentConnection> ConnectionSettings::recent()
{
    QSettings settings;
    QList<RecentConnection> out;
    const int n = settings.beginReadArray(QStringLiteral("recentConnections"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        // Also cleans what an older version kept; a URL that does not read is left out
        // (nothing could connect to it, and what it holds cannot be told apart).
        const QString url = withoutCredentials(settings.value(QStringLiteral("url")).toString());
        if (!url.isEmpty())
            out.append({url, settings.value(QStringLiteral("user")).toString(), settings.value(QStringLiteral("stream")).toString()});
    }
    settings.endArray();
    return out;
}

void ConnectionSettings::remember(const RecentConnection& connection)
{
    RecentConnection clean = connection;
    clean.url = withoutCredentials(connection.url);
    if (clean.url.isEmpty())
        return;
    QList<RecentConnection> list = recent();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const RecentConnection& c) {
                                  return c.url == clean.url && c.user == clean.user && c.stream == clean.stream;
                              }),
               list.end());
    list.prepend(clean);
    while (list.size() > kMaxRecent)
        list.removeLast();
    QSettings settings;
    settings.beginWriteArray(QStringLiteral("recentConnections"), static_cast<int>(list.size()));
    for (int i = 0; i < list.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("url"), list[i].url);
        settings.setValue(QStringLiteral("user"), list[i].user);
        settings.setValue(QStringLiteral("stream"), list[i].stream);
    }
    settings.endArray();
}

QString ConnectionSettings::keyringKey(const QString& url, const QString& user)
{
    return withoutCredentials(url) + QLatin1Char(' ') + user;
}

void ConnectionSettings::storePassword(const QString& key, const QString& password, QObject* context,
                                       std::function<void(QString)> done)
{
    auto* job = new QKeychain::WritePasswordJob(kKeychainService);
    job->setAutoDelete(true);
    job->setKey(key);
    job->setTextData(password);
    QObject::connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job* j) {
        done(j->error() == QKeychain::NoError ? QString() : j->errorString());
    });
    job->start();
}

void ConnectionSettings::readPassword(const QString& key, QObject* context, std::function<void(QString, QString)> done)
{
    if (key.isEmpty()) { // nothing to look up
        done({}, {});
        return;
    }
    auto* job = new QKeychain::ReadPasswordJob(kKeychainService);
    job->setAutoDelete(true);
    job->setKey(key);
    QObject::connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job* j) {
        auto* read = static_cast<QKeychain::ReadPasswordJob*>(j);
        if (read->error() == QKeychain::NoError)
            done(read->textData(), {});
        else if (read->error() == QKeychain::EntryNotFound)
            done({}, {});
        else
            done({}, read->errorString());
    });
    job->start();
}

QString ConnectionSettings::withoutCredentials(const QString& url)
{
    redis::RedisUrl parsed;
    std::string error;
    if (!redis::RedisUrl::parse(url.toStdString(), parsed, error))
        return {};
    return QString::fromStdString(parsed.withoutCredentials());
}

} // namespace shop::app
