// RedisUrl: the accepted URL forms (TLS options included), the errors for the rest, and that
// no password or key passphrase ever shows in an error text, in redacted() or in
// withoutCredentials().
#include "redis/keys.hpp"
#include "redis/redis_url.hpp"

#include <QTest>

using shop::redis::hashTag;
using shop::redis::hashTagAdvice;
using shop::redis::keySlot;
using shop::redis::RedisUrl;

class TestRedisUrl : public QObject {
    Q_OBJECT

private slots:
    void parsesValidForms_data();
    void parsesValidForms();
    void rejectsBadUrls_data();
    void rejectsBadUrls();
    void redactedHidesThePassword();
    void unixSocketFactory();
    void failedParseLeavesOutputAlone();
    void toStringParsesBack_data();
    void toStringParsesBack();
    void withoutCredentials();
    void tlsOptions();
    void tlsSecretsStayOut();
    void sentinelForms();
    void clusterForms();
    void hashTagsAndSlots();
};

void TestRedisUrl::parsesValidForms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("isUnix");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("db");

    QTest::newRow("host only") << "redis://example.org" << false << "example.org" << 6379 << "" << "" << "" << 0;
    QTest::newRow("host and port") << "redis://127.0.0.1:6390" << false << "127.0.0.1" << 6390 << "" << "" << "" << 0;
    QTest::newRow("db") << "redis://localhost:7000/3" << false << "localhost" << 7000 << "" << "" << "" << 3;
    QTest::newRow("trailing slash") << "redis://localhost/" << false << "localhost" << 6379 << "" << "" << "" << 0;
    QTest::newRow("password only") << "redis://:s3cret@h:1" << false << "h" << 1 << "" << "" << "s3cret" << 0;
    QTest::newRow("user and password") << "redis://alice:pw@h/2" << false << "h" << 6379 << "" << "alice" << "pw" << 2;
    QTest::newRow("no colon is a password") << "redis://pw@h" << false << "h" << 6379 << "" << "" << "pw" << 0;
    QTest::newRow("percent-decoding") << "redis://al%40ce:p%3Aw%2F%25@h" << false << "h" << 6379 << "" << "al@ce" << "p:w/%" << 0;
    QTest::newRow("raw @ and / in password") << "redis://:p@ss/w@h:5/1" << false << "h" << 5 << "" << "" << "p@ss/w" << 1;
    QTest::newRow("colon in password") << "redis://u:a:b@h" << false << "h" << 6379 << "" << "u" << "a:b" << 0;
    QTest::newRow("ipv6") << "redis://[::1]:6380/1" << false << "::1" << 6380 << "" << "" << "" << 1;
    QTest::newRow("ipv6 no port") << "redis://[fe80::1]" << false << "fe80::1" << 6379 << "" << "" << "" << 0;
    QTest::newRow("scheme case") << "REDIS://h:9" << false << "h" << 9 << "" << "" << "" << 0;
    QTest::newRow("escaped space in password") << "redis://:top%20secret@h" << false << "h" << 6379 << "" << "" << "top secret" << 0;
    QTest::newRow("db query") << "redis://h?db=4" << false << "h" << 6379 << "" << "" << "" << 4;
    QTest::newRow("unix") << "unix:///run/redis/redis.sock" << true << "127.0.0.1" << 6379 << "/run/redis/redis.sock" << "" << "" << 0;
    QTest::newRow("unix db") << "unix:///tmp/r.sock?db=5" << true << "127.0.0.1" << 6379 << "/tmp/r.sock" << "" << "" << 5;
    QTest::newRow("unix auth") << "unix://bob:x%20y@/tmp/r.sock" << true << "127.0.0.1" << 6379 << "/tmp/r.sock" << "bob" << "x y" << 0;
    QTest::newRow("tls") << "rediss://u:pw@h:6380/2" << false << "h" << 6380 << "" << "u" << "pw" << 2;
    QTest::newRow("tls options") << "rediss://h?tls-ca=/etc/ca%20x.pem&tls-cert=/c.pem&tls-key=/k.pem&tls-server-name=db.example&tls-insecure"
                                 << false << "h" << 6379 << "" << "" << "" << 0;
}

