// The Users page: a searchable, sortable table of users and the selected user's details.
// Selection follows the user id (not the row), so it survives sorting, searching and updates.
// While this page is visible it owns the shared events model's filters (user = selection).
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import ShopStream

EntityPage {
    id: page
    objectName: "usersPage"

    /// The selected user's id in decimal ("": none). Text, not a number: ids go up to 2^63-1,
    /// and QML's numbers are exact only to 2^53.
    property alias selectedUserId: page.selectedId

    function selectUser(userId: string) { page.select(userId) }

    liveModel: ShopSession.users
    historyModel: ShopSession.replay.users
    idRole: UserListModel.UserIdRole
    eventFilter: "userFilter"
    prefix: "user"
    widths: [110, -1, 130, 130, 80]
    columns: [
        { role: "userId", title: qsTr("ID"), width: page.widths[0], numeric: true },
        { role: "name", title: qsTr("Name"), width: page.widths[1] },
        { role: "balance", title: qsTr("Balance"), width: page.widths[2], numeric: true },
        { role: "spent", title: qsTr("Spent"), width: page.widths[3], numeric: true },
        { role: "orders", title: qsTr("Orders"), width: page.widths[4], numeric: true }
    ]
    searchPlaceholder: qsTr("Search users by id or name (Ctrl+F)")
    searchName: qsTr("Search users")
    countText: ShopRules.countOf(page.count, qsTr("user"), qsTr("users"))
    emptyText: qsTr("No users yet")
    noMatchText: qsTr("No user matches the search")

    rowDelegate: UserRow {
        widths: page.widths
        onClicked: page.rowClicked(userId)
    }

    UserDetails {
        SplitView.preferredWidth: 420
        SplitView.minimumWidth: 320
        user: page.current as UserRow
        historyActive: page.visible
        editable: page.editable
        onActionRequested: (action) => page.actionRequested(action)
        onEntryChosen: entryId => page.entryChosen(entryId)
    }
}
