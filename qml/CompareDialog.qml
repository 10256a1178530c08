// Compare two points in history: what changed for users and items between them, with the
// old and the new value side by side.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Dialog {
    id: dialog
    objectName: "compareDialog"
    title: qsTr("Compare two points in history")

    readonly property var replay: ShopSession.replay
    property var comparison: ({ users: [], items: [], more: 0 })

    function prefill(from, to) {
        fromBox.value = from !== undefined && from !== "" ? Number(from) : 0
        toBox.value = to !== undefined && to !== "" ? Number(to) : replay.length
        run()
    }
    function run() {
        comparison = replay.compare(fromBox.value, toBox.value)
    }
    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    width: Math.min(980, parent ? parent.width - 40 : 980)
    height: Math.min(640, parent ? parent.height - 40 : 640)
    standardButtons: Dialog.Close


    contentItem: ColumnLayout {
        spacing: 8
        GridLayout {
            columns: 4
            columnSpacing: 10
            Label { text: qsTr("From (events applied)") }
            SpinBox {
                id: fromBox
                objectName: "compareFrom"
                from: 0
                to: Math.max(0, dialog.replay.length)
                editable: true
                Accessible.name: qsTr("From position")
            }
            Label {
                Layout.fillWidth: true
                textFormat: Text.PlainText
                text: fromBox.value === 0 ? qsTr("the empty shop")
                                          : dialog.replay.entryIdAt(fromBox.value) + "  " + dialog.replay.timeTextAt(fromBox.value)
            }
            Button {
                objectName: "compareFromCurrent"
                text: qsTr("Use the point shown")
                onClicked: fromBox.value = dialog.replay.position
            }
            Label { text: qsTr("To (events applied)") }
            SpinBox {
                id: toBox
                objectName: "compareTo"
                from: 0
                to: Math.max(0, dialog.replay.length)
                editable: true
                Accessible.name: qsTr("To position")
            }
            Label {
                Layout.fillWidth: true
                textFormat: Text.PlainText
                text: toBox.value === 0 ? qsTr("the empty shop")
                                        : dialog.replay.entryIdAt(toBox.value) + "  " + dialog.replay.timeTextAt(toBox.value)
            }
            Button {
                objectName: "compareToHead"
                text: qsTr("Use the head")
                onClicked: toBox.value = dialog.replay.length
            }
        }
        RowLayout {
            Button {
                objectName: "compareRun"
                text: qsTr("Compare")
                highlighted: true
                onClicked: dialog.run()
            }
            Label {
                objectName: "compareSummary"
                Layout.fillWidth: true
                textFormat: Text.PlainText
                text: qsTr("%1 and %2 changed over %3")
                      .arg(ShopRules.countOf(dialog.comparison.users.length, qsTr("user"), qsTr("users")))
                      .arg(ShopRules.countOf(dialog.comparison.items.length, qsTr("item"), qsTr("items")))
                      .arg(ShopRules.countOf(dialog.comparison.entries || 0, qsTr("event"), qsTr("events")))
                      + (dialog.comparison.more > 0 ? qsTr(" (%1 more not listed)").arg(ShopRules.formatCount(dialog.comparison.more)) : "")
            }
        }
        StateChanges {
            objectName: "compareList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            comparison: dialog.comparison
            emptyText: qsTr("Nothing changed between these two points")
        }
    }
}
