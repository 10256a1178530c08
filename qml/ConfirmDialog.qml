// Asks before something drastic; emits accepted() on OK (objectName + "Ok").
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ShopDialog {
    id: dialog
    property alias text: message.text

    Label {
        id: message
        Layout.fillWidth: true
        Layout.preferredWidth: 400
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
    }
}
