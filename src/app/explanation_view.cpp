// Explanations in QML's terms.
#include "explanation_view.hpp"

#include "display_text.hpp"

#include "core/explain.hpp"

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

} // namespace shop::app
