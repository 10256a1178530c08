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
                                       const QString& password, const QString& stream, bool remember, const TlsFields& tls)
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
    if (parsed.tls) {
        for (const auto& [field, option] : {std::pair{&tls.caFile, &parsed.tlsOptions.caFile}, std::pair{&tls.certFile, &parsed.tlsOptions.certFile},
                                            std::pair{&tls.keyFile, &parsed.tlsOptions.keyFile},
                                            std::pair{&tls.serverName, &parsed.tlsOptions.serverName}}) {
            if (!field->trimmed().isEmpty())
                *option = field->trimmed().toStdString();
        }
        parsed.tlsOptions.insecure = parsed.tlsOptions.insecure || tls.insecure;
    }
    const QString effectiveUser = user.isEmpty() ? fromStd(parsed.user) : user;
    const QString secret = password.isEmpty() ? fromStd(parsed.password) : password;
    const QString passphrase = tls.keyPassphrase.isEmpty() ? fromStd(parsed.tlsOptions.keyPassphrase) : tls.keyPassphrase;
    const QString cleanUrl = fromStd(parsed.withoutCredentials());
    const QString keyringKey = ConnectionSettings::keyringKey(cleanUrl, effectiveUser);
    const QString passphraseKey = keyringKey + QStringLiteral("#tls-key-passphrase");
    const bool wantsPassphrase = !parsed.tlsOptions.keyFile.empty() && passphrase.isEmpty();
    if ((secret.isEmpty() || wantsPassphrase) && !remember) {
        // A remembered connection: its password and key passphrase, if any, are in the keyring.
        ConnectionSettings::readPassword(
            secret.isEmpty() ? keyringKey : QString(), this,
            [this, options, cleanUrl, effectiveUser, secret, passphrase, passphraseKey, wantsPassphrase](const QString& stored, const QString&) {
                const QString password = secret.isEmpty() ? stored : secret;
                if (!wantsPassphrase) {
                    requestWith(options, cleanUrl, effectiveUser, password, passphrase);
                    return;
                }
                ConnectionSettings::readPassword(passphraseKey, this,
                                                 [this, options, cleanUrl, effectiveUser, password](const QString& phrase, const QString&) {
                                                     requestWith(options, cleanUrl, effectiveUser, password, phrase);
                                                 });
            });
        return;
    }
    if (remember) {
        ConnectionSettings::remember({cleanUrl, effectiveUser, options.stream});
        const auto keep = [this](const QString& key, const QString& value, const QString& what) {
            ConnectionSettings::storePassword(key, value, this, [this, what](const QString& error) {
                if (!error.isEmpty())
                    emit notice(tr("The %1 could not be kept in the system keyring (%2); it is used for this session only.")
                                    .arg(what, error));
            });
        };
        if (!secret.isEmpty())
            keep(keyringKey, secret, tr("password"));
        if (!passphrase.isEmpty())
            keep(passphraseKey, passphrase, tr("key passphrase"));
    }
    requestWith(options, cleanUrl, effectiveUser, secret, passphrase);
}

void TargetResolver::requestWith(SessionOptions options, const QString& cleanUrl, const QString& user, const QString& secret,
                                 const QString& passphrase)
{
    // The full URL (with the secrets) lives only in memory, for this connection.
    redis::RedisUrl url;
    std::string error;
    options.redisUrl = cleanUrl;
    if (redis::RedisUrl::parse(cleanUrl.toStdString(), url, error)) {
        url.user = user.toStdString();
        url.password = secret.toStdString();
        if (url.tls)
            url.tlsOptions.keyPassphrase = passphrase.toStdString();
        options.redisUrl = fromStd(url.toString());
    }
    emit connectionRequested(options);
}

QVariantMap TargetResolver::splitTls(const QString& url)
{
    redis::RedisUrl parsed;
    std::string error;
    if (!redis::RedisUrl::parse(url.trimmed().toStdString(), parsed, error))
        return {{QStringLiteral("url"), url}};
    const redis::TlsOptions tls = parsed.tlsOptions;
    parsed.tlsOptions = {};
    return {{QStringLiteral("url"), fromStd(parsed.withoutCredentials())},
            {QStringLiteral("caFile"), fromStd(tls.caFile)},
            {QStringLiteral("certFile"), fromStd(tls.certFile)},
            {QStringLiteral("keyFile"), fromStd(tls.keyFile)},
            {QStringLiteral("serverName"), fromStd(tls.serverName)},
            {QStringLiteral("insecure"), tls.insecure}};
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
