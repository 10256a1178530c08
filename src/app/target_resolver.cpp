// Target resolution: RedisUrl for every URL, QtKeychain for passwords, a thread per resolve.
#include "target_resolver.hpp"

#include "connection_settings.hpp"

#include "engine/connection_target.hpp"
#include "redis/redis_url.hpp"

#include <QCoreApplication>
#include <QPointer>
#include <QThread>

namespace shop::app {

namespace {

QString fromStd(const std::string& s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

} // namespace

TargetResolver::TargetResolver(QObject* parent) : QObject(parent) {}

TargetResolver::~TargetResolver() = default;

void TargetResolver::resolve(const SessionOptions& options)
{
    target_.reset();
    const int generation = ++generation_;
    QPointer<TargetResolver> self(this);
    auto* thread = QThread::create([self, generation, options] {
        auto target = std::make_unique<engine::ConnectionTarget>();
        const bool ok = target->resolve(options.redisUrl, options.dataDir);
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, generation, ok, t = target.release()] {
                std::unique_ptr<engine::ConnectionTarget> owned(t);
                if (!self || generation != self->generation_)
                    return; // superseded
                if (!ok) {
                    emit self->failed(owned->error());
                    return;
                }
                self->target_ = std::move(owned);
                emit self->resolved();
            },
            Qt::QueuedConnection);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

void TargetResolver::requestConnection(const SessionOptions& base, const QString& url, const QString& user,
                                       const QString& password, const QString& stream, bool remember)
{
    SessionOptions options = base;
    options.stream = streamKey(stream);
    redis::RedisUrl parsed;
    std::string error;
    if (!redis::RedisUrl::parse(url.trimmed().toStdString(), parsed, error)) {
        // Connecting says why (the parser's words); nothing is remembered.
        options.redisUrl = url.trimmed();
        emit connectionRequested(options);
        return;
    }
    // The dialog's fields win over what the URL holds.
    const QString effectiveUser = user.isEmpty() ? fromStd(parsed.user) : user;
    const QString secret = password.isEmpty() ? fromStd(parsed.password) : password;
    const QString cleanUrl = fromStd(parsed.withoutCredentials());
    if (secret.isEmpty() && !remember) {
        // A remembered connection: its password, if any, is in the keyring.
        ConnectionSettings::readPassword(ConnectionSettings::keyringKey(cleanUrl, effectiveUser), this,
                                         [this, options, cleanUrl, effectiveUser](const QString& stored, const QString&) {
                                             requestWith(options, cleanUrl, effectiveUser, stored);
                                         });
        return;
    }
    if (remember) {
        ConnectionSettings::remember({cleanUrl, effectiveUser, options.stream});
        if (!secret.isEmpty())
            ConnectionSettings::storePassword(ConnectionSettings::keyringKey(cleanUrl, effectiveUser), secret, this,
                                              [this](const QString& error) {
                                                  if (!error.isEmpty())
                                                      emit notice(tr("The password could not be kept in the system keyring "
                                                                     "(%1); it is used for this session only.")
                                                                      .arg(error));
                                              });
    }
    requestWith(options, cleanUrl, effectiveUser, secret);
}

void TargetResolver::requestWith(SessionOptions options, const QString& cleanUrl, const QString& user, const QString& secret)
{
    // The full URL (with the secret) lives only in memory, for this connection.
    redis::RedisUrl url;
    std::string error;
    options.redisUrl = cleanUrl;
    if (redis::RedisUrl::parse(cleanUrl.toStdString(), url, error)) {
        url.user = user.toStdString();
        url.password = secret.toStdString();
        options.redisUrl = fromStd(url.toString());
    }
    emit connectionRequested(options);
}

QString TargetResolver::describeUnresolved(const SessionOptions& options)
{
    if (options.redisUrl.isEmpty())
        return tr("local server");
    redis::RedisUrl url;
    std::string error;
    return redis::RedisUrl::parse(options.redisUrl.toStdString(), url, error) ? fromStd(url.redacted()) : QString();
}

QString TargetResolver::checkUrl(const QString& url)
{
    redis::RedisUrl parsed;
    std::string error;
    if (redis::RedisUrl::parse(url.toStdString(), parsed, error))
        return {};
    QString sentence = fromStd(error);
    if (!sentence.isEmpty())
        sentence[0] = sentence[0].toUpper();
    return sentence;
}

QString TargetResolver::streamKey(const QString& text)
{
    return text.trimmed().isEmpty() ? QStringLiteral("shop:events") : text.trimmed();
}

} // namespace shop::app
