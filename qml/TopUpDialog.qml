// Adds money to a user's balance: TopUp {userId, amount}. The original demo's format takes
// whole currency units only.
import QtQuick
import ShopStream

ShopDialog {
    id: dialog
    objectName: "topUpDialog"
    title: qsTr("Top up")
    okText: qsTr("Top up")
    initialFocus: userIdInput.text === "" ? userIdInput.field : amountInput.field
    valid: userIdInput.valid && amountInput.valid

    function prefill(id: string) {
        userIdInput.reset(id)
        amountInput.reset("")
    }
    function fill(event: var) {
        userIdInput.reset(event.userId)
        amountInput.reset(event.amount)
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
        id: amountInput
        name: "amountField"
        label: qsTr("Amount")
        placeholderText: qsTr("e.g. 12.50")
        inputMethodHints: Qt.ImhFormattedNumbersOnly
        error: ShopRules.checkMoney(text, 1, 1e15, false, dialog.legacy)
        onAccepted: dialog.tryAccept()
    }

    // What OK sends, and what the preview processes as it is typed.
    eventType: "TopUp"
    eventData: ({
        userId: userIdInput.text.replace(/\s/g, ""),
        amount: ShopRules.moneyToMinor(amountInput.text)
    })
}
