// Feedback on the user's own commands: messages in the applied / rejected colour, stacked
// with the newest at the bottom. Each fades after a while (not while the pointer is on it);
// more than `maximum` push the oldest out. A toast never replaces another, and everything
// shown here is also in the log (Ctrl+J). The newest message's Label is "verdictMessage",
// for tests and screen readers.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Column {
    id: stack
    objectName: "toastStack"

    property int maximum: 4
    property int lifetimeMs: 8000
    readonly property int count: toasts.count

    function show(message: string, ok: bool) {
        while (toasts.count >= maximum)
            toasts.remove(0)
        toasts.append({ message: message, good: ok })
    }

    spacing: 6
    ListModel { id: toasts }
    Accents { id: accents }

    Repeater {
        model: toasts
        delegate: Pane {
            id: toast
            required property string message
            required property bool good
            required property int index

            objectName: "toast" + index
            anchors.right: parent ? parent.right : undefined
            width: Math.min(implicitWidth, 620)
            padding: 10
            opacity: 0
            Component.onCompleted: opacity = 1
            Behavior on opacity { NumberAnimation { duration: 200 } }

            background: Rectangle {
                radius: 6
                color: accents.tint(toast.good ? accents.applied : accents.rejected)
                border.color: toast.good ? accents.applied : accents.rejected
            }
            HoverHandler { id: hover }
            Timer {
                interval: stack.lifetimeMs
                running: !hover.hovered
                onTriggered: toasts.remove(toast.index)
            }
            RowLayout {
                anchors.fill: parent
                Label {
                    objectName: toast.index === toasts.count - 1 ? "verdictMessage" : "olderVerdictMessage"
                    Layout.fillWidth: true
                    Layout.maximumWidth: 560
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    text: toast.message
                    Accessible.role: Accessible.AlertMessage
                }
                ToolButton {
                    text: "✕"
                    Accessible.name: qsTr("Dismiss")
                    onClicked: toasts.remove(toast.index)
                }
            }
        }
    }
}
