// Connection against real redis-servers: unix socket and TCP, AUTH with a password and with
// an ACL user, SELECT, clear and quick errors for refused / wrong / missing credentials, a
// stopped (paused) server, and reconnecting after the server was killed and restarted.
// Every failure also has a kind (ErrorKind), checked against real servers' replies.
#include "redis/connection.hpp"
#include "redis/error_kind.hpp"
#include "redis/server_facts.hpp"
#include "redis/transaction.hpp"
#include "test_redis_server.hpp"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTest>

using shop::redis::ConnectOptions;
using shop::redis::Connection;
using shop::redis::ErrorKind;
using shop::redis::RedisUrl;

namespace {
QString text(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

TestRedisServer::Options serverOptions(bool tcp, QStringList extraArgs = {})
{
    TestRedisServer::Options options;
    options.tcp = tcp;
    options.extraArgs = std::move(extraArgs);
    return options;
}
} // namespace

class TestConnection : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void connectsOverUnixSocket();
    void connectsOverTcpAndIsBinarySafe();
    void pipelinesCommands();
    void selectsTheDatabase();
    void refusedConnectionSaysWhatToCheck();
    void authenticatesWithPassword();
    void missingOrWrongPasswordFailsClearlyAndQuickly();
    void authenticatesAsAclUser();
    void unansweredCommandTimesOut();
    void killedServerGivesClearErrorThenReconnects();
    void moveKeepsTheConnection();
    void errorRepliesHaveKinds();
    void credentialFailuresHaveKinds();
    void connectsToAServerThatCannotWriteToItsDisk();
    void transactionReportsTheRefusedCommandsOwnError();
    void warnsWhenTheServerEvictsKeys();
    void viewerModeSendsNoWrites();

private:
    TestRedisServer server_{serverOptions(true)};
};

void TestConnection::initTestCase() { QVERIFY2(server_.start(), qPrintable(server_.error())); }

void TestConnection::connectsOverUnixSocket()
{
    Connection c;
    QVERIFY2(c.connect(RedisUrl::unixSocket(server_.socketPath().toStdString())), c.error().c_str());
    QVERIFY(c.isConnected());
    shop::redis::Reply r = c.command({"PING"});
    QVERIFY(r.isString());
    QCOMPARE(text(r.str()), QStringLiteral("PONG"));
}

void TestConnection::connectsOverTcpAndIsBinarySafe()
{
    Connection c;
    QVERIFY2(c.connect(server_.url()), c.error().c_str());
    const std::string value("a\0b\r\n c", 7);
    QVERIFY(c.command({"SET", std::string_view("bin\0key", 7), value}).isString());
    shop::redis::Reply r = c.command({"GET", std::string_view("bin\0key", 7)});
    QVERIFY(r.isString());
    QCOMPARE(std::string(r.str()), value);

    // Many arguments (more than fit the stack argv) through the vector overload.
    std::vector<std::string> items;
    for (int i = 0; i < 40; ++i)
        items.push_back(std::to_string(i));
    std::vector<std::string_view> args{"RPUSH", "many"};
    args.insert(args.end(), items.begin(), items.end());
    shop::redis::Reply pushed = c.command(args);
    QVERIFY(pushed.isInteger());
    QCOMPARE(pushed.integer(), 40);
    shop::redis::Reply missing = c.command({"GET", "no-such-key"});
    QVERIFY(missing && missing.isNull());
}

void TestConnection::pipelinesCommands()
{
    Connection c;
    QVERIFY2(c.connect(server_.url()), c.error().c_str());
    c.command({"DEL", "counter"});
    for (int i = 0; i < 500; ++i)
        QVERIFY(c.append({"INCR", "counter"}));
    for (int i = 1; i <= 500; ++i) {
        shop::redis::Reply r = c.getReply();
        QVERIFY(r.isInteger());
        QCOMPARE(r.integer(), i);
    }
    QVERIFY(c.isConnected());
}

