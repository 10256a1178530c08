// The Connection dialog over TLS, in the real QML offscreen against a redis-server that
// listens with TLS and wants a client certificate (certificates made by openssl here):
// - a rediss:// URL shows the TLS fields; filled in (CA, client certificate and key) and
//   Connect, the window is live on the TLS server with its shop, and the status bar says TLS;
// - opened again, the dialog shows the URL without its tls-* options and the files in their
//   fields;
// - a CA that did not sign the server's certificate fails with the reason in words, and
//   "Do not verify" then connects, warns in the log, and the status bar says so.
#include "shop_session.hpp"

#include "notification_log.hpp"
#include "quick_items.hpp"
#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"
#include "test_redis_server.hpp"

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(ShopStreamPlugin)

using shop::app::ShopSession;

namespace {
constexpr int kTimeoutMs = 15000;
const QString kStream = QStringLiteral("{tls}:events");
} // namespace

class TestTlsUi : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void dialogConnectsOverTls();
    void dialogShowsTheTlsFieldsAgain();
    void untrustedThenInsecure();

private:
    QObject* dialog() const { return window_->findChild<QObject*>(QStringLiteral("connectionDialog")); }
    QQuickItem* field(const QString& name) const
    {
        return findQuickItem(dialog()->property("contentItem").value<QQuickItem*>(), name);
    }
    void openDialog();
    void type(const QString& name, const QString& text);
    void connectWith(const QString& url, const QString& ca, bool clientCertificate, bool insecure);

    TestCertificates certs_;
    std::unique_ptr<TestRedisServer> server_;
    std::unique_ptr<ShopSession> session_;
    std::unique_ptr<QQmlApplicationEngine> engine_;
    QQuickWindow* window_ = nullptr;
};

void TestTlsUi::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    QVERIFY2(certs_.make(), qPrintable(certs_.error()));
    TestRedisServer::Options options;
    options.tls = TestRedisServer::Tls{certs_.path(QStringLiteral("server.crt")), certs_.path(QStringLiteral("server.key")),
                                       certs_.path(QStringLiteral("ca.crt")), QStringLiteral("yes")};
    server_ = std::make_unique<TestRedisServer>(options);
    QVERIFY2(server_->start(), qPrintable(server_->error()));
    // The shop, written through the plain socket: 7 users.
    shop::redis::Connection admin;
    QVERIFY(admin.connect(server_->url()));
    shop::redis::StreamWriter writer(admin, kStream.toStdString());
    for (int id = 1; id <= 7; ++id) {
        shop::redis::AppendRequest request;
        request.type = "RegisterUser";
        request.data = QStringLiteral(R"({"userId":%1,"name":"tls user %1"})").arg(id).toStdString();
        QVERIFY(writer.append(request).ok);
    }
    // Keep snapshots without asking: this test is about the connection.
    QSettings().setValue(QStringLiteral("snapshotChoices/")
                             + QString::fromLatin1(QUrl::toPercentEncoding(QStringLiteral("rediss://127.0.0.1:%1 ").arg(server_->tlsPort()) + kStream)),
                         QStringLiteral("keep"));

    session_ = std::make_unique<ShopSession>(nullptr);
    ShopSession::setInstance(session_.get());
    engine_ = std::make_unique<QQmlApplicationEngine>();
    QString problem;
    window_ = loadMainWindow(*engine_, problem);
    QVERIFY2(window_, qPrintable(problem));
}

void TestTlsUi::cleanupTestCase()
{
    engine_.reset();
    session_.reset();
    ShopSession::setInstance(nullptr);
    QSettings().clear();
}

void TestTlsUi::openDialog()
{
    QObject* connection = dialog();
    QVERIFY(connection);
    QVERIFY(QMetaObject::invokeMethod(window_, "openDialog", Q_ARG(QVariant, QVariant::fromValue(connection)),
                                      Q_ARG(QVariant, session_->currentConnection()), Q_ARG(QVariant, kStream)));
    QTRY_VERIFY(connection->property("opened").toBool());
}

void TestTlsUi::type(const QString& name, const QString& text)
{
    QQuickItem* input = field(name);
    QVERIFY2(input, qPrintable(name));
    input->forceActiveFocus();
    input->setProperty("text", QString());
    for (const QChar ch : text) // typed, as a user does (the fields check as they go)
        QTest::keyClick(window_, ch.toLatin1());
    QCOMPARE(input->property("text").toString(), text);
}

