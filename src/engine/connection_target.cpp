// Resolving the connection target, starting the managed server when needed.
#include "connection_target.hpp"

#include "logging.hpp"

#include "redis/server_facts.hpp"

#include <QProcessEnvironment>

namespace shop::engine {

bool ConnectionTarget::resolve(const QString& urlText, const QString& dataDir)
{
    error_.clear();
    local_.reset();
    if (urlText.isEmpty()) {
        QString dir = dataDir;
        if (dir.isEmpty())
            dir = qEnvironmentVariable("SHOPSTREAM_DATA_DIR");
        auto local = std::make_shared<redis::LocalServer>(dir.isEmpty() ? std::string() : dir.toStdString() + "/redis");
        if (!local->start()) {
            error_ = QString::fromStdString(local->error());
            return false;
        }
        qCInfo(lcRedis) << "using the managed local server at" << QString::fromStdString(local->socketPath());
        url_ = local->url();
        local_ = std::move(local);
        return true;
    }
    std::string error;
    if (!redis::RedisUrl::parse(urlText.toStdString(), url_, error)) {
        error_ = QString::fromStdString(error);
        return false;
    }
    if (url_.password.empty()) {
        const QString password = qEnvironmentVariable("SHOPSTREAM_REDIS_PASSWORD");
        if (!password.isEmpty())
            url_.password = password.toStdString();
    }
    if (url_.kind == redis::RedisUrl::Kind::Sentinel && url_.sentinelPassword.empty())
        url_.sentinelPassword = qEnvironmentVariable("SHOPSTREAM_SENTINEL_PASSWORD").toStdString();
    if (url_.tls && url_.tlsOptions.keyPassphrase.empty() && !url_.tlsOptions.keyFile.empty())
        url_.tlsOptions.keyPassphrase = qEnvironmentVariable("SHOPSTREAM_TLS_KEY_PASSPHRASE").toStdString();
    return true;
}

QString ConnectionTarget::describe() const
{
    if (local_)
        return QStringLiteral("local server (%1)").arg(QString::fromStdString(local_->socketPath()));
    if (!url_.tls)
        return QString::fromStdString(url_.redacted());
    redis::RedisUrl shown = url_; // the TLS files are settings, not where the server is
    shown.tlsOptions = {};
    return QString::fromStdString(shown.redacted())
           + (url_.tlsOptions.insecure ? QStringLiteral(" (TLS, not verified)") : QStringLiteral(" (TLS)"));
}

QString ConnectionTarget::insecureWarning() const
{
    if (!url_.tls || !url_.tlsOptions.insecure)
        return {};
    return QStringLiteral("TLS without verification: the server at %1 is not checked, so anyone on the way could read "
                          "and change what is sent")
        .arg(QString::fromStdString(url_.address()));
}

std::vector<std::string> ConnectionTarget::warnings(redis::Connection& connection) const
{
    std::vector<std::string> out;
    if (local_)
        out = local_->notices();
    for (std::string& warning : redis::serverWarnings(connection, local_ ? local_->dataDir() : std::string()))
        out.push_back(std::move(warning));
    return out;
}

} // namespace shop::engine
