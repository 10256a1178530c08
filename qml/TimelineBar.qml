// The timeline bar: a slider over the whole history with marks where snapshots are, play /
// pause, steps, speed, jump to an entry id or a time, Compare, and Live. Under it, the
// entry at the shown point: id, time, type, verdict and its data.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Pane {
    id: bar
    objectName: "timelineBar"

    readonly property var replay: ShopSession.replay
    // The data of entry currentDataId: shown only beside that entry (while the next one's
    // loads, the line says so rather than showing the previous entry's data).
    property string currentData: ""
    property string currentDataId: ""
    signal compareRequested()
    /// "Why…" beside the current event: the Events page shows it, with its explanation.
    signal entryRequested(string entryId)

    padding: 6
    Accents { id: accents }
    FontMetrics { id: whyMetrics }

    // The current entry's data, fetched when the point shown settles (not on every frame
    // while playing).
    Timer {
        id: dataFetch
        interval: 150
        onTriggered: {
            const id = bar.replay.current.entryId
            if (id !== undefined && id !== "")
                ShopSession.loadEntry(id)
        }
    }
    Connections {
        target: bar.replay
        function onPositionChanged() {
            if (!bar.replay.playing && !bar.replay.live)
                dataFetch.restart()
        }
    }
    Connections {
        target: ShopSession
        function onEntryLoaded(entryId: string, fields: var) {
            if (entryId === bar.replay.current.entryId) {
                bar.currentData = fields.error !== undefined ? fields.error : fields.data
                bar.currentDataId = entryId
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 4

        RowLayout {
            Layout.fillWidth: true
            spacing: 6

            ToolButton {
                objectName: "replayFromStartButton"
                text: qsTr("From start")
                enabled: bar.replay.available && bar.replay.length > 0
                onClicked: bar.replay.replayFromStart()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Replay the shop from its first event at the chosen speed")
                Accessible.name: qsTr("Replay from the start")
            }
            ToolButton {
                objectName: "stepBackButton"
                text: "◀"
                enabled: bar.replay.available && bar.replay.position > 0
                onClicked: bar.replay.stepBack()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("One event back (Alt+Left)")
                Accessible.name: qsTr("Step back")
            }
            ToolButton {
                objectName: "playButton"
                text: bar.replay.playing ? qsTr("Pause") : qsTr("▶ Play")
                enabled: bar.replay.available && bar.replay.length > 0
                onClicked: bar.replay.playing ? bar.replay.pause() : bar.replay.play()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Play the history forward from the point shown (Space on the timeline)")
                Accessible.name: bar.replay.playing ? qsTr("Pause") : qsTr("Play")
            }
            ToolButton {
                objectName: "stepForwardButton"
                text: "▶|"
                enabled: bar.replay.available && !bar.replay.live && bar.replay.position < bar.replay.length
                onClicked: bar.replay.stepForward()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("One event forward (Alt+Right)")
                Accessible.name: qsTr("Step forward")
            }
            ComboBox {
                id: speedBox
                objectName: "speedBox"
                Layout.preferredWidth: 150
                textRole: "text"
                valueRole: "value"
                model: [
                    { text: qsTr("1 event/s"), value: 1 },
                    { text: qsTr("10 events/s"), value: 10 },
                    { text: qsTr("100 events/s"), value: 100 },
                    { text: qsTr("1000 events/s"), value: 1000 },
                    { text: qsTr("As fast as possible"), value: 0 }
                ]
                currentIndex: 2
                onActivated: bar.replay.speed = currentValue
                Component.onCompleted: bar.replay.speed = currentValue
                Accessible.name: qsTr("Replay speed")
            }
            Slider {
                id: slider
                objectName: "timelineSlider"
                Layout.fillWidth: true
                enabled: bar.replay.available && bar.replay.length > 0
                from: 0
                to: Math.max(1, bar.replay.length)
                stepSize: 1
                value: bar.replay.position
                live: true
                onMoved: bar.replay.seek(Math.round(value))
                Accessible.name: qsTr("Position in the history")

                // Snapshot marks over the groove.
                Repeater {
                    model: bar.replay.snapshotMarks
                    delegate: Rectangle {
                        required property var modelData
                        x: slider.leftPadding + modelData.fraction * (slider.availableWidth - 2) - 1
                        y: slider.topPadding + slider.availableHeight / 2 - 9
                        width: 3
                        height: 18
                        radius: 1
                        color: accents.snapshot
                        ToolTip.visible: markHover.hovered
                        ToolTip.text: qsTr("Snapshot %1").arg(modelData.id)
                        HoverHandler { id: markHover }
                    }
                }
            }
            TextField {
                id: jump
                objectName: "jumpField"
                Layout.preferredWidth: 210
                placeholderText: qsTr("Go to entry id or time")
                selectByMouse: true
                Accessible.name: qsTr("Go to an entry id or a time")
                onAccepted: {
                    const ok = text.indexOf("-") > 0 && text.indexOf(":") < 0 && text.split("-").length === 2
                               ? bar.replay.seekToEntry(text) : bar.replay.seekToTime(text)
                    jumpError.visible = !ok
                }
                onTextEdited: jumpError.visible = false
                ToolTip.visible: jumpError.visible
                ToolTip.text: qsTr("No such entry id, or not a time like 2026-11-27 10:15")
                Item { id: jumpError; visible: false }
            }
            Button {
                objectName: "compareButton"
                text: qsTr("Compare…")
                enabled: bar.replay.available && bar.replay.length > 0
                onClicked: bar.compareRequested()
                Accessible.name: qsTr("Compare two points in history")
            }
            Button {
                objectName: "liveButton"
                text: bar.replay.live ? qsTr("● Live") : qsTr("Back to Live")
                highlighted: !bar.replay.live
                enabled: !bar.replay.live
                onClicked: bar.replay.goLive()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Show the shop as it is now and follow new events (Ctrl+Shift+L)")
                Accessible.name: qsTr("Back to live")
            }
        }

        // The entry at the shown point; live, what live shows. Always there, so that the bar
        // keeps its height (and the slider its place) going into history and back.
        RowLayout {
            Layout.fillWidth: true
            spacing: 12
            Label {
                objectName: "currentEventLabel"
                textFormat: Text.PlainText
                color: bar.replay.live && bar.replay.available ? palette.placeholderText : palette.windowText
                text: !bar.replay.available ? bar.replay.unavailableReason
                      : bar.replay.live ? qsTr("Live: the shop after its newest event (%1). Drag the slider or press Alt+Left to look back.")
                                          .arg(ShopRules.countOf(bar.replay.length, qsTr("event"), qsTr("events")))
                      : bar.replay.position === 0 ? qsTr("The empty shop, before the first event")
                      : qsTr("Event %1 of %2 · %3 · %4").arg(ShopRules.formatCount(bar.replay.position)).arg(ShopRules.formatCount(bar.replay.length))
                            .arg(bar.replay.current.entryId).arg(bar.replay.current.timeText)
            }
            Label {
                objectName: "currentEventVerdict"
                visible: bar.replay.available && !bar.replay.live && bar.replay.position > 0
                textFormat: Text.PlainText
                font.bold: true
                color: bar.replay.current.applied ? accents.applied : accents.rejected
                text: bar.replay.current.applied
                      ? qsTr("%1 applied").arg(bar.replay.current.type)
                      : qsTr("rejected: %1").arg(bar.replay.current.reasonText)
            }
            ToolButton {
                objectName: "currentEventWhyButton"
                visible: bar.replay.available && !bar.replay.live && bar.replay.position > 0
                text: qsTr("Why…")
                // As tall as the line's text: the bar keeps its height going into history.
                Layout.preferredHeight: whyMetrics.height
                topPadding: 0
                bottomPadding: 0
                Accessible.name: qsTr("Show this event on the Events page, with why it got its verdict")
                onClicked: bar.entryRequested(bar.replay.current.entryId)
            }
            Label {
                objectName: "currentEventData"
                Layout.fillWidth: true
                visible: bar.replay.available && !bar.replay.live && bar.replay.position > 0
                textFormat: Text.PlainText
                elide: Text.ElideRight
                font.family: "monospace"
                text: bar.replay.playing ? bar.replay.playbackText
                      : bar.currentDataId === bar.replay.current.entryId ? bar.currentData.replace(/\s*\n\s*/g, " ")
                      : "…"
            }
        }
    }
}
