// Name, version and what the program is for.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ShopDialog {
    id: dialog
    objectName: "aboutDialog"
    title: qsTr("About ShopStream")
    okText: qsTr("Close")

    function prefill() {}

    Label {
        text: "ShopStream"
        font.bold: true
        font.pointSize: dialog.font.pointSize * 1.6
    }
    Label {
        objectName: "aboutVersion"
        textFormat: Text.PlainText
        // qtVersion is requested from ShopSession; read by name so the file works without it.
        text: qsTr("Version %1").arg(ShopSession.version)
              + (ShopSession["qtVersion"] ? qsTr(" · Qt %1").arg(ShopSession["qtVersion"]) : "")
    }
    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: qsTr("A desktop console for an event-sourced shop whose history is a Redis Stream.")
    }
    Label {
        objectName: "aboutMemory"
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        // Read again whenever the count changes, while the dialog is open (not after every
        // batch of a long catch-up behind a closed dialog).
        readonly property real bytes: visible && ShopSession.events.totalCount >= 0 ? ShopSession.historyMemoryBytes() : 0
        text: bytes >= 1048576
              ? qsTr("%1 events in memory, %2 MiB.").arg(ShopRules.formatCount(ShopSession.events.totalCount)).arg((bytes / 1048576).toFixed(1))
              : qsTr("%1 events in memory, %2 KiB.").arg(ShopRules.formatCount(ShopSession.events.totalCount)).arg((bytes / 1024).toFixed(0))
    }

    footer: DialogButtonBox {
        Button {
            objectName: "aboutDialogOk"
            text: dialog.okText
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
    }
}