void TestConnection::selectsTheDatabase()
{
    RedisUrl url = server_.url();
    url.db = 5;
    Connection five;
    QVERIFY2(five.connect(url), five.error().c_str());
    QVERIFY(five.command({"SET", "where", "five"}).isString());

    Connection zero;
    QVERIFY(zero.connect(server_.url()));
    QVERIFY(zero.command({"GET", "where"}).isNull());
    QCOMPARE(text(five.command({"GET", "where"}).str()), QStringLiteral("five"));

    url.db = 4000;
    Connection bad;
    QVERIFY(!bad.connect(url));
    QVERIFY2(text(bad.error()).contains(QStringLiteral("cannot select database 4000")), bad.error().c_str());
    QVERIFY(!bad.isConnected());
}

void TestConnection::refusedConnectionSaysWhatToCheck()
{
    // A port that was free a moment ago: nothing listens there.
    TestRedisServer probe(serverOptions(true));
    QVERIFY(probe.start());
    const RedisUrl url = probe.url();
    probe.stop();

    Connection c;
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!c.connect(url));
    QVERIFY(timer.elapsed() < 2000);
    const QString error = text(c.error());
    QVERIFY2(error.contains(QStringLiteral("cannot connect to redis at 127.0.0.1:%1").arg(url.port)), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("Connection refused")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("is redis-server running?")), qPrintable(error));
    QCOMPARE(c.errorKind(), ErrorKind::Unreachable);

    Connection u;
    QVERIFY(!u.connect(RedisUrl::unixSocket("/nonexistent/redis.sock")));
    QVERIFY2(text(u.error()).contains(QStringLiteral("/nonexistent/redis.sock")), u.error().c_str());
    QVERIFY2(text(u.error()).contains(QStringLiteral("is redis-server running?")), u.error().c_str());

    // Commands on a connection that never came up fail with a reason, not a crash.
    QVERIFY(!u.command({"PING"}));
    QVERIFY(!u.error().empty());
}

void TestConnection::authenticatesWithPassword()
{
    TestRedisServer secured(serverOptions(false, {"--requirepass", "s3cret-pw"}));
    QVERIFY2(secured.start(), qPrintable(secured.error()));
    RedisUrl url = secured.url();
    url.password = "s3cret-pw";
    Connection c;
    QVERIFY2(c.connect(url), c.error().c_str());
    QCOMPARE(text(c.command({"PING"}).str()), QStringLiteral("PONG"));

    // Password and db together: AUTH comes before SELECT.
    url.db = 2;
    QVERIFY2(c.connect(url), c.error().c_str());
    QVERIFY(c.command({"SET", "k", "v"}).isString());
}

void TestConnection::missingOrWrongPasswordFailsClearlyAndQuickly()
{
    TestRedisServer secured(serverOptions(true, {"--requirepass", "s3cret-pw"}));
    QVERIFY2(secured.start(), qPrintable(secured.error()));
    const QString where = QStringLiteral("127.0.0.1:%1").arg(secured.port());

    QElapsedTimer timer;
    timer.start();
    Connection missing;
    QVERIFY(!missing.connect(secured.url()));
    QString error = text(missing.error());
    QVERIFY2(error.contains(QStringLiteral("redis at %1 requires a password (NOAUTH)").arg(where)), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("redis://:PASSWORD@")), qPrintable(error));
    QVERIFY(!missing.isConnected());

    RedisUrl url = secured.url();
    url.password = "not-the-password";
    Connection wrong;
    QVERIFY(!wrong.connect(url));
    error = text(wrong.error());
    QVERIFY2(error.contains(QStringLiteral("redis at %1 refused the credentials").arg(where)), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("WRONGPASS")), qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("not-the-password")), qPrintable(error));
    QVERIFY(!error.contains(QLatin1Char('\n')));
    QVERIFY(timer.elapsed() < 3000);

    // A password for a server that has none says so.
    Connection extra;
    url = server_.url();
    url.password = "unneeded";
    QVERIFY(!extra.connect(url));
    QVERIFY2(text(extra.error()).contains(QStringLiteral("has no password set")), extra.error().c_str());
    QVERIFY(!text(extra.error()).contains(QStringLiteral("unneeded")));
}

