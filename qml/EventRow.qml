// A row of the Events table. Kept light for a million rows: fixed height, plain Text cells.
import QtQuick

TableRow {
    id: row
    required property string entryId
    required property string timeText
    required property string type
    required property bool applied
    required property string reasonText
    required property string userId
    required property string itemId
    required property var streamIndex
    /// The stream index of the timeline's current event (history mode), else -1: that row is
    /// marked the way the tables mark what the current event touched.
    property real currentStreamIndex: -1
    required property var widths
    required property color appliedColor
    required property color rejectedColor
    /// A right click: the page's context menu for this row, at `scenePoint`.
    signal menuRequested(point scenePoint)

    objectName: "eventRow_" + entryId
    touched: currentStreamIndex >= 0 && streamIndex === currentStreamIndex
    Accessible.role: Accessible.Row
    Accessible.name: qsTr("%1 %2 %3").arg(entryId).arg(type).arg(applied ? qsTr("applied") : reasonText)

    TableCell { cellWidth: row.widths[0]; text: row.timeText; color: row.textColor }
    TableCell { cellWidth: row.widths[1]; text: row.entryId; color: row.textColor }
    TableCell { cellWidth: row.widths[2]; text: row.type; color: row.textColor }
    /// The verdict cell is cut (its whole text goes in the page's tooltip).
    readonly property bool verdictCut: verdictCell.truncated
    readonly property string verdictText: verdictCell.text

    TableCell {
        id: verdictCell
        cellWidth: row.widths[3]
        text: row.applied ? qsTr("applied") : row.reasonText
        color: row.current ? row.textColor : row.applied ? row.appliedColor : row.rejectedColor
    }
    TableCell { cellWidth: row.widths[4]; numeric: true; text: row.userId; color: row.textColor }
    TableCell { cellWidth: row.widths[5]; text: row.itemId; color: row.textColor }

    TapHandler {
        acceptedButtons: Qt.RightButton
        onTapped: (eventPoint) => row.menuRequested(row.mapToItem(null, eventPoint.position))
    }
}
