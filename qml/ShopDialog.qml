// The frame every edit dialog shares: modal, centred, an OK button named objectName + "Ok"
// that is enabled only while `valid`, and Return to accept. Each dialog fills in the fields,
// `valid`, and what onAccepted submits.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Dialog {
    id: dialog

    property bool valid: true
    property string okText: qsTr("OK")
    /// The field that gets the keyboard focus when the dialog opens.
    property Item initialFocus
    default property alias fields: column.data

    // Accepts when every check passes (used by the fields' Return key).
    function tryAccept() {
        if (valid)
            accept()
    }

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    focus: true
    width: Math.min(460, parent ? parent.width - 40 : 460)
    closePolicy: Popup.CloseOnEscape
    // Fusion's own modal dimming is almost invisible: the dialog blended into the table.
    Overlay.modal: Rectangle { color: Qt.rgba(0, 0, 0, 0.3) }

    onOpened: if (initialFocus) initialFocus.forceActiveFocus()

    contentItem: ColumnLayout {
        id: column
        spacing: 10
    }

    footer: DialogButtonBox {
        Button {
            objectName: dialog.objectName + "Ok"
            text: dialog.okText
            enabled: dialog.valid
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            objectName: dialog.objectName + "Cancel"
            text: qsTr("Cancel")
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
}
