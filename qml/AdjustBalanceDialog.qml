// Corrects a user's balance up or down: AdjustBalance {userId, delta, reason}. The original
// demo's format has no such event.
import QtQuick
import ShopStream

ShopDialog {
    id: dialog
    objectName: "adjustBalanceDialog"
    title: qsTr("Adjust balance")
    okText: qsTr("Adjust")
    initialFocus: userIdInput.text === "" ? userIdInput.field : deltaInput.field
    valid: userIdInput.valid && deltaInput.valid && reasonInput.valid
    legacyForm: false
    legacyNote: qsTr("This stream is in the original demo's format, which has no balance adjustment: balances change by top-ups and orders only. Its consumer deletes entries it cannot read, so nothing is written.")

    function prefill(id: string) {
        userIdInput.reset(id)
        deltaInput.reset("")
        reasonInput.reset("")
    }
    function fill(event: var) {
        userIdInput.reset(event.userId)
        deltaInput.reset(event.delta)
        reasonInput.reset(event.reason)
    }

    ValidatedField {
        id: userIdInput
        name: "userIdField"
        label: qsTr("User id")
        inputMethodHints: Qt.ImhDigitsOnly
        error: ShopRules.checkUserId(text)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: deltaInput
        name: "deltaField"
        label: qsTr("Change (negative to take money off)")
        placeholderText: qsTr("e.g. -5.00 or 3.20")
        error: ShopRules.checkSignedMoney(text)
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
    eventType: "AdjustBalance"
    eventData: ({
        userId: userIdInput.text.replace(/\s/g, ""),
        delta: ShopRules.moneyToMinor(deltaInput.text),
        reason: reasonInput.text
    })
}
