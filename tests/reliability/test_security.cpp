// Credentials and permissions: a read-only ACL user browses and replays (`state`, `events`,
// the GUI's session catching up) while edits (`append`, ShopSession::submit through the
// CommandWriter) are refused in plain words and the session turns read-only; wrong
// credentials end with one clear line (CLI) or failed() (consumer), quickly, never a hang.
// Passwords never show: not in the CLI's output with every shopstream log category on
// (QT_LOGGING_RULES="shopstream.*=true"), not in this process's log messages, not on any
// child's command line (/proc/<pid>/cmdline of the CLI and of the managed redis-server and
// its guardian), not in the QSettings file of recent connections, not in
// RedisUrl::redacted() or the consumer's target description.
#include "connection_settings.hpp"
#include "shop_session.hpp"

#include "consumer_recorder.hpp"
#include "engine/connection_target.hpp"
#include "reliability_support.hpp"
#include "test_redis_server.hpp"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <mutex>

using namespace reliability;
using shop::redis::Connection;
using shop::redis::RedisUrl;

namespace {

const QByteArray kServerPassword = "Srv-pass-4711-q";
const QByteArray kReaderPassword = "Rd-pass-0815-z";
const QByteArray kWrongPassword = "Wrong-pass-9999-k";
const QByteArray kSettingsPassword = "Set-pass-1234-y";

std::mutex gLogMutex;
QStringList gLog;
QtMessageHandler gPrevious = nullptr;

void captureMessages(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    {
        std::lock_guard lock(gLogMutex);
        gLog << message;
    }
    if (gPrevious)
        gPrevious(type, context, message);
}

QByteArray cmdlineOf(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// pids of this user's processes whose command line contains `needle`.
QList<qint64> processesWith(const QByteArray& needle)
{
    QList<qint64> out;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (ok && cmdlineOf(pid).contains(needle))
            out << pid;
    }
    return out;
}

bool containsAnyPassword(const QByteArray& text)
{
    return text.contains(kServerPassword) || text.contains(kReaderPassword) || text.contains(kWrongPassword)
           || text.contains(kSettingsPassword);
}

} // namespace

class TestSecurity : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void readOnlyUserBrowsesButCannotAppend();
    void readOnlySessionSaysSoAndTurnsReadOnly();
    void wrongCredentialsFailClearlyAndQuickly();
    void passwordFromEnvironmentNeverShows();
    void managedServerChildrenCarryNoPassword();
    void rememberedConnectionsHoldNoPassword();
    void redactedUrlsHideThePassword();

private:
    QString url(const QByteArray& user, const QByteArray& password) const
    {
        return QStringLiteral("redis://%1:%2@127.0.0.1:%3").arg(QString::fromUtf8(user), QString::fromUtf8(password)).arg(server_.port());
    }

    static TestRedisServer::Options withPassword()
    {
        TestRedisServer::Options options;
        options.tcp = true;
        options.extraArgs = {QStringLiteral("--requirepass"), QString::fromUtf8(kServerPassword)};
        return options;
    }
    TestRedisServer server_{withPassword()};
    const QString stream_ = QStringLiteral("rel:secure");
    QByteArray adminState_;
};

