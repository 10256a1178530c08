// Registers a user: RegisterUser {userId, name}. The original demo's format has no such event.
import QtQuick
import ShopStream

ShopDialog {
    id: dialog
    objectName: "registerUserDialog"
    title: qsTr("Register user")
    okText: qsTr("Register")
    initialFocus: userIdInput.text === "" ? userIdInput.field : nameInput.field
    valid: userIdInput.valid && nameInput.valid
    legacyForm: false
    legacyNote: qsTr("This stream is in the original demo's format, which has no user registration: a user comes into being with a first top-up. Its consumer deletes entries it cannot read, so nothing is written.")

    function prefill(id: string) {
        userIdInput.reset(id)
        nameInput.reset("")
    }
    function fill(event: var) {
        userIdInput.reset(event.userId)
        nameInput.reset(event.name)
    }

    ValidatedField {
        id: userIdInput
        name: "userIdField"
        label: qsTr("User id")
        placeholderText: qsTr("a whole number, e.g. 42")
        inputMethodHints: Qt.ImhDigitsOnly
        error: ShopRules.checkUserId(text)
        onAccepted: dialog.tryAccept()
    }
    ValidatedField {
        id: nameInput
        name: "nameField"
        label: qsTr("Name")
        error: ShopRules.checkName(text, true)
        onAccepted: dialog.tryAccept()
    }

    // What OK sends, and what the preview processes as it is typed.
    eventType: "RegisterUser"
    eventData: ({
        userId: userIdInput.text.replace(/\s/g, ""),
        name: nameInput.text
    })
}
