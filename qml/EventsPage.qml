// The Events page: every stream entry with its verdict, filterable by type, verdict, user
// and item, optionally following the newest. While visible it owns the shared events
// model's filters: it (re)applies its own controls' values whenever it is shown.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Page {
    id: page
    objectName: "eventsPage"

    // Column widths; -1 fills the rest (the verdict). Every other column can be dragged wider
    // or narrower by its edge in the header (the edge away from the verdict).
    property var widths: [155, 165, 100, -1, 55, 95]
    function setColumnWidth(column: int, width: real) {
        const next = page.widths.slice()
        next[column] = Math.round(Math.max(40, Math.min(600, width)))
        page.widths = next
    }
    property string selectedEntryId: ""
    signal exportRequested()
    // What if the entry at stream index `entry.index` had not happened (or, `replace`, had
    // been another event): the what-if dialog replays the history in memory.
    signal whatIfRequested(var entry, bool replace)
    // In history the list stops at the timeline's current event (the model's limit), which
    // is marked and, while following, kept in view.
    readonly property bool history: !ShopSession.replay.live
    readonly property real currentStreamIndex: history ? ShopSession.replay.position - 1 : -1

    function selectRow(row: int) {
        const events = ShopSession.events
        if (row < 0 || row >= list.count)
            return
        const at = events.index(row, 0)
        list.currentIndex = row
        list.positionViewAtIndex(row, ListView.Contain)
        details.applied = events.data(at, EventListModel.AppliedRole)
        details.verdict = events.data(at, EventListModel.ReasonTextRole)
        selectedEntryId = events.data(at, EventListModel.EntryIdRole)
        follow.checked = false
    }
    // The row as one line of tab-separated text: id, time, type, verdict, user, item.
    function rowText(row: int): string {
        const events = ShopSession.events
        const at = events.index(row, 0)
        if (!at.valid)
            return ""
        const applied = events.data(at, EventListModel.AppliedRole)
        return [events.data(at, EventListModel.EntryIdRole), events.data(at, EventListModel.TimeTextRole),
                events.data(at, EventListModel.TypeRole), applied ? "applied" : events.data(at, EventListModel.ReasonRole),
                events.data(at, EventListModel.UserIdRole), events.data(at, EventListModel.ItemIdRole)].join("\t")
    }
    // Ctrl+C on the list: the selected row.
    function copySelectedRow() {
        if (list.currentIndex >= 0)
            ShopSession.copyText(rowText(list.currentIndex))
    }
    function filterBy(field: Item, value: string) {
        field.text = value
        applyEventFilters()
    }
    function openRowMenu(row: int, scenePoint: point) {
        selectRow(row)
        const events = ShopSession.events
        const at = events.index(row, 0)
        rowMenu.entryId = events.data(at, EventListModel.EntryIdRole)
        rowMenu.userId = events.data(at, EventListModel.UserIdRole)
        rowMenu.itemId = events.data(at, EventListModel.ItemIdRole)
        rowMenu.streamIndex = events.data(at, EventListModel.IndexRole)
        rowMenu.row = row
        rowMenu.popup(page.mapFromItem(null, scenePoint))
    }

    // All, applied, rejected, then each rejection reason. Built in an untyped function: Qt
    // 6.4's qmlcachegen miscompiles such an array literal in a binding.
    function verdictChoices() {
        return [{ text: qsTr("All verdicts"), value: "" }, { text: qsTr("Applied"), value: "applied" },
                { text: qsTr("Rejected"), value: "rejected" }].concat(ShopRules.reasonChoices())
    }

    // The Overview page's choices: the entries of one type (the name as written; OrderType is
    // an Order) or with one verdict or reason, and no other filter.
    function typeValue(type: string): string {
        return type === "OrderType" ? "Order" : type
    }
    function canShowType(type: string): bool {
        return typeFilter.indexOfValue(typeValue(type)) > 0
    }
    function showOnly(type: string, verdict: string) {
        typeFilter.currentIndex = Math.max(0, typeFilter.indexOfValue(typeValue(type)))
        verdictFilter.currentIndex = Math.max(0, verdictFilter.indexOfValue(verdict))
        userField.text = ""
        itemField.text = ""
        dataField.text = ""
        ShopSession.dataSearch.clear()
        refilter.stop()
        applyEventFilters()
    }

    // Selects one entry (its pane explains it), clearing the filters when they hide it:
    // where an entity history or the timeline sends the user.
    function showEntry(entryId: string) {
        applyEventFilters()
        if (ShopSession.events.rowOfEntry(entryId) < 0)
            showOnly("", "")
        selectRow(ShopSession.events.rowOfEntry(entryId))
    }

    function focusSearch() {
        userField.forceActiveFocus()
        userField.selectAll()
    }
    function applyEventFilters() {
        const events = ShopSession.events
        events.typeFilter = typeFilter.currentValue || ""
        events.verdictFilter = verdictFilter.currentValue || ""
        events.userFilter = userField.valid ? userField.text.trim() : ""
        events.itemFilter = itemField.valid ? itemField.text : ""
        list.currentIndex = selectedEntryId === "" ? -1 : events.rowOfEntry(selectedEntryId)
        if (follow.checked)
            list.positionViewAtEnd()
    }

    onVisibleChanged: if (visible) applyEventFilters()

    Accents { id: accents }

    Timer {
        id: toEnd
        interval: 0
        onTriggered: list.positionViewAtEnd()
    }
    // Typing in the id fields refilters after a pause, not on every key.
    Timer {
        id: refilter
        interval: 250
        onTriggered: if (page.visible) page.applyEventFilters()
    }

    Menu {
        id: rowMenu
        objectName: "eventRowMenu"
        property string entryId
        property string userId
        property string itemId
        property int row: -1
        property real streamIndex: -1
        MenuItem {
            objectName: "copyEntryIdItem"
            text: qsTr("Copy id")
            onTriggered: ShopSession.copyText(rowMenu.entryId)
        }
        MenuItem {
            objectName: "copyRowItem"
            text: qsTr("Copy row (Ctrl+C)")
            onTriggered: ShopSession.copyText(page.rowText(rowMenu.row))
        }
        MenuSeparator {}
        MenuItem {
            objectName: "filterByUserItem"
            enabled: rowMenu.userId !== ""
            text: rowMenu.userId !== "" ? qsTr("Only events of user %1").arg(rowMenu.userId) : qsTr("Only events of this user")
            onTriggered: page.filterBy(userField, rowMenu.userId)
        }
        MenuItem {
            objectName: "filterByItemItem"
            enabled: rowMenu.itemId !== ""
            text: rowMenu.itemId !== "" ? qsTr("Only events of item %1").arg(rowMenu.itemId) : qsTr("Only events of this item")
            onTriggered: page.filterBy(itemField, rowMenu.itemId)
        }
        MenuSeparator {}
        MenuItem {
            objectName: "whatIfWithoutItem"
            enabled: ShopSession.replay.available && rowMenu.streamIndex >= 0
            text: qsTr("What if this had not happened")
            onTriggered: page.whatIfRequested({ index: rowMenu.streamIndex, entryId: rowMenu.entryId }, false)
        }
        MenuItem {
            objectName: "whatIfReplaceItem"
            enabled: ShopSession.replay.available && rowMenu.streamIndex >= 0
            text: qsTr("What if it had been…")
            onTriggered: page.whatIfRequested({ index: rowMenu.streamIndex, entryId: rowMenu.entryId }, true)
        }
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            spacing: 8
            ComboBox {
                id: typeFilter
                objectName: "typeFilter"
                Layout.preferredWidth: 150
                textRole: "text"
                valueRole: "value"
                Accessible.name: qsTr("Event type")
                model: [
                    { text: qsTr("All types"), value: "" },
                    { text: "RegisterUser", value: "RegisterUser" },
                    { text: "TopUp", value: "TopUp" },
                    { text: "AdjustBalance", value: "AdjustBalance" },
                    { text: "AddItem", value: "AddItem" },
                    { text: "SetPrice", value: "SetPrice" },
                    { text: "AdjustStock", value: "AdjustStock" },
                    { text: "Order", value: "Order" }
                ]
                onActivated: page.applyEventFilters()
            }
            ComboBox {
                id: verdictFilter
                objectName: "verdictFilter"
                Layout.preferredWidth: 150
                popup.width: Math.max(width, 260) // "Rejected: insufficient_funds" in full
                textRole: "text"
                valueRole: "value"
                Accessible.name: qsTr("Verdict")
                model: page.verdictChoices()
                onActivated: page.applyEventFilters()
            }
            TextField {
                id: userField
                readonly property bool valid: text === "" || ShopRules.checkUserId(text) === ""
                objectName: "userFilterField"
                Layout.fillWidth: true // narrower, down to its minimum, on a small screen
                Layout.minimumWidth: 70
                Layout.preferredWidth: 110
                Layout.maximumWidth: 110
                placeholderText: qsTr("User id")
                inputMethodHints: Qt.ImhDigitsOnly
                selectByMouse: true
                color: valid ? palette.text : accents.rejected
                Accessible.name: qsTr("Only events of user")
                onTextChanged: refilter.restart()
            }
            TextField {
                id: itemField
                readonly property bool valid: text === "" || ShopRules.checkItemId(text) === ""
                objectName: "itemFilterField"
                Layout.fillWidth: true // narrower, down to its minimum, on a small screen
                Layout.minimumWidth: 80
                Layout.preferredWidth: 130
                Layout.maximumWidth: 130
                placeholderText: qsTr("Item id")
                selectByMouse: true
                color: valid ? palette.text : accents.rejected
                Accessible.name: qsTr("Only events of item")
                onTextChanged: refilter.restart()
            }
            TextField {
                id: dataField
                objectName: "dataSearchField"
                Layout.fillWidth: true // narrower, down to its minimum, on a small screen
                Layout.minimumWidth: 90
                Layout.preferredWidth: 150
                Layout.maximumWidth: 150
                placeholderText: qsTr("Text in data ⏎")
                selectByMouse: true
                Accessible.name: qsTr("Only events whose data contains")
                ToolTip.visible: hovered && ShopSession.dataSearch.status === ""
                ToolTip.text: qsTr("Press Enter to look for this text in every entry's data, eid and actor (read from Redis); Esc clears")
                onAccepted: ShopSession.dataSearch.search(text)
                Keys.onEscapePressed: (event) => {
                    if (text === "" && ShopSession.dataSearch.text === "") {
                        event.accepted = false
                        return
                    }
                    text = ""
                    ShopSession.dataSearch.clear()
                }
            }
            Label {
                objectName: "eventCount"
                Layout.fillWidth: true
                Layout.minimumWidth: 130 // the fields give up room first
                horizontalAlignment: Text.AlignRight
                elide: Text.ElideLeft
                color: palette.placeholderText
                ToolTip.visible: countHover.hovered && ShopSession.dataSearch.status !== ""
                ToolTip.text: ShopSession.dataSearch.status
                HoverHandler { id: countHover }
                readonly property string countText: page.history
                      ? qsTr("%1 up to event %2 (history)").arg(ShopRules.countOf(list.count, qsTr("event"), qsTr("events")))
                                                            .arg(ShopRules.formatCount(ShopSession.replay.position))
                      : list.count === ShopSession.events.totalCount
                      ? ShopRules.countOf(list.count, qsTr("event"), qsTr("events"))
                      : qsTr("%1 of %2").arg(ShopRules.formatCount(list.count)).arg(ShopRules.countOf(ShopSession.events.totalCount, qsTr("event"), qsTr("events")))
                // While a search runs, or when it failed, where it stands; with its result, the
                // text it was for.
                text: ShopSession.dataSearch.running ? ShopSession.dataSearch.status
                    : ShopSession.dataSearch.text !== "" && ShopSession.events.textFilter === "" ? ShopSession.dataSearch.status
                    : ShopSession.events.textFilter !== "" ? qsTr("“%1”: %2").arg(ShopSession.events.textFilter).arg(countText)
                    : countText
            }
            Button {
                objectName: "exportEventsButton"
                text: qsTr("Export…")
                Accessible.name: qsTr("Export the events shown")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Write the rows shown (with their filters) to a CSV or JSON file")
                onClicked: page.exportRequested()
            }
            Switch {
                id: follow
                objectName: "followNewest"
                text: page.history ? qsTr("Follow current") : qsTr("Follow newest")
                checked: true
                Accessible.name: text
                onToggled: if (checked) list.positionViewAtEnd()
            }
        }
    }

    SplitView {
        anchors.fill: parent

        ColumnLayout {
            id: table
            // Every column, the Verdict (the one that fills) at least kVerdictMinimum wide.
            readonly property int kVerdictMinimum: 150
            readonly property int fixedWidths: page.widths[0] + page.widths[1] + page.widths[2] + page.widths[4] + page.widths[5]
            SplitView.fillWidth: true
            SplitView.minimumWidth: fixedWidths + kVerdictMinimum + 70 // and the spacing and the scroll bar
            spacing: 0
            // One tooltip for the whole table (not one per row): the verdict of the row under
            // the pointer, in full, when its cell cuts it.
            HoverHandler { id: tableHover }
            ToolTip {
                id: verdictTip
                objectName: "verdictToolTip"
                readonly property point at: list.mapFromItem(table, tableHover.point.position)
                readonly property var row: tableHover.hovered ? list.itemAt(at.x + list.contentX, at.y + list.contentY) : null
                visible: row !== null && row.verdictCut === true
                text: row !== null && row.verdictText !== undefined ? row.verdictText : ""
                x: tableHover.point.position.x + 12
                y: tableHover.point.position.y + 16
            }
            // Not sortable (the stream's order is the order), so the header is a plain row, with
            // a handle on each resizable column's edge over it.
            Item {
                id: headerBar
                Layout.fillWidth: true
                implicitHeight: columnHeader.height
                TableRow {
                    id: columnHeader
                    width: parent.width
                    index: 0
                    current: false
                    color: system.button
                    TableCell { cellWidth: page.widths[0]; text: qsTr("Time"); font.bold: true; color: columnHeader.system.buttonText }
                    TableCell { cellWidth: page.widths[1]; text: qsTr("Entry id"); font.bold: true; color: columnHeader.system.buttonText }
                    TableCell { cellWidth: page.widths[2]; text: qsTr("Type"); font.bold: true; color: columnHeader.system.buttonText }
                    TableCell { objectName: "eventVerdictHeader"; cellWidth: page.widths[3]; text: qsTr("Verdict"); font.bold: true; color: columnHeader.system.buttonText }
                    TableCell { cellWidth: page.widths[4]; text: qsTr("User"); font.bold: true; color: columnHeader.system.buttonText; numeric: true }
                    TableCell { cellWidth: page.widths[5]; text: qsTr("Item"); font.bold: true; color: columnHeader.system.buttonText }
                }
                ColumnHandles {
                    anchors.fill: parent
                    widths: page.widths
                    onResized: (column, width) => page.setColumnWidth(column, width)
                }
            }
            ListView {
                id: list
                objectName: "eventList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                reuseItems: true
                highlightMoveDuration: 0
                boundsBehavior: Flickable.StopAtBounds
                model: page.visible ? ShopSession.events : null
                ScrollBar.vertical: ScrollBar { policy: ScrollBar.AlwaysOn }
                delegate: EventRow {
                    widths: page.widths
                    currentStreamIndex: page.currentStreamIndex
                    appliedColor: accents.applied
                    rejectedColor: accents.rejected
                    // The events model has its own role named "index" (the position in the
                    // whole stream), so the row is looked up by entry id.
                    onClicked: {
                        list.forceActiveFocus()
                        page.selectRow(ShopSession.events.rowOfEntry(entryId))
                    }
                    onMenuRequested: (scenePoint) => page.openRowMenu(ShopSession.events.rowOfEntry(entryId), scenePoint)
                }
                keyNavigationEnabled: false
                Keys.onUpPressed: page.selectRow(currentIndex - 1)
                Keys.onDownPressed: page.selectRow(currentIndex + 1)
                Keys.onPressed: (event) => {
                    if (event.matches(StandardKey.Copy)) {
                        page.copySelectedRow()
                        event.accepted = true
                    }
                }
                onCountChanged: if (follow.checked) toEnd.restart()
                onMovementStarted: follow.checked = false
                onMovementEnded: if (atYEnd) follow.checked = true

                Label {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    text: ShopSession.events.totalCount === 0 ? qsTr("No events yet")
                          : page.history && ShopSession.replay.position === 0 ? qsTr("No events before this point")
                          : qsTr("No event matches the filters")
                    color: palette.placeholderText
                }
            }
        }

        EntryDetails {
            id: details
            // Narrower on a small screen (1024 wide), so that the table keeps every column.
            SplitView.preferredWidth: Math.max(SplitView.minimumWidth, Math.min(380, page.width - table.SplitView.minimumWidth - 8))
            SplitView.minimumWidth: 220
            entryId: page.selectedEntryId
        }
    }
}