void TestConnection::authenticatesAsAclUser()
{
    Connection admin;
    QVERIFY(admin.connect(server_.url()));
    shop::redis::Reply r = admin.command({"ACL", "SETUSER", "alice", "reset", "on", ">alice-pw", "~*", "+@all"});
    QVERIFY2(r.isString(), r.str().data());

    RedisUrl url;
    std::string parseError;
    QVERIFY(RedisUrl::parse(QStringLiteral("redis://alice:alice-pw@127.0.0.1:%1/1").arg(server_.port()).toStdString(), url,
                            parseError));
    Connection alice;
    QVERIFY2(alice.connect(url), alice.error().c_str());
    QCOMPARE(text(alice.command({"ACL", "WHOAMI"}).str()), QStringLiteral("alice"));

    url.password = "wrong";
    Connection wrong;
    QVERIFY(!wrong.connect(url));
    QVERIFY2(text(wrong.error()).contains(QStringLiteral("refused the credentials: WRONGPASS")), wrong.error().c_str());

    // A disabled user is refused the same way.
    QVERIFY(admin.command({"ACL", "SETUSER", "alice", "off"}).isString());
    url.password = "alice-pw";
    QVERIFY(!wrong.connect(url));
    QVERIFY2(text(wrong.error()).contains(QStringLiteral("WRONGPASS")), wrong.error().c_str());
}

void TestConnection::unansweredCommandTimesOut()
{
    TestRedisServer stuck;
    QVERIFY2(stuck.start(), qPrintable(stuck.error()));
    Connection c;
    QVERIFY(c.connect(stuck.url(), ConnectOptions{.connectTimeoutMs = 1000, .commandTimeoutMs = 300}));
    stuck.pause();
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!c.command({"PING"}));
    QVERIFY(timer.elapsed() < 2000);
    QVERIFY2(text(c.error()).contains(QStringLiteral("did not answer within 300 ms")), c.error().c_str());
    QCOMPARE(c.errorKind(), ErrorKind::Timeout);
    QVERIFY(!c.isConnected());
    stuck.resume();
    QVERIFY2(c.reconnect(), c.error().c_str());
    QCOMPARE(text(c.command({"PING"}).str()), QStringLiteral("PONG"));
}

void TestConnection::killedServerGivesClearErrorThenReconnects()
{
    TestRedisServer victim(serverOptions(true));
    QVERIFY2(victim.start(), qPrintable(victim.error()));
    Connection c;
    QVERIFY(c.connect(victim.url()));
    QVERIFY(c.command({"SET", "k", "v"}).isString());

    victim.kill();
    QVERIFY(!c.command({"GET", "k"}));
    const QString error = text(c.error());
    QVERIFY2(error.contains(QStringLiteral("127.0.0.1:%1").arg(victim.port())), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("closed the connection")) || error.contains(QStringLiteral("lost the connection")),
             qPrintable(error));
    QCOMPARE(c.errorKind(), ErrorKind::Closed);
    QVERIFY(!c.isConnected());
    QVERIFY(!c.command({"PING"})); // still down: no crash, same kind of answer
    QCOMPARE(c.errorKind(), ErrorKind::Closed);
    QVERIFY(!c.reconnect());
    QCOMPARE(c.errorKind(), ErrorKind::Unreachable);
    QVERIFY2(text(c.error()).contains(QStringLiteral("is redis-server running?")), c.error().c_str());

    QVERIFY2(victim.start(), qPrintable(victim.error())); // same port again
    QVERIFY2(c.reconnect(), c.error().c_str());
    QVERIFY(c.isConnected());
    QCOMPARE(c.errorKind(), ErrorKind::None);
    QCOMPARE(text(c.command({"PING"}).str()), QStringLiteral("PONG"));
}

void TestConnection::moveKeepsTheConnection()
{
    Connection a;
    QVERIFY(a.connect(server_.url()));
    Connection b(std::move(a));
    QVERIFY(b.isConnected());
    QCOMPARE(text(b.command({"PING"}).str()), QStringLiteral("PONG"));
    Connection c;
    c = std::move(b);
    QCOMPARE(text(c.command({"PING"}).str()), QStringLiteral("PONG"));
}

