// A row of the Items table; an unpriced item says so in the warning colour.
import QtQuick
import ShopStream

TableRow {
    id: row
    required property string itemId
    required property string name
    required property string priceText
    required property bool unpriced
    required property var stock
    required property var sold
    required property var widths

    objectName: "itemRow_" + itemId
    touched: !ShopSession.replay.live && ShopSession.replay.touchedItems.indexOf(itemId) >= 0
    Accessible.role: Accessible.Row
    Accessible.name: qsTr("Item %1 %2").arg(itemId).arg(name)

    Accents { id: accents }

    TableCell { cellWidth: row.widths[0]; text: row.itemId; color: row.textColor }
    TableCell { cellWidth: row.widths[1]; text: row.name; color: row.textColor }
    TableCell {
        cellWidth: row.widths[2]; numeric: true
        text: row.unpriced ? qsTr("unpriced") : row.priceText
        font.italic: row.unpriced
        color: row.unpriced && !row.current ? accents.warning : row.textColor
    }
    TableCell { cellWidth: row.widths[3]; numeric: true; text: row.stock; color: row.textColor }
    TableCell { cellWidth: row.widths[4]; numeric: true; text: row.sold; color: row.textColor }
}
