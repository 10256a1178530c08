// A page of one kind of row (users or items): a searchable, sortable table and the selected
// row's details. UsersPage and ItemsPage fill it in: the models, the columns, the row and
// details components, and the words. Selection follows the row's id (not the row), so it
// survives sorting, searching and updates. While visible the page owns the shared events
// model's filters (its own filter = the selection).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Page {
    id: page

    /// The selected row's id ("": none). Text for users too: QML's numbers are exact only to 2^53.
    property string selectedId: ""
    /// The current row's delegate, or null.
    readonly property Item current: list.currentItem
    /// Rows shown (after the search).
    readonly property int count: list.count

    /// The live model and the one showing the state at the timeline's point in history.
    required property var liveModel
    required property var historyModel
    /// The model's role holding the row's id.
    required property int idRole
    /// The events model's filter the selection sets: "userFilter" or "itemFilter".
    required property string eventFilter
    /// Prefix of the controls' objectNames: prefix + "Search", "Count", "List", "Header_<role>".
    required property string prefix
    /// TableHeader's columns: [{role, title, width, numeric}], width -1 fills the rest.
    required property var columns
    required property var widths
    property string initialSortRole: columns.length > 0 ? columns[0].role : ""
    /// One row; it calls rowClicked(id) when clicked.
    required property Component rowDelegate
    /// The details pane, next to the table.
    default property alias panes: split.contentData

    property string searchPlaceholder
    property string searchName
    property string countText
    property string emptyText
    property string noMatchText

    /// Whether edits can be appended now (the details panes' buttons follow it).
    property bool editable: true

    signal actionRequested(string action)
    /// An entry chosen in the details pane's history: the window shows it on the Events page.
    signal entryChosen(string entryId)

    function select(id: string) {
        selectedId = id
        syncCurrent()
    }
    function selectRow(row: int) {
        if (row >= 0 && row < list.count)
            select(proxy.data(proxy.index(row, 0), idRole))
    }
    function rowClicked(id: string) {
        list.forceActiveFocus()
        select(id)
    }
    function enterList() {
        if (list.count === 0)
            return
        list.forceActiveFocus()
        if (list.currentIndex < 0)
            selectRow(0)
    }
    function focusSearch() {
        search.forceActiveFocus()
        search.selectAll()
    }
    // Esc: first the selection goes, then the search.
    function escapeOne(): bool {
        if (selectedId !== "") {
            select("")
            return true
        }
        if (search.text !== "") {
            search.clear()
            return true
        }
        return false
    }
    // Puts the ListView's current row on the selected one, wherever sorting moved it. A
    // search that hides the selected row leaves both alone: the details still show the
    // selection, and the search is the user's to change (Esc clears the selection).
    function syncCurrent() {
        const source = selectedId !== "" ? proxy.sourceModel.rowOf(selectedId) : -1
        const row = source < 0 ? -1 : proxy.proxyRow(source)
        list.currentIndex = row
        if (row >= 0)
            list.positionViewAtIndex(row, ListView.Contain)
    }
    function applyEventFilters() {
        const events = ShopSession.events
        events.typeFilter = ""
        events.verdictFilter = ""
        events.userFilter = eventFilter === "userFilter" ? selectedId : ""
        events.itemFilter = eventFilter === "itemFilter" ? selectedId : ""
    }

    onVisibleChanged: if (visible) applyEventFilters()
    onSelectedIdChanged: if (visible) applyEventFilters()

    ShopSortFilterModel {
        id: proxy
        // In history mode the table shows the state at the timeline's point.
        sourceModel: ShopSession.replay.live ? page.liveModel : page.historyModel
        search: search.text
        sortRoleName: page.initialSortRole
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
                objectName: page.prefix + "Search"
                Layout.preferredWidth: 320
                placeholderText: page.searchPlaceholder
                selectByMouse: true
                Accessible.name: page.searchName
                // Down (or Enter) goes into the list, on the selected row or the first.
                Keys.onDownPressed: page.enterList()
                Keys.onReturnPressed: page.enterList()
                Keys.onEnterPressed: page.enterList()
                Keys.onEscapePressed: (event) => { event.accepted = page.escapeOne() }
            }
            Label {
                objectName: page.prefix + "Count"
                Layout.fillWidth: true
                text: page.countText
                color: palette.placeholderText
            }
        }
    }

    SplitView {
        id: split
        anchors.fill: parent

        ColumnLayout {
            SplitView.fillWidth: true
            SplitView.minimumWidth: 420
            spacing: 0
            TableHeader {
                Layout.fillWidth: true
                proxy: proxy
                prefix: page.prefix
                columns: page.columns
                onColumnResized: (column, width) => {
                    const next = page.widths.slice()
                    next[column] = width
                    page.widths = next
                }
            }
            ListView {
                id: list
                objectName: page.prefix + "List"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: proxy
                highlightMoveDuration: 0
                boundsBehavior: Flickable.StopAtBounds
                keyNavigationEnabled: false
                activeFocusOnTab: true // Tab reaches the rows (Up/Down move, Esc clears)
                ScrollBar.vertical: ScrollBar {}
                delegate: page.rowDelegate
                Keys.onUpPressed: page.selectRow(currentIndex - 1)
                Keys.onDownPressed: page.selectRow(currentIndex + 1)
                Keys.onEscapePressed: (event) => { event.accepted = page.escapeOne() }

                Label {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    text: search.text === "" ? page.emptyText : page.noMatchText
                    color: palette.placeholderText
                }
            }
        }
    }
}
