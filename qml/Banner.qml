// An inline message bar across the window: a tinted strip with a text and up to two buttons.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Pane {
    id: banner

    property alias text: message.text
    property alias messageObjectName: message.objectName
    property color accent: accents.warning
    property string buttonText: ""
    property alias buttonObjectName: button.objectName
    property string secondButtonText: ""
    property alias secondButtonObjectName: secondButton.objectName
    property bool closable: false
    signal buttonClicked()
    signal secondButtonClicked()
    signal dismissed()

    Accents { id: accents }

    padding: 8
    background: Rectangle {
        color: accents.tint(banner.accent)
        border.color: banner.accent
    }

    RowLayout {
        anchors.fill: parent
        spacing: 12
        Rectangle {
            implicitWidth: 10; implicitHeight: 10; radius: 5
            color: banner.accent
        }
        Label {
            id: message
            Layout.fillWidth: true
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: banner.palette.windowText
        }
        Button {
            id: button
            visible: banner.buttonText !== ""
            text: banner.buttonText
            Accessible.name: banner.buttonText
            onClicked: banner.buttonClicked()
        }
        Button {
            id: secondButton
            visible: banner.secondButtonText !== ""
            text: banner.secondButtonText
            Accessible.name: banner.secondButtonText
            onClicked: banner.secondButtonClicked()
        }
        ToolButton {
            objectName: banner.objectName + "Close"
            visible: banner.closable
            text: "✕"
            Accessible.name: qsTr("Dismiss")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Dismiss")
            onClicked: banner.dismissed()
        }
    }
}
