// The window under test, for the suites that drive it: the real Main.qml offscreen over a
// real ShopSession, and what a user does to it (click, type over a field, open a dialog by
// its button or its action). A suite derives from WindowTest, starts its own Redis, and calls
// openWindow in initTestCase and closeWindow in cleanupTestCase.
#pragma once

#include "quick_items.hpp"
#include "shop_session.hpp"

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>

#include <memory>
#include <string>

class TestRedisServer;

// A helper that reported a failure (QVERIFY returns from the helper only) ends the test too.
#define UI_CHECK(call)                                                                                                 \
    do {                                                                                                               \
        call;                                                                                                          \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)

class WindowTest : public QObject {
protected:
    static constexpr int kTimeoutMs = 15000;

    // Starts a session with `options` (the Fusion style, the session as QML's ShopSession)
    // and loads the window; a QML warning while loading fails the test.
    void openWindow(const shop::app::SessionOptions& options);
    void closeWindow();

    QQuickItem* item(const QString& name) const { return findQuickItem(window_->contentItem(), name); }
    QObject* dialog(const QString& name) const { return window_->findChild<QObject*>(name); }
    // An item in a dialog's "contentItem" or "footer".
    QQuickItem* dialogPart(QObject* dialog, const char* part, const QString& name) const
    {
        return findQuickItem(dialog->property(part).value<QQuickItem*>(), name);
    }

    // A left click at `xFraction` of the item's width, half its height; it must be visible
    // and enabled.
    void click(QQuickItem* target, double xFraction = 0.5);
    // Clicks into the field, selects what is there and types over it, key by key (ASCII).
    void typeInto(QQuickItem* field, const QString& text, double xFraction = 0.5);
    // Opens `dialogName` as a user would: a click on the item named `trigger`, or else the
    // action of that name triggered. Null, the test failed, when it does not open.
    QObject* openDialog(const QString& trigger, const QString& dialogName);

    // Appends as another client would (StreamWriter, native); the new entry's id in `id`.
    static bool append(const TestRedisServer& server, const std::string& stream, const std::string& type,
                       const std::string& json, const std::string& actor, QString* id = nullptr);

    std::unique_ptr<shop::app::ShopSession> session_;
    std::unique_ptr<QQmlApplicationEngine> engine_;
    QQuickWindow* window_ = nullptr;
};
