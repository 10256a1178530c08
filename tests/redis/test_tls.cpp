// TLS against real redis-servers with --tls-port and certificates made here by openssl
// (TestCertificates): the connection reads and writes over TLS exactly what it does over a
// plain socket (big replies too); shopstream-cli's catch-up, consume, append and snapshots
// over rediss:// equal the same commands over the plain socket; mutual TLS with a client
// certificate (and a passphrase-locked key); and each way it can go wrong (a CA that did not
// sign the server's certificate, another host name, an expired certificate, no client
// certificate, TLS to a plain port and plain to a TLS port) is one line naming the problem,
// exit 1.
#include "redis/connection.hpp"
#include "redis/flat_reply.hpp"
#include "cli_run.hpp"
#include "test_redis_server.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <memory>

using shop::redis::Connection;
using shop::redis::ErrorKind;
using shop::redis::RedisUrl;

class TestTls : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void connectionReadsTheSameOverTls();
    void cliOverTlsEqualsPlain();
    void mutualTls();
    void failuresNameTheProblem_data();
    void failuresNameTheProblem();
    void insecureConnectsAndSaysSo();

private:
    QStringList tlsArgs(const TestRedisServer& server, const QString& ca) const;

    QString cli_;
    TestCertificates certs_;
    std::unique_ptr<TestRedisServer> server_;  // server.crt; client certificates not asked for
    std::unique_ptr<TestRedisServer> mutual_;  // server.crt; a client certificate required
    std::unique_ptr<TestRedisServer> expired_; // expired.crt
};

QStringList TestTls::tlsArgs(const TestRedisServer& server, const QString& ca) const
{
    return {QStringLiteral("--redis"), QStringLiteral("rediss://127.0.0.1:%1").arg(server.tlsPort()), QStringLiteral("--tls-ca"), ca};
}

void TestTls::initTestCase()
{
    cli_ = qEnvironmentVariable("SHOPSTREAM_CLI");
    QVERIFY2(!cli_.isEmpty(), "SHOPSTREAM_CLI must name the shopstream-cli executable");
    QVERIFY2(certs_.make(), qPrintable(certs_.error()));
    const auto start = [&](std::unique_ptr<TestRedisServer>& server, const QString& cert, const QString& authClients) {
        TestRedisServer::Options options;
        options.tcp = true; // a plain port too, for the "TLS to a plain port" case
        options.tls = TestRedisServer::Tls{certs_.path(cert + QStringLiteral(".crt")), certs_.path(QStringLiteral("server.key")),
                                           certs_.path(QStringLiteral("ca.crt")), authClients};
        server = std::make_unique<TestRedisServer>(options);
        QVERIFY2(server->start(), qPrintable(server->error()));
    };
    start(server_, QStringLiteral("server"), QStringLiteral("no"));
    start(mutual_, QStringLiteral("server"), QStringLiteral("yes"));
    start(expired_, QStringLiteral("expired"), QStringLiteral("no"));
}

// The same commands over TLS and over the plain socket give the same replies, a reply much
// bigger than one TLS record (and than the read buffer) included, flat and as hiredis objects.
void TestTls::connectionReadsTheSameOverTls()
{
    Connection tls;
    QVERIFY2(tls.connect(server_->tlsUrl(certs_.path(QStringLiteral("ca.crt")))), tls.error().c_str());
    QVERIFY(tls.isTls());
    Connection plain;
    QVERIFY2(plain.connect(server_->url()), plain.error().c_str());
    QVERIFY(!plain.isTls());

    std::string big(3 * 1024 * 1024 + 17, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997)
        big[i] = char('a' + i % 26);
    shop::redis::Reply set = tls.command({"SET", "tls:big", big});
    QVERIFY(set && !set.isError());
    for (Connection* c : {&tls, &plain}) {
        const shop::redis::Reply got = c->command({"GET", "tls:big"});
        QVERIFY(got && !got.isError());
        QVERIFY(got.str() == big);
    }
    // A pipeline of XADDs over TLS, read back flat from both.
    for (int i = 0; i < 2000; ++i)
        QVERIFY(tls.append({"XADD", "tls:s", "*", "type", "TopUp", "data", std::to_string(i)}));
    for (int i = 0; i < 2000; ++i) {
        const shop::redis::Reply r = tls.getReply();
        QVERIFY2(r && !r.isError(), tls.error().c_str());
    }
    shop::redis::FlatReply viaTls, viaPlain;
    QVERIFY(tls.send({"XRANGE", "tls:s", "-", "+"}));
    QVERIFY(tls.readFlat(viaTls));
    QVERIFY(plain.send({"XRANGE", "tls:s", "-", "+"}));
    QVERIFY(plain.readFlat(viaPlain));
    const auto entry = [](const shop::redis::FlatReply& r, std::uint32_t i) { return r.node(r.child(r.root(), i)); };
    QCOMPARE(viaTls.root().length, 2000u);
    QCOMPARE(viaPlain.root().length, viaTls.root().length);
    for (std::uint32_t i = 0; i < 2000; i += 199) {
        const auto a = entry(viaTls, i), b = entry(viaPlain, i);
        QVERIFY(viaTls.text(viaTls.node(viaTls.child(a, 0))) == viaPlain.text(viaPlain.node(viaPlain.child(b, 0))));
        const auto fields = viaTls.node(viaTls.child(a, 1));
        QVERIFY(viaTls.text(viaTls.node(viaTls.child(fields, 3))) == std::to_string(i));
    }
    // After the flat read the connection reads hiredis objects again.
    const shop::redis::Reply len = tls.command({"XLEN", "tls:s"});
    QVERIFY(len && len.integer() == 2000);
}

