// The events that touched one user or item, oldest first, kept scrolled to the newest. It
// reads the shared ShopSession.events model, whose filters the visible page sets.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import ShopStream

ListView {
    id: list

    property bool active: false
    property bool showBalance: false
    /// A row clicked: the Events page shows that entry, with why it got its verdict.
    signal entryChosen(string entryId)

    clip: true
    reuseItems: true
    boundsBehavior: Flickable.StopAtBounds
    model: active ? ShopSession.events : null
    ScrollBar.vertical: ScrollBar {}
    delegate: HistoryRow {
        showBalance: list.showBalance
        onClicked: list.entryChosen(entryId)
    }

    // Kept at the end as rows come and go (a seek in history removes or adds them at the end)
    // and as the pane above it changes height with them.
    onCountChanged: toEnd.restart()
    onContentHeightChanged: toEnd.restart()
    onHeightChanged: toEnd.restart()

    Timer {
        id: toEnd
        interval: 0
        onTriggered: list.positionViewAtEnd()
    }

    Label {
        anchors.centerIn: parent
        visible: list.active && list.count === 0
        text: qsTr("No events yet")
        color: palette.placeholderText
    }
}
