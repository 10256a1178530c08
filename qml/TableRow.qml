// A row of a table-like ListView: fixed height, alternating background, the palette's
// highlight when current, click to select. Cells go into a RowLayout that lines up with
// TableHeader (same margins and spacing).
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: row

    required property int index
    property bool current: ListView.isCurrentItem
    readonly property color textColor: current ? system.highlightedText : system.text
    default property alias cells: layout.data
    signal clicked()

    property SystemPalette system: SystemPalette {}

    width: ListView.view ? ListView.view.width : implicitWidth
    height: 28
    color: current ? system.highlight : (index % 2 ? system.alternateBase : system.base)

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.leftMargin: 8
        anchors.rightMargin: 8
        spacing: 8
    }

    TapHandler {
        onTapped: row.clicked()
    }
}
