// Corrects an item's stock up or down: AdjustStock {itemId, delta, reason}. The original
// demo's format has no such event.
import QtQuick
import ShopStream

ShopDialog {
    id: dialog
    objectName: "adjustStockDialog"
    title: qsTr("Adjust stock")
    okText: qsTr("Adjust")
    initialFocus: itemIdInput.text === "" ? itemIdInput.field : deltaInput.field
    valid: itemIdInput.valid && deltaInput.valid && reasonInput.valid
    legacyForm: false
    legacyNote: qsTr("This stream is in the original demo's format, which has no stock adjustment: stock changes by restocks and orders only. Its consumer deletes entries it cannot read, so nothing is written.")

    function prefill(id: string) {
        itemIdInput.reset(id)
        deltaInput.reset("")
        reasonInput.reset("")
    }
    function fill(event: var) {
        itemIdInput.reset(event.itemId)
        deltaInput.reset(event.delta)
        reasonInput.reset(event.reason)
    }

    ValidatedField {
        id: itemIdInput
        name: "itemIdField"
        label: qsTr("Item id")
        error: ShopRules.checkItemId(text)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: deltaInput
        name: "deltaField"
        label: qsTr("Change in units (negative to remove)")
        placeholderText: qsTr("e.g. -3 or 10")
        error: ShopRules.checkStockDelta(text)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: reasonInput
        name: "reasonField"
        label: qsTr("Reason")
        error: ShopRules.checkReason(text)
        onAccepted: dialog.tryAccept()
    }

    // What OK sends, and what the preview processes as it is typed.
    eventType: "AdjustStock"
    eventData: ({
        itemId: itemIdInput.text,
        delta: ShopRules.toInteger(deltaInput.text),
        reason: reasonInput.text
    })
}
