// The Users page: a searchable, sortable table of users and the selected user's details.
// Selection follows the user id (not the row), so it survives sorting, searching and updates.
// While this page is visible it owns the shared events model's filters (user = selection).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Page {
    id: page
    objectName: "usersPage"

    /// The selected user's id (0: none).
    property real selectedUserId: 0
    readonly property UserRow current: list.currentItem as UserRow
    readonly property var widths: [110, -1, 130, 130, 80]
    signal actionRequested(string action)

    function selectUser(userId) {
        selectedUserId = userId
        syncCurrent()
    }
    function selectRow(row: int) {
        if (row >= 0 && row < list.count)
            selectUser(proxy.data(proxy.index(row, 0), UserListModel.UserIdRole))
    }
    function focusSearch() {
        search.forceActiveFocus()
        search.selectAll()
    }
    // Puts the ListView's current row on the selected user, wherever sorting moved it.
    function syncCurrent() {
        const source = selectedUserId ? proxy.sourceModel.rowOf(selectedUserId) : -1
        let row = source < 0 ? -1 : proxy.proxyRow(source)
        if (source >= 0 && row < 0 && search.text !== "") {
            search.clear() // the search hides the user: show it rather than lose it
            row = proxy.proxyRow(source)
        }
        list.currentIndex = row
        if (row >= 0)
            list.positionViewAtIndex(row, ListView.Contain)
    }
    function applyEventFilters() {
        const events = ShopSession.events
        events.typeFilter = ""
        events.verdictFilter = ""
        events.itemFilter = ""
        events.userFilter = selectedUserId
    }

    onVisibleChanged: if (visible) applyEventFilters()
    onSelectedUserIdChanged: if (visible) applyEventFilters()

    ShopSortFilterModel {
        id: proxy
        // In history mode the table shows the state at the timeline's point.
        sourceModel: ShopSession.replay.live ? ShopSession.users : ShopSession.replay.users
        search: search.text
        sortRoleName: "userId"
    }
    Connections {
        target: proxy
        function onLayoutChanged() { resync.restart() }
        function onRowsInserted() { resync.restart() }
        function onRowsRemoved() { resync.restart() }
        function onModelReset() { resync.restart() }
    }
    // Once per burst of model changes, after the view has caught up with them.
    Timer {
        id: resync
        interval: 0
        onTriggered: page.syncCurrent()
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            TextField {
                id: search
                objectName: "userSearch"
                Layout.preferredWidth: 320
                placeholderText: qsTr("Search users by id or name (Ctrl+F)")
                selectByMouse: true
                Accessible.name: qsTr("Search users")
            }
            Label {
                objectName: "userCount"
                Layout.fillWidth: true
                text: qsTr("%n user(s)", "", list.count)
                color: palette.placeholderText
            }
        }
    }

    SplitView {
        anchors.fill: parent

        ColumnLayout {
            SplitView.fillWidth: true
            SplitView.minimumWidth: 420
            spacing: 0
            TableHeader {
                Layout.fillWidth: true
                proxy: proxy
                prefix: "user"
                columns: [
                    { role: "userId", title: qsTr("ID"), width: page.widths[0], numeric: true },
                    { role: "name", title: qsTr("Name"), width: page.widths[1] },
                    { role: "balance", title: qsTr("Balance"), width: page.widths[2], numeric: true },
                    { role: "spent", title: qsTr("Spent"), width: page.widths[3], numeric: true },
                    { role: "orders", title: qsTr("Orders"), width: page.widths[4], numeric: true }
                ]
            }
            ListView {
                id: list
                objectName: "userList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: proxy
                highlightMoveDuration: 0
                boundsBehavior: Flickable.StopAtBounds
                keyNavigationEnabled: false
                ScrollBar.vertical: ScrollBar {}
                delegate: UserRow {
                    widths: page.widths
                    onClicked: {
                        list.forceActiveFocus()
                        page.selectUser(userId)
                    }
                }
                Keys.onUpPressed: page.selectRow(currentIndex - 1)
                Keys.onDownPressed: page.selectRow(currentIndex + 1)

                Label {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    text: search.text === "" ? qsTr("No users yet") : qsTr("No user matches the search")
                    color: palette.placeholderText
                }
            }
        }

        UserDetails {
            SplitView.preferredWidth: 420
            SplitView.minimumWidth: 320
            user: page.current
            historyActive: page.visible
            onActionRequested: (action) => page.actionRequested(action)
        }
    }
}
