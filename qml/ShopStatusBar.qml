// The footer: connection state (coloured dot), target, stream (and its format when it is the
// original demo's), last id, lag, rate, the applied / rejected totals, the last snapshot
// written, and the Log button (the session's messages, with how many are unread).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ToolBar {
    id: bar
    objectName: "statusBar"

    signal logRequested()

    readonly property int connState: ShopSession.connectionState
    // Looking at the past: the bar says so (in the history banner's colour), not "Live".
    readonly property bool history: !ShopSession.replay.live
    readonly property color stateColor: {
        if (history)
            return accents.snapshot
        switch (connState) {
        case ShopSession.Live: return accents.applied
        case ShopSession.Disconnected:
        case ShopSession.Failed: return accents.rejected
        case ShopSession.Stopped: return accents.idle
        default: return accents.warning
        }
    }
    readonly property string stateText: {
        if (history)
            return qsTr("History")
        switch (connState) {
        case ShopSession.Connecting: return qsTr("Connecting")
        case ShopSession.Restoring: return qsTr("Restoring")
        case ShopSession.CatchingUp: return qsTr("Catching up")
        case ShopSession.Live: return qsTr("Live")
        case ShopSession.Disconnected: return qsTr("Disconnected")
        case ShopSession.Failed: return qsTr("Failed")
        case ShopSession.Stopped: return qsTr("Stopped")
        case ShopSession.Gap: return qsTr("gap") // the text the engine's name gave before
        default: return ""
        }
    }

    Accents { id: accents }

    component Sep: Rectangle {
        implicitWidth: 1
        Layout.fillHeight: true
        Layout.margins: 4
        color: system.mid
        SystemPalette { id: system }
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 8
        anchors.rightMargin: 8
        spacing: 8

        Rectangle {
            objectName: "connectionDot"
            implicitWidth: 12; implicitHeight: 12; radius: 6
            color: bar.stateColor
            border.color: Qt.darker(bar.stateColor, 1.4)
        }
        Label {
            objectName: "connectionStateLabel"
            text: bar.stateText
            font.bold: true
            Accessible.name: qsTr("Connection: %1").arg(bar.stateText)
        }
        Label {
            // Viewer mode: a badge beside the state, on every page.
            objectName: "viewerLabel"
            visible: ShopSession.viewOnly
            text: qsTr("Viewer")
            font.bold: true
            color: accents.snapshot
            Accessible.name: qsTr("Viewer mode: nothing is written to Redis")
            ToolTip.visible: viewerHover.hovered
            ToolTip.text: qsTr("Viewer mode: nothing is written to Redis (no snapshots, no edits). Switch it off in Connection… (Ctrl+L).")
            HoverHandler { id: viewerHover }
        }
        Sep {}
        Label {
            objectName: "targetLabel"
            Layout.fillWidth: true
            Layout.minimumWidth: 80
            textFormat: Text.PlainText
            elide: Text.ElideMiddle
            text: ShopSession.target
            ToolTip.visible: targetHover.hovered && truncated
            ToolTip.text: ShopSession.target
            HoverHandler { id: targetHover }
        }
        Label {
            // The role of the server in use: a replica takes no edits.
            objectName: "serverRoleLabel"
            visible: ShopSession.serverRole !== ""
            text: ShopSession.serverRole === "replica" ? qsTr("replica") : qsTr("master")
            color: ShopSession.serverRole === "replica" ? accents.warning : palette.windowText
            Accessible.name: qsTr("Server role: %1").arg(text)
        }
        Sep {}
        Label {
            objectName: "streamLabel"
            Layout.maximumWidth: 180
            textFormat: Text.PlainText
            elide: Text.ElideRight
            text: qsTr("stream %1").arg(ShopSession.stream)
        }
        Label {
            // Why some edit actions are off: the original demo's format has no such events.
            objectName: "streamFormatLabel"
            visible: ShopSession.streamFormat === "legacy" || ShopSession.streamFormat === "mixed"
            text: ShopSession.legacyAppends ? qsTr("(original demo's format)") : qsTr("(mixed formats)")
            color: accents.warning
            ToolTip.visible: formatHover.hovered
            ToolTip.text: ShopSession.legacyAppends
                          ? qsTr("Appends are written in the original demo's format, which its consumer can read: top-ups in whole units, restocks and orders only.")
                          : qsTr("The stream holds both formats; its newest entry is native, so appends are native.")
            HoverHandler { id: formatHover }
        }
        Sep {}
        Label {
            objectName: "lastIdLabel"
            textFormat: Text.PlainText
            text: qsTr("last %1").arg(ShopSession.lastEventId || "–")
        }
        Sep {}
        Label {
            objectName: "lagLabel"
            text: qsTr("lag %1").arg(ShopRules.formatCount(ShopSession.lag))
            color: ShopSession.lag > 0 ? accents.warning : bar.palette.windowText
        }
        Label {
            objectName: "rateLabel"
            text: qsTr("%1 ev/s").arg(ShopRules.formatCount(Math.round(ShopSession.eventsPerSecond)))
        }
        Sep {}
        Label {
            objectName: "appliedLabel"
            text: qsTr("%1 applied").arg(ShopRules.formatCount(ShopSession.appliedEvents))
            color: accents.applied
        }
        Label {
            objectName: "rejectedLabel"
            text: qsTr("%1 rejected").arg(ShopRules.formatCount(ShopSession.rejectedEvents))
            color: ShopSession.rejectedEvents > 0 ? accents.rejected : bar.palette.windowText
        }
        Sep { visible: snapshotLabel.visible }
        Label {
            id: snapshotLabel
            objectName: "lastSnapshotLabel"
            visible: ShopSession.lastSnapshot !== ""
            textFormat: Text.PlainText
            text: qsTr("snapshot %1").arg(ShopSession.lastSnapshot)
            Accessible.name: qsTr("Last snapshot: %1").arg(ShopSession.lastSnapshot)
        }
        Sep {}
        ToolButton {
            objectName: "logButton"
            readonly property int unread: ShopSession.notifications.unread
            text: unread > 0 ? qsTr("Log (%1)").arg(unread) : qsTr("Log")
            palette.buttonText: ShopSession.notifications.unreadProblems > 0 ? accents.rejected : bar.palette.buttonText
            font.bold: ShopSession.notifications.unreadProblems > 0
            Accessible.name: unread > 0 ? qsTr("Messages, %1 unread (Ctrl+J)").arg(unread) : qsTr("Messages (Ctrl+J)")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Every verdict, error and snapshot of this session (Ctrl+J)")
            onClicked: bar.logRequested()
        }
    }
}
