// QSettings for the recent list, QtKeychain for passwords.
#include "connection_settings.hpp"

#include <qt6keychain/keychain.h>

#include <QSettings>
#include <QUrl>

namespace shop::app {

namespace {
constexpr int kMaxRecent = 8;
const QString kKeychainService = QStringLiteral("shopstream");
} // namespace

QList<RecentConnection> ConnectionSettings::recent()
{
    QSettings settings;
    QList<RecentConnection> out;
    const int n = settings.beginReadArray(QStringLiteral("recentConnections"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        out.append({stripPassword(settings.value(QStringLiteral("url")).toString()),
                    settings.value(QStringLiteral("user")).toString(), settings.value(QStringLiteral("stream")).toString()});
    }
    settings.endArray();
    return out;
}

void ConnectionSettings::remember(const RecentConnection& connection)
{
    RecentConnection clean = connection;
    clean.url = stripPassword(connection.url);
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
    return stripPassword(url) + QLatin1Char(' ') + user;
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

QString ConnectionSettings::stripPassword(const QString& url, QString* password)
{
    // redis://[user[:password]@]host...: only the part between "://" and the last '@'.
    const auto scheme = url.indexOf(QLatin1String("://"));
    const auto at = url.lastIndexOf(QLatin1Char('@'));
    if (scheme < 0 || at < scheme)
        return url;
    const QString userInfo = url.mid(scheme + 3, at - scheme - 3);
    const auto colon = userInfo.indexOf(QLatin1Char(':'));
    if (colon < 0) {
        // "redis://secret@host" is a password alone (as redis-cli reads it).
        if (password)
            *password = QUrl::fromPercentEncoding(userInfo.toUtf8());
        return url.left(scheme + 3) + url.mid(at + 1);
    }
    if (password)
        *password = QUrl::fromPercentEncoding(userInfo.mid(colon + 1).toUtf8());
    const QString user = userInfo.left(colon);
    return url.left(scheme + 3) + (user.isEmpty() ? QString() : user + QLatin1Char('@')) + url.mid(at + 1);
}

} // namespace shop::app
