// shopstream: the desktop console. A thin main over the ShopStream QML module: parse the
// command line (before any display is needed), pick the palette, start the session, load
// the QML.
#include "shop_session.hpp"

#include "shopstream_version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QIcon>
#include <QPalette>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>
#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

namespace {

struct Options {
    shop::app::SessionOptions session;
    bool selftest = false;
};

// Parsed with a QCoreApplication, so --help and --version work without a display.
int parseOptions(int argc, char** argv, Options& out, bool& exitNow)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("shopstream"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SHOPSTREAM_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("ShopStream: a desktop console for an event-sourced shop whose history is a Redis Stream."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption redis(QStringLiteral("redis"),
                                   QStringLiteral("Redis to use: redis://[user:password@]host[:port][/db] or "
                                                  "unix:///path/to.sock. Default: a managed local redis-server."),
                                   QStringLiteral("URL"));
    const QCommandLineOption stream(QStringLiteral("stream"), QStringLiteral("The stream key (default shop:events)."),
                                    QStringLiteral("KEY"), QStringLiteral("shop:events"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Where the managed local server keeps its data."), QStringLiteral("DIR"));
    const QCommandLineOption snapshotEvery(QStringLiteral("snapshot-every"),
                                           QStringLiteral("Seconds between automatic snapshots, 0 to 31536000 (a year); "
                                                          "default 30, 0: none."),
                                           QStringLiteral("SECONDS"), QStringLiteral("30"));
    const QCommandLineOption readOnly(QStringLiteral("read-only"),
                                      QStringLiteral("Viewer mode: write nothing to Redis (no snapshots, no edits); the "
                                                     "shop is rebuilt in memory from stored snapshots and the stream."));
    const QCommandLineOption selftest(QStringLiteral("selftest"),
                                      QStringLiteral("Load the QML and create the main window offscreen, then exit: 0 "
                                                     "when it works, else non-zero with the reason."));
    parser.addOptions({redis, stream, dataDir, snapshotEvery, readOnly, selftest});
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "shopstream: %s (see shopstream --help)\n", qPrintable(parser.errorText()));
        exitNow = true;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        exitNow = true;
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("shopstream %s\n", SHOPSTREAM_VERSION);
        exitNow = true;
        return 0;
    }
    bool ok = false;
    constexpr qint64 kYearSeconds = 365LL * 24 * 3600;
    const qint64 seconds = parser.value(snapshotEvery).toLongLong(&ok);
    if (!ok || seconds < 0 || seconds > kYearSeconds) {
        std::fprintf(stderr, "shopstream: --snapshot-every needs a whole number of seconds from 0 to %lld (one year)\n",
                     kYearSeconds);
        exitNow = true;
        return 2;
    }
    out.session.redisUrl = parser.value(redis);
    out.session.stream = parser.value(stream);
    out.session.dataDir = parser.value(dataDir);
    out.session.snapshotIntervalMs = seconds * 1000;
    out.session.viewOnly = parser.isSet(readOnly);
    out.selftest = parser.isSet(selftest);
    return 0;
}

// Fusion draws with the application palette. Desktops that publish a dark preference
// without a Qt platform theme (GNOME's color-scheme) get a dark palette here; the
// SHOPSTREAM_THEME variable (light or dark) overrides both.
void applyPalette()
{
    QString wanted = qEnvironmentVariable("SHOPSTREAM_THEME").toLower();
    const QPalette current = QGuiApplication::palette();
    const bool paletteIsDark = current.color(QPalette::Window).lightness() < 128;
    if (wanted.isEmpty() && !paletteIsDark) {
        QProcess gsettings;
        gsettings.start(QStringLiteral("gsettings"),
                        {QStringLiteral("get"), QStringLiteral("org.gnome.desktop.interface"), QStringLiteral("color-scheme")});
        if (gsettings.waitForFinished(500) && gsettings.readAllStandardOutput().contains("dark"))
            wanted = QStringLiteral("dark");
    }
    if (wanted != QLatin1String("dark") || paletteIsDark)
        return;
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::Base, QColor(0x1f, 0x21, 0x24));
    dark.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::Button, QColor(0x35, 0x38, 0x3d));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xd6));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::ToolTipBase, QColor(0x35, 0x38, 0x3d));
    dark.setColor(QPalette::ToolTipText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9c, 0xa0));
    dark.setColor(QPalette::Mid, QColor(0x4a, 0x4d, 0x52));
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x84));
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x84));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x84));
    QGuiApplication::setPalette(dark);
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    bool exitNow = false;
    const int code = parseOptions(argc, argv, options, exitNow);
    if (exitNow)
        return code;

    if (options.selftest && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("shopstream"));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("ShopStream"));
    QGuiApplication::setOrganizationName(QStringLiteral("shopstream"));
    QGuiApplication::setApplicationVersion(QStringLiteral(SHOPSTREAM_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.shopstream.ShopStream"));
    QGuiApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.shopstream.ShopStream")));
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    applyPalette();

    shop::app::ShopSession session(nullptr);
    shop::app::ShopSession::setInstance(&session);

    QQmlApplicationEngine engine;
    QStringList loadErrors;
    QObject::connect(&engine, &QQmlApplicationEngine::warnings, &app, [&](const QList<QQmlError>& warnings) {
        for (const QQmlError& w : warnings)
            loadErrors << w.toString();
    });
    engine.load(QUrl(QStringLiteral("qrc:/ShopStream/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        std::fprintf(stderr, "shopstream: the user interface could not be loaded: %s\n",
                     qPrintable(loadErrors.isEmpty() ? QStringLiteral("unknown error") : loadErrors.join(QStringLiteral("; "))));
        return 1;
    }
    if (options.selftest) {
        auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().constFirst());
        if (!window) {
            std::fprintf(stderr, "shopstream: selftest: the root object is not a window\n");
            return 1;
        }
        QCoreApplication::processEvents();
        if (!loadErrors.isEmpty()) {
            std::fprintf(stderr, "shopstream: selftest: the QML reported problems: %s\n",
                         qPrintable(loadErrors.join(QStringLiteral("; "))));
            return 1;
        }
        std::printf("shopstream %s: selftest passed (QML loaded, main window created)\n", SHOPSTREAM_VERSION);
        return 0;
    }
    session.start(options.session);
    return app.exec();
}
