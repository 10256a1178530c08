// What if an entry had not happened, or had been another event: the history replayed in
// memory with that change (ReplayController.whatIf). It lists the later events whose verdict
// changes (a click shows one on the timeline) and the shop at the head against the real one.
// Nothing is written to Redis; the result is only shown.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Dialog {
    id: dialog
    objectName: "whatIfDialog"
    title: qsTr("What if")

    readonly property var whatIf: ShopSession.replay.whatIf
    readonly property var answer: whatIf.result
    property int index: -1
    property string entryId: ""
    /// True: the entry's replacement is edited here first (type and JSON data), then replayed:
    /// for an entry that does not decode, or another type (most are edited in their own dialog).
    property bool replacing: false
    readonly property var eventTypes: ["RegisterUser", "TopUp", "AdjustBalance", "AddItem", "SetPrice", "AdjustStock", "Order"]

    // Opened by Main.openDialog(dialog, {index, entryId}, replace).
    function prefill(entry, replace) {
        index = entry.index
        entryId = entry.entryId
        replacing = replace === true
        whatIf.clear()
        if (replacing) {
            dataField.text = ""
            ShopSession.loadEntry(entryId) // its data, to start the edit from
        } else {
            whatIf.leaveOut(index)
        }
    }
    // The entry replaced by an event edited in its own dialog (Main.replayWith).
    function replayWith(entry, type: string, data: var) {
        index = entry.index
        entryId = entry.entryId
        replacing = false
        whatIf.clear()
        whatIf.replaceWith(index, type, data)
    }
    function runReplacement() {
        whatIf.replace(index, typeBox.currentText, dataField.text)
    }

    Connections {
        target: ShopSession
        function onEntryLoaded(entryId: string, fields: var) {
            if (!dialog.replacing || entryId !== dialog.entryId || dataField.text !== "")
                return
            const at = dialog.eventTypes.indexOf(fields.type === "OrderType" ? "Order" : fields.type)
            typeBox.currentIndex = at >= 0 ? at : 1
            dataField.text = fields.format === "JSON" ? (fields.data || "") : ""
            legacyNote.visible = fields.format !== "JSON"
        }
    }
    onClosed: whatIf.cancel()

    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    width: Math.min(980, parent ? parent.width - 40 : 980)
    height: Math.min(660, parent ? parent.height - 40 : 660)
    standardButtons: Dialog.Close

    Accents { id: accents }

    contentItem: ColumnLayout {
        spacing: 8
        Label {
            Layout.fillWidth: true
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: accents.idle
            text: qsTr("The history is replayed in memory with this change. Nothing is written to Redis, and the stream stays as it is.")
        }
        // The replacement, edited before it is replayed.
        GridLayout {
            visible: dialog.replacing
            Layout.fillWidth: true
            columns: 3
            Label { text: qsTr("Entry %1 as").arg(dialog.entryId) }
            ComboBox {
                id: typeBox
                objectName: "whatIfType"
                model: dialog.eventTypes
                Accessible.name: qsTr("Event type")
            }
            Button {
                objectName: "whatIfRun"
                text: qsTr("Replay with it")
                highlighted: true
                enabled: dataField.text.trim() !== "" && !dialog.whatIf.running
                onClicked: dialog.runReplacement()
            }
            Label { text: qsTr("Data (JSON)") }
            TextField {
                id: dataField
                objectName: "whatIfData"
                Layout.columnSpan: 2
                Layout.fillWidth: true
                font.family: "monospace"
                placeholderText: qsTr("{\"userId\": 7, \"amount\": 1500}   (amounts in minor units)")
                Accessible.name: qsTr("Event data as JSON")
                onAccepted: if (text.trim() !== "") dialog.runReplacement()
            }
            Label {
                id: legacyNote
                objectName: "whatIfLegacyNote"
                visible: false
                Layout.columnSpan: 3
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                color: accents.warning
                text: qsTr("This entry is in the original demo's format: write the event in the native form (JSON, amounts in minor units).")
            }
        }
        Label {
            objectName: "whatIfTitle"
            Layout.fillWidth: true
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            font.bold: true
            text: dialog.answer.error ? dialog.answer.error : (dialog.answer.title || "")
            color: dialog.answer.error ? accents.rejected : palette.windowText
        }
        RowLayout {
            visible: dialog.whatIf.running
            Layout.fillWidth: true
            ProgressBar {
                objectName: "whatIfProgress"
                Layout.fillWidth: true
                value: dialog.whatIf.progress
            }
            Button {
                objectName: "whatIfCancel"
                text: qsTr("Cancel")
                onClicked: dialog.whatIf.cancel()
            }
        }
        Label {
            objectName: "whatIfSummary"
            visible: !dialog.whatIf.running && dialog.answer.changes !== undefined
            Layout.fillWidth: true
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            text: !visible ? ""
                  : (dialog.answer.cancelled ? qsTr("Cancelled: what was replayed so far. ") : "")
                    + (dialog.answer.replaced ? qsTr("The replacement would be: %1. ").arg(dialog.answer.replacementVerdict) : "")
                    + qsTr("%1 change their verdict.").arg(ShopRules.countOf(dialog.answer.changesTotal, qsTr("later event"), qsTr("later events")))
                    + (dialog.answer.changesTotal > dialog.answer.changes.length
                       ? qsTr(" The first %1 are listed.").arg(ShopRules.formatCount(dialog.answer.changes.length)) : "")
        }
        ListView {
            id: changed
            objectName: "whatIfChanges"
            visible: !dialog.whatIf.running && count > 0
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 180)
            clip: true
            model: dialog.answer.changes || []
            ScrollBar.vertical: ScrollBar {}
            delegate: ItemDelegate {
                id: row
                required property var modelData
                width: changed.width
                height: 28
                Accessible.name: qsTr("Show entry %1 on the timeline").arg(modelData.id)
                onClicked: ShopSession.replay.seek(modelData.position + 1)
                contentItem: RowLayout {
                    spacing: 12
                    Label { text: row.modelData.time; color: accents.idle }
                    Label { text: row.modelData.id; font.bold: true; Layout.preferredWidth: 200 }
                    Label {
                        text: row.modelData.beforeText
                        color: row.modelData.before === "applied" ? accents.applied : accents.rejected
                        elide: Text.ElideRight
                        Layout.preferredWidth: 280
                    }
                    Label { text: "→"; color: accents.idle }
                    Label {
                        text: row.modelData.afterText
                        color: row.modelData.after === "applied" ? accents.applied : accents.rejected
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
            }
        }
        Label {
            visible: !dialog.whatIf.running && dialog.answer.comparison !== undefined
            Layout.fillWidth: true
            textFormat: Text.PlainText
            text: qsTr("The shop at the head, real and what if: %1").arg(dialog.answer.countsText || "")
            font.bold: true
        }
        StateChanges {
            objectName: "whatIfComparison"
            visible: !dialog.whatIf.running && dialog.answer.comparison !== undefined
            Layout.fillWidth: true
            Layout.fillHeight: true
            comparison: dialog.answer.comparison || ({ users: [], items: [], more: 0 })
            beforeLabel: qsTr("real")
            afterLabel: qsTr("what if")
            emptyText: qsTr("The shop at the head would be the same")
        }
    }
}
