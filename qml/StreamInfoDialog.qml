// The stream as the server describes it: length, the entries ever added, first and last ids,
// consumer groups, the memory the key takes, and its format (native, the original demo's, or
// both). Asked again on opening and with Refresh; reading only.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Dialog {
    id: dialog
    objectName: "streamInfoDialog"
    title: qsTr("Stream %1").arg(ShopSession.stream)
    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    width: Math.min(560, parent ? parent.width - 40 : 560)
    standardButtons: Dialog.Close

    readonly property var info: ShopSession.streamInfo
    function prefill() { ShopSession.refreshStreamInfo() }
    function count(n) { return n === undefined || n < 0 ? qsTr("not known (the server does not say)") : ShopRules.formatCount(n) }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4
        Label {
            objectName: "streamInfoError"
            Layout.fillWidth: true
            visible: dialog.info.error !== undefined
            text: qsTr("The stream could not be described: %1").arg(dialog.info.error || "")
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            color: accents.rejected
            Accents { id: accents }
        }
        DetailField { caption: qsTr("Key"); value: ShopSession.stream; valueObjectName: "streamInfoKey" }
        DetailField {
            caption: qsTr("Format")
            value: dialog.info.exists === false ? qsTr("no such key yet (an empty stream)") : (dialog.info.formatText || dialog.info.format || "")
            valueObjectName: "streamInfoFormat"
            wrap: true
        }
        DetailField { caption: qsTr("Length"); value: dialog.count(dialog.info.length); valueObjectName: "streamInfoLength" }
        DetailField { caption: qsTr("Ever added"); value: dialog.count(dialog.info.entriesAdded); valueObjectName: "streamInfoAdded" }
        DetailField { caption: qsTr("First id"); value: dialog.info.firstId || "–"; valueObjectName: "streamInfoFirst" }
        DetailField { caption: qsTr("Last id"); value: dialog.info.lastId || "–"; valueObjectName: "streamInfoLast" }
        DetailField { caption: qsTr("Last given"); value: dialog.info.lastGeneratedId || "–"; valueObjectName: "streamInfoLastGenerated" }
        DetailField { caption: qsTr("Groups"); value: dialog.count(dialog.info.groups); valueObjectName: "streamInfoGroups" }
        DetailField {
            caption: qsTr("Memory")
            value: dialog.info.memoryBytes === undefined || dialog.info.memoryBytes < 0
                   ? qsTr("not known") : qsTr("%1 bytes").arg(ShopRules.formatCount(dialog.info.memoryBytes))
            valueObjectName: "streamInfoMemory"
        }
        Button {
            objectName: "streamInfoRefresh"
            text: qsTr("Refresh")
            onClicked: ShopSession.refreshStreamInfo()
        }
    }
}
