// The Qt Quick Test runner for tests/qml/tst_*.qml. The ShopStream module is linked in
// statically (Q_IMPORT_QML_PLUGIN); the ShopSession singleton the dialogs talk to is a real
// one that is never started, so nothing here needs Redis: these tests are about what the
// dialogs accept before anything is sent.
#include "shop_session.hpp"

#include <QQmlEngine>
#include <QQuickStyle>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

class Setup : public QObject {
    Q_OBJECT

public slots:
    // Before any QML is loaded: the same style as the application.
    void applicationAvailable() { QQuickStyle::setStyle(QStringLiteral("Fusion")); }

    // ShopSession has no default constructor, so QML gets it through create(), which hands
    // out the instance registered here (as main() does).
    void qmlEngineAvailable(QQmlEngine* engine)
    {
        Q_UNUSED(engine)
        if (!session_)
            session_ = std::make_unique<shop::app::ShopSession>(nullptr);
        shop::app::ShopSession::setInstance(session_.get());
    }

    void cleanupTestCase() { shop::app::ShopSession::setInstance(nullptr); }

private:
    std::unique_ptr<shop::app::ShopSession> session_;
};

QUICK_TEST_MAIN_WITH_SETUP(shopstream_qml, Setup)

#include "tst_shopstream_qml.moc"
