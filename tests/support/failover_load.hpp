// A failover under load, for the Sentinel and Cluster suites: a writer that appends with
// eids and WAIT, each retried with its own eid until acknowledged, while the test kills and
// restarts servers between appends; a consumer (shopstream-cli consume) that follows it; and
// the checks afterwards.
#pragma once

#include "cli_run.hpp"
#include "redis/connection.hpp"
#include "redis/keys.hpp"
#include "redis/stream_writer.hpp"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QProcess>
#include <QString>
#include <QThread>

#include <functional>
#include <map>
#include <string>

struct FailoverLoad {
    std::map<std::string, std::string> acknowledged; // eid -> entry id
    int retries = 0;                                  // appends that failed and were sent again
    QString error;                                    // an append not acknowledged within 30 s
};

// `count` TopUps of user 3 through `connection`. Before append i, `before(i)` runs and returns
// how many replicas must confirm it (WAIT, 1 s; 0 while there is none: no WAIT).
inline FailoverLoad appendThroughAFailover(shop::redis::Connection& connection, const std::string& stream, int count,
                                           const std::function<int(int)>& before)
{
    FailoverLoad load;
    shop::redis::StreamWriter writer(connection, stream);
    for (int i = 0; i < count; ++i) {
        const int replicas = before(i);
        writer.setWaitReplicas(replicas, 1000); // none: no WAIT at all, rather than a second's wait for nobody
        shop::redis::AppendRequest request{.type = "TopUp", .data = R"({"userId":3,"amount":)" + std::to_string(100 + i) + "}",
                                           .eid = shop::redis::StreamWriter::newEid(), .actor = "test", .legacy = false};
        QDeadlineTimer deadline(30000);
        for (;;) {
            const shop::redis::AppendResult result = writer.append(request);
            if (result.ok && (replicas == 0 || result.replicasConfirmed >= replicas)) {
                load.acknowledged[request.eid] = result.id;
                break;
            }
            if (deadline.hasExpired()) {
                load.error = QStringLiteral("append %1 not acknowledged within 30 s: %2").arg(i).arg(QString::fromStdString(result.error));
                return load;
            }
            ++load.retries;
            QThread::msleep(200);
            if (!connection.isConnected())
                connection.reconnect();
        }
    }
    return load;
}

// How many entries of `stream` carry each eid.
inline std::map<std::string, int> eidCounts(shop::redis::Connection& connection, const std::string& stream)
{
    std::map<std::string, int> seen;
    const shop::redis::Reply all = connection.command({"XRANGE", stream, "-", "+"});
    const shop::redis::ReplyView entries(all.raw());
    for (std::size_t i = 0; all && all.isArray() && i < entries.size(); ++i) {
        const shop::redis::ReplyView fields = entries[i][1];
        for (std::size_t f = 0; f + 1 < fields.size(); f += 2)
            if (fields[f].str() == "eid")
                ++seen[std::string(fields[f + 1].str())];
    }
    return seen;
}

// `shopstream-cli ARGS consume --snapshot-every 1`: a snapshot a second tells how far it got.
class FollowingConsumer {
public:
    ~FollowingConsumer()
    {
        process_.kill();
        process_.waitForFinished();
    }
    // False (output() says why) when it did not catch up within 30 s.
    bool start(const QStringList& args)
    {
        process_.start(qEnvironmentVariable("SHOPSTREAM_CLI"), args + QStringList{QStringLiteral("consume"), QStringLiteral("--snapshot-every"), QStringLiteral("1")});
        if (!process_.waitForStarted())
            return false;
        QElapsedTimer waited;
        waited.start();
        while (!out_.contains("caught up") && process_.state() == QProcess::Running && waited.elapsed() < 30000) {
            process_.waitForReadyRead(200);
            out_ += process_.readAllStandardOutput();
        }
        return out_.contains("caught up") && process_.state() == QProcess::Running;
    }
    // Waits (30 s) until its snapshot names the stream's newest entry, then stops it (SIGTERM).
    // False (output()) when it did not get there or did not end cleanly.
    bool stopAtHead(shop::redis::Connection& c, const std::string& stream)
    {
        const shop::redis::Reply last = c.command({"XREVRANGE", stream, "+", "-", "COUNT", "1"});
        if (!last || !last.isArray() || last.size() == 0)
            return false;
        const std::string head(shop::redis::ReplyView(last.raw())[0][0].str());
        const std::string index = shop::redis::snapshotIndexKey(stream);
        QDeadlineTimer deadline(30000);
        bool there = false;
        while (!(there = c.command({"ZSCORE", index, head}).isString()) && !deadline.hasExpired())
            QThread::msleep(100);
        process_.terminate();
        const bool ended = process_.waitForFinished(15000) && process_.exitStatus() == QProcess::NormalExit && process_.exitCode() == 0;
        return there && ended;
    }
    QString output()
    {
        out_ += process_.readAllStandardOutput();
        err_ += process_.readAllStandardError();
        return QString::fromUtf8(out_ + err_);
    }

private:
    QProcess process_;
    QByteArray out_, err_;
};

// After the failover: every acknowledged append is in the stream once, the snapshots (the
// consumer's among them) verify by rebuild, and the state from the newest equals the one
// rebuilt from scratch. "" when all hold, or what did not.
inline QString checkAfterFailover(const FailoverLoad& load, shop::redis::Connection& c, const std::string& stream, const QStringList& via)
{
    std::map<std::string, int> seen = eidCounts(c, stream);
    for (const auto& [eid, id] : load.acknowledged)
        if (seen[eid] != 1)
            return QStringLiteral("eid %1 (%2) is there %3 times").arg(QString::fromStdString(eid), QString::fromStdString(id)).arg(seen[eid]);
    const CliRun verify = runCli(via + QStringList{QStringLiteral("snapshot"), QStringLiteral("verify")});
    if (verify.exitCode != 0)
        return QStringLiteral("snapshot verify: ") + verify.describe();
    const CliRun fromSnapshot = runCli(via + QStringList{QStringLiteral("state"), QStringLiteral("--json")});
    const CliRun fromScratch = runCli(via + QStringList{QStringLiteral("state"), QStringLiteral("--from-scratch"), QStringLiteral("--json")});
    if (fromSnapshot.exitCode != 0 || fromScratch.exitCode != 0 || fromSnapshot.out != fromScratch.out)
        return QStringLiteral("the state from the snapshot differs from the one rebuilt:\n") + fromSnapshot.describe() + QLatin1Char('\n') + fromScratch.describe();
    return {};
}
