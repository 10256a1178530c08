// The Items page: a searchable, sortable table of items and the selected item's details.
// Selection follows the item id (not the row), so it survives sorting, searching and updates.
// While this page is visible it owns the shared events model's filters (item = selection).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Page {
    id: page
    objectName: "itemsPage"

    /// The selected item's id ("": none).
    property string selectedItemId: ""
    readonly property ItemRow current: list.currentItem as ItemRow
    readonly property var widths: [160, -1, 110, 90, 90]
    signal actionRequested(string action)

    function selectItem(itemId: string) {
        selectedItemId = itemId
        syncCurrent()
    }
    function selectRow(row: int) {
        if (row >= 0 && row < list.count)
            selectItem(proxy.data(proxy.index(row, 0), ItemListModel.ItemIdRole))
    }
    function focusSearch() {
        search.forceActiveFocus()
        search.selectAll()
    }
    // Puts the ListView's current row on the selected item, wherever sorting moved it.
    function syncCurrent() {
        const source = selectedItemId !== "" ? proxy.sourceModel.rowOf(selectedItemId) : -1
        let row = source < 0 ? -1 : proxy.proxyRow(source)
        if (source >= 0 && row < 0 && search.text !== "") {
            search.clear() // the search hides the item: show it rather than lose it
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
        events.userFilter = 0
        events.itemFilter = selectedItemId
    }

    onVisibleChanged: if (visible) applyEventFilters()
    onSelectedItemIdChanged: if (visible) applyEventFilters()

    ShopSortFilterModel {
        id: proxy
        // In history mode the table shows the state at the timeline's point.
        sourceModel: ShopSession.replay.live ? ShopSession.items : ShopSession.replay.items
        search: search.text
        sortRoleName: "itemId"
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
                objectName: "itemSearch"
                Layout.preferredWidth: 320
                placeholderText: qsTr("Search items by id or name (Ctrl+F)")
                selectByMouse: true
                Accessible.name: qsTr("Search items")
            }
            Label {
                objectName: "itemCount"
                Layout.fillWidth: true
                text: qsTr("%n item(s)", "", list.count)
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
                prefix: "item"
                columns: [
                    { role: "itemId", title: qsTr("ID"), width: page.widths[0] },
                    { role: "name", title: qsTr("Name"), width: page.widths[1] },
                    { role: "price", title: qsTr("Price"), width: page.widths[2], numeric: true },
                    { role: "stock", title: qsTr("Stock"), width: page.widths[3], numeric: true },
                    { role: "sold", title: qsTr("Sold"), width: page.widths[4], numeric: true }
                ]
            }
            ListView {
                id: list
                objectName: "itemList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: proxy
                highlightMoveDuration: 0
                boundsBehavior: Flickable.StopAtBounds
                keyNavigationEnabled: false
                ScrollBar.vertical: ScrollBar {}
                delegate: ItemRow {
                    widths: page.widths
                    onClicked: {
                        list.forceActiveFocus()
                        page.selectItem(itemId)
                    }
                }
                Keys.onUpPressed: page.selectRow(currentIndex - 1)
                Keys.onDownPressed: page.selectRow(currentIndex + 1)

                Label {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    text: search.text === "" ? qsTr("No items yet") : qsTr("No item matches the search")
                    color: palette.placeholderText
                }
            }
        }

        ItemDetails {
            SplitView.preferredWidth: 420
            SplitView.minimumWidth: 320
            item: page.current
            historyActive: page.visible
            onActionRequested: (action) => page.actionRequested(action)
        }
    }
}
