// OverviewModel: the Overview page's figures at the timeline's current point (the head when
// live): entries by type and verdict, rejections by reason, revenue, applied, rejected and
// revenue over time, and the top users and items. Counts come from the history's rows
// (engine::HistoryOverview), the top lists from the tables that show the same point.
#pragma once

#include "engine/history_overview.hpp"

#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace shop::app {

class ReplayController;
class UserListModel;
class ItemListModel;

class OverviewModel : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("OverviewModel is owned by ShopSession")
    /// Set while the page shows: the figures are only kept up to date then.
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    /// Whether the history was read up to the point shown (false while a long one is read).
    Q_PROPERTY(bool ready READ ready NOTIFY changed)
    /// The entries counted: [0, position) of the stream.
    Q_PROPERTY(qint64 position READ position NOTIFY changed)
    Q_PROPERTY(qint64 applied READ applied NOTIFY changed)
    Q_PROPERTY(qint64 rejected READ rejected NOTIFY changed)
    /// The applied orders' totals, formatted.
    Q_PROPERTY(QString revenueText READ revenueText NOTIFY changed)
    /// [{type, applied, rejected}], the most frequent type first.
    Q_PROPERTY(QVariantList types READ types NOTIFY changed)
    /// [{reason (its name), text, count}] for the reasons that occur, the most frequent first.
    Q_PROPERTY(QVariantList reasons READ reasons NOTIFY changed)
    /// kBuckets spans of time or fewer, oldest first: [{fromText, toText, applied, rejected,
    /// revenue (in major units, for the chart), revenueText}].
    Q_PROPERTY(QVariantList series READ series NOTIFY changed)
    Q_PROPERTY(qint64 seriesMaxCount READ seriesMaxCount NOTIFY changed)
    Q_PROPERTY(double seriesMaxRevenue READ seriesMaxRevenue NOTIFY changed)
    /// [{userId, name, spentText, orders}]: who spent most, at most kTop.
    Q_PROPERTY(QVariantList topUsers READ topUsers NOTIFY changed)
    /// [{itemId, name, sold, stock}]: what sold most, at most kTop.
    Q_PROPERTY(QVariantList topItems READ topItems NOTIFY changed)
public:
    static constexpr int kBuckets = 48;
    static constexpr int kTop = 8;

    // Reads `history` and shows the point of `replay`; the tables show it too: `users` and
    // `items` when live, the replay's own in history.
    OverviewModel(const engine::HistoryStore& history, ReplayController& replay, const UserListModel& users,
                  const ItemListModel& items, QObject* parent = nullptr);

    bool active() const { return active_; }
    void setActive(bool active);
    bool ready() const { return ready_; }
    qint64 position() const { return qint64(tally_.entries); }
    qint64 applied() const { return tally_.applied; }
    qint64 rejected() const { return tally_.rejected; }
    QString revenueText() const;
    QVariantList types() const { return types_; }
    QVariantList reasons() const { return reasons_; }
    QVariantList series() const { return series_; }
    qint64 seriesMaxCount() const { return seriesMaxCount_; }
    double seriesMaxRevenue() const { return seriesMaxRevenue_; }
    QVariantList topUsers() const { return topUsers_; }
    QVariantList topItems() const { return topItems_; }

    // Fed by ShopSession: the history grew, or was emptied.
    void historyGrew();
    void historyCleared();
    // Reads what is new and computes the figures now (tests; the page waits for the timer).
    Q_INVOKABLE void refresh();

signals:
    void activeChanged();
    void changed();

private:
    void schedule();
    void compute(std::size_t position);
    void computeTop();

    const engine::HistoryStore& history_;
    ReplayController& replay_;
    const UserListModel& users_;
    const ItemListModel& items_;
    engine::HistoryOverview overview_;
    QTimer timer_;
    bool active_ = false;
    bool ready_ = false;
    engine::OverviewTally tally_;
    QVariantList types_, reasons_, series_, topUsers_, topItems_;
    qint64 seriesMaxCount_ = 0;
    double seriesMaxRevenue_ = 0;
};

} // namespace shop::app