void TestSecurity::initTestCase()
{
    gPrevious = qInstallMessageHandler(captureMessages);
    QLoggingCategory::setFilterRules(QStringLiteral("shopstream.*=true")); // everything we log, captured
    shop::engine::registerEngineMetaTypes();
    QVERIFY2(!cliPath().isEmpty(), "SHOPSTREAM_CLI is not set");
    QVERIFY2(server_.start(), qPrintable(server_.error()));
    Connection admin;
    RedisUrl adminUrl = server_.url();
    adminUrl.password = kServerPassword.toStdString();
    QVERIFY2(admin.connect(adminUrl), admin.error().c_str());
    // A user who may read everything and write nothing.
    const shop::redis::Reply r = admin.command({"ACL", "SETUSER", "reader", "reset", "on", ">" + kReaderPassword.toStdString(), "~*",
                                                "+@read", "+@connection", "-@write", "-@scripting"});
    QVERIFY2(r.isString(), std::string(r.str()).c_str());

    const CliResult produced = runCli({QStringLiteral("--redis"), url("default", kServerPassword), QStringLiteral("--stream"), stream_,
                                       QStringLiteral("produce"), QStringLiteral("--events"), QStringLiteral("2000")});
    QVERIFY2(produced.ok(), qPrintable(produced.describe()));
    const CliResult state = runCli({QStringLiteral("--redis"), url("default", kServerPassword), QStringLiteral("--stream"), stream_,
                                    QStringLiteral("state"), QStringLiteral("--json")});
    QVERIFY2(state.ok(), qPrintable(state.describe()));
    adminState_ = state.out;
}

void TestSecurity::cleanupTestCase()
{
    qInstallMessageHandler(gPrevious);
    std::lock_guard lock(gLogMutex);
    QVERIFY(!gLog.isEmpty());
    for (const QString& line : std::as_const(gLog))
        QVERIFY2(!containsAnyPassword(line.toUtf8()), qPrintable(QStringLiteral("a log message holds a password: ") + line));
}

void TestSecurity::readOnlyUserBrowsesButCannotAppend()
{
    const QStringList base{QStringLiteral("--redis"), url("reader", kReaderPassword), QStringLiteral("--stream"), stream_};
    const CliResult state = runCli(QStringList(base) << QStringLiteral("state") << QStringLiteral("--json"));
    QVERIFY2(state.ok(), qPrintable(state.describe()));
    QVERIFY(state.out == adminState_);
    const CliResult events = runCli(QStringList(base) << QStringLiteral("events") << QStringLiteral("--count") << QStringLiteral("5"));
    QVERIFY2(events.ok(), qPrintable(events.describe()));
    QCOMPARE(events.out.count('\n'), 5);
    const CliResult replay = runCli(QStringList(base) << QStringLiteral("consume") << QStringLiteral("--until-caught-up")
                                                      << QStringLiteral("--snapshot-every") << QStringLiteral("0"));
    QVERIFY2(replay.ok() && replay.out.contains("caught up: 2000 events"), qPrintable(replay.describe()));

    const CliResult append = runCli(QStringList(base) << QStringLiteral("append") << QStringLiteral("TopUp")
                                                      << QStringLiteral(R"({"userId":1,"amount":5})"));
    QCOMPARE(append.exitCode, 1);
    QVERIFY2(append.oneErrorLine(), qPrintable(append.describe()));
    QVERIFY2(append.err.contains("the server does not permit writing to rel:secure for this user"), qPrintable(append.describe()));
    QVERIFY(append.out.isEmpty());
    for (const CliResult* r : {&state, &events, &replay, &append})
        QVERIFY(!containsAnyPassword(r->out + r->err));
}

