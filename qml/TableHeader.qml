// The header row of a table: one button per column that sorts the proxy by that column's
// role (again: reverses), and a handle on each column's edge to resize it (columnResized).
// columns: [{role, title, width}], width -1 fills the rest.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Rectangle {
    id: header

    required property ShopSortFilterModel proxy
    required property var columns
    /// Prefix of the buttons' objectNames: prefix + "Header_" + role.
    property string prefix: ""
    property SystemPalette system: SystemPalette {}
    signal columnResized(int column, real width)

    implicitHeight: 30
    color: system.button
    border.color: system.mid

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 8
        anchors.rightMargin: 8
        spacing: 8
        Repeater {
            // By index, so that new widths move the buttons rather than make new ones.
            model: header.columns.length
            delegate: ToolButton {
                id: button
                required property int index
                readonly property var modelData: header.columns[index]
                readonly property bool sorted: header.proxy.sortRoleName === modelData.role
                objectName: header.prefix + "Header_" + modelData.role
                Layout.preferredWidth: modelData.width > 0 ? modelData.width : -1
                Layout.fillWidth: modelData.width <= 0
                Layout.fillHeight: true
                padding: 0
                text: modelData.title + (sorted ? (header.proxy.descending ? " ▼" : " ▲") : "")
                font.bold: sorted
                Accessible.name: qsTr("Sort by %1").arg(modelData.title)
                contentItem: Label {
                    text: button.text
                    font: button.font
                    elide: Text.ElideRight
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: button.modelData.numeric ? Text.AlignRight : Text.AlignLeft
                }
                onClicked: {
                    if (sorted)
                        header.proxy.descending = !header.proxy.descending
                    else
                        header.proxy.sortRoleName = modelData.role
                }
            }
        }
    }

    ColumnHandles {
        anchors.fill: parent
        widths: header.columns.map(column => column.width)
        onResized: (column, width) => header.columnResized(column, width)
    }
}
