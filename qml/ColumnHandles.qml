// Handles on the edges of a table's columns, laid over its header row: drag one to make its
// column wider or narrower. The column that fills the rest (width -1) has none; the columns
// before it are resized by their right edge, those after it by their left edge, so that the
// edge follows the pointer. The row's margins and spacing are 8 (TableRow, TableHeader).
pragma ComponentBehavior: Bound

import QtQuick

Item {
    id: handles

    /// The columns' widths, -1 for the one that fills.
    required property var widths
    /// A column's new width, from 40 to 600 (the owner updates `widths`).
    signal resized(int column, real width)

    property SystemPalette system: SystemPalette {}
    readonly property int fillColumn: widths.indexOf(-1)

    // Where a column's draggable edge is: mid-spacing beside it.
    function edgeX(column: int): real {
        const last = widths.length - 1
        let x = 8
        if (fillColumn < 0 || column < fillColumn) {
            for (let i = 0; i <= column; ++i)
                x += widths[i] + (i > 0 ? 8 : 0)
            return x + 4
        }
        x = width - 8
        for (let i = last; i >= column; --i)
            x -= widths[i] + (i < last ? 8 : 0)
        return x - 4
    }

    Repeater {
        model: handles.widths.length
        delegate: Item {
            id: handle
            required property int index
            readonly property bool before: handles.fillColumn < 0 || index < handles.fillColumn
            property real startWidth: 0
            objectName: "columnHandle_" + index
            visible: index !== handles.fillColumn
            x: handles.edgeX(index) - width / 2
            width: 9
            height: handles.height
            HoverHandler { cursorShape: Qt.SplitHCursor }
            DragHandler {
                target: null
                yAxis.enabled: false
                onActiveChanged: if (active) handle.startWidth = handles.widths[handle.index]
                onTranslationChanged: if (active) handles.resized(handle.index,
                    Math.round(Math.max(40, Math.min(600, handle.startWidth + (handle.before ? translation.x : -translation.x)))))
            }
            Rectangle {
                anchors.centerIn: parent
                width: 1
                height: parent.height - 8
                color: handles.system.mid
            }
        }
    }
}