void TestSecurity::readOnlySessionSaysSoAndTurnsReadOnly()
{
    QTemporaryDir dataDir;
    shop::app::ShopSession session(nullptr);
    shop::app::SessionOptions options;
    options.redisUrl = url("reader", kReaderPassword);
    options.stream = stream_;
    options.dataDir = dataDir.path();
    options.snapshotIntervalMs = 0;
    QVERIFY(session.start(options));
    QTRY_VERIFY_WITH_TIMEOUT(session.caughtUp(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(session.totalEvents(), qint64(2000), 10000); // the GUI drains batches in slices
    QVERIFY(!session.readOnly());
    QVERIFY2(!containsAnyPassword(session.target().toUtf8()), qPrintable(session.target()));
    // What the Connection dialog starts from: the address and the user, no password (not a
    // redacted one either, which connecting again unchanged would send).
    const QVariantMap current = session.currentConnection();
    QCOMPARE(current.value(QStringLiteral("user")).toString(), QStringLiteral("reader"));
    const QString currentUrl = current.value(QStringLiteral("url")).toString();
    QVERIFY2(!containsAnyPassword(currentUrl.toUtf8()) && !currentUrl.contains(QLatin1Char('*'))
                 && !currentUrl.contains(QLatin1Char('@')),
             qPrintable(currentUrl));
    QCOMPARE(session.checkUrl(currentUrl), QString());

    QSignalSpy finished(&session, &shop::app::ShopSession::commandFinished);
    QSignalSpy readOnlyChanged(&session, &shop::app::ShopSession::readOnlyChanged);
    const QString requestId = session.submit(QStringLiteral("TopUp"), {{QStringLiteral("userId"), 1}, {QStringLiteral("amount"), 500}});
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    const QList<QVariant> args = finished.first();
    QCOMPARE(args.at(0).toString(), requestId);
    QCOMPARE(args.at(1).toBool(), false);
    const QString message = args.at(3).toString();
    QVERIFY2(message.contains(QStringLiteral("does not permit")), qPrintable(message));
    QVERIFY2(!containsAnyPassword(message.toUtf8()), qPrintable(message));
    QVERIFY(session.readOnly());
    QCOMPARE(readOnlyChanged.size(), 1);
    QCOMPARE(session.totalEvents(), qint64(2000)); // nothing was appended
    session.stop();
}

void TestSecurity::wrongCredentialsFailClearlyAndQuickly()
{
    // The CLI: one line, exit 1, in well under the command timeout.
    for (const QString& u : {url("reader", kWrongPassword), url("nobody", kWrongPassword),
                             QStringLiteral("redis://127.0.0.1:%1").arg(server_.port())}) {
        const CliResult r = runCli({QStringLiteral("--redis"), u, QStringLiteral("--stream"), stream_, QStringLiteral("state")}, 20000);
        QVERIFY2(r.finished && r.exitCode == 1, qPrintable(r.describe()));
        QVERIFY2(r.oneErrorLine(), qPrintable(r.describe()));
        QVERIFY2(r.err.contains("refused the credentials") || r.err.contains("requires a password"), qPrintable(r.describe()));
        QVERIFY2(!containsAnyPassword(r.out + r.err), qPrintable(r.describe()));
        QVERIFY2(r.elapsedMs < 5000, qPrintable(r.describe()));
    }

    // The consumer: failed() with the server's reason, no retrying.
    RedisUrl wrong = server_.url();
    wrong.user = "reader";
    wrong.password = kWrongPassword.toStdString();
    shop::engine::ConsumerOptions options;
    options.url = wrong;
    options.targetDescription = QString::fromStdString(wrong.redacted());
    options.stream = stream_.toStdString();
    QElapsedTimer timer;
    timer.start();
    shop::engine::ConsumerThread consumer(options);
    ConsumerRecorder r;
    r.attach(consumer.worker());
    consumer.start();
    QTRY_VERIFY_WITH_TIMEOUT(!r.failures.isEmpty(), 5000);
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY2(r.failures.first().contains(QStringLiteral("refused the credentials")), qPrintable(r.failures.first()));
    QVERIFY(!containsAnyPassword(r.failures.first().toUtf8()));
    for (const auto& s : r.statuses)
        QVERIFY(!containsAnyPassword((s.message + s.target).toUtf8()));
    consumer.shutdown();
}

void TestSecurity::passwordFromEnvironmentNeverShows()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SHOPSTREAM_REDIS_PASSWORD"), QString::fromUtf8(kServerPassword));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("shopstream.*=true"));
    const QString plainUrl = QStringLiteral("redis://127.0.0.1:%1").arg(server_.port());
    const QStringList base{QStringLiteral("--redis"), plainUrl, QStringLiteral("--stream"), stream_};

    const CliResult state = runCli(QStringList(base) << QStringLiteral("state") << QStringLiteral("--json"), 30000, env);
    QVERIFY2(state.ok(), qPrintable(state.describe()));
    QVERIFY(state.out == adminState_);
    QVERIFY(!containsAnyPassword(state.out + state.err));

    // A long-running consumer: its command line, and everything it prints with debug logs on.
    QProcess consume;
    prepareChild(consume, env);
    consume.setArguments(QStringList(base) << QStringLiteral("consume") << QStringLiteral("--snapshot-every") << QStringLiteral("1"));
    consume.start();
    QVERIFY(consume.waitForStarted(5000));
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (!out.contains("snapshot saved") && timer.elapsed() < 15000) {
        consume.waitForReadyRead(100);
        out += consume.readAllStandardOutput();
    }
    QVERIFY2(out.contains("snapshot saved"), out.constData());
    const QByteArray cmdline = cmdlineOf(consume.processId());
    QVERIFY(cmdline.contains("consume"));
    QVERIFY2(!containsAnyPassword(cmdline), cmdline.constData());
    consume.terminate();
    QVERIFY(consume.waitForFinished(10000));
    out += consume.readAllStandardOutput();
    const QByteArray err = consume.readAllStandardError();
    QVERIFY2(err.contains("shopstream.consumer: connected to"), err.constData()); // the categories did print
    QVERIFY2(!containsAnyPassword(out + err), (out + err).constData());

    // Wrong and missing passwords with debug logs on: still nothing.
    env.insert(QStringLiteral("SHOPSTREAM_REDIS_PASSWORD"), QString::fromUtf8(kWrongPassword));
    const CliResult wrong = runCli(QStringList(base) << QStringLiteral("consume") << QStringLiteral("--until-caught-up"), 20000, env);
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(!containsAnyPassword(wrong.out + wrong.err), qPrintable(wrong.describe()));
}

void TestSecurity::managedServerChildrenCarryNoPassword()
{
    // No --redis: the managed local server (and its guardian) started by the CLI.
    QTemporaryDir dataDir;
    QVERIFY(dataDir.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SHOPSTREAM_REDIS_PASSWORD"), QString::fromUtf8(kServerPassword));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("shopstream.*=true"));
    QProcess consume;
    prepareChild(consume, env);
    consume.setArguments({QStringLiteral("--data-dir"), dataDir.path(), QStringLiteral("consume")});
    consume.start();
    QVERIFY(consume.waitForStarted(5000));
    const QByteArray needle = dataDir.path().toUtf8();
    // CLI, redis-server and guardian. Counting processes is not enough: a daemonizing
    // redis-server is briefly two processes, before the guardian is started.
    QByteArray all;
    bool sawServer = false, sawGuardian = false;
    const auto look = [&] {
        all.clear();
        sawServer = sawGuardian = false;
        for (qint64 pid : processesWith(needle)) {
            const QByteArray cmdline = cmdlineOf(pid);
            all += cmdline + '\n';
            sawServer = sawServer || cmdline.startsWith("redis-server") || cmdline.contains("/redis-server");
            sawGuardian = sawGuardian || cmdline.startsWith("flock") || cmdline.contains("redis-cli");
        }
        return sawServer && sawGuardian;
    };
    // The guardian comes through `setsid -f` and an exec, so one look can catch it half made
    // (an empty command line): wait for two good looks in a row. Every command line seen on
    // the way is checked for passwords too.
    QByteArray seen;
    QElapsedTimer waited;
    waited.start();
    int goodLooks = 0;
    while (goodLooks < 2 && consume.state() == QProcess::Running && waited.elapsed() < 15000) {
        goodLooks = look() ? goodLooks + 1 : 0;
        seen += all;
        if (goodLooks < 2)
            QTest::qWait(50);
    }
    QVERIFY2(goodLooks == 2, qPrintable(QStringLiteral("after %1 ms: server %2, guardian %3; processes:\n%4\nthe CLI (%5): %6")
                                          .arg(waited.elapsed())
                                          .arg(sawServer)
                                          .arg(sawGuardian)
                                          .arg(QString::fromUtf8(QByteArray(all).replace('\0', ' ')),
                                               consume.state() == QProcess::Running ? QStringLiteral("running")
                                                                                    : QStringLiteral("ended"),
                                               QString::fromUtf8(consume.readAllStandardOutput()
                                                                 + consume.readAllStandardError()))));
    all = seen;
    QVERIFY2(!containsAnyPassword(all), all.replace('\0', ' ').constData());
    consume.terminate();
    QVERIFY(consume.waitForFinished(10000));
    const QByteArray output = consume.readAllStandardOutput() + consume.readAllStandardError();
    QVERIFY2(!containsAnyPassword(output), output.constData());
    // The last client gone, the guardian stops the server: nothing of ours is left.
    QTRY_VERIFY_WITH_TIMEOUT(processesWith(needle).isEmpty(), 15000);
}

void TestSecurity::rememberedConnectionsHoldNoPassword()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("shopstream-reliability-test"));
    QCoreApplication::setApplicationName(QStringLiteral("test_security"));
    QSettings().clear();
    const QString withPassword = QStringLiteral("redis://bob:%1@db.example:6380/2").arg(QString::fromUtf8(kSettingsPassword));
    shop::app::ConnectionSettings::remember({withPassword, QStringLiteral("bob"), QStringLiteral("orders")});
    shop::app::ConnectionSettings::remember({QStringLiteral("redis://:%1@other:6379").arg(QString::fromUtf8(kSettingsPassword)),
                                             QString(), QStringLiteral("shop:events")});
    const QList<shop::app::RecentConnection> recent = shop::app::ConnectionSettings::recent();
    QCOMPARE(recent.size(), 2);
    QCOMPARE(recent.at(1).url, QStringLiteral("redis://db.example:6380/2")); // the user is kept apart
    QCOMPARE(recent.at(1).user, QStringLiteral("bob"));
    for (const auto& r : recent)
        QVERIFY2(!containsAnyPassword((r.url + r.user + r.stream).toUtf8()), qPrintable(r.url));

    QSettings settings;
    settings.sync();
    const QString file = settings.fileName();
    QFile f(file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(file));
    const QByteArray contents = f.readAll();
    QVERIFY2(contents.contains("db.example"), contents.constData()); // the right file
    QVERIFY2(!contents.contains(kSettingsPassword), contents.constData());
    f.close();
    QFile::remove(file);
}