void TestRedisUrl::parsesValidForms()
{
    QFETCH(QString, text);
    QFETCH(bool, isUnix);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, socket);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(int, db);

    RedisUrl url;
    std::string error = "stale";
    QVERIFY2(RedisUrl::parse(text.toStdString(), url, error), error.c_str());
    QVERIFY(error.empty());
    QCOMPARE(url.kind == RedisUrl::Kind::Unix, isUnix);
    if (!isUnix) {
        QCOMPARE(QString::fromStdString(url.host), host);
        QCOMPARE(url.port, port);
    }
    QCOMPARE(QString::fromStdString(url.socketPath), socket);
    QCOMPARE(QString::fromStdString(url.user), user);
    QCOMPARE(QString::fromStdString(url.password), password);
    QCOMPARE(url.db, db);
}

void TestRedisUrl::rejectsBadUrls_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("empty") << "" << "empty";
    QTest::newRow("no scheme") << "localhost:6379" << "redis://";
    QTest::newRow("other scheme") << "http://h" << "'http'";
    QTest::newRow("tls option without tls") << "redis://h?tls-ca=/ca.pem" << "rediss://";
    QTest::newRow("tls option without value") << "rediss://h?tls-ca=" << "no value";
    QTest::newRow("tls-insecure value") << "rediss://h?tls-insecure=maybe" << "1 or 0";
    QTest::newRow("tls unknown option") << "rediss://h?tls-verify=no" << "'tls-verify'";
    QTest::newRow("sentinel without master") << "redis+sentinel://h1,h2" << "names no master";
    QTest::newRow("sentinel empty master") << "redis+sentinel://h1/" << "names no master";
    QTest::newRow("sentinel no host") << "redis+sentinel:///shop" << "no sentinel";
    QTest::newRow("sentinel trailing comma") << "redis+sentinel://h1,/shop" << "','";
    QTest::newRow("sentinel bad port") << "redis+sentinel://h1:0,h2/shop" << "invalid port";
    QTest::newRow("sentinel bad db") << "redis+sentinel://h1/shop/x" << "database";
    QTest::newRow("sentinel option on redis") << "redis://h?sentinel-user=u" << "redis+sentinel://";
    QTest::newRow("cluster no host") << "redis+cluster://" << "no node";
    QTest::newRow("cluster trailing comma") << "redis+cluster://h1," << "','";
    QTest::newRow("cluster db") << "redis+cluster://h1/2" << "only database 0";
    QTest::newRow("cluster db option") << "redis+cluster://h1?db=3" << "only database 0";
    QTest::newRow("sentinel option on cluster") << "redis+cluster://h1?sentinel-user=u" << "redis+sentinel://";
    QTest::newRow("no host") << "redis://:6379" << "no host";
    QTest::newRow("bad port") << "redis://h:port" << "invalid port 'port'";
    QTest::newRow("port 0") << "redis://h:0" << "invalid port";
    QTest::newRow("port too big") << "redis://h:65536" << "invalid port";
    QTest::newRow("empty port") << "redis://h:" << "no port";
    QTest::newRow("bad db") << "redis://h/abc" << "database";
    QTest::newRow("negative db") << "redis://h/-1" << "database";
    QTest::newRow("unknown option") << "redis://h?timeout=3" << "'timeout'";
    QTest::newRow("open ipv6") << "redis://[::1:6379" << "']'";
    QTest::newRow("relative unix") << "unix://tmp/r.sock" << "absolute path";
    QTest::newRow("unix bad db") << "unix:///tmp/r.sock?db=x" << "database";
    QTest::newRow("bad escape") << "redis://:topsecret%zz@h" << "%-escape";
    // Whitespace is a mistake (a pasted URL), never trimmed silently.
    QTest::newRow("leading space") << " redis://h:9" << "whitespace";
    QTest::newRow("trailing space") << "redis://h:9 " << "whitespace";
    QTest::newRow("trailing newline") << "redis://h:9\n" << "whitespace";
    QTest::newRow("only spaces") << "   " << "whitespace";
    QTest::newRow("tab in host") << "redis://h\t:9" << "whitespace";
    QTest::newRow("space in host") << "redis://my host:9" << "whitespace";
    QTest::newRow("space in password") << "redis://:top secret@h" << "%20";
    QTest::newRow("space in unix path") << "unix:///tmp/a b/r.sock" << "whitespace";
    QTest::newRow("space in db") << "redis://h/ 1" << "whitespace";
}

