// A row of a table-like ListView: fixed height, alternating background, the palette's
// highlight when current, click to select. Cells go into a RowLayout that lines up with
// TableHeader (same margins and spacing).
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: row

    required property int index
    property bool current: ListView.isCurrentItem
    /// The current history event touched this row: a marker that fades.
    property bool touched: false
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

    // A bar at the left edge and a tint that flash, then fade to a faint mark while the
    // row stays touched.
    Item {
        id: touchMark
        anchors.fill: parent
        opacity: 0
        readonly property color accent: row.system.window.hslLightness < 0.5 ? "#f2c661" : "#f9a825"
        Rectangle { width: 5; height: parent.height; color: touchMark.accent }
        Rectangle { anchors.fill: parent; color: touchMark.accent; opacity: 0.25 }
    }
    function showTouch() {
        if (touched) {
            fade.restart()
        } else {
            fade.stop()
            touchMark.opacity = 0
        }
    }
    onTouchedChanged: showTouch()
    Component.onCompleted: showTouch()
    SequentialAnimation {
        id: fade
        PropertyAction { target: touchMark; property: "opacity"; value: 1 }
        PauseAnimation { duration: 400 }
        NumberAnimation { target: touchMark; property: "opacity"; to: 0.4; duration: 1200 }
    }

    TapHandler {
        onTapped: row.clicked()
    }
}
