// The fields of one stream entry, fetched on demand (ShopSession.loadEntry -> entryLoaded).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Pane {
    id: pane

    /// The entry asked for ("" for none) and its verdict from the table.
    property string entryId: ""
    property string verdict: ""
    property bool applied: true
    property var fields: null

    objectName: "entryDetails"
    padding: 12

    Accents { id: accents }

    onEntryIdChanged: {
        fields = null
        if (entryId !== "")
            ShopSession.loadEntry(entryId)
    }
    Connections {
        target: ShopSession
        function onEntryLoaded(entryId: string, fields: var) {
            if (entryId === pane.entryId)
                pane.fields = fields
        }
    }

    Label {
        anchors.centerIn: parent
        visible: pane.entryId === ""
        text: qsTr("Select an event to see its fields")
        color: palette.placeholderText
    }

    ColumnLayout {
        anchors.fill: parent
        visible: pane.entryId !== ""
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            Label {
                font.bold: true
                font.pointSize: pane.font.pointSize * 1.3
                text: qsTr("Entry")
            }
            // The id can be selected with the mouse, and copied whole with the button.
            TextEdit {
                objectName: "entryIdText"
                Layout.fillWidth: true
                Layout.preferredWidth: 1 // what is left beside the button; a long id wraps
                wrapMode: TextEdit.WrapAnywhere
                readOnly: true
                selectByMouse: true
                textFormat: TextEdit.PlainText
                font.bold: true
                font.pointSize: pane.font.pointSize * 1.3
                color: palette.windowText
                selectionColor: palette.highlight
                selectedTextColor: palette.highlightedText
                text: pane.entryId
                Accessible.name: qsTr("Entry id")
            }
            ToolButton {
                objectName: "copyEntryIdButton"
                text: qsTr("Copy id")
                Accessible.name: qsTr("Copy the entry id")
                onClicked: ShopSession.copyText(pane.entryId)
            }
        }
        DetailField {
            caption: qsTr("Verdict")
            value: pane.applied ? qsTr("applied") : pane.verdict
            valueColor: pane.applied ? accents.applied : accents.rejected
            valueObjectName: "entryVerdict"
            wrap: true
        }
        DetailField {
            // What decided the rejection, with its values (from the same checks).
            caption: qsTr("Why")
            visible: !pane.applied && pane.fields !== null && (pane.fields.detail || "") !== ""
            value: pane.fields ? pane.fields.detail || "" : ""
            valueColor: accents.rejected
            valueObjectName: "entryDetail"
            wrap: true
        }
        DetailField { caption: qsTr("Type"); value: pane.fields ? pane.fields.type || "" : ""; valueObjectName: "entryType" }
        DetailField { caption: qsTr("Event id"); value: pane.fields ? pane.fields.eid || "" : ""; valueObjectName: "entryEid" }
        DetailField { caption: qsTr("Actor"); value: pane.fields ? pane.fields.actor || "" : ""; valueObjectName: "entryActor" }
        DetailField {
            // Beside the raw data: its amounts with their units (minor units in the native
            // format, whole units in the original demo's).
            caption: qsTr("Money")
            visible: pane.fields !== null && (pane.fields.money || "") !== ""
            value: pane.fields ? pane.fields.money || "" : ""
            valueObjectName: "entryMoney"
        }
        // Why it got its verdict (the checks in order) and what it changed, from the same
        // explainEntry as `shopstream-cli explain`.
        ExplanationView {
            objectName: "entryExplanation"
            Layout.fillWidth: true
            namePrefix: "entry"
            explanation: pane.fields && pane.fields.ladder ? pane.fields : null
        }
        Label { text: qsTr("Data"); color: palette.placeholderText }
        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                objectName: "entryData"
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.WrapAnywhere
                textFormat: TextEdit.PlainText
                font.family: "monospace"
                text: pane.fields ? pane.fields.data || "" : qsTr("Loading…")
                Accessible.name: qsTr("Entry data")
            }
        }
    }
}
