// The Items page: a searchable, sortable table of items and the selected item's details.
// Selection follows the item id (not the row), so it survives sorting, searching and updates.
// While this page is visible it owns the shared events model's filters (item = selection).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import ShopStream

EntityPage {
    id: page
    objectName: "itemsPage"

    /// The selected item's id ("": none).
    property alias selectedItemId: page.selectedId

    function selectItem(itemId: string) { page.select(itemId) }

    liveModel: ShopSession.items
    historyModel: ShopSession.replay.items
    idRole: ItemListModel.ItemIdRole
    eventFilter: "itemFilter"
    prefix: "item"
    widths: [160, -1, 110, 90, 90]
    columns: [
        { role: "itemId", title: qsTr("ID"), width: page.widths[0] },
        { role: "name", title: qsTr("Name"), width: page.widths[1] },
        { role: "price", title: qsTr("Price"), width: page.widths[2], numeric: true },
        { role: "stock", title: qsTr("Stock"), width: page.widths[3], numeric: true },
        { role: "sold", title: qsTr("Sold"), width: page.widths[4], numeric: true }
    ]
    searchPlaceholder: qsTr("Search items by id or name (Ctrl+F)")
    searchName: qsTr("Search items")
    countText: ShopRules.countOf(page.count, qsTr("item"), qsTr("items"))
    emptyText: qsTr("No items yet")
    noMatchText: qsTr("No item matches the search")

    rowDelegate: ItemRow {
        widths: page.widths
        onClicked: page.rowClicked(itemId)
    }

    ItemDetails {
        SplitView.preferredWidth: 420
        SplitView.minimumWidth: 320
        item: page.current as ItemRow
        historyActive: page.visible
        editable: page.editable
        onActionRequested: (action) => page.actionRequested(action)
        onEntryChosen: entryId => page.entryChosen(entryId)
    }
}
