// One cell of a table row: plain text (user data is never rich text), elided, sized like
// its column (cellWidth -1 fills the rest).
import QtQuick
import QtQuick.Layouts

Text {
    property int cellWidth: -1
    property bool numeric: false

    Layout.preferredWidth: cellWidth > 0 ? cellWidth : -1
    Layout.fillWidth: cellWidth <= 0
    Layout.fillHeight: true
    textFormat: Text.PlainText
    elide: Text.ElideRight
    verticalAlignment: Text.AlignVCenter
    horizontalAlignment: numeric ? Text.AlignRight : Text.AlignLeft
}
