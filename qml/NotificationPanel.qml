// The session's log (Ctrl+J, or the status bar's Log button): every verdict, error,
// snapshot and notice since the window opened, newest at the bottom, with the time. The
// lines can be selected and copied, one or all at once. Opening it marks them read; while
// open it follows the newest line.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Drawer {
    id: panel
    objectName: "notificationPanel"

    readonly property var log: ShopSession.notifications

    edge: Qt.RightEdge
    // A side panel to keep open while working: the window stays usable, Ctrl+J or Esc closes it.
    modal: false
    dim: false
    interactive: false // no edge swipe: it opens on Ctrl+J or the Log button
    closePolicy: Popup.CloseOnEscape
    width: Math.min(520, parent ? parent.width * 0.6 : 520)
    height: parent ? parent.height : 600
    onOpened: {
        panel.log.markRead()
        list.positionViewAtEnd()
        list.forceActiveFocus()
    }

    Accents { id: accents }
    Connections {
        target: panel.log
        function onCountChanged() {
            if (panel.opened) {
                panel.log.markRead()
                list.positionViewAtEnd()
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 8
        // The window's Ctrl+J does not reach past a popup that has the focus: it closes here.
        Keys.onPressed: (event) => {
            event.accepted = event.key === Qt.Key_J && (event.modifiers & Qt.ControlModifier)
            if (event.accepted)
                panel.close()
        }
        RowLayout {
            Layout.fillWidth: true
            Label {
                objectName: "notificationTitle"
                Layout.fillWidth: true
                text: qsTr("Messages of this session (%1)").arg(ShopRules.formatCount(panel.log.count))
                font.bold: true
            }
            Button {
                objectName: "notificationCopyAll"
                text: qsTr("Copy all")
                enabled: panel.log.count > 0
                onClicked: ShopSession.copyText(panel.log.allText())
            }
            Button {
                objectName: "notificationClear"
                text: qsTr("Clear")
                enabled: panel.log.count > 0
                onClicked: panel.log.clear()
            }
            ToolButton {
                text: "✕"
                Accessible.name: qsTr("Close the messages")
                onClicked: panel.close()
            }
        }
        Label {
            objectName: "notificationEmpty"
            visible: panel.log.count === 0
            text: qsTr("Nothing yet: verdicts of your edits, errors and snapshots appear here.")
            color: palette.placeholderText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        ListView {
            id: list
            objectName: "notificationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: panel.log
            spacing: 4
            keyNavigationEnabled: true
            activeFocusOnTab: true
            highlightFollowsCurrentItem: true
            ScrollBar.vertical: ScrollBar {}
            Keys.onPressed: (event) => {
                event.accepted = event.matches(StandardKey.Copy) && list.currentIndex >= 0
                if (event.accepted)
                    ShopSession.copyText(panel.log.line(list.currentIndex))
            }
            delegate: Rectangle {
                id: entry
                required property string kind
                required property string text
                required property string timeText
                required property int index
                readonly property color accent: kind === "applied" ? accents.applied
                                              : kind === "rejected" || kind === "error" ? accents.rejected
                                              : accents.system.mid
                width: ListView.view.width
                implicitHeight: row.implicitHeight + 8
                color: ListView.isCurrentItem && list.activeFocus ? accents.tint(accents.system.highlight) : "transparent"
                border.color: ListView.isCurrentItem && list.activeFocus ? accents.system.highlight : "transparent"
                radius: 3
                RowLayout {
                    id: row
                    anchors.fill: parent
                    anchors.margins: 4
                    spacing: 8
                    Rectangle {
                        Layout.alignment: Qt.AlignTop
                        Layout.topMargin: 4
                        implicitWidth: 8; implicitHeight: 8; radius: 4
                        color: entry.accent
                    }
                    Label {
                        Layout.alignment: Qt.AlignTop
                        text: entry.timeText
                        font.family: "monospace"
                        color: palette.placeholderText
                    }
                    TextEdit {
                        // Selectable and copyable, as every message should be.
                        Layout.fillWidth: true
                        readOnly: true
                        selectByMouse: true
                        textFormat: TextEdit.PlainText
                        wrapMode: TextEdit.Wrap
                        color: palette.text
                        selectionColor: palette.highlight
                        selectedTextColor: palette.highlightedText
                        text: entry.text
                        Accessible.role: Accessible.StaticText
                        Accessible.name: entry.kind + ": " + entry.text
                        TapHandler { onTapped: list.currentIndex = entry.index }
                    }
                }
            }
        }
    }
}