namespace {
// "WrongType (WRONGTYPE Operation against ...)": what a failed comparison shows.
QString kindOf(const shop::redis::Reply& reply)
{
    return QStringLiteral("%1 (%2)").arg(QLatin1String(shop::redis::errorKindName(reply.errorKind())), text(reply.str()));
}
} // namespace

void TestConnection::errorRepliesHaveKinds()
{
    // The replies below are real servers' own: the kind must not depend on how a message is
    // worded after its code.
    Connection admin;
    QVERIFY(admin.connect(server_.url()));
    QCOMPARE(admin.errorKind(), ErrorKind::None);

    QVERIFY(admin.command({"SET", "kinds:string", "x"}).isString());
    const auto wrongType = admin.command({"XADD", "kinds:string", "*", "f", "v"});
    QVERIFY2(wrongType.errorKind() == ErrorKind::WrongType, qPrintable(kindOf(wrongType)));
    const auto noScript = admin.command({"EVALSHA", "0123456789012345678901234567890123456789", "0"});
    QVERIFY2(noScript.errorKind() == ErrorKind::NoScript, qPrintable(kindOf(noScript)));
    const auto pong = admin.command({"PING"});
    QCOMPARE(pong.errorKind(), ErrorKind::None);

    // ACL refusals: a command the user may not run, and a write inside a script it may run.
    QVERIFY(admin.command({"ACL", "SETUSER", "kinds-reader", "reset", "on", ">pw", "~*", "+@read", "+@connection"}).isString());
    QVERIFY(admin.command({"ACL", "SETUSER", "kinds-scripter", "reset", "on", ">pw", "~*", "+@all", "-@write"}).isString());
    for (const char* user : {"kinds-reader", "kinds-scripter"}) {
        RedisUrl url = server_.url();
        url.user = user;
        url.password = "pw";
        Connection limited;
        QVERIFY2(limited.connect(url), limited.error().c_str());
        const auto refused = std::string_view(user) == "kinds-reader"
                                 ? limited.command({"XADD", "kinds:s", "*", "f", "v"})
                                 : limited.command({"EVAL", "return redis.call('XADD', KEYS[1], '*', 'f', 'v')", "1", "kinds:s"});
        QVERIFY2(refused.errorKind() == ErrorKind::PermissionDenied, qPrintable(kindOf(refused)));
    }

    // READONLY from a replica of server_.
    TestRedisServer replica(serverOptions(false, {"--replicaof", "127.0.0.1", QString::number(server_.port())}));
    QVERIFY2(replica.start(), qPrintable(replica.error()));
    Connection toReplica;
    QVERIFY2(toReplica.connect(replica.url()), toReplica.error().c_str());
    const auto readOnly = toReplica.command({"SET", "kinds:k", "v"});
    QVERIFY2(readOnly.errorKind() == ErrorKind::ReadOnlyReplica, qPrintable(kindOf(readOnly)));

    // OOM at maxmemory with noeviction.
    TestRedisServer full(serverOptions(false, {"--maxmemory", "1", "--maxmemory-policy", "noeviction"}));
    QVERIFY2(full.start(), qPrintable(full.error()));
    Connection toFull;
    QVERIFY2(toFull.connect(full.url()), toFull.error().c_str());
    const auto oom = toFull.command({"SET", "kinds:k", "v"});
    QVERIFY2(oom.errorKind() == ErrorKind::OutOfMemory, qPrintable(kindOf(oom)));

    // MISCONF: the server cannot persist, so it refuses writes (and PING).
    TestRedisServer disk;
    QVERIFY2(disk.start(), qPrintable(disk.error()));
    Connection toDisk;
    QVERIFY2(toDisk.connect(disk.url()), toDisk.error().c_str());
    const QString broken = refuseWritesLikeAFullDisk(toDisk, disk.dataDir());
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    const auto misconf = toDisk.command({"XADD", "kinds:s", "*", "f", "v"});
    QVERIFY2(misconf.errorKind() == ErrorKind::Misconf, qPrintable(kindOf(misconf)));
    QVERIFY(undoRefuseWrites(toDisk, disk.dataDir()).isEmpty());

    // LOADING needs a data set that takes long to load; its reply as Redis 7 words it.
    QCOMPARE(shop::redis::classifyErrorReply("LOADING Redis is loading the dataset in memory"), ErrorKind::Loading);
    QCOMPARE(shop::redis::classifyErrorReply("ERR unknown command 'FOO'"), ErrorKind::Other);
}