// Catch-up (state from scratch), the consumer, an idempotent append and snapshots over
// rediss:// give what the same commands give over the plain socket.
void TestTls::cliOverTlsEqualsPlain()
{
    const QStringList tls = tlsArgs(*server_, certs_.path(QStringLiteral("ca.crt")));
    const QStringList plain{QStringLiteral("--redis"), server_->urlText()};
    const QStringList stream{QStringLiteral("--stream"), QStringLiteral("{tls}:events")};
    CliRun r = runCli(tls + stream + QStringList{QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("5000"),
                                           QStringLiteral("--seed"), QStringLiteral("7")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = runCli(tls + stream + QStringList{QStringLiteral("append"), QStringLiteral("--eid"), QStringLiteral("3f0c8a52-1111-4222-8333-944445555666"),
                                       QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":1234})")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QByteArray firstId = r.out.trimmed();
    r = runCli(tls + stream + QStringList{QStringLiteral("append"), QStringLiteral("--eid"), QStringLiteral("3f0c8a52-1111-4222-8333-944445555666"),
                                       QStringLiteral("TopUp"), QStringLiteral(R"({"userId":1,"amount":1234})")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.trimmed().contains(firstId.split(' ').last()) || r.out.trimmed() == firstId, qPrintable(r.describe()));

    const QStringList fromScratch{QStringLiteral("state"), QStringLiteral("--from-scratch"), QStringLiteral("--json")};
    const CliRun overTls = runCli(tls + stream + fromScratch);
    const CliRun overPlain = runCli(plain + stream + fromScratch);
    QVERIFY2(overTls.exitCode == 0, qPrintable(overTls.describe()));
    QVERIFY2(overPlain.exitCode == 0, qPrintable(overPlain.describe()));
    QCOMPARE(overTls.out, overPlain.out);
    const QJsonObject state = QJsonDocument::fromJson(overTls.out).object();
    QCOMPARE(state.value(QStringLiteral("events")).toObject().value(QStringLiteral("total")).toInteger(), 5001);

    // A snapshot saved over TLS; the state from it (TLS) equals the one from scratch (plain).
    r = runCli(tls + stream + QStringList{QStringLiteral("snapshot"), QStringLiteral("save")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const CliRun fromSnapshot = runCli(tls + stream + QStringList{QStringLiteral("state"), QStringLiteral("--json")});
    QVERIFY2(fromSnapshot.exitCode == 0, qPrintable(fromSnapshot.describe()));
    QJsonObject a = QJsonDocument::fromJson(fromSnapshot.out).object();
    QJsonObject b = QJsonDocument::fromJson(overPlain.out).object();
    a.remove(QStringLiteral("snapshot"));
    b.remove(QStringLiteral("snapshot"));
    QCOMPARE(a, b);
    r = runCli(tls + stream + QStringList{QStringLiteral("snapshot"), QStringLiteral("verify")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    // The consumer over TLS catches up to the same counts.
    r = runCli(tls + stream + QStringList{QStringLiteral("consume"), QStringLiteral("--until-caught-up"), QStringLiteral("--from-scratch"),
                                       QStringLiteral("--snapshot-every"), QStringLiteral("0")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("5001") || r.err.contains("5001") || r.out.contains("5,001"), qPrintable(r.describe()));
}

// A server that requires client certificates: refused without one (the line says what to
// give), served with one, and with a passphrase-locked key when the passphrase is given.
void TestTls::mutualTls()
{
    const QStringList base = tlsArgs(*mutual_, certs_.path(QStringLiteral("ca.crt")));
    const QStringList ping{QStringLiteral("events"), QStringLiteral("--json")};
    CliRun r = runCli(base + ping);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("client certificate") && r.err.contains("--tls-cert"), qPrintable(r.describe()));

    const QStringList withCert = base + QStringList{QStringLiteral("--tls-cert"), certs_.path(QStringLiteral("client.crt")),
                                                    QStringLiteral("--tls-key"), certs_.path(QStringLiteral("client.key"))};
    r = runCli(withCert + ping);
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    const QStringList locked = base + QStringList{QStringLiteral("--tls-cert"), certs_.path(QStringLiteral("client.crt")),
                                                  QStringLiteral("--tls-key"), certs_.path(QStringLiteral("client-locked.key"))};
    r = runCli(locked + ping);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine() && r.err.contains("client-locked.key") && r.err.contains("passphrase"), qPrintable(r.describe()));
    r = runCli(locked + ping, {QStringLiteral("SHOPSTREAM_TLS_KEY_PASSPHRASE=opensesame")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(!r.err.contains("opensesame"), qPrintable(r.describe()));

    // The same at the connection: the kind says retrying cannot help.
    Connection c;
    QVERIFY(!c.connect(mutual_->tlsUrl(certs_.path(QStringLiteral("ca.crt")))));
    QCOMPARE(int(c.errorKind()), int(ErrorKind::Tls));
    QVERIFY(shop::redis::isCredentialFailure(c.errorKind()));
}

void TestTls::failuresNameTheProblem_data()
{
    QTest::addColumn<QString>("which"); // the server: tls, expired
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("says");
    QTest::addColumn<QString>("names");

    QTest::newRow("wrong CA") << "tls" << QStringList{QStringLiteral("--tls-ca"), QStringLiteral("@other-ca.crt")}
                              << "not signed by a trusted CA" << "other-ca.crt";
    QTest::newRow("system CAs") << "tls" << QStringList{} << "not signed by a trusted CA" << "--tls-ca";
    QTest::newRow("wrong host name") << "tls"
                                     << QStringList{QStringLiteral("--tls-ca"), QStringLiteral("@ca.crt"), QStringLiteral("--tls-server-name"),
                                                    QStringLiteral("shop.example")}
                                     << "not for shop.example" << "--tls-server-name";
    QTest::newRow("expired") << "expired" << QStringList{QStringLiteral("--tls-ca"), QStringLiteral("@ca.crt")} << "expired" << "certificate";
    QTest::newRow("no CA file") << "tls" << QStringList{QStringLiteral("--tls-ca"), QStringLiteral("@missing.crt")}
                                << "cannot read the CA file" << "missing.crt";
    QTest::newRow("plain to the TLS port") << "plain-to-tls" << QStringList{} << "closed the connection" << "rediss://";
    QTest::newRow("TLS to the plain port") << "tls-to-plain" << QStringList{QStringLiteral("--tls-ca"), QStringLiteral("@ca.crt")}
                                           << "does not speak TLS" << "redis://";
}

// Each way TLS can go wrong is one line on stderr, exit 1, naming the problem and what to do.
void TestTls::failuresNameTheProblem()
{
    QFETCH(QString, which);
    QFETCH(QStringList, args);
    QFETCH(QString, says);
    QFETCH(QString, names);
    for (QString& a : args) {
        if (a.startsWith(QLatin1Char('@')))
            a = certs_.path(a.mid(1));
    }
    QString url = QStringLiteral("rediss://127.0.0.1:%1").arg((which == QLatin1String("expired") ? *expired_ : *server_).tlsPort());
    if (which == QLatin1String("plain-to-tls"))
        url = QStringLiteral("redis://127.0.0.1:%1").arg(server_->tlsPort());
    else if (which == QLatin1String("tls-to-plain"))
        url = QStringLiteral("rediss://127.0.0.1:%1").arg(server_->port());
    const CliRun r = runCli(QStringList{QStringLiteral("--redis"), url} + args + QStringList{QStringLiteral("state"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
    QVERIFY2(r.err.contains(says.toUtf8()), qPrintable(r.describe()));
    QVERIFY2(r.err.contains(names.toUtf8()), qPrintable(r.describe()));
    QVERIFY(r.out.isEmpty());
}

// --tls-insecure connects to a server whose certificate cannot be verified, and says every
// time that nothing was checked.
void TestTls::insecureConnectsAndSaysSo()
{
    const CliRun r = runCli({QStringLiteral("--redis"), QStringLiteral("rediss://127.0.0.1:%1").arg(expired_->tlsPort()), QStringLiteral("--tls-insecure"),
                       QStringLiteral("--tls-ca"), certs_.path(QStringLiteral("other-ca.crt")), QStringLiteral("events"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("warning: TLS without verification"), qPrintable(r.describe()));
    // A TLS option on a plain URL is a usage error.
    const CliRun plain = runCli({QStringLiteral("--redis"), server_->urlText(), QStringLiteral("--tls-insecure"), QStringLiteral("events")});
    QCOMPARE(plain.exitCode, 2);
    QVERIFY2(plain.err.contains("rediss://"), qPrintable(plain.describe()));
}

QTEST_GUILESS_MAIN(TestTls)
#include "test_tls.moc"
