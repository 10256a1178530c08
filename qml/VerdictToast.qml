// Feedback on the user's own commands: a message in the applied / rejected colour that
// fades after a while. The Label keeps the last text for tests and screen readers.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Pane {
    id: toast

    property bool good: true

    function show(message: string, ok: bool) {
        label.text = message
        good = ok
        opacity = 1
        hide.restart()
    }

    opacity: 0
    visible: opacity > 0
    padding: 10
    Behavior on opacity { NumberAnimation { duration: 200 } }

    Accents { id: accents }

    background: Rectangle {
        radius: 6
        color: accents.tint(toast.good ? accents.applied : accents.rejected)
        border.color: toast.good ? accents.applied : accents.rejected
    }

    Timer {
        id: hide
        interval: 8000
        onTriggered: toast.opacity = 0
    }

    RowLayout {
        anchors.fill: parent
        Label {
            id: label
            objectName: "verdictMessage"
            Layout.fillWidth: true
            Layout.maximumWidth: 560
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            Accessible.role: Accessible.AlertMessage
        }
        ToolButton {
            text: "✕"
            Accessible.name: qsTr("Dismiss")
            onClicked: toast.opacity = 0
        }
    }
}
