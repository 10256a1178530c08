// Explanations in QML's terms, and the previews built on them.
#include "explanation_view.hpp"

#include "command_tracker.hpp"
#include "display_text.hpp"
#include "items_model.hpp"
#include "users_model.hpp"

#include "core/entry_decoder.hpp"
#include "core/explain.hpp"
#include "core/shop_state.hpp"
#include "engine/command_writer.hpp"

#include <QCoreApplication>
#include <QVariantList>

namespace shop::app {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("ExplanationView", text); }

QString userLabel(const User& u)
{
    return u.name.empty() ? tr("user %1").arg(u.id) : tr("user %1 \"%2\"").arg(u.id).arg(fromUtf8(u.name));
}

QString itemLabel(const Item& i) { return tr("item \"%1\"").arg(fromUtf8(i.id)); }

} // namespace

QVariantMap explanationForQml(const Explanation& e)
{
    QVariantList ladder;
    for (const ExplainedCheck& rung : e.ladder)
        ladder.append(QVariantMap{{QStringLiteral("check"), fromUtf8(reasonName(rung.check))},
                                  {QStringLiteral("checkText"), fromUtf8(reasonText(rung.check))},
                                  {QStringLiteral("outcome"), fromUtf8(checkOutcomeName(rung.outcome))},
                                  {QStringLiteral("detail"), fromUtf8(rung.detail)}});
    QVariantList changes;
    for (const UserChange& c : e.users)
        changes.append(QVariantMap{{QStringLiteral("label"), userLabel(c.after)},
                                   {QStringLiteral("text"), fromUtf8(describeChange(c))}});
    for (const ItemChange& c : e.items)
        changes.append(QVariantMap{{QStringLiteral("label"), itemLabel(c.after)},
                                   {QStringLiteral("text"), fromUtf8(describeChange(c))}});
    return {{QStringLiteral("applied"), e.applied()},
            {QStringLiteral("reason"), e.applied() ? QString() : fromUtf8(reasonName(e.reason))},
            {QStringLiteral("reasonText"), e.applied() ? QString() : fromUtf8(reasonText(e.reason))},
            {QStringLiteral("why"), fromUtf8(e.why)},
            {QStringLiteral("ladder"), ladder},
            {QStringLiteral("changes"), changes}};
}

EventPreview previewEvent(const QString& type, const QVariantMap& data, bool legacy, const UserListModel& users,
                          const ItemListModel& items)
{
    engine::EntryToAppend toAppend;
    std::string refusal;
    if (!engine::entryToAppend(type.toStdString(), CommandTracker::eventJson(data).toStdString(), legacy, toAppend,
                               refusal)) {
        const QString why = fromUtf8(refusal);
        return {{{QStringLiteral("refused"), why},
                 {QStringLiteral("verdictText"), tr("would not be written: %1").arg(why)},
                 {QStringLiteral("ladder"), QVariantList()},
                 {QStringLiteral("changes"), QVariantList()}},
                std::nullopt};
    }
    const RawEntry entry = toAppend.raw();

    // The rows the event names, as the tables hold them now; the decode only says which.
    ShopState state;
    Event event;
    if (decodeEntry(entry, event) == Reason::None) {
        if (const User* u = users.find(event.userId)) {
            state.addUser(u->id, u->name) = *u;
        }
        const auto copyItem = [&](const std::string& id) {
            if (const Item* i = items.find(id); i && !state.findItem(id))
                state.addItem(id) = *i;
        };
        copyItem(event.itemId);
        for (const OrderLine& line : event.lines)
            copyItem(line.itemId);
    }
    const Explanation e = explainEntry(state, entry);
    QVariantMap view = explanationForQml(e);
    view.insert(QStringLiteral("refused"), QString());
    view.insert(QStringLiteral("verdictText"),
                e.applied() ? tr("would be applied")
                : e.why.empty()
                    ? tr("would be rejected: %1").arg(fromUtf8(reasonText(e.reason)))
                    : tr("would be rejected: %1 (%2)").arg(fromUtf8(reasonText(e.reason)), fromUtf8(e.why)));
    return {view, e.reason};
}

QVariantMap eventForDialog(const Event& e)
{
    const auto text = [](std::int64_t n) { return QString::number(n); };
    const QString user = QString::number(e.userId);
    const QString item = fromUtf8(e.itemId);
    QVariantMap m{{QStringLiteral("type"), fromUtf8(typeName(e.type))}};
    switch (e.type) {
    case EventType::RegisterUser:
        m.insert({{QStringLiteral("userId"), user}, {QStringLiteral("name"), fromUtf8(e.name)}});
        break;
    case EventType::TopUp:
        m.insert({{QStringLiteral("userId"), user}, {QStringLiteral("amount"), formatMoney(e.amount)}});
        break;
    case EventType::AdjustBalance:
        m.insert({{QStringLiteral("userId"), user},
                  {QStringLiteral("delta"), formatMoney(e.delta)},
                  {QStringLiteral("reason"), fromUtf8(e.reason)}});
        break;
    case EventType::AddItem:
        m.insert({{QStringLiteral("itemId"), item},
                  {QStringLiteral("count"), text(e.amount)},
                  {QStringLiteral("price"), e.hasPrice ? formatMoney(e.price) : QString()},
                  {QStringLiteral("name"), e.hasName ? fromUtf8(e.name) : QString()}});
        break;
    case EventType::SetPrice:
        m.insert({{QStringLiteral("itemId"), item}, {QStringLiteral("price"), formatMoney(e.price)}});
        break;
    case EventType::AdjustStock:
        m.insert({{QStringLiteral("itemId"), item},
                  {QStringLiteral("delta"), text(e.delta)},
                  {QStringLiteral("reason"), fromUtf8(e.reason)}});
        break;
    case EventType::Order: {
        QVariantList lines;
        for (const OrderLine& line : e.lines)
            lines.append(QVariantMap{{QStringLiteral("itemId"), fromUtf8(line.itemId)}, {QStringLiteral("qty"), text(line.qty)}});
        m.insert({{QStringLiteral("userId"), user},
                  {QStringLiteral("lines"), lines},
                  {QStringLiteral("orderId"), fromUtf8(e.orderId)}});
        break;
    }
    }
    return m;
}

} // namespace shop::app
