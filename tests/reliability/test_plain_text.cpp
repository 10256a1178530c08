// User strings are plain text everywhere in the real QML (DESIGN section 6), not only in the
// user table that tests/app/test_e2e.cpp checks: names, item names, an entry's data and
// actor with markup in them, on the Users, Items and Events pages with a row selected (so
// the details panes show too). Every Text showing markup must have textFormat PlainText.
#include "shop_session.hpp"

#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;

namespace {

bool showsMarkup(const QString& text)
{
    return text.contains(QLatin1String("<b>")) || text.contains(QLatin1String("<i>")) || text.contains(QLatin1String("<u>"))
           || text.contains(QLatin1String("<img"));
}

// Texts under `root` whose text holds markup.
void collect(QQuickItem* root, QList<QQuickItem*>& out)
{
    if (!root)
        return;
    if (root->inherits("QQuickText") || root->inherits("QQuickTextEdit") || root->inherits("QQuickTextInput")) {
        if (showsMarkup(root->property("text").toString()))
            out << root;
    }
    for (QQuickItem* child : root->childItems())
        collect(child, out);
}

} // namespace

class TestPlainText : public QObject {
    Q_OBJECT

private slots:
    void markupInUserStringsIsPlainTextOnEveryPage();
};

void TestPlainText::markupInUserStringsIsPlainTextOnEveryPage()
{
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    TestRedisServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    const std::string stream = "rel:markup";
    QStringList entryIds;
    {
        shop::redis::Connection c;
        QVERIFY2(c.connect(server.url()), c.error().c_str());
        shop::redis::StreamWriter writer(c, stream);
        const std::pair<const char*, const char*> events[] = {
            {"RegisterUser", R"({"userId":8,"name":"<b>bold</b><img src=x>"})"},
            {"AddItem", R"({"itemId":"mug","name":"<i>ital</i>","price":100,"count":5})"},
            {"TopUp", R"({"userId":8,"amount":1000})"},
            {"Order", R"({"userId":8,"lines":[{"itemId":"mug","qty":1}],"orderId":"<u>o1</u>"})"},
        };
        for (const auto& [type, data] : events) {
            shop::redis::AppendRequest request{type, data, {}, "<u>actor</u>"};
            const shop::redis::AppendResult result = writer.append(request);
            QVERIFY(result.ok);
            entryIds << QString::fromStdString(result.id);
        }
    }

    ShopSession session(nullptr);
    ShopSession::setInstance(&session);
    shop::app::SessionOptions options;
    options.redisUrl = server.urlText();
    options.stream = QString::fromStdString(stream);
    options.snapshotIntervalMs = 0;
    QVERIFY(session.start(options));
    {
        QQmlApplicationEngine engine;
        engine.load(QUrl(QStringLiteral("qrc:/ShopStream/Main.qml")));
        QVERIFY(!engine.rootObjects().isEmpty());
        auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().constFirst());
        QVERIFY(window);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QTRY_VERIFY2_WITH_TIMEOUT(session.caughtUp() && session.totalEvents() == 4, qPrintable(QStringLiteral("%1 %2: %3 events").arg(QVariant::fromValue(session.connectionState()).toString(), session.statusMessage()).arg(session.totalEvents())), 10000);

        QObject* tabs = window->findChild<QObject*>(QStringLiteral("pageTabs"));
        QVERIFY(tabs);
        struct Page {
            int index;
            const char* name;
            const char* selection;
            QVariant value;
        };
        const Page pages[] = {{0, "usersPage", "selectedUserId", QStringLiteral("8")},
                              {1, "itemsPage", "selectedItemId", QStringLiteral("mug")},
                              {2, "eventsPage", "selectedEntryId", entryIds.value(0)}};
        QStringList report;
        int total = 0;
        for (const Page& page : pages) {
            tabs->setProperty("currentIndex", page.index);
            if (QObject* p = window->findChild<QObject*>(QLatin1String(page.name)); p && page.selection)
                p->setProperty(page.selection, page.value);
            QTest::qWait(400);
            QList<QQuickItem*> found;
            collect(window->contentItem(), found); // the window's root item: the overlay (popups) too
            int visible = 0;
            for (QQuickItem* t : found) {
                if (!t->isVisible())
                    continue;
                ++visible;
                if (t->inherits("QQuickText") || t->inherits("QQuickTextEdit"))
                    QVERIFY2(t->property("textFormat").toInt() == int(Qt::PlainText),
                             qPrintable(QStringLiteral("%1 on %2 shows \"%3\" as rich text")
                                            .arg(QString::fromLatin1(t->metaObject()->className()), QLatin1String(page.name),
                                                 t->property("text").toString())));
            }
            report << QStringLiteral("%1: %2").arg(QLatin1String(page.name)).arg(visible);
            total += visible;
        }
        qInfo("visible texts holding markup, all plain text: %s", qPrintable(report.join(QStringLiteral(", "))));
        QVERIFY(total >= 3);
    }
    session.stop();
    ShopSession::setInstance(nullptr);
}

QTEST_MAIN(TestPlainText)
#include "test_plain_text.moc"
