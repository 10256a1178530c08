// Sets an item's price: SetPrice {itemId, price}. A price of 0 makes the item unpriced. The
// original demo's format has no such event.
import QtQuick
import ShopStream

ShopDialog {
    id: dialog
    objectName: "setPriceDialog"
    title: qsTr("Set price")
    okText: qsTr("Set price")
    initialFocus: itemIdInput.text === "" ? itemIdInput.field : priceInput.field
    valid: itemIdInput.valid && priceInput.valid
    legacyForm: false
    legacyNote: qsTr("This stream is in the original demo's format, which has no prices. Its consumer deletes entries it cannot read, so nothing is written.")

    function prefill(id: string) {
        itemIdInput.reset(id)
        priceInput.reset("")
    }
    function fill(event: var) {
        itemIdInput.reset(event.itemId)
        priceInput.reset(event.price)
    }

    ValidatedField {
        id: itemIdInput
        name: "itemIdField"
        label: qsTr("Item id")
        error: ShopRules.checkItemId(text)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: priceInput
        name: "priceField"
        label: qsTr("Price (0 = unpriced)")
        placeholderText: qsTr("e.g. 4.99")
        inputMethodHints: Qt.ImhFormattedNumbersOnly
        error: ShopRules.checkMoney(text, 0, 1e15, true)
        onAccepted: dialog.tryAccept()
    }

    // What OK sends, and what the preview processes as it is typed.
    eventType: "SetPrice"
    eventData: ({
        itemId: itemIdInput.text,
        price: ShopRules.moneyToMinor(priceInput.text)
    })
}