void TestConnection::credentialFailuresHaveKinds()
{
    TestRedisServer secured(serverOptions(false, {"--requirepass", "s3cret-pw"}));
    QVERIFY2(secured.start(), qPrintable(secured.error()));

    Connection missing;
    QVERIFY(!missing.connect(secured.url()));
    QCOMPARE(missing.errorKind(), ErrorKind::PasswordRequired);

    RedisUrl url = secured.url();
    url.password = "not-the-password";
    Connection wrong;
    QVERIFY(!wrong.connect(url));
    QCOMPARE(wrong.errorKind(), ErrorKind::AuthRefused);

    url = server_.url();
    url.password = "unneeded";
    Connection extra;
    QVERIFY(!extra.connect(url));
    QCOMPARE(extra.errorKind(), ErrorKind::AuthRefused);

    // What a consumer asks before it retries: only credentials make retrying pointless.
    QVERIFY(shop::redis::isCredentialFailure(missing.errorKind()));
    QVERIFY(shop::redis::isCredentialFailure(wrong.errorKind()));
    for (ErrorKind kind : {ErrorKind::None, ErrorKind::Unreachable, ErrorKind::Timeout, ErrorKind::Closed,
                           ErrorKind::PermissionDenied, ErrorKind::Loading, ErrorKind::Misconf})
        QVERIFY2(!shop::redis::isCredentialFailure(kind), shop::redis::errorKindName(kind));
}

void TestConnection::connectsToAServerThatCannotWriteToItsDisk()
{
    // Redis refuses even PING with MISCONF when it cannot persist; the handshake took that
    // for a dead server, so every read failed too. Reads work: XRANGE, XINFO, GET.
    TestRedisServer disk;
    QVERIFY2(disk.start(), qPrintable(disk.error()));
    Connection admin;
    QVERIFY(admin.connect(disk.url()));
    QVERIFY(admin.command({"XADD", "disk:s", "*", "f", "v"}).isString());
    QVERIFY(admin.command({"SET", "disk:k", "kept"}).isString());
    QVERIFY(shop::redis::serverWarnings(admin).empty());
    const QString broken = refuseWritesLikeAFullDisk(admin, disk.dataDir());
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    const auto restore = qScopeGuard([&] { undoRefuseWrites(admin, disk.dataDir()); });

    Connection c;
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(c.connect(disk.url()), c.error().c_str());
    QVERIFY(timer.elapsed() < 1000);
    QCOMPARE(c.command({"XRANGE", "disk:s", "-", "+"}).size(), std::size_t(1));
    QVERIFY(c.command({"XINFO", "STREAM", "disk:s"}).isArray());
    QCOMPARE(text(c.command({"GET", "disk:k"}).str()), QStringLiteral("kept"));
    QCOMPARE(c.command({"XADD", "disk:s", "*", "f", "v"}).errorKind(), ErrorKind::Misconf);
    QVERIFY(c.isConnected());

    // Said once, with its cause and where: the server's own directory.
    const shop::redis::ServerFacts facts = shop::redis::readServerFacts(c);
    QVERIFY2(facts.diskRefusal.starts_with("MISCONF "), facts.diskRefusal.c_str());
    const std::vector<std::string> warnings = shop::redis::serverWarnings(c);
    QCOMPARE(warnings.size(), std::size_t(1));
    const QString warning = QString::fromStdString(warnings.front());
    const QString dir = QFileInfo(disk.dataDir()).canonicalFilePath();
    QVERIFY2(warning.startsWith(QStringLiteral("redis-server cannot write to its disk at %1: reads work, writes are "
                                               "refused (MISCONF Redis is configured to save RDB snapshots")
                                    .arg(dir)),
             qPrintable(warning));
    QVERIFY(!warning.contains(QLatin1Char('\n')));

    // Without the directory (a user that may not run CONFIG), the sentence goes without it.
    QVERIFY(admin.command({"ACL", "SETUSER", "disk-reader", "reset", "on", ">pw", "~*", "+@read", "+@connection"}).isString());
    RedisUrl url = disk.url();
    url.user = "disk-reader";
    url.password = "pw";
    Connection reader;
    QVERIFY2(reader.connect(url), reader.error().c_str());
    const std::vector<std::string> readerWarnings = shop::redis::serverWarnings(reader);
    QCOMPARE(readerWarnings.size(), std::size_t(1));
    QVERIFY2(readerWarnings.front().starts_with("redis-server cannot write to its disk: reads work, writes are refused (MISCONF"),
             readerWarnings.front().c_str());
    // ... unless the caller knows it (the managed server's data directory).
    QVERIFY2(shop::redis::serverWarnings(reader, "/known/dir").front().starts_with("redis-server cannot write to its disk at /known/dir:"),
             shop::redis::serverWarnings(reader, "/known/dir").front().c_str());

    QVERIFY(undoRefuseWrites(admin, disk.dataDir()).isEmpty());
    QVERIFY(shop::redis::serverWarnings(c).empty());
}

