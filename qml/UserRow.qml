// A row of the Users table.
import QtQuick
import ShopStream

TableRow {
    id: row
    required property string userId
    required property string name
    required property string balanceText
    required property string spentText
    required property var orders
    required property var widths

    objectName: "userRow_" + userId
    touched: !ShopSession.replay.live && ShopSession.replay.touchedUsers.indexOf(userId) >= 0
    Accessible.role: Accessible.Row
    Accessible.name: qsTr("User %1 %2").arg(userId).arg(name)

    TableCell { cellWidth: row.widths[0]; numeric: true; text: row.userId; color: row.textColor }
    TableCell { cellWidth: row.widths[1]; text: row.name; color: row.textColor }
    TableCell { cellWidth: row.widths[2]; numeric: true; text: row.balanceText; color: row.textColor }
    TableCell { cellWidth: row.widths[3]; numeric: true; text: row.spentText; color: row.textColor }
    TableCell { cellWidth: row.widths[4]; numeric: true; text: row.orders; color: row.textColor }
}
