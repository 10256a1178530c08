// Places an order with one or more lines: Order {userId, lines: [{itemId, qty}], orderId?}.
// The total is shown when every line names a priced item; the consumer still decides. The
// original demo's format has no order id: on such a stream none is written.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ShopDialog {
    id: dialog
    objectName: "placeOrderDialog"
    title: qsTr("Place order")
    okText: qsTr("Place order")
    width: Math.min(560, parent ? parent.width - 40 : 560)
    initialFocus: userIdInput.text === "" ? userIdInput.field : null
    valid: userIdInput.valid && orderIdInput.valid && linesValid
    legacyNote: qsTr("This stream is in the original demo's format, which has no order id.")

    readonly property int maxLines: 100
    property var itemIds: []
    // Bumped on every line edit: the ListModel's contents are read by functions below.
    property int revision: 0
    readonly property bool linesValid: {
        revision
        for (let i = 0; i < lines.count; ++i) {
            const l = lines.get(i)
            if (ShopRules.checkItemId(l.itemId) !== "" || ShopRules.checkCount(l.qty, 1, 1e9) !== "")
                return false
        }
        return lines.count > 0
    }
    readonly property var total: { revision; return orderTotal() }

    function prefill(id: string) {
        itemIds = ShopSession.items.itemIds()
        userIdInput.reset(id)
        orderIdInput.reset("")
        lines.clear()
        lines.append({ itemId: "", qty: "1" })
        ++revision
    }
    function fill(event: var) {
        userIdInput.reset(event.userId)
        orderIdInput.reset(event.orderId)
        lines.clear()
        for (const line of event.lines)
            lines.append({ itemId: line.itemId, qty: line.qty })
        ++revision
    }

    // {known, minor, missing, unknown}: the sum over the lines, or the first line's item
    // whose price is not known (unknown: the shop has no such item).
    function orderTotal(): var {
        const items = ShopSession.items
        let minor = 0
        for (let i = 0; i < lines.count; ++i) {
            const l = lines.get(i)
            const row = items.rowOf(l.itemId)
            const price = row < 0 ? 0 : items.data(items.index(row, 0), ItemListModel.PriceRole)
            if (price <= 0)
                return { known: false, minor: 0, missing: l.itemId, unknown: row < 0 }
            minor += price * ShopRules.toInteger(l.qty)
        }
        return { known: true, minor: minor, missing: "", unknown: false }
    }

    // {known, price, stock, priceText}: the item as the shop has it now (known false: no such item).
    function itemInfo(itemId: string): var {
        const items = ShopSession.items
        const row = items.rowOf(itemId)
        if (row < 0)
            return { known: false, price: 0, stock: 0, priceText: "" }
        const at = items.index(row, 0)
        return { known: true, price: items.data(at, ItemListModel.PriceRole), stock: items.data(at, ItemListModel.StockRole),
                 priceText: items.data(at, ItemListModel.PriceTextRole) }
    }
    // The item as the picker and the line show it: "cpu · 15.00 · 3 in stock".
    function describeItem(itemId: string): string {
        const info = itemInfo(itemId)
        if (!info.known)
            return itemId
        return qsTr("%1 · %2 · %3 in stock").arg(itemId).arg(info.priceText).arg(ShopRules.formatCount(info.stock))
    }
    // {known, minor, text}: the user's balance now (known false: no such user yet).
    readonly property var balance: {
        revision
        const users = ShopSession.users
        const row = users.rowOf(userIdInput.text.replace(/\s/g, ""))
        if (row < 0)
            return { known: false, minor: 0, text: "" }
        const at = users.index(row, 0)
        return { known: true, minor: users.data(at, UserListModel.BalanceRole), text: users.data(at, UserListModel.BalanceTextRole) }
    }
    ListModel { id: lines }

    ValidatedField {
        id: userIdInput
        name: "userIdField"
        label: qsTr("User id")
        inputMethodHints: Qt.ImhDigitsOnly
        error: ShopRules.checkUserId(text)
        onAccepted: dialog.tryAccept()
        onTextChanged: ++dialog.revision
    }
    Label {
        objectName: "orderBalanceLabel"
        visible: dialog.balance.known && !dialog.whatIfMode // now, not when the entry was written
        text: qsTr("Balance: %1").arg(dialog.balance.text)
        color: palette.placeholderText
    }

    Label { text: qsTr("Lines (item, quantity)") }
    ListView {
        id: lineList
        objectName: "orderLines"
        Layout.fillWidth: true
        Layout.preferredHeight: Math.min(contentHeight, 260)
        clip: true
        spacing: 4
        model: lines
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}
        delegate: OrderLineRow {
            width: lineList.width - 12
            itemIds: dialog.itemIds
            describe: (id) => dialog.describeItem(id)
            info: { dialog.revision; return dialog.itemInfo(itemId) }
            removable: lines.count > 1
            onEdited: (index, role, value) => { lines.setProperty(index, role, value); ++dialog.revision }
            onRemoveRequested: (index) => { lines.remove(index); ++dialog.revision }
            onSubmitRequested: dialog.tryAccept()
        }
    }
    RowLayout {
        Button {
            objectName: "addLineButton"
            text: qsTr("Add line")
            enabled: lines.count < dialog.maxLines
            Accessible.name: text
            onClicked: {
                lines.append({ itemId: "", qty: "1" })
                ++dialog.revision
                lineList.positionViewAtEnd()
            }
        }
        Label {
            objectName: "orderTotalLabel"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignRight
            textFormat: Text.PlainText
            elide: Text.ElideRight
            text: {
                const t = dialog.total
                if (t.known)
                    return qsTr("Total: %1").arg(ShopRules.formatMoney(t.minor))
                if (ShopRules.checkItemId(t.missing) !== "")
                    return qsTr("Total: not known yet")
                return t.unknown ? qsTr("Total: not known (the shop has no item %1)").arg(t.missing)
                                 : qsTr("Total: not known (item %1 has no price)").arg(t.missing)
            }
        }
    }

    ValidatedField {
        id: orderIdInput
        name: "orderIdField"
        label: qsTr("Order id (optional)")
        enabled: !dialog.legacy
        error: text === "" || dialog.legacy ? "" : ShopRules.checkOrderId(text)
        onAccepted: dialog.tryAccept()
    }

    // What OK sends, and what the preview processes as it is typed.
    eventType: "Order"
    eventData: {
        dialog.revision
        const data = { userId: userIdInput.text.replace(/\s/g, ""), lines: [] }
        for (let i = 0; i < lines.count; ++i)
            data.lines.push({ itemId: lines.get(i).itemId, qty: ShopRules.toInteger(lines.get(i).qty) })
        if (orderIdInput.text !== "" && !dialog.legacy)
            data.orderId = orderIdInput.text
        return data
    }
}