void TestConnection::transactionReportsTheRefusedCommandsOwnError()
{
    using shop::redis::Transaction;
    TestRedisServer own;
    QVERIFY2(own.start(), qPrintable(own.error()));
    Connection c;
    QVERIFY(c.connect(own.url()));

    {
        Transaction tx(c);
        QVERIFY(tx.queue({"SET", "tx:a", "1"}));
        QVERIFY(tx.queue({"ZADD", "tx:z", "1", "a"}));
        const shop::redis::TransactionResult result = tx.exec();
        QVERIFY2(result.ok(), result.error.c_str());
        QCOMPARE(result.replies.size(), std::size_t(2));
        QCOMPARE(result.kind, ErrorKind::None);
    }
    {
        // A WATCHed key changed: nothing ran, and that is no error but a reason to retry.
        QVERIFY(c.command({"WATCH", "tx:z"}).isString());
        Connection other;
        QVERIFY(other.connect(own.url()));
        QVERIFY(other.command({"ZADD", "tx:z", "2", "b"}).isInteger());
        Transaction tx(c);
        QVERIFY(tx.queue({"SET", "tx:a", "2"}));
        const shop::redis::TransactionResult result = tx.exec();
        QVERIFY(result.watchAborted && !result.committed && !result.ok());
        QCOMPARE(text(c.command({"GET", "tx:a"}).str()), QStringLiteral("1"));
    }
    {
        // Inside EXEC a command can still fail (the ones before it ran): said, with its kind.
        QVERIFY(c.command({"SET", "tx:string", "x"}).isString());
        Transaction tx(c);
        QVERIFY(tx.queue({"SET", "tx:a", "3"}));
        QVERIFY(tx.queue({"ZADD", "tx:string", "1", "a"}));
        const shop::redis::TransactionResult result = tx.exec();
        QVERIFY(result.committed && !result.ok());
        QCOMPARE(result.kind, ErrorKind::WrongType);
        QVERIFY2(result.error.starts_with("ZADD failed inside the transaction (WRONGTYPE"), result.error.c_str());
    }
    {
        // A command refused while queued (an ACL): its NOPERM, not EXECABORT; nothing ran.
        QVERIFY(c.command({"ACL", "SETUSER", "tx-user", "reset", "on", ">pw", "~*", "+@all", "-zadd"}).isString());
        RedisUrl url = own.url();
        url.user = "tx-user";
        url.password = "pw";
        Connection limited;
        QVERIFY2(limited.connect(url), limited.error().c_str());
        Transaction tx(limited);
        QVERIFY(tx.queue({"SET", "tx:b", "1"}));
        QVERIFY(tx.queue({"ZADD", "tx:z", "3", "c"}));
        const shop::redis::TransactionResult result = tx.exec();
        QVERIFY(!result.committed && !result.ok());
        QCOMPARE(result.kind, ErrorKind::PermissionDenied);
        QVERIFY2(result.error.starts_with("ZADD was refused (NOPERM"), result.error.c_str());
        QVERIFY2(result.error.find("EXECABORT") == std::string::npos, result.error.c_str());
        QVERIFY(limited.command({"GET", "tx:b"}).isNull());
        QVERIFY(limited.isConnected());
    }
    {
        // Never executed: discarded, and the connection stays in step.
        Transaction tx(c);
        QVERIFY(tx.queue({"SET", "tx:a", "never"}));
    }
    QCOMPARE(text(c.command({"GET", "tx:a"}).str()), QStringLiteral("3"));
    {
        // The disk: what the snapshot store saw as "EXECABORT Transaction discarded".
        const QString broken = refuseWritesLikeAFullDisk(c, own.dataDir());
        QVERIFY2(broken.isEmpty(), qPrintable(broken));
        const auto restore = qScopeGuard([&] { undoRefuseWrites(c, own.dataDir()); });
        Transaction tx(c);
        QVERIFY(tx.queue({"SET", "tx:a", "4"}));
        QVERIFY(tx.queue({"ZADD", "tx:z", "4", "d"}));
        const shop::redis::TransactionResult result = tx.exec();
        QVERIFY(!result.committed && !result.ok());
        QCOMPARE(result.kind, ErrorKind::Misconf);
        const QString expected = QStringLiteral("redis-server cannot write to its disk at %1: reads work, writes are refused (MISCONF ")
                                     .arg(QFileInfo(own.dataDir()).canonicalFilePath());
        QVERIFY2(QString::fromStdString(result.error).startsWith(expected), result.error.c_str());
        QVERIFY(c.isConnected());
    }
}

