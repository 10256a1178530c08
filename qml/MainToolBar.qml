// The window's header: a button per edit action and a menu with all of them plus the
// application actions. When the server refuses writes, the disabled buttons say why.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ToolBar {
    id: bar
    objectName: "mainToolBar"

    // Arrays of ShopAction (var: see Main.editActions()).
    required property var editActions
    required property var appActions

    readonly property string readOnlyText: qsTr("The server does not permit writing for this user, so editing is off.")

    RowLayout {
        anchors.fill: parent
        spacing: 2

        Repeater {
            model: bar.editActions
            delegate: Item {
                id: slot
                required property ShopAction modelData
                implicitWidth: button.implicitWidth
                implicitHeight: button.implicitHeight
                ToolButton {
                    id: button
                    objectName: slot.modelData.objectName.replace(/Action$/, "Button")
                    anchors.fill: parent
                    action: slot.modelData
                    Accessible.name: slot.modelData.text
                }
                // On the slot, not the button: a disabled button gets no hover events.
                HoverHandler { id: hover }
                ToolTip.visible: hover.hovered
                ToolTip.delay: 600
                ToolTip.text: ShopSession.readOnly ? bar.readOnlyText : slot.modelData.hint
            }
        }
        Item { Layout.fillWidth: true }
        ToolButton {
            objectName: "connectionButton"
            text: qsTr("Connection…")
            Accessible.name: text
            onClicked: bar.appActions[0].trigger()
        }
        ToolButton {
            id: menuButton
            objectName: "menuButton"
            text: "☰"
            Accessible.name: qsTr("Menu")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("All actions")
            onClicked: menu.open()
            Menu {
                id: menu
                objectName: "mainMenu"
                y: menuButton.height
                x: menuButton.width - width
                MenuSeparator {}
                // A Menu takes dynamic items through Instantiator, not Repeater.
                Instantiator {
                    model: bar.editActions
                    delegate: MenuItem {
                        required property ShopAction modelData
                        objectName: modelData.objectName.replace(/Action$/, "MenuItem")
                        action: modelData
                    }
                    onObjectAdded: (index, object) => menu.insertItem(index, object as MenuItem)
                    onObjectRemoved: (index, object) => menu.removeItem(object as MenuItem)
                }
                Instantiator {
                    model: bar.appActions
                    delegate: MenuItem {
                        required property ShopAction modelData
                        objectName: modelData.objectName.replace(/Action$/, "MenuItem")
                        action: modelData
                    }
                    onObjectAdded: (index, object) => menu.insertItem(bar.editActions.length + 1 + index, object as MenuItem)
                    onObjectRemoved: (index, object) => menu.removeItem(object as MenuItem)
                }
            }
        }
    }
}
