// Eight processes appending to one stream at once: six append_worker children (StreamWriter,
// known eids, every 10th appended twice) and two loops of `shopstream-cli append --eid`
// (each eid sent twice). Every event is accounted for exactly once: XLEN equals the number
// of distinct eids, each eid is in the stream once, its eid key names that entry, every
// retry came back as a duplicate with the first id, and the consumer counts XLEN entries.
#include "reliability_support.hpp"
#include "test_redis_server.hpp"

#include "redis/keys.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <map>
#include <memory>

using namespace reliability;
using shop::redis::Connection;

class TestConcurrentAppends : public QObject {
    Q_OBJECT

private slots:
    void eightProcessesAppendAtOnce();
};

void TestConcurrentAppends::eightProcessesAppendAtOnce()
{
    TestRedisServer server;
    QVERIFY2(server.start(), qPrintable(server.error()));
    const QString stream = QStringLiteral("rel:concurrent");
    constexpr int kWorkers = 6, kPerWorker = 1500, kCliLoops = 2, kPerCliLoop = 40;

    std::vector<std::unique_ptr<QProcess>> children;
    for (int w = 0; w < kWorkers; ++w) {
        auto p = std::make_unique<QProcess>();
        p->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        p->setProgram(QStringLiteral(APPEND_WORKER));
        p->setArguments({server.urlText(), stream, QString::number(w + 1), QString::number(kPerWorker)});
        children.push_back(std::move(p));
    }
    // The CLI loops: one shell each, every eid appended twice.
    for (int l = 0; l < kCliLoops; ++l) {
        auto p = std::make_unique<QProcess>();
        p->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        p->setProgram(QStringLiteral("/bin/sh"));
        // Values come in through the environment (no QString::arg over printf formats).
        const QString script = QStringLiteral(
            "i=0; while [ $i -lt $N ]; do e=$(printf 'cccccc%02d-2222-4000-8000-%012d' $L $i); "
            "for t in 1 2; do r=$(\"$CLI\" --redis \"$URL\" --stream \"$STREAM\" append TopUp \"{\\\"userId\\\":$((i+1)),\\\"amount\\\":1}\" "
            "--eid $e 2>&1) || { echo \"$r\" >&2; exit 1; }; d=0; case \"$r\" in *\"appended before\"*) d=1;; esac; "
            "echo \"$e $(echo \"$r\" | tail -n 1) $d\"; done; i=$((i+1)); done");
        p->setArguments({QStringLiteral("-c"), script});
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CLI"), cliPath());
        env.insert(QStringLiteral("N"), QString::number(kPerCliLoop));
        env.insert(QStringLiteral("L"), QString::number(l));
        env.insert(QStringLiteral("URL"), server.urlText());
        env.insert(QStringLiteral("STREAM"), stream);
        p->setProcessEnvironment(env);
        children.push_back(std::move(p));
    }
    for (auto& p : children)
        p->start();
    std::map<std::string, std::vector<std::pair<std::string, bool>>> answers; // eid -> (id, duplicate) per append
    for (std::size_t i = 0; i < children.size(); ++i) {
        QProcess& p = *children[i];
        QVERIFY(p.waitForFinished(90000));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                 qPrintable(QStringLiteral("child %1: %2").arg(i).arg(QString::fromUtf8(p.readAllStandardError()))));
        const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
        for (const QByteArray& line : lines) {
            const QList<QByteArray> parts = line.trimmed().split(' ');
            if (parts.size() >= 2)
                answers[parts[0].toStdString()].emplace_back(parts[1].toStdString(), parts.size() > 2 && parts[2] == "1");
        }
    }
    const int expectedEids = kWorkers * kPerWorker + kCliLoops * kPerCliLoop;
    QCOMPARE(int(answers.size()), expectedEids);

    Connection c;
    QVERIFY2(c.connect(server.url()), c.error().c_str());
    const std::string key = stream.toStdString();
    QCOMPARE(xlen(c, key), qint64(expectedEids));

    std::map<std::string, std::vector<std::string>> idsByEid;
    std::string after = "-";
    for (;;) {
        const shop::redis::Reply page = c.command({"XRANGE", key, after, "+", "COUNT", "5000"});
        const shop::redis::ReplyView list(page.raw());
        if (list.size() == 0)
            break;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string id(list[i][0].str());
            const shop::redis::ReplyView fields = list[i][1];
            for (std::size_t f = 0; f + 1 < fields.size(); f += 2)
                if (fields[f].str() == "eid")
                    idsByEid[std::string(fields[f + 1].str())].push_back(id);
            after = "(" + id;
        }
    }
    QCOMPARE(int(idsByEid.size()), expectedEids);
    int retries = 0;
    for (const auto& [eid, replies] : answers) {
        const auto found = idsByEid.find(eid);
        QVERIFY2(found != idsByEid.end() && found->second.size() == 1,
                 qPrintable(QStringLiteral("eid %1 is not in the stream exactly once").arg(QString::fromStdString(eid))));
        const std::string& id = found->second.front();
        QVERIFY(!replies.front().second); // the first append is new
        for (const auto& [replyId, duplicate] : replies) {
            QCOMPARE(QString::fromStdString(replyId), QString::fromStdString(id));
            if (&replyId != &replies.front().first) {
                QVERIFY(duplicate);
                ++retries;
            }
        }
        const shop::redis::Reply record = c.command({"GET", shop::redis::eidKey(key, eid)});
        QVERIFY(record && record.isString());
        QCOMPARE(QString::fromStdString(std::string(record.str())), QString::fromStdString(id));
    }
    QCOMPARE(retries, kWorkers * (kPerWorker / 10) + kCliLoops * kPerCliLoop);

    const CliResult state = runCli({QStringLiteral("--redis"), server.urlText(), QStringLiteral("--stream"), stream,
                                    QStringLiteral("state"), QStringLiteral("--json")});
    QVERIFY2(state.ok(), qPrintable(state.describe()));
    const QJsonObject events = QJsonDocument::fromJson(state.out).object().value(QStringLiteral("events")).toObject();
    QCOMPARE(events.value(QStringLiteral("total")).toInteger(), qint64(expectedEids));
    QCOMPARE(events.value(QStringLiteral("applied")).toInteger(), qint64(expectedEids)); // all TopUps apply
    qInfo("8 processes: %d distinct eids, %d retries answered as duplicates, XLEN %d", expectedEids, retries, expectedEids);
}

QTEST_GUILESS_MAIN(TestConcurrentAppends)
#include "test_concurrent_appends.moc"
