// One entry in a user's or item's history, on two lines so it fits the details pane: time
// and type, then the verdict in colour and, for a user, the balance after the entry.
import QtQuick
import QtQuick.Layouts
import ShopStream

TableRow {
    id: row
    required property string entryId
    required property string timeText
    required property string type
    required property bool applied
    required property string reasonText
    required property var balanceAfter
    property bool showBalance: false

    objectName: "historyRow_" + entryId
    height: 40
    current: false
    Accessible.role: Accessible.Row
    Accessible.name: qsTr("%1 %2 %3").arg(timeText).arg(type).arg(applied ? qsTr("applied") : reasonText)

    Accents { id: accents }

    ColumnLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        spacing: 0
        RowLayout {
            Layout.fillWidth: true
            TableCell { cellWidth: 160; text: row.timeText; color: row.textColor }
            TableCell { text: row.type; color: row.textColor; font.bold: true }
        }
        RowLayout {
            Layout.fillWidth: true
            TableCell {
                text: row.applied ? qsTr("applied") : row.reasonText
                color: row.applied ? accents.applied : accents.rejected
            }
            TableCell {
                cellWidth: 100; numeric: true
                visible: row.showBalance && row.balanceAfter >= 0
                text: visible ? qsTr("→ %1").arg(ShopRules.formatMoney(row.balanceAfter)) : ""
                color: row.textColor
            }
        }
    }
}