void TestConnection::warnsWhenTheServerEvictsKeys()
{
    // Under memory pressure a server that evicts takes the eid records first (they expire),
    // so a retried append is written twice; allkeys-* may take the stream itself.
    TestRedisServer evicting(serverOptions(false, {"--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"}));
    QVERIFY2(evicting.start(), qPrintable(evicting.error()));
    Connection admin;
    QVERIFY(admin.connect(evicting.url()));
    QCOMPARE(shop::redis::readServerFacts(admin).evictionPolicy, std::string("allkeys-lru"));
    std::vector<std::string> warnings = shop::redis::serverWarnings(admin);
    QCOMPARE(warnings.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(warnings.front()),
             QStringLiteral("redis at %1 evicts keys under memory pressure (maxmemory-policy allkeys-lru): stream entries, "
                            "snapshots and idempotency records can be lost; set maxmemory-policy noeviction")
                 .arg(evicting.socketPath()));

    // A user who may not run CONFIG reads the policy from INFO memory; one who may run
    // neither hears nothing (no guess).
    QVERIFY(admin.command({"ACL", "SETUSER", "evict-info", "reset", "on", ">pw", "~*", "+@read", "+@connection", "+info"}).isString());
    QVERIFY(admin.command({"ACL", "SETUSER", "evict-blind", "reset", "on", ">pw", "~*", "+@read", "+@connection"}).isString());
    for (const char* user : {"evict-info", "evict-blind"}) {
        RedisUrl url = evicting.url();
        url.user = user;
        url.password = "pw";
        Connection limited;
        QVERIFY2(limited.connect(url), limited.error().c_str());
        QVERIFY(limited.command({"CONFIG", "GET", "maxmemory-policy"}).errorKind() == ErrorKind::PermissionDenied);
        const std::vector<std::string> seen = shop::redis::serverWarnings(limited);
        if (std::string_view(user) == "evict-info") {
            QCOMPARE(seen, warnings);
        } else {
            QVERIFY(limited.command({"INFO", "memory"}).errorKind() == ErrorKind::PermissionDenied);
            QVERIFY(seen.empty());
        }
    }

    // volatile-*: only keys with an expiry go, of ours the idempotency records.
    QVERIFY(admin.command({"CONFIG", "SET", "maxmemory-policy", "volatile-lru"}).isString());
    warnings = shop::redis::serverWarnings(admin);
    QCOMPARE(warnings.size(), std::size_t(1));
    QVERIFY2(warnings.front().find("(maxmemory-policy volatile-lru): idempotency records can be lost, and a retried append "
                                   "then written twice; set maxmemory-policy noeviction")
                 != std::string::npos,
             warnings.front().c_str());

    QVERIFY(admin.command({"CONFIG", "SET", "maxmemory-policy", "noeviction"}).isString());
    QVERIFY(shop::redis::serverWarnings(admin).empty());
    QCOMPARE(shop::redis::readServerFacts(admin).evictionPolicy, std::string("noeviction"));
}