void TestRedisUrl::rejectsBadUrls()
{
    QFETCH(QString, text);
    QFETCH(QString, mentions);
    RedisUrl url;
    std::string error;
    QVERIFY(!RedisUrl::parse(text.toStdString(), url, error));
    const QString message = QString::fromStdString(error);
    QVERIFY2(message.contains(mentions), qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    QVERIFY2(!message.contains(QStringLiteral("topsecret")), qPrintable(message));
}

void TestRedisUrl::redactedHidesThePassword()
{
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse("redis://alice:topsecret@db.example:6390/2", url, error));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("redis://alice:***@db.example:6390/2"));

    QVERIFY(RedisUrl::parse("redis://:topsecret@h", url, error));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("redis://:***@h:6379"));

    QVERIFY(RedisUrl::parse("redis://[::1]:7000", url, error));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("redis://[::1]:7000"));

    QVERIFY(RedisUrl::parse("unix://:topsecret@/tmp/r.sock?db=3", url, error));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("unix://:***@/tmp/r.sock?db=3"));

    // The redacted text parses back to the same place (with the password replaced).
    RedisUrl again;
    QVERIFY(RedisUrl::parse(url.redacted(), again, error));
    QCOMPARE(again.socketPath, url.socketPath);
    QCOMPARE(again.db, url.db);
}

void TestRedisUrl::unixSocketFactory()
{
    const RedisUrl url = RedisUrl::unixSocket("/tmp/x.sock");
    QVERIFY(url.kind == RedisUrl::Kind::Unix);
    QCOMPARE(url.socketPath, std::string("/tmp/x.sock"));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("unix:///tmp/x.sock"));
}

void TestRedisUrl::failedParseLeavesOutputAlone()
{
    RedisUrl url;
    url.host = "kept";
    std::string error;
    QVERIFY(!RedisUrl::parse("redis://h:99999", url, error));
    QCOMPARE(url.host, std::string("kept"));
}

void TestRedisUrl::toStringParsesBack_data() { parsesValidForms_data(); }

// toString() hands a URL on with its credentials: it must read back to the same URL, however
// odd the user or password (characters the parser splits on are percent-encoded).
void TestRedisUrl::toStringParsesBack()
{
    QFETCH(QString, text);
    RedisUrl url;
    std::string error;
    QVERIFY2(RedisUrl::parse(text.toStdString(), url, error), error.c_str());
    RedisUrl again;
    QVERIFY2(RedisUrl::parse(url.toString(), again, error), error.c_str());
    QVERIFY2(again == url, url.redacted().c_str());

    // Credentials set in code (a dialog's user and password fields), not parsed from text.
    url.user = "a:b@c/d e";
    url.password = "p@ss:w/rd?%";
    QVERIFY2(RedisUrl::parse(url.toString(), again, error), error.c_str());
    QVERIFY2(again == url, url.redacted().c_str());
    url.user.clear();
    QVERIFY2(RedisUrl::parse(url.toString(), again, error), error.c_str());
    QVERIFY2(again == url, url.redacted().c_str());
}

void TestRedisUrl::withoutCredentials()
{
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse("redis://alice:topsecret@db.example:6390/2", url, error));
    QCOMPARE(QString::fromStdString(url.withoutCredentials()), QStringLiteral("redis://db.example:6390/2"));
    QCOMPARE(QString::fromStdString(url.toString()), QStringLiteral("redis://alice:topsecret@db.example:6390/2"));

    QVERIFY(RedisUrl::parse("redis://topsecret@[::1]", url, error));
    QCOMPARE(QString::fromStdString(url.withoutCredentials()), QStringLiteral("redis://[::1]:6379"));

    QVERIFY(RedisUrl::parse("unix://bob:topsecret@/tmp/r.sock?db=3", url, error));
    QCOMPARE(QString::fromStdString(url.withoutCredentials()), QStringLiteral("unix:///tmp/r.sock?db=3"));

    // It parses back to the same server, with no credentials.
    RedisUrl again;
    QVERIFY(RedisUrl::parse(url.withoutCredentials(), again, error));
    RedisUrl expected = url;
    expected.user.clear();
    expected.password.clear();
    QVERIFY(again == expected);
}

