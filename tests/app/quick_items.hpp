// The real QML in the tests that drive the window: loading Main.qml, and finding its items by
// objectName.
#pragma once

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QStringList>
#include <QTest>

// The first item named `name` under `root` (visual children, depth first).
inline QQuickItem* findQuickItem(QQuickItem* root, const QString& name)
{
    if (!root)
        return nullptr;
    if (root->objectName() == name)
        return root;
    for (QQuickItem* child : root->childItems())
        if (QQuickItem* found = findQuickItem(child, name))
            return found;
    return nullptr;
}

// A left click in the middle of `item`, as a user's (a tab, a button).
inline void clickCentre(QQuickWindow* window, QQuickItem* item)
{
    QVERIFY2(item, "the item to click exists");
    QTest::mouseClick(window, Qt::LeftButton, {}, item->mapToScene(QPointF(item->width() / 2, item->height() / 2)).toPoint());
}

// Where `item`'s left edge is in the scene once the layouts have settled. A page shown after
// the window was resized lays itself out over the next few polish passes, so a position read
// at once can be the old size's.
inline double settledSceneX(QQuickItem* item)
{
    double last = item->mapToScene(QPointF(0, 0)).x();
    for (int i = 0; i < 100; ++i) {
        QTest::qWait(20);
        const double x = item->mapToScene(QPointF(0, 0)).x();
        if (x == last)
            return x;
        last = x;
    }
    return last;
}

// Loads qrc:/ShopStream/Main.qml into `engine` and shows it, exposed. Returns the window, or
// null with why in `problem`; a QML warning while loading is a problem too.
inline QQuickWindow* loadMainWindow(QQmlApplicationEngine& engine, QString& problem)
{
    QStringList warnings;
    const auto connection = QObject::connect(&engine, &QQmlApplicationEngine::warnings, &engine,
                                             [&warnings](const QList<QQmlError>& list) {
                                                 for (const QQmlError& w : list)
                                                     warnings << w.toString();
                                             });
    engine.load(QUrl(QStringLiteral("qrc:/ShopStream/Main.qml")));
    auto* window = engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(engine.rootObjects().constFirst());
    if (window) {
        window->show();
        if (!QTest::qWaitForWindowExposed(window))
            warnings << QStringLiteral("the window was not exposed");
    }
    QObject::disconnect(connection);
    problem = warnings.join(QLatin1Char('\n'));
    if (!window && problem.isEmpty())
        problem = QStringLiteral("Main.qml made no window");
    return problem.isEmpty() ? window : nullptr;
}
