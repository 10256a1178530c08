// The frame every edit dialog shares: modal, centred, an OK button named objectName + "Ok"
// that is enabled only while `valid`, and Return to accept. Each dialog fills in the fields,
// `valid`, and what onAccepted submits. On a stream in the original demo's format (whose
// consumer deletes what it cannot read) a dialog says what that format lacks, and one whose
// event the format has no form for cannot be accepted.
//
// The same dialog edits a past entry for "What if it had been…" (fillWhatIf): then it writes
// nothing and has no preview; OK hands its event to the what-if replay (whatIfAccepted) in the
// entry's place, in the native form whatever the stream's format.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Dialog {
    id: dialog

    property bool valid: true
    /// The stream index of the entry this dialog is editing for a what-if (-1: an edit to append).
    property real whatIfIndex: -1
    property string whatIfEntryId: ""
    readonly property bool whatIfMode: whatIfIndex >= 0
    /// OK in what-if mode: this event in place of the entry at `index`.
    signal whatIfAccepted(real index, string entryId, string type, var data)
    /// "Another type, or as JSON…": the what-if's own editor instead.
    signal whatIfAsJson(real index, string entryId)
    /// Appends take the original demo's format (bound to the session). A what-if replaces
    /// the entry in memory, in the native form.
    property bool legacy: ShopSession.legacyAppends && !whatIfMode
    /// False when the event has no form in that format: then OK stays off on such a stream.
    property bool legacyForm: true
    /// What the dialog says on such a stream: why it is refused, or what is left out.
    property string legacyNote: ""
    readonly property bool acceptable: valid && (legacyForm || !legacy)
    property string okText: qsTr("OK")
    /// The field that gets the keyboard focus when the dialog opens.
    property Item initialFocus
    default property alias fields: column.data

    // The request this dialog sent last ("" none pending) and, when it could not be sent
    // (no connection, refused before the stream), why: the dialog opens again with the
    // values as typed and says so, rather than losing them.
    property string pendingRequest: ""
    property string notSent: ""

    /// The event OK sends (each edit dialog binds them to its fields). The dialogs that are
    /// not edits (About, Confirm, Connection, Export) leave eventType "" and send nothing.
    property string eventType: ""
    property var eventData: ({})
    /// What it would do if appended now (ShopSession.preview: the verdict against the rows it
    /// names, and those rows before and after), while the fields pass their checks; again
    /// whenever the shop changes.
    readonly property var preview: {
        ShopSession.totalEvents
        return visible && acceptable && eventType !== "" && !whatIfMode ? ShopSession.preview(eventType, eventData) : null
    }
    onAccepted: {
        if (whatIfMode)
            whatIfAccepted(whatIfIndex, whatIfEntryId, eventType, eventData)
        else if (eventType !== "")
            send(eventType, eventData)
    }
    // Opens on entry `entry` ({index, entryId}) with its decoded event (`event`, as
    // ShopSession's entryLoaded gives it) in the fields: each dialog's fill(event).
    function fillWhatIf(entry: var, event: var) {
        whatIfIndex = entry.index
        whatIfEntryId = entry.entryId
        fill(event)
    }
    function send(type: string, data: var) {
        notSent = ""
        pendingRequest = ShopSession.submit(type, data)
    }
    Connections {
        target: ShopSession
        function onCommandFinished(requestId: string, applied: bool, reason: string, message: string) {
            if (requestId !== dialog.pendingRequest)
                return
            dialog.pendingRequest = ""
            if (applied || reason !== "")
                return // it reached the stream: the verdict is the toast's
            dialog.notSent = qsTr("Not sent: %1. Your values are kept; try again.").arg(message)
            if (!dialog.visible)
                dialog.open()
        }
    }
    onRejected: notSent = ""

    // Accepts when every check passes (used by the fields' Return key).
    function tryAccept() {
        if (acceptable)
            accept()
    }

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    focus: true
    width: Math.min(460, parent ? parent.width - 40 : 460)
    closePolicy: Popup.CloseOnEscape
    // Fusion's own modal dimming is almost invisible: the dialog blended into the table.
    Overlay.modal: Rectangle { color: Qt.rgba(0, 0, 0, 0.3) }

    onOpened: if (initialFocus) initialFocus.forceActiveFocus()

    contentItem: ColumnLayout {
        spacing: 10

        ColumnLayout {
            id: column
            Layout.fillWidth: true
            spacing: 10

            // What a what-if edit is, above the fields.
            RowLayout {
                visible: dialog.whatIfMode
                Layout.fillWidth: true
                Label {
                    objectName: dialog.objectName + "WhatIfNote"
                    Layout.fillWidth: true
                    text: qsTr("What if entry %1 had been this event? The history is replayed in memory with it; nothing is written.").arg(dialog.whatIfEntryId)
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    font.bold: true
                }
                Button {
                    objectName: dialog.objectName + "WhatIfJson"
                    text: qsTr("Another type…")
                    flat: true
                    Accessible.name: qsTr("Another event type, or the data as JSON")
                    onClicked: {
                        dialog.whatIfAsJson(dialog.whatIfIndex, dialog.whatIfEntryId)
                        dialog.reject()
                    }
                }
            }

            Label {
                objectName: dialog.objectName + "LegacyNote"
                Layout.fillWidth: true
                visible: dialog.legacy && dialog.legacyNote !== ""
                text: dialog.legacyNote
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: dialog.legacyForm ? dialog.palette.windowText : accents.rejected
                Accents { id: accents }
            }
            Label {
                objectName: dialog.objectName + "NotSent"
                Layout.fillWidth: true
                visible: dialog.notSent !== ""
                text: dialog.notSent
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: accents.rejected
            }
        }

        // The preview, under the fields.
        Label {
            objectName: dialog.objectName + "Preview"
            /// The verdict predicted: "" applied, a section 3 name, or "refused" (not written).
            readonly property string reason: !dialog.preview ? "" : dialog.preview.refused ? "refused" : dialog.preview.reason || ""
            Layout.fillWidth: true
            visible: dialog.preview !== null
            text: dialog.preview ? qsTr("If sent now, it %1").arg(dialog.preview.verdictText) : ""
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: dialog.preview && dialog.preview.applied ? accents.applied : accents.rejected
        }
        ExplanationView {
            Layout.fillWidth: true
            visible: dialog.preview !== null
            showLadder: false
            namePrefix: dialog.objectName + "Preview"
            explanation: dialog.preview
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: dialog.objectName + "Ok"
            text: dialog.whatIfMode ? qsTr("Replay with it") : dialog.okText
            enabled: dialog.acceptable
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        Button {
            objectName: dialog.objectName + "Cancel"
            text: qsTr("Cancel")
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }
}