// rediss:// sets TLS and its options from the query; plain URLs have none.
void TestRedisUrl::tlsOptions()
{
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse("redis://h", url, error));
    QVERIFY(!url.tls);
    QVERIFY(RedisUrl::parse("RediSS://h:6390?tls-ca=/etc/ca%20x.pem&tls-cert=/c.pem&tls-key=/k.pem&tls-server-name=db.example&tls-insecure=0",
                            url, error));
    QVERIFY(url.tls);
    QCOMPARE(url.port, 6390);
    QCOMPARE(url.tlsOptions.caFile, std::string("/etc/ca x.pem"));
    QCOMPARE(url.tlsOptions.certFile, std::string("/c.pem"));
    QCOMPARE(url.tlsOptions.keyFile, std::string("/k.pem"));
    QCOMPARE(url.tlsOptions.serverName, std::string("db.example"));
    QVERIFY(!url.tlsOptions.insecure);
    QCOMPARE(QString::fromStdString(url.withoutCredentials()),
             QStringLiteral("rediss://h:6390?tls-ca=/etc/ca%20x.pem&tls-cert=/c.pem&tls-key=/k.pem&tls-server-name=db.example"));
    QVERIFY(RedisUrl::parse("rediss://h?tls-insecure", url, error));
    QVERIFY(url.tlsOptions.insecure);
    QCOMPARE(QString::fromStdString(url.address()), QStringLiteral("h:6379"));
}

// The key's passphrase travels in toString() only, like the password.
void TestRedisUrl::tlsSecretsStayOut()
{
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse("rediss://:topsecret@h?tls-cert=/c.pem&tls-key=/k.pem&tls-key-passphrase=key%26secret", url, error));
    QCOMPARE(url.tlsOptions.keyPassphrase, std::string("key&secret"));
    for (const std::string& shown : {url.redacted(), url.withoutCredentials()}) {
        QVERIFY2(shown.find("secret") == std::string::npos, shown.c_str());
        QVERIFY2(shown.find("tls-key=/k.pem") != std::string::npos, shown.c_str());
    }
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("rediss://:***@h:6379?tls-cert=/c.pem&tls-key=/k.pem&tls-key-passphrase=***"));
    RedisUrl again;
    QVERIFY(RedisUrl::parse(url.toString(), again, error));
    QVERIFY(again == url);
    QVERIFY(!RedisUrl::parse("rediss://h?tls-key-passphrase=topsecret%zz", again, error));
    QVERIFY2(error.find("topsecret") == std::string::npos, error.c_str());
}

// redis+sentinel:// and rediss+sentinel://: the sentinels (port 26379 by default), the
// master's name and db, the master's credentials and the sentinels' own; printed back,
// redacted and without credentials.
void TestRedisUrl::sentinelForms()
{
    RedisUrl url;
    std::string error;
    QVERIFY2(RedisUrl::parse("redis+sentinel://alice:topsecret@s1,[::1]:26380,s3:7000/my%20shop/2?sentinel-user=watch&sentinel-password=sentsecret",
                             url, error),
             error.c_str());
    QVERIFY(url.kind == RedisUrl::Kind::Sentinel);
    QVERIFY(!url.tls);
    QCOMPARE(url.endpoints.size(), std::size_t(3));
    QCOMPARE(url.endpoints[0].host, std::string("s1"));
    QCOMPARE(url.endpoints[0].port, 26379);
    QCOMPARE(url.endpoints[1].host, std::string("::1"));
    QCOMPARE(url.endpoints[1].port, 26380);
    QCOMPARE(url.endpoints[2].port, 7000);
    QCOMPARE(url.masterName, std::string("my shop"));
    QCOMPARE(url.db, 2);
    QCOMPARE(url.user, std::string("alice"));
    QCOMPARE(url.password, std::string("topsecret"));
    QCOMPARE(url.sentinelUser, std::string("watch"));
    QCOMPARE(url.sentinelPassword, std::string("sentsecret"));
    QCOMPARE(QString::fromStdString(url.address()), QStringLiteral("master my shop via s1:26379,[::1]:26380,s3:7000"));
    QCOMPARE(QString::fromStdString(url.redacted()),
             QStringLiteral("redis+sentinel://alice:***@s1:26379,[::1]:26380,s3:7000/my%20shop/2?sentinel-user=watch&sentinel-password=***"));
    QCOMPARE(QString::fromStdString(url.withoutCredentials()),
             QStringLiteral("redis+sentinel://s1:26379,[::1]:26380,s3:7000/my%20shop/2?sentinel-user=watch"));
    RedisUrl again;
    QVERIFY2(RedisUrl::parse(url.toString(), again, error), error.c_str());
    QVERIFY(again == url);

    QVERIFY(RedisUrl::parse("rediss+sentinel://h/shop?tls-ca=/ca.pem", url, error));
    QVERIFY(url.tls);
    QCOMPARE(url.tlsOptions.caFile, std::string("/ca.pem"));
    QCOMPARE(url.endpoints.size(), std::size_t(1));
    QVERIFY(RedisUrl::parse(url.toString(), again, error));
    QVERIFY(again == url);
}

