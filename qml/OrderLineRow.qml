// One line of the order dialog: an item picker (editable, suggesting the known item ids),
// a quantity and a remove button. Edits are written back to the dialog's ListModel.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ColumnLayout {
    id: line

    required property int index
    required property string itemId
    required property string qty
    property var itemIds: []
    /// How the picker lists an item ("cpu · 15.00 · 3 in stock"); the id alone by default.
    property var describe: (id) => id
    /// The chosen item now: {known, price, stock, priceText}.
    property var info: ({ known: false, price: 0, stock: 0, priceText: "" })
    // What the line says under it: the item's price and stock, or why it cannot be bought as
    // it stands (the consumer still decides).
    readonly property string infoText: !info.known || itemError !== "" ? ""
        : info.price <= 0 ? qsTr("%1 has no price yet: an order for it would be rejected").arg(itemId)
        : ShopRules.toInteger(qty) > info.stock ? qsTr("%1 each, only %2 in stock: the order would be rejected").arg(info.priceText).arg(ShopRules.formatCount(info.stock))
        : qsTr("%1 each, %2 in stock").arg(info.priceText).arg(ShopRules.formatCount(info.stock))
    readonly property bool infoWarns: info.known && (info.price <= 0 || ShopRules.toInteger(qty) > info.stock)
    property bool removable: true
    readonly property string itemError: ShopRules.checkItemId(itemId)
    readonly property string qtyError: ShopRules.checkCount(qty, 1, 1e9)
    signal edited(int index, string role, string value)
    signal removeRequested(int index)
    signal submitRequested()

    spacing: 2

    Accents { id: accents }

    RowLayout {
        Layout.fillWidth: true
        ComboBox {
            id: picker
            objectName: "lineItem_" + line.index
            Layout.fillWidth: true
            editable: true
            model: line.itemIds
            currentIndex: -1 // a new line starts empty, not on the first item
            Accessible.name: qsTr("Item of line %1").arg(line.index + 1)
            Component.onCompleted: editText = line.itemId
            delegate: ItemDelegate {
                required property string modelData
                required property int index
                width: picker.width
                text: line.describe(modelData)
                highlighted: picker.highlightedIndex === index
            }
            onEditTextChanged: if (editText !== line.itemId) line.edited(line.index, "itemId", editText)
            onAccepted: line.submitRequested()
        }
        TextField {
            objectName: "lineQty_" + line.index
            Layout.preferredWidth: 90
            text: line.qty
            inputMethodHints: Qt.ImhDigitsOnly
            selectByMouse: true
            placeholderText: qsTr("qty")
            Accessible.name: qsTr("Quantity of line %1").arg(line.index + 1)
            onTextEdited: line.edited(line.index, "qty", text)
            onAccepted: line.submitRequested() // Enter sends a valid order from any field
        }
        ToolButton {
            objectName: "removeLine_" + line.index
            text: "✕"
            enabled: line.removable
            Accessible.name: qsTr("Remove line %1").arg(line.index + 1)
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Remove this line")
            onClicked: line.removeRequested(line.index)
        }
    }
    Label {
        objectName: "lineInfo_" + line.index
        Layout.fillWidth: true
        visible: line.infoText !== "" && line.qtyError === ""
        text: line.infoText
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: line.infoWarns ? accents.warning : palette.placeholderText
    }
    Label {
        objectName: "lineError_" + line.index
        Layout.fillWidth: true
        // A fresh line's empty item is not an error worth shouting about; OK stays disabled.
        readonly property bool showItemError: line.itemId !== "" && line.itemError !== ""
        visible: showItemError || line.qtyError !== ""
        text: showItemError ? line.itemError : line.qtyError
        textFormat: Text.PlainText
        wrapMode: Text.Wrap
        color: accents.rejected
    }
}
