// A page's tab: a TabButton that shows where the keyboard is. Fusion draws no focus
// indicator on tab buttons, so a ring in the highlight colour marks the one Tab reached.
import QtQuick
import QtQuick.Controls

TabButton {
    id: tab
    Accessible.name: text

    Rectangle {
        objectName: tab.objectName + "FocusRing"
        anchors.fill: parent
        anchors.margins: 2
        radius: 2
        color: "transparent"
        border.width: 2
        border.color: tab.palette.highlight
        visible: tab.visualFocus
    }
}