// redis+cluster:// and rediss+cluster://: the nodes to start from (port 6379 by default),
// credentials, TLS options; printed back, redacted and without credentials.
void TestRedisUrl::clusterForms()
{
    RedisUrl url;
    std::string error;
    QVERIFY2(RedisUrl::parse("redis+cluster://alice:topsecret@n1,[::1]:7001,n3:7002", url, error), error.c_str());
    QVERIFY(url.kind == RedisUrl::Kind::Cluster);
    QVERIFY(!url.tls);
    QCOMPARE(url.endpoints.size(), std::size_t(3));
    QCOMPARE(url.endpoints[0].host, std::string("n1"));
    QCOMPARE(url.endpoints[0].port, 6379);
    QCOMPARE(url.endpoints[1].host, std::string("::1"));
    QCOMPARE(url.endpoints[1].port, 7001);
    QCOMPARE(url.endpoints[2].port, 7002);
    QCOMPARE(url.user, std::string("alice"));
    QCOMPARE(url.password, std::string("topsecret"));
    QCOMPARE(url.db, 0);
    QCOMPARE(QString::fromStdString(url.address()), QStringLiteral("cluster via n1:6379,[::1]:7001,n3:7002"));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("redis+cluster://alice:***@n1:6379,[::1]:7001,n3:7002"));
    QCOMPARE(QString::fromStdString(url.withoutCredentials()), QStringLiteral("redis+cluster://n1:6379,[::1]:7001,n3:7002"));
    RedisUrl again;
    QVERIFY2(RedisUrl::parse(url.toString(), again, error), error.c_str());
    QVERIFY(again == url);

    QVERIFY2(RedisUrl::parse("rediss+cluster://h:7000/0?tls-ca=/ca.pem&tls-key-passphrase=pp", url, error), error.c_str());
    QVERIFY(url.tls);
    QCOMPARE(url.tlsOptions.caFile, std::string("/ca.pem"));
    QCOMPARE(url.endpoints.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(url.redacted()), QStringLiteral("rediss+cluster://h:7000?tls-ca=/ca.pem&tls-key-passphrase=***"));
    QVERIFY(RedisUrl::parse(url.toString(), again, error));
    QVERIFY(again == url);
}

// Redis Cluster's hash tag rule and slot function, with the values Redis gives (CLUSTER
// KEYSLOT; test_cluster asks a real node for many more).
void TestRedisUrl::hashTagsAndSlots()
{
    QCOMPARE(hashTag("{shop}:events"), std::string_view("shop"));
    QCOMPARE(hashTag("shop:events"), std::string_view());
    QCOMPARE(hashTag("foo{}{bar}"), std::string_view());        // the first '{' decides; "{}" is no tag
    QCOMPARE(hashTag("foo{{bar}}zap"), std::string_view("{bar"));
    QCOMPARE(hashTag("foo{bar}{zap}"), std::string_view("bar"));
    QCOMPARE(hashTag("{unclosed"), std::string_view());
    QCOMPARE(keySlot("foo"), 12182);
    QCOMPARE(keySlot("bar"), 5061);
    QCOMPARE(keySlot("123456789"), 0x31C3 & 16383); // CRC16/XMODEM's check value
    QCOMPARE(keySlot("{shop}:events"), keySlot("shop"));
    QCOMPARE(keySlot("{shop}:events:snapshots"), keySlot("{shop}:events:eid:1234"));
    QCOMPARE(keySlot(""), 0);
    QVERIFY(hashTagAdvice("{shop}:events").empty());
    const std::string advice = hashTagAdvice("orders");
    QVERIFY2(advice.find("{orders} instead of orders") != std::string::npos, advice.c_str());
}

QTEST_APPLESS_MAIN(TestRedisUrl)
#include "test_redis_url.moc"
