// The selected item: figures, quick actions and its history.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Pane {
    id: pane

    /// The selected row, or null.
    property ItemRow item
    property bool historyActive: false
    /// Whether edits can be appended now (live, connected, writable): the buttons follow it.
    property bool editable: true
    signal actionRequested(string action)
    signal entryChosen(string entryId)

    objectName: "itemDetails"
    padding: 12

    Accents { id: accents }

    Label {
        anchors.centerIn: parent
        visible: !pane.item
        text: qsTr("Select an item to see its details and history")
        color: palette.placeholderText
    }

    ColumnLayout {
        anchors.fill: parent
        visible: pane.item !== null
        spacing: 6

        Label {
            objectName: "itemDetailsTitle"
            Layout.fillWidth: true
            textFormat: Text.PlainText
            elide: Text.ElideRight
            font.bold: true
            font.pointSize: pane.font.pointSize * 1.3
            text: pane.item ? qsTr("Item %1").arg(pane.item.itemId) : ""
        }
        DetailField { caption: qsTr("Name"); value: pane.item ? pane.item.name : ""; valueObjectName: "itemDetailsName" }
        DetailField {
            caption: qsTr("Price")
            valueObjectName: "itemDetailsPrice"
            value: !pane.item ? "" : pane.item.unpriced ? qsTr("unpriced: it cannot be ordered until it has a price")
                                                        : pane.item.priceText
            valueColor: pane.item && pane.item.unpriced ? accents.warning : palette.windowText
        }
        DetailField { caption: qsTr("Stock"); value: pane.item ? String(pane.item.stock) : ""; valueObjectName: "itemDetailsStock" }
        DetailField { caption: qsTr("Sold"); value: pane.item ? String(pane.item.sold) : "" }

        Flow {
            Layout.fillWidth: true
            spacing: 6
            Button {
                objectName: "itemRestockButton"
                text: qsTr("Restock…")
                enabled: pane.editable
                Accessible.name: text
                onClicked: pane.actionRequested("addItem")
            }
            Button {
                objectName: "itemSetPriceButton"
                text: qsTr("Set price…")
                enabled: pane.editable && !ShopSession.legacyAppends // no such event in the demo's format
                Accessible.name: text
                onClicked: pane.actionRequested("setPrice")
            }
            Button {
                objectName: "itemAdjustStockButton"
                text: qsTr("Adjust stock…")
                enabled: pane.editable && !ShopSession.legacyAppends // no such event in the demo's format
                Accessible.name: text
                onClicked: pane.actionRequested("adjustStock")
            }
        }

        Label { text: qsTr("History"); font.bold: true }
        EntityHistory {
            objectName: "itemHistory"
            onEntryChosen: entryId => pane.entryChosen(entryId)
            Layout.fillWidth: true
            Layout.fillHeight: true
            active: pane.historyActive && pane.item !== null
        }
    }
}