void TestSecurity::redactedUrlsHideThePassword()
{
    RedisUrl url;
    std::string error;
    QVERIFY(RedisUrl::parse("redis://bob:" + kSettingsPassword.toStdString() + "@db.example:6380/2", url, error));
    QCOMPARE(url.password, kSettingsPassword.toStdString());
    const QString redacted = QString::fromStdString(url.redacted());
    QVERIFY2(!redacted.contains(QString::fromUtf8(kSettingsPassword)), qPrintable(redacted));
    QVERIFY2(redacted.contains(QStringLiteral("***")), qPrintable(redacted));
    QVERIFY(redacted.contains(QStringLiteral("db.example")));

    // A parse error does not echo the password either.
    QVERIFY(!RedisUrl::parse("redis://bob:" + kSettingsPassword.toStdString() + "@db.example:notaport", url, error));
    QVERIFY2(!QByteArray::fromStdString(error).contains(kSettingsPassword), error.c_str());

    // What the consumer shows as its target.
    shop::engine::ConnectionTarget target;
    QVERIFY(target.resolve(QStringLiteral("redis://bob:%1@db.example:6380").arg(QString::fromUtf8(kSettingsPassword)), QString()));
    QVERIFY2(!target.describe().contains(QString::fromUtf8(kSettingsPassword)), qPrintable(target.describe()));
}

QTEST_MAIN(TestSecurity)
#include "test_security.moc"
