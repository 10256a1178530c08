// The Snapshots page: the stored snapshots (newest first) with take, restore, replay and
// refresh. The list is refreshed whenever the page is shown.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Page {
    id: page
    objectName: "snapshotsPage"

    // Column widths (drag an edge in the header); -1 fills the rest.
    property var widths: [190, 160, 90, 90, 260, -1]
    readonly property string selectedId: list.currentItem ? (list.currentItem as SnapshotRow).snapshotId : ""

    function focusSearch() {}

    Accents { id: accents }

    onVisibleChanged: if (visible) ShopSession.refreshSnapshots()

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            spacing: 8
            Button {
                objectName: "takeSnapshotButton"
                text: qsTr("Take snapshot now")
                enabled: !ShopSession.readOnly && !ShopSession.viewOnly
                Accessible.name: text
                onClicked: ShopSession.takeSnapshot()
            }
            Button {
                objectName: "restoreSnapshotButton"
                text: qsTr("Restore from selected…")
                enabled: page.selectedId !== "" && list.currentItem && (list.currentItem as SnapshotRow).checked
                Accessible.name: text
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Rebuild the shop from the selected snapshot and the events after it")
                onClicked: restoreConfirm.open()
            }
            Button {
                objectName: "replayFromScratchButton"
                text: qsTr("Replay from scratch…")
                Accessible.name: text
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Rebuild the shop from the first event of the stream")
                onClicked: replayConfirm.open()
            }
            Button {
                objectName: "verifySnapshotsButton"
                text: ShopSession.verifyingSnapshots ? qsTr("Comparing…") : qsTr("Compare with a rebuild")
                enabled: !ShopSession.verifyingSnapshots && list.count > 0
                Accessible.name: text
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Rebuild the shop from the first event and check that every stored snapshot equals it (nothing is written)")
                onClicked: ShopSession.verifySnapshots()
            }
            BusyIndicator {
                running: ShopSession.verifyingSnapshots
                visible: running
                implicitWidth: 24
                implicitHeight: 24
            }
            Item { Layout.fillWidth: true }
            Button {
                objectName: "refreshSnapshotsButton"
                text: qsTr("Refresh")
                Accessible.name: text
                onClicked: ShopSession.refreshSnapshots()
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        Label {
            objectName: "snapshotsError"
            Layout.fillWidth: true
            Layout.margins: 8
            visible: ShopSession.snapshotsError !== ""
            text: ShopSession.snapshotsError
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: accents.rejected
        }
        TableRow {
            id: columnHeader
            Layout.fillWidth: true
            index: 0
            current: false
            color: system.button
            TableCell { cellWidth: page.widths[0]; text: qsTr("Snapshot (last event)"); font.bold: true; color: columnHeader.system.buttonText }
            TableCell { cellWidth: page.widths[1]; text: qsTr("Taken"); font.bold: true; color: columnHeader.system.buttonText }
            TableCell { cellWidth: page.widths[2]; text: qsTr("Events"); font.bold: true; numeric: true; color: columnHeader.system.buttonText }
            TableCell { cellWidth: page.widths[3]; text: qsTr("Size"); font.bold: true; numeric: true; color: columnHeader.system.buttonText }
            TableCell { cellWidth: page.widths[4]; text: qsTr("Checked"); font.bold: true; color: columnHeader.system.buttonText }
            TableCell { cellWidth: page.widths[5]; text: qsTr("Rebuild"); font.bold: true; color: columnHeader.system.buttonText }
            ColumnHandles {
                // Over the row's cells, not one of them.
                parent: columnHeader
                anchors.fill: parent
                widths: page.widths
                onResized: (column, width) => {
                    const next = page.widths.slice()
                    next[column] = width
                    page.widths = next
                }
            }
        }
        ListView {
            id: list
            objectName: "snapshotList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: ShopSession.snapshots
            highlightMoveDuration: 0
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            delegate: SnapshotRow {
                widths: page.widths
                onClicked: {
                    list.currentIndex = index
                    list.forceActiveFocus()
                }
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: qsTr("No snapshots yet: take one now, or wait for the periodic one")
                color: palette.placeholderText
            }
        }
    }

    ConfirmDialog {
        id: restoreConfirm
        objectName: "restoreConfirmDialog"
        title: qsTr("Restore from snapshot")
        okText: qsTr("Restore")
        text: qsTr("This drops the state in memory, loads snapshot %1 and replays the events after it. The stream itself is not changed.").arg(page.selectedId)
        onAccepted: ShopSession.restoreSnapshot(page.selectedId)
    }
    ConfirmDialog {
        id: replayConfirm
        objectName: "replayConfirmDialog"
        title: qsTr("Replay from scratch")
        okText: qsTr("Replay")
        text: qsTr("This drops the state in memory and replays every event of the stream from the first. It can take a while on a long stream; the stream itself is not changed.")
        onAccepted: ShopSession.replayFromScratch()
    }
}
