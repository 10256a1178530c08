// The selected user: figures, a balance sparkline, quick actions and its history.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Pane {
    id: pane

    /// The selected row, or null.
    property UserRow user
    property bool historyActive: false
    /// Whether edits can be appended now (live, connected, writable): the buttons follow it.
    property bool editable: true
    signal actionRequested(string action)
    signal entryChosen(string entryId)

    function refreshChart() {
        chart.points = user ? ShopSession.events.balanceHistory(user.userId).map(p => p.balance) : []
    }

    objectName: "userDetails"
    padding: 12

    // New points come with a new balance; a rejected entry adds none. Later, not at once:
    // a batch updates the users before the events model holds its entries.
    onUserChanged: refreshChart()
    Connections {
        target: pane.user
        function onBalanceTextChanged() { Qt.callLater(pane.refreshChart) }
        function onUserIdChanged() { Qt.callLater(pane.refreshChart) }
    }
    // In history the chart stops at the timeline's current event, as the list below does.
    Connections {
        target: ShopSession.events
        function onLimitChanged() { Qt.callLater(pane.refreshChart) }
    }

    Label {
        anchors.centerIn: parent
        visible: !pane.user
        text: qsTr("Select a user to see its details and history")
        color: palette.placeholderText
    }

    ColumnLayout {
        anchors.fill: parent
        visible: pane.user !== null
        spacing: 6

        Label {
            objectName: "userDetailsTitle"
            Layout.fillWidth: true
            textFormat: Text.PlainText
            elide: Text.ElideRight
            font.bold: true
            font.pointSize: pane.font.pointSize * 1.3
            text: pane.user ? qsTr("User %1").arg(pane.user.userId) : ""
        }
        DetailField { caption: qsTr("Name"); value: pane.user ? pane.user.name : ""; valueObjectName: "userDetailsName" }
        DetailField { caption: qsTr("Balance"); value: pane.user ? pane.user.balanceText : ""; valueObjectName: "userDetailsBalance" }
        DetailField { caption: qsTr("Spent"); value: pane.user ? pane.user.spentText : "" }
        DetailField { caption: qsTr("Orders"); value: pane.user ? String(pane.user.orders) : "" }

        Flow {
            Layout.fillWidth: true
            spacing: 6
            Button {
                objectName: "userTopUpButton"
                text: qsTr("Top up…")
                enabled: pane.editable
                Accessible.name: text
                onClicked: pane.actionRequested("topUp")
            }
            Button {
                objectName: "userAdjustBalanceButton"
                text: qsTr("Adjust balance…")
                enabled: pane.editable && !ShopSession.legacyAppends // no such event in the demo's format
                Accessible.name: text
                onClicked: pane.actionRequested("adjustBalance")
            }
            Button {
                objectName: "userPlaceOrderButton"
                text: qsTr("Place order…")
                enabled: pane.editable
                Accessible.name: text
                onClicked: pane.actionRequested("placeOrder")
            }
        }

        Label { text: qsTr("Balance over time"); font.bold: true }
        BalanceChart { id: chart; Layout.fillWidth: true }

        Label { text: qsTr("History"); font.bold: true }
        EntityHistory {
            objectName: "userHistory"
            onEntryChosen: entryId => pane.entryChosen(entryId)
            Layout.fillWidth: true
            Layout.fillHeight: true
            active: pane.historyActive && pane.user !== null
            showBalance: true
        }
    }
}