void TestTlsUi::connectWith(const QString& url, const QString& ca, bool clientCertificate, bool insecure)
{
    openDialog();
    type(QStringLiteral("urlField"), url);
    QQuickItem* group = field(QStringLiteral("tlsGroup"));
    QVERIFY(group);
    QTRY_VERIFY2(group->isVisible(), "a rediss:// URL shows the TLS fields");
    type(QStringLiteral("tlsCaField"), ca);
    type(QStringLiteral("tlsCertField"), clientCertificate ? certs_.path(QStringLiteral("client.crt")) : QString());
    type(QStringLiteral("tlsKeyField"), clientCertificate ? certs_.path(QStringLiteral("client.key")) : QString());
    field(QStringLiteral("tlsInsecureCheck"))->setProperty("checked", insecure);
    QTRY_COMPARE(field(QStringLiteral("tlsInsecureWarning"))->isVisible(), insecure);
    type(QStringLiteral("streamField"), kStream);
    QVERIFY(QMetaObject::invokeMethod(dialog(), "tryAccept"));
    QTRY_VERIFY(!dialog()->property("visible").toBool());
}

void TestTlsUi::dialogConnectsOverTls()
{
    openDialog();
    type(QStringLiteral("urlField"), QStringLiteral("redis://127.0.0.1:6379"));
    QVERIFY2(!field(QStringLiteral("tlsGroup"))->isVisible(), "no TLS fields for redis://");
    for (const QString& tlsForm : {QStringLiteral("rediss+sentinel://127.0.0.1/shop"), QStringLiteral("rediss+cluster://127.0.0.1:7000")}) {
        type(QStringLiteral("urlField"), tlsForm);
        QTRY_VERIFY2(field(QStringLiteral("tlsGroup"))->isVisible(), qPrintable(tlsForm));
    }
    type(QStringLiteral("urlField"), QStringLiteral("redis+cluster://127.0.0.1:7000"));
    QTRY_VERIFY2(!field(QStringLiteral("tlsGroup"))->isVisible(), "no TLS fields for redis+cluster://");
    QMetaObject::invokeMethod(dialog(), "close");
    QTRY_VERIFY(!dialog()->property("visible").toBool());

    connectWith(QStringLiteral("rediss://127.0.0.1:%1").arg(server_->tlsPort()), certs_.path(QStringLiteral("ca.crt")), true, false);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(session_->users()->rowCount(), 7, kTimeoutMs);
    QVERIFY2(session_->target().endsWith(QStringLiteral("(TLS)")), qPrintable(session_->target()));
    QVERIFY2(!session_->target().contains(QStringLiteral("tls-ca")), qPrintable(session_->target()));
    QTRY_VERIFY(findQuickItem(window_->contentItem(), QStringLiteral("connectionStateLabel")) != nullptr);
}

void TestTlsUi::dialogShowsTheTlsFieldsAgain()
{
    openDialog();
    QCOMPARE(field(QStringLiteral("urlField"))->property("text").toString(),
             QStringLiteral("rediss://127.0.0.1:%1").arg(server_->tlsPort()));
    QCOMPARE(field(QStringLiteral("tlsCaField"))->property("text").toString(), certs_.path(QStringLiteral("ca.crt")));
    QCOMPARE(field(QStringLiteral("tlsCertField"))->property("text").toString(), certs_.path(QStringLiteral("client.crt")));
    QCOMPARE(field(QStringLiteral("tlsKeyField"))->property("text").toString(), certs_.path(QStringLiteral("client.key")));
    QVERIFY(!field(QStringLiteral("tlsInsecureCheck"))->property("checked").toBool());
    QMetaObject::invokeMethod(dialog(), "close");
    QTRY_VERIFY(!dialog()->property("visible").toBool());
}

void TestTlsUi::untrustedThenInsecure()
{
    const QString url = QStringLiteral("rediss://127.0.0.1:%1").arg(server_->tlsPort());
    connectWith(url, certs_.path(QStringLiteral("other-ca.crt")), true, false);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Failed, kTimeoutMs);
    QVERIFY2(session_->statusMessage().contains(QStringLiteral("not signed by a trusted CA")), qPrintable(session_->statusMessage()));

    const int logged = session_->notifications()->count();
    connectWith(url, certs_.path(QStringLiteral("other-ca.crt")), true, true);
    QTRY_COMPARE_WITH_TIMEOUT(session_->connectionState(), ShopSession::ConnectionState::Live, kTimeoutMs);
    QVERIFY2(session_->target().endsWith(QStringLiteral("(TLS, not verified)")), qPrintable(session_->target()));
    bool warned = false;
    for (int row = logged; row < session_->notifications()->count(); ++row)
        warned = warned || session_->notifications()->line(row).contains(QStringLiteral("TLS without verification"));
    QVERIFY2(warned, qPrintable(session_->notifications()->allText()));
}

QTEST_MAIN(TestTlsUi)
#include "test_tls_ui.moc"
