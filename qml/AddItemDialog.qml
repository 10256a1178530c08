// Adds an item or restocks it: AddItem {itemId, count, price?, name?}. An empty price or name
// field is left out of the event, so it keeps what the item has. The original demo's format
// has neither: on such a stream only the units are written.
import QtQuick
import ShopStream

ShopDialog {
    id: dialog
    objectName: "addItemDialog"
    title: qsTr("Add item / restock")
    okText: qsTr("Add")
    initialFocus: itemIdInput.text === "" ? itemIdInput.field : countInput.field
    valid: itemIdInput.valid && countInput.valid && priceInput.valid && nameInput.valid
    legacyNote: qsTr("This stream is in the original demo's format, which has no price or name: only the units are written.")

    function prefill(id: string) {
        itemIdInput.reset(id)
        countInput.reset("")
        priceInput.reset("")
        nameInput.reset("")
    }
    function fill(event: var) {
        itemIdInput.reset(event.itemId)
        countInput.reset(event.count)
        priceInput.reset(event.price)
        nameInput.reset(event.name)
    }

    ValidatedField {
        id: itemIdInput
        name: "itemIdField"
        label: qsTr("Item id")
        placeholderText: qsTr("letters, digits, _ . -")
        error: ShopRules.checkItemId(text)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: countInput
        name: "countField"
        label: qsTr("Units to add")
        inputMethodHints: Qt.ImhDigitsOnly
        error: ShopRules.checkCount(text, 0, 1e9)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: priceInput
        name: "priceField"
        label: qsTr("Price (optional)")
        placeholderText: qsTr("empty: keep the current price")
        inputMethodHints: Qt.ImhFormattedNumbersOnly
        enabled: !dialog.legacy
        error: text === "" || dialog.legacy ? "" : ShopRules.checkMoney(text, 0, 1e15, true)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: nameInput
        name: "nameField"
        label: qsTr("Name (optional)")
        placeholderText: qsTr("empty: keep the current name")
        enabled: !dialog.legacy
        error: text === "" || dialog.legacy ? "" : ShopRules.checkName(text, false)
        onAccepted: dialog.tryAccept()
    }

    // What OK sends, and what the preview processes as it is typed.
    eventType: "AddItem"
    eventData: {
        const data = {
            itemId: itemIdInput.text,
            count: ShopRules.toInteger(countInput.text)
        }
        if (priceInput.text !== "" && !dialog.legacy)
            data.price = ShopRules.moneyToMinor(priceInput.text)
        if (nameInput.text !== "" && !dialog.legacy)
            data.name = nameInput.text
        return data
    }
}
