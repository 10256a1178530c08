// A row of the Snapshots table: checked ✓ (or what is wrong with it), and whether it equals
// a rebuild from scratch once that was asked for.
import QtQuick
import ShopStream

TableRow {
    id: row
    required property string snapshotId
    required property string timeText
    required property var events
    required property string sizeText
    required property bool checked
    required property string problem
    required property string rebuild
    required property string rebuildWhy
    required property var widths

    objectName: "snapshotRow_" + snapshotId
    Accessible.role: Accessible.Row
    Accessible.name: qsTr("Snapshot %1").arg(snapshotId)

    Accents { id: accents }

    TableCell { cellWidth: row.widths[0]; text: row.snapshotId; color: row.textColor }
    TableCell { cellWidth: row.widths[1]; text: row.timeText; color: row.textColor }
    TableCell { cellWidth: row.widths[2]; numeric: true; text: ShopRules.formatCount(row.events); color: row.textColor }
    TableCell { cellWidth: row.widths[3]; numeric: true; text: row.sizeText; color: row.textColor }
    TableCell {
        cellWidth: row.widths[4]
        text: row.checked ? qsTr("✓ checked") : row.problem
        color: row.current ? row.textColor : row.checked ? accents.applied : accents.rejected
    }
    TableCell {
        objectName: "rebuildCell_" + row.snapshotId
        cellWidth: row.widths[5]
        text: row.rebuild === "verified" ? qsTr("✓ equals a rebuild")
            : row.rebuild === "differs" ? qsTr("differs: %1").arg(row.rebuildWhy)
            : row.rebuild === "not compared" ? qsTr("not compared (not checked)")
            : "—"
        color: row.current ? row.textColor
             : row.rebuild === "verified" ? accents.applied
             : row.rebuild === "differs" ? accents.rejected : row.textColor
    }
}
