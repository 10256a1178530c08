// What a ConsumerWorker on its ConsumerThread reported, received on the test's thread
// through queued connections (as the GUI receives it).
#pragma once

#include "engine/consumer_worker.hpp"
#include "engine/engine_types.hpp"

#include <QDateTime>
#include <QObject>
#include <QStringList>

#include <map>
#include <string>
#include <vector>

namespace reliability {

struct ConsumerRecorder {
    QObject context;
    std::vector<std::string> verdictIds;
    shop::VerdictCounts counts;
    std::string lastEventId;
    std::map<shop::UserId, shop::User> users;
    std::map<std::string, shop::Item> items;
    std::vector<shop::engine::ConsumerStatus> statuses;
    std::vector<qint64> statusTimesMs; // when each status arrived (QDateTime ms)
    QStringList failures;
    int caughtUp = 0;

    void attach(shop::engine::ConsumerWorker* worker)
    {
        using shop::engine::ConsumerWorker;
        QObject::connect(worker, &ConsumerWorker::batchReady, &context, [this](const shop::engine::ConsumerBatch& b) {
            if (b.reset) {
                users.clear();
                items.clear();
            }
            for (const auto& u : b.users)
                users[u.id] = u;
            for (const auto& i : b.items)
                items[i.id] = i;
            for (const auto& row : shop::engine::rowsOf(b.history))
                verdictIds.push_back(row.id.toString());
            counts = b.counts;
            lastEventId = b.lastEventId;
        });
        QObject::connect(worker, &ConsumerWorker::statusChanged, &context, [this](const shop::engine::ConsumerStatus& s) {
            statuses.push_back(s);
            statusTimesMs.push_back(QDateTime::currentMSecsSinceEpoch());
        });
        QObject::connect(worker, &ConsumerWorker::failed, &context, [this](const QString& m) { failures << m; });
        QObject::connect(worker, &ConsumerWorker::caughtUp, &context, [this](qint64, qint64, qint64) { ++caughtUp; });
    }

    bool isLive() const { return !statuses.empty() && statuses.back().state == shop::engine::ConnectionState::Live; }

    // The users and items the batches left, against a state (empty when equal).
    QString differenceFrom(const shop::ShopState& state) const
    {
        if (users.size() != state.users().size() || items.size() != state.items().size())
            return QStringLiteral("%1 users and %2 items, expected %3 and %4")
                .arg(users.size())
                .arg(items.size())
                .arg(state.users().size())
                .arg(state.items().size());
        for (const auto& [id, u] : state.users()) {
            auto it = users.find(id);
            if (it == users.end() || it->second.name != u.name || it->second.balance != u.balance
                || it->second.spent != u.spent || it->second.orders != u.orders)
                return QStringLiteral("user %1 differs").arg(id);
        }
        for (const auto& [id, i] : state.items()) {
            auto it = items.find(id);
            if (it == items.end() || it->second.name != i.name || it->second.price != i.price
                || it->second.stock != i.stock || it->second.sold != i.sold)
                return QStringLiteral("item %1 differs").arg(QString::fromStdString(id));
        }
        if (!(counts == state.counts))
            return QStringLiteral("counts differ: %1 vs %2").arg(counts.total).arg(state.counts.total);
        if (lastEventId != state.lastEventId)
            return QStringLiteral("last id %1 vs %2").arg(QString::fromStdString(lastEventId), QString::fromStdString(state.lastEventId));
        return {};
    }
};

} // namespace reliability
