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

        Label {
            Layout.fillWidth: true
            textFormat: Text.PlainText
            elide: Text.ElideRight
            font.bold: true
            font.pointSize: pane.font.pointSize * 1.3
            text: qsTr("Entry %1").arg(pane.entryId)
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
