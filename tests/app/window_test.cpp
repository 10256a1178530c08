#include "window_test.hpp"

#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QQuickStyle>

void WindowTest::openWindow(const shop::app::SessionOptions& options)
{
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    session_ = std::make_unique<shop::app::ShopSession>(nullptr);
    shop::app::ShopSession::setInstance(session_.get());
    QVERIFY(session_->start(options));
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QString problem;
    window_ = loadMainWindow(*engine_, problem);
    QVERIFY2(window_, qPrintable(problem));
}

void WindowTest::closeWindow()
{
    engine_.reset();
    window_ = nullptr;
    if (session_)
        session_->stop();
    session_.reset();
    shop::app::ShopSession::setInstance(nullptr);
}

void WindowTest::click(QQuickItem* target, double xFraction)
{
    QVERIFY(target);
    QVERIFY2(target->isVisible(), qPrintable(target->objectName() + QStringLiteral(" is visible")));
    QVERIFY2(target->isEnabled(), qPrintable(target->objectName() + QStringLiteral(" is enabled")));
    const QPointF local(target->width() * xFraction, target->height() / 2);
    QTest::mouseClick(window_, Qt::LeftButton, Qt::NoModifier, target->mapToScene(local).toPoint());
}

void WindowTest::typeInto(QQuickItem* field, const QString& text, double xFraction)
{
    UI_CHECK(click(field, xFraction));
    QTRY_VERIFY2(field->hasActiveFocus(), qPrintable(field->objectName() + QStringLiteral(" has the focus")));
    QTest::keyClick(window_, Qt::Key_A, Qt::ControlModifier);
    for (const QChar c : text) // QTest has keyClicks only for widgets
        QTest::keyClick(window_, c.toLatin1());
}

QObject* WindowTest::openDialog(const QString& trigger, const QString& dialogName)
{
    QObject* found = dialog(dialogName);
    if (!found) {
        QTest::qFail(qPrintable(dialogName + QStringLiteral(" not found")), __FILE__, __LINE__);
        return nullptr;
    }
    if (QQuickItem* button = item(trigger)) {
        click(button);
        if (QTest::currentTestFailed())
            return nullptr;
    } else if (QObject* action = window_->findChild<QObject*>(trigger)) {
        QMetaObject::invokeMethod(action, "trigger");
    } else {
        QTest::qFail(qPrintable(trigger + QStringLiteral(" not found")), __FILE__, __LINE__);
        return nullptr;
    }
    // Popup.opened: visible and its enter transition done.
    if (!QTest::qWaitFor([&] { return found->property("opened").toBool(); }, kTimeoutMs)) {
        QTest::qFail(qPrintable(dialogName + QStringLiteral(" did not open")), __FILE__, __LINE__);
        return nullptr;
    }
    return found;
}

bool WindowTest::append(const TestRedisServer& server, const std::string& stream, const std::string& type,
                        const std::string& json, const std::string& actor, QString* id)
{
    shop::redis::Connection connection;
    if (!connection.connect(server.url()))
        return false;
    shop::redis::StreamWriter writer(connection, stream);
    shop::redis::AppendRequest request;
    request.type = type;
    request.data = json;
    request.actor = actor;
    const shop::redis::AppendResult result = writer.append(request);
    if (id)
        *id = QString::fromStdString(result.id);
    return result.ok;
}
