// The rows that differ between two shops (a comparison from ReplayController.compare or a
// what-if result): each user and item with its values on both sides. Compare and What-if
// show it.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ListView {
    id: changes

    property var comparison: ({ users: [], items: [], more: 0 })
    property string beforeLabel: qsTr("before")
    property string afterLabel: qsTr("after")
    property string emptyText: qsTr("Nothing changed")

    function describeUser(v): string {
        return v ? qsTr("balance %1 · spent %2 · %3").arg(v.balanceText).arg(v.spentText).arg(ShopRules.countOf(v.orders, qsTr("order"), qsTr("orders")))
                 : qsTr("(did not exist)")
    }
    function describeItem(v): string {
        return v ? qsTr("price %1 · stock %2 · sold %3").arg(v.priceText).arg(ShopRules.formatCount(v.stock)).arg(ShopRules.formatCount(v.sold))
                 : qsTr("(did not exist)")
    }

    clip: true
    model: (comparison.users || []).map(u => ({ kind: qsTr("User"), id: String(u.id), name: u.name,
                                                before: changes.describeUser(u.before), after: changes.describeUser(u.after) }))
           .concat((comparison.items || []).map(i => ({ kind: qsTr("Item"), id: i.id, name: i.name,
                                                        before: changes.describeItem(i.before), after: changes.describeItem(i.after) })))
    ScrollBar.vertical: ScrollBar {}

    Accents { id: accents }

    delegate: Rectangle {
        id: change
        required property var modelData
        required property int index
        width: changes.width
        height: 44
        color: index % 2 ? accents.system.alternateBase : accents.system.base
        GridLayout {
            anchors.fill: parent
            anchors.margins: 4
            columns: 3
            rowSpacing: 0
            Label {
                Layout.preferredWidth: 220
                Layout.rowSpan: 2
                textFormat: Text.PlainText
                elide: Text.ElideRight
                font.bold: true
                text: change.modelData.kind + " " + change.modelData.id
                      + (change.modelData.name !== "" ? " · " + change.modelData.name : "")
            }
            Label { text: changes.beforeLabel; color: accents.idle }
            Label { Layout.fillWidth: true; textFormat: Text.PlainText; text: change.modelData.before; elide: Text.ElideRight }
            Label { text: changes.afterLabel; color: accents.idle }
            Label { Layout.fillWidth: true; textFormat: Text.PlainText; text: change.modelData.after; elide: Text.ElideRight }
        }
    }
    Label {
        anchors.centerIn: parent
        visible: changes.count === 0
        text: changes.emptyText
        color: accents.idle
    }
}
