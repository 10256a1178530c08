// QSaveFile for the exports, and the shop's CSV and JSON through the core's writers.
#include "export_file.hpp"

#include "core/csv.hpp"
#include "core/state_json.hpp"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace shop::app {

QString writeExportFile(const QString& path, const std::function<void(const TextSink&)>& produce)
{
    if (path.trimmed().isEmpty())
        return QCoreApplication::translate("Export", "no file name was given");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QCoreApplication::translate("Export", "%1 cannot be written: %2").arg(path, file.errorString());
    bool ok = true;
    produce([&](std::string_view text) {
        ok = ok && file.write(text.data(), qint64(text.size())) == qint64(text.size());
    });
    if (!ok || !file.commit())
        return QCoreApplication::translate("Export", "%1 could not be written: %2").arg(path, file.errorString());
    return {};
}

QString exportShopState(const ShopState& state, const std::string& stream, const QString& path, bool json)
{
    return writeExportFile(path, [&](const TextSink& sink) {
        if (json)
            writeStateJson(state, stream, sink);
        else
            writeStateCsv(state, sink);
    });
}

QString defaultExportPath(const QString& stream, const QString& what, const QString& format)
{
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QDir::homePath();
    QString name = stream;
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
    return QDir(folder).filePath(QStringLiteral("shopstream-%1-%2-%3.%4")
                                     .arg(name, what, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")),
                                          format == QLatin1String("json") ? QStringLiteral("json") : QStringLiteral("csv")));
}

} // namespace shop::app
