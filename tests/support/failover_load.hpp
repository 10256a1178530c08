// A writer under a failover, for the Sentinel and Cluster suites: appends with eids and WAIT,
// each retried with its own eid until acknowledged, while the test kills and restarts
// servers between appends; and the count of each eid in the stream afterwards.
#pragma once

#include "redis/connection.hpp"
#include "redis/stream_writer.hpp"

#include <QDeadlineTimer>
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
