// A row of the Snapshots table: verified ✓, or what is wrong with it.
import QtQuick

TableRow {
    id: row
    required property string snapshotId
    required property string timeText
    required property var events
    required property string sizeText
    required property bool verified
    required property string problem
    required property var widths

    objectName: "snapshotRow_" + snapshotId
    Accessible.role: Accessible.Row
    Accessible.name: qsTr("Snapshot %1").arg(snapshotId)

    Accents { id: accents }

    TableCell { cellWidth: row.widths[0]; text: row.snapshotId; color: row.textColor }
    TableCell { cellWidth: row.widths[1]; text: row.timeText; color: row.textColor }
    TableCell { cellWidth: row.widths[2]; numeric: true; text: row.events; color: row.textColor }
    TableCell { cellWidth: row.widths[3]; numeric: true; text: row.sizeText; color: row.textColor }
    TableCell {
        cellWidth: row.widths[4]
        text: row.verified ? qsTr("✓ verified") : row.problem
        color: row.current ? row.textColor : row.verified ? accents.applied : accents.rejected
    }
}