// Viewer mode: every command that could write is refused here, before it reaches the
// server, with its own kind; reads go on, on the same connection, across a reconnect.
void TestConnection::viewerModeSendsNoWrites()
{
    using shop::redis::Transaction;
    TestRedisServer own;
    QVERIFY2(own.start(), qPrintable(own.error()));
    Connection writer;
    QVERIFY(writer.connect(own.url()));
    QVERIFY(writer.command({"XADD", "s", "1-1", "k", "v"}).isString());

    Connection c;
    QVERIFY(c.connect(own.url()));
    c.setViewOnly(true);
    for (const std::vector<std::string_view>& write :
         {std::vector<std::string_view>{"XADD", "s", "*", "k", "v"}, {"set", "a", "1"}, {"DEL", "s"}, {"ZADD", "z", "1", "m"},
          {"EVALSHA", "0000", "0"}, {"EVAL", "return 1", "0"}, {"CONFIG", "SET", "maxmemory", "1"}, {"FLUSHALL"},
          {"XTRIM", "s", "MAXLEN", "0"}, {"SCRIPT", "FLUSH"}}) {
        shop::redis::Reply r = c.command(write);
        QVERIFY2(r.isError(), write.front().data());
        QCOMPARE(r.errorKind(), ErrorKind::ViewOnly);
        QVERIFY2(text(r.str()).contains(QStringLiteral("viewer mode")), r.str().data());
        QVERIFY(c.isConnected());
    }
    // A pipelined write is not queued either, and the connection stays in step.
    QVERIFY(!c.append({"SET", "a", "1"}));
    QCOMPARE(c.errorKind(), ErrorKind::ViewOnly);
    QVERIFY(c.isConnected());
    {
        Transaction tx(c);
        QVERIFY(!tx.queue({"SET", "a", "1"}));
    }
    QVERIFY(c.reconnect());
    QVERIFY(c.viewOnly());
    QVERIFY(c.command({"DEL", "s"}).isError());
    // Reads still work, and the server holds exactly what it held.
    shop::redis::Reply range = c.command({"XRANGE", "s", "-", "+"});
    QVERIFY(range.isArray());
    QCOMPARE(range.size(), std::size_t(1));
    QCOMPARE(c.command({"CONFIG", "GET", "maxmemory"}).size(), std::size_t(2));
    QCOMPARE(writer.command({"DBSIZE"}).integer(), 1);
    QCOMPARE(writer.command({"XLEN", "s"}).integer(), 1);
    shop::redis::Reply maxmemory = writer.command({"CONFIG", "GET", "maxmemory"});
    QCOMPARE(text(shop::redis::ReplyView(maxmemory.raw())[1].str()), QStringLiteral("0"));
    QVERIFY(Connection::isReadCommand("xrange"));
    QVERIFY(!Connection::isReadCommand("XADD"));
    QVERIFY(Connection::isReadCommand("CONFIG", "get"));
    QVERIFY(!Connection::isReadCommand("CONFIG", "REWRITE"));
}

QTEST_GUILESS_MAIN(TestConnection)
#include "test_connection.moc"
