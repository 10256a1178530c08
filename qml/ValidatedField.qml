// A labelled text field for the edit dialogs with its check's message under it, in red.
// `error` is bound by the user to a ShopRules check; "" means the text is acceptable.
// The message shows once the user typed (or the field was pre-filled); `valid` is always live.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: root

    /// objectName of the TextField; the message Label is name + "Error".
    property string name
    property alias label: caption.text
    property alias text: field.text
    property alias placeholderText: field.placeholderText
    property alias echoMode: field.echoMode
    property alias inputMethodHints: field.inputMethodHints
    property alias field: field
    property string error: ""
    readonly property bool valid: error === ""
    property bool edited: false
    signal accepted()

    function reset(value: string) {
        field.text = value
        edited = value !== ""
    }

    spacing: 2
    Layout.fillWidth: true

    Accents { id: accents }

    Label {
        id: caption
        visible: text !== ""
    }
    TextField {
        id: field
        objectName: root.name
        Layout.fillWidth: true
        selectByMouse: true
        Accessible.name: caption.text
        Accessible.description: root.error
        onTextEdited: root.edited = true
        onAccepted: root.accepted()
    }
    Label {
        objectName: root.name + "Error"
        Layout.fillWidth: true
        visible: root.edited && !root.valid
        text: root.error
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: accents.rejected
    }
}
