// The edit dialogs' checks as a user meets them: each dialog is created, opened, and typed
// into key by key (so the fields see textEdited, as with a real keyboard); the OK button
// must follow the section 3 ranges and the red message under a field must say what is
// wrong. The ShopSession singleton is real but never started: nothing reaches Redis, and an
// accepted dialog is answered with "not connected". On a stream in the original demo's format
// (the dialogs' `legacy`, set here as ShopSession.legacyAppends would set it) amounts are whole
// units, and what that format cannot hold is refused before anything is sent.
import QtQuick
import QtQuick.Controls
import QtTest
import ShopStream

Item {
    id: window
    width: 900
    height: 700

    Component { id: registerUserComponent; RegisterUserDialog {} }
    Component { id: topUpComponent; TopUpDialog {} }
    Component { id: adjustBalanceComponent; AdjustBalanceDialog {} }
    Component { id: addItemComponent; AddItemDialog {} }
    Component { id: setPriceComponent; SetPriceDialog {} }
    Component { id: adjustStockComponent; AdjustStockDialog {} }
    Component { id: placeOrderComponent; PlaceOrderDialog {} }
    Component { id: connectionComponent; ConnectionDialog {} }
    Component { id: exportComponent; ExportDialog {} }
    Component { id: spyComponent; SignalSpy {} }

    SignalSpy {
        id: finishedSpy
        target: ShopSession
        signalName: "commandFinished"
    }

    TestCase {
        id: testCase
        name: "Dialogs"
        when: windowShown

        readonly property string maxUserId: "9223372036854775807"

        function repeat(text, n) {
            let out = ""
            for (let i = 0; i < n; ++i)
                out += text
            return out
        }

        function openDialog(component, properties) {
            const dialog = createTemporaryObject(component, window, properties || {})
            verify(dialog !== null, "the dialog is created")
            dialog.prefill("")
            dialog.open()
            tryCompare(dialog, "opened", true)
            return dialog
        }
        function field(dialog, name) {
            const found = findChild(dialog.contentItem, name)
            verify(found !== null, name + " is in " + dialog.objectName)
            return found
        }
        function okButton(dialog) {
            const found = findChild(dialog.footer, dialog.objectName + "Ok")
            verify(found !== null, dialog.objectName + "Ok is in the footer")
            return found
        }
        // What the field's red message says; "" while it is hidden.
        function shownError(dialog, name) {
            const label = findChild(dialog.contentItem, name + "Error")
            verify(label !== null, name + "Error is in " + dialog.objectName)
            return label.visible ? label.text : ""
        }
        // Replaces the field's text by typing, one key at a time.
        function type(dialog, name, text) {
            const input = field(dialog, name)
            input.forceActiveFocus()
            verify(input.activeFocus, name + " has the keyboard focus")
            if (input.text !== "") {
                input.selectAll()
                keyClick(Qt.Key_Backspace)
            }
            for (const ch of text) {
                // QTest maps only ASCII characters to keys; a Latin-1 capital (É) is its own key code.
                const code = ch.charCodeAt(0)
                keyClick(code < 128 ? ch : code)
            }
            compare(input.text, text, "what was typed into " + name)
            return input
        }
        // Types something and deletes it again: an emptied field the user touched.
        function typeAndErase(dialog, name) {
            const input = type(dialog, name, "x")
            keyClick(Qt.Key_Backspace)
            compare(input.text, "")
            return input
        }
        function expectVerdict(dialog, name, valid, errorPart) {
            compare(okButton(dialog).enabled, valid, dialog.objectName + "Ok enabled")
            const error = shownError(dialog, name)
            if (valid) {
                compare(error, "", "no message under " + name)
            } else {
                verify(error !== "", "a message under " + name)
                if (errorPart !== undefined)
                    verify(error.indexOf(errorPart) >= 0, "'" + error + "' says '" + errorPart + "'")
            }
        }

        function init() {
            finishedSpy.clear()
        }

        function test_freshDialogsCannotBeAccepted_data() {
            return [
                { tag: "registerUser", component: registerUserComponent },
                { tag: "topUp", component: topUpComponent },
                { tag: "adjustBalance", component: adjustBalanceComponent },
                { tag: "addItem", component: addItemComponent },
                { tag: "setPrice", component: setPriceComponent },
                { tag: "adjustStock", component: adjustStockComponent },
                { tag: "placeOrder", component: placeOrderComponent }
            ]
        }
        // Empty fields disable OK but show no red text before the user typed anything.
        function test_freshDialogsCannotBeAccepted(data) {
            const dialog = openDialog(data.component)
            compare(okButton(dialog).enabled, false)
            const names = ["userIdField", "amountField", "deltaField", "reasonField", "itemIdField",
                           "countField", "priceField", "nameField"]
            for (const name of names) {
                const label = findChild(dialog.contentItem, name + "Error")
                if (label !== null)
                    compare(label.visible, false, name + "Error hidden before typing")
            }
        }

        function test_userId_data() {
            return [
                { tag: "zero", text: "0", valid: false },
                { tag: "negative", text: "-1", valid: false },
                { tag: "letters", text: "abc", valid: false },
                { tag: "2^63", text: "9223372036854775808", valid: false },
                { tag: "decimal", text: "7.5", valid: false },
                { tag: "one", text: "1", valid: true },
                { tag: "2^63-1", text: testCase.maxUserId, valid: true }
            ]
        }
        function test_userId(data) {
            const dialog = openDialog(topUpComponent)
            type(dialog, "amountField", "1")
            type(dialog, "userIdField", data.text)
            expectVerdict(dialog, "userIdField", data.valid, "whole number from 1 to " + testCase.maxUserId)
        }

        function test_emptyUserIdSaysWhatIsMissing() {
            const dialog = openDialog(topUpComponent)
            type(dialog, "amountField", "1")
            typeAndErase(dialog, "userIdField")
            expectVerdict(dialog, "userIdField", false, "Enter the user's id")
        }

        function test_amount_data() {
            return [
                { tag: "zero", text: "0", valid: false, error: "more than 0" },
                { tag: "three decimals", text: "1.234", valid: false, error: "at most two decimals" },
                { tag: "over 10^15 minor", text: "10000000000000.01", valid: false, error: "between" },
                { tag: "negative", text: "-5", valid: false, error: "at most two decimals" },
                { tag: "letters", text: "ten", valid: false, error: "at most two decimals" },
                { tag: "one decimal", text: "12.5", valid: true },
                { tag: "smallest", text: "0.01", valid: true },
                { tag: "10^15 minor", text: "10000000000000", valid: true }
            ]
        }
        function test_amount(data) {
            const dialog = openDialog(topUpComponent)
            type(dialog, "userIdField", "7")
            type(dialog, "amountField", data.text)
            expectVerdict(dialog, "amountField", data.valid, data.error)
        }

        function test_itemId_data() {
            return [
                { tag: "space", text: "blue mug", valid: false, error: "only letters" },
                { tag: "65 chars", text: repeat("a", 65), valid: false, error: "at most 64" },
                { tag: "slash", text: "mug/2", valid: false, error: "only letters" },
                { tag: "64 chars", text: repeat("b", 64), valid: true },
                { tag: "all kinds", text: "Mug_2.blue-XL", valid: true }
            ]
        }
        function test_itemId(data) {
            const dialog = openDialog(setPriceComponent)
            type(dialog, "priceField", "4.99")
            type(dialog, "itemIdField", data.text)
            expectVerdict(dialog, "itemIdField", data.valid, data.error)
        }

        function test_registerUserName_data() {
            return [
                { tag: "101 bytes", text: repeat("É", 50) + "e", valid: false, error: "at most 100 bytes" },
                { tag: "51 × É", text: repeat("É", 51), valid: false, error: "at most 100 bytes" },
                { tag: "100 bytes", text: repeat("É", 50), valid: true },
                { tag: "markup", text: "<b>x</b>", valid: true }
            ]
        }
        function test_registerUserName(data) {
            const dialog = openDialog(registerUserComponent)
            type(dialog, "userIdField", "7")
            type(dialog, "nameField", data.text)
            expectVerdict(dialog, "nameField", data.valid, data.error)
        }

        function test_registerUserNeedsAName() {
            const dialog = openDialog(registerUserComponent)
            type(dialog, "userIdField", "7")
            compare(okButton(dialog).enabled, false, "no name yet")
            typeAndErase(dialog, "nameField")
            expectVerdict(dialog, "nameField", false, "Enter a name")
        }

        function test_adjustBalanceDelta_data() {
            return [
                { tag: "zero", text: "0", valid: false, error: "must not be 0" },
                { tag: "zero with decimals", text: "-0.00", valid: false, error: "must not be 0" },
                { tag: "three decimals", text: "1.005", valid: false, error: "at most two decimals" },
                { tag: "negative", text: "-5.00", valid: true },
                { tag: "positive", text: "3.2", valid: true }
            ]
        }
        function test_adjustBalanceDelta(data) {
            const dialog = openDialog(adjustBalanceComponent)
            type(dialog, "userIdField", "7")
            type(dialog, "reasonField", "goodwill")
            type(dialog, "deltaField", data.text)
            expectVerdict(dialog, "deltaField", data.valid, data.error)
        }

        function test_adjustBalanceNeedsAReason() {
            const dialog = openDialog(adjustBalanceComponent)
            type(dialog, "userIdField", "7")
            type(dialog, "deltaField", "-5.00")
            compare(okButton(dialog).enabled, false, "no reason yet")
            typeAndErase(dialog, "reasonField")
            expectVerdict(dialog, "reasonField", false, "Say why")
        }

        function test_adjustStockDelta_data() {
            return [
                { tag: "zero", text: "0", valid: false, error: "must not be 0" },
                { tag: "decimal", text: "1.5", valid: false, error: "whole number" },
                { tag: "over 10^9", text: "1000000001", valid: false, error: "between" },
                { tag: "negative", text: "-3", valid: true },
                { tag: "positive", text: "10", valid: true }
            ]
        }
        function test_adjustStockDelta(data) {
            const dialog = openDialog(adjustStockComponent)
            type(dialog, "itemIdField", "mug")
            type(dialog, "reasonField", "stocktake")
            type(dialog, "deltaField", data.text)
            expectVerdict(dialog, "deltaField", data.valid, data.error)
        }

        function test_addItemCount_data() {
            return [
                { tag: "over 10^9", text: "1000000001", valid: false, error: "between 0 and 1000000000" },
                { tag: "negative", text: "-1", valid: false, error: "between 0 and 1000000000" },
                { tag: "letters", text: "lots", valid: false, error: "whole number" },
                { tag: "zero", text: "0", valid: true },
                { tag: "10^9", text: "1000000000", valid: true }
            ]
        }
        function test_addItemCount(data) {
            const dialog = openDialog(addItemComponent)
            type(dialog, "itemIdField", "mug")
            type(dialog, "countField", data.text)
            expectVerdict(dialog, "countField", data.valid, data.error)
        }

        // Price and name are optional on AddItem: empty keeps what the item has.
        function test_addItemOptionalFields() {
            const dialog = openDialog(addItemComponent)
            type(dialog, "itemIdField", "mug")
            type(dialog, "countField", "3")
            compare(okButton(dialog).enabled, true, "no price, no name")
            typeAndErase(dialog, "priceField")
            expectVerdict(dialog, "priceField", true)
            type(dialog, "priceField", "12.999")
            expectVerdict(dialog, "priceField", false, "at most two decimals")
            type(dialog, "priceField", "0")
            expectVerdict(dialog, "priceField", true)
            type(dialog, "nameField", repeat("É", 51))
            expectVerdict(dialog, "nameField", false, "at most 100 bytes")
        }

        function test_setPriceAllowsZero() {
            const dialog = openDialog(setPriceComponent)
            type(dialog, "itemIdField", "mug")
            type(dialog, "priceField", "0")
            expectVerdict(dialog, "priceField", true)
            typeAndErase(dialog, "priceField")
            expectVerdict(dialog, "priceField", false, "Enter an amount")
        }

        function test_placeOrderLines() {
            const dialog = openDialog(placeOrderComponent)
            type(dialog, "userIdField", "7")
            const ok = okButton(dialog)
            compare(ok.enabled, false, "the first line names no item yet")
            tryVerify(() => findChild(dialog.contentItem, "lineItem_0") !== null, 2000, "the first line is shown")
            compare(findChild(dialog.contentItem, "lineError_0").visible, false,
                    "a fresh line's empty item is not shouted about")

            const picker = findChild(dialog.contentItem, "lineItem_0")
            verify(picker !== null)
            compare(picker.editable, true, "the item picker is an editable ComboBox")
            mouseClick(picker, picker.width / 4, picker.height / 2) // into its text, as a user would
            verify(picker.activeFocus, "the picker has the focus")
            for (const ch of "mug")
                keyClick(ch)
            compare(picker.editText, "mug")
            tryCompare(ok, "enabled", true)

            // Quantity 0 is not a quantity.
            type(dialog, "lineQty_0", "0")
            compare(ok.enabled, false, "qty 0")
            const lineError = findChild(dialog.contentItem, "lineError_0")
            compare(lineError.visible, true)
            verify(lineError.text.indexOf("between 1 and 1000000000") >= 0, lineError.text)
            type(dialog, "lineQty_0", "2")
            compare(ok.enabled, true)
            compare(lineError.visible, false)

            // A second line: a bad item id there blocks the order too.
            mouseClick(findChild(dialog.contentItem, "addLineButton"))
            const secondPicker = findChild(dialog.contentItem, "lineItem_1")
            verify(secondPicker !== null, "a second line")
            compare(ok.enabled, false, "the second line names no item yet")
            mouseClick(secondPicker, secondPicker.width / 4, secondPicker.height / 2)
            for (const ch of "a b")
                keyClick(ch)
            const secondError = findChild(dialog.contentItem, "lineError_1")
            tryCompare(secondError, "visible", true)
            verify(secondError.text.indexOf("only letters") >= 0, secondError.text)
            compare(ok.enabled, false)

            // Removing it makes the order valid again; the last line cannot be removed.
            const remove = findChild(dialog.contentItem, "removeLine_1")
            verify(remove.enabled)
            mouseClick(remove)
            tryVerify(() => findChild(dialog.contentItem, "lineItem_1") === null)
            compare(ok.enabled, true)
            compare(findChild(dialog.contentItem, "removeLine_0").enabled, false, "the only line stays")

            // The session knows no items (it is not connected): the total cannot be known.
            const total = findChild(dialog.contentItem, "orderTotalLabel")
            verify(total.text.indexOf("the shop has no item mug") >= 0, total.text)
        }

        // The UI never leaves an order without lines, but the check must not accept one.
        function test_placeOrderWithoutLines() {
            const dialog = openDialog(placeOrderComponent)
            type(dialog, "userIdField", "7")
            const lines = findChild(dialog.contentItem, "orderLines")
            verify(lines !== null)
            lines.model.clear()
            ++dialog.revision
            compare(lines.count, 0)
            compare(dialog.linesValid, false)
            compare(okButton(dialog).enabled, false)
        }

        // Return in a line's quantity field sends a valid order, as in every other field.
        function test_returnInTheQuantitySendsTheOrder() {
            const dialog = openDialog(placeOrderComponent)
            type(dialog, "userIdField", "7")
            tryVerify(() => findChild(dialog.contentItem, "lineItem_0") !== null, 2000, "the first line is shown")
            const picker = findChild(dialog.contentItem, "lineItem_0")
            mouseClick(picker, picker.width / 4, picker.height / 2)
            for (const ch of "mug")
                keyClick(ch)
            type(dialog, "lineQty_0", "0")
            keyClick(Qt.Key_Return)
            compare(dialog.visible, true, "an invalid order stays open")
            const accepted = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "accepted" })
            type(dialog, "lineQty_0", "2")
            keyClick(Qt.Key_Return)
            compare(accepted.count, 1, "Return accepted the order")
            tryCompare(finishedSpy, "count", 1)
            compare(finishedSpy.signalArguments[0][5], "Order")
        }

        // Return in a field accepts a valid dialog; the session (not connected) answers.
        function test_returnAcceptsValidDialog() {
            const dialog = openDialog(topUpComponent)
            type(dialog, "userIdField", "7")
            type(dialog, "amountField", "1.234")
            keyClick(Qt.Key_Return)
            compare(dialog.visible, true, "an invalid dialog stays open")
            const accepted = createTemporaryObject(spyComponent, testCase, { target: dialog, signalName: "accepted" })
            type(dialog, "amountField", "25.50")
            keyClick(Qt.Key_Return)
            compare(accepted.count, 1, "Return accepted the dialog")
            tryCompare(finishedSpy, "count", 1)
            const args = finishedSpy.signalArguments[0]
            compare(args[1], false, "not applied")
            verify(String(args[3]).indexOf("not connected") >= 0, args[3])
            compare(args[5], "TopUp")
            // Never sent: the dialog opens again with the values as typed, and says why.
            tryCompare(dialog, "visible", true)
            compare(field(dialog, "userIdField").text, "7")
            compare(field(dialog, "amountField").text, "25.50")
            const notSent = findChild(dialog.contentItem, "topUpDialogNotSent")
            verify(notSent !== null && notSent.visible, "the dialog says it was not sent")
            verify(notSent.text.indexOf("not connected") >= 0, notSent.text)
            dialog.reject()
            compare(notSent.visible, false, "cancelled: the message goes")
        }

        function legacyNote(dialog) {
            const found = findChild(dialog.contentItem, dialog.objectName + "LegacyNote")
            verify(found !== null, dialog.objectName + "LegacyNote is in the dialog")
            return found
        }

        function test_legacyAmountTakesWholeUnits_data() {
            return [
                { tag: "12.50", text: "12.50", valid: false, error: "whole units (12.00 or 13.00, not 12.50)" },
                { tag: "12.5", text: "12.5", valid: false, error: "The original demo's format takes whole units" },
                { tag: "0.50", text: "0.50", valid: false, error: "(1.00, not 0.50)" },
                { tag: "three decimals", text: "1.234", valid: false, error: "at most two decimals" },
                { tag: "12", text: "12", valid: true },
                { tag: "12.00", text: "12.00", valid: true },
                { tag: "12,00", text: "12,00", valid: true }
            ]
        }
        function test_legacyAmountTakesWholeUnits(data) {
            const dialog = openDialog(topUpComponent, { legacy: true })
            type(dialog, "userIdField", "7")
            type(dialog, "amountField", data.text)
            expectVerdict(dialog, "amountField", data.valid, data.error)
            // The same amount on a native stream: cents are fine.
            dialog.legacy = false
            if (data.text !== "1.234")
                expectVerdict(dialog, "amountField", true)
        }

        function test_legacyRefusesEventsWithoutALegacyForm_data() {
            return [
                { tag: "registerUser", component: registerUserComponent, says: "no user registration",
                  fields: [["userIdField", "7"], ["nameField", "Ada"]] },
                { tag: "adjustBalance", component: adjustBalanceComponent, says: "no balance adjustment",
                  fields: [["userIdField", "7"], ["deltaField", "-5"], ["reasonField", "x"]] },
                { tag: "setPrice", component: setPriceComponent, says: "no prices",
                  fields: [["itemIdField", "mug"], ["priceField", "5"]] },
                { tag: "adjustStock", component: adjustStockComponent, says: "no stock adjustment",
                  fields: [["itemIdField", "mug"], ["deltaField", "-1"], ["reasonField", "x"]] }
            ]
        }
        // Every field is right, yet nothing can be sent: the dialog says why.
        function test_legacyRefusesEventsWithoutALegacyForm(data) {
            const dialog = openDialog(data.component, { legacy: true })
            for (const [name, text] of data.fields)
                type(dialog, name, text)
            compare(dialog.valid, true, "the fields are valid")
            compare(okButton(dialog).enabled, false, "OK is off on the demo's stream")
            const note = legacyNote(dialog)
            compare(note.visible, true)
            verify(note.text.indexOf("original demo's format") >= 0 && note.text.indexOf(data.says) >= 0, note.text)
            keyClick(Qt.Key_Return)
            compare(dialog.visible, true, "Return does not send it either")
            wait(50)
            compare(finishedSpy.count, 0)

            dialog.legacy = false
            compare(okButton(dialog).enabled, true, "on a native stream it can be sent")
            compare(note.visible, false)
        }

        function test_legacyAddItemWritesOnlyTheUnits() {
            const dialog = openDialog(addItemComponent, { legacy: true })
            type(dialog, "itemIdField", "mug")
            type(dialog, "countField", "3")
            compare(okButton(dialog).enabled, true, "a restock has the demo's form")
            compare(field(dialog, "priceField").enabled, false, "no price in the demo's format")
            compare(field(dialog, "nameField").enabled, false, "no name in the demo's format")
            const note = legacyNote(dialog)
            compare(note.visible, true)
            verify(note.text.indexOf("no price or name") >= 0, note.text)
            dialog.legacy = false
            compare(field(dialog, "priceField").enabled, true)
            compare(note.visible, false)
        }

        function test_legacyOrderHasNoOrderId() {
            const dialog = openDialog(placeOrderComponent, { legacy: true })
            compare(field(dialog, "orderIdField").enabled, false)
            const note = legacyNote(dialog)
            compare(note.visible, true)
            verify(note.text.indexOf("no order id") >= 0, note.text)
        }

        // On the managed local server the dialog opens with an empty address (that server),
        // no message and Connect enabled, so that only the stream can be changed; a bad
        // address typed is refused with the parser's words.
        function test_connectionOnTheLocalServer() {
            const dialog = createTemporaryObject(connectionComponent, window)
            dialog.prefill({ url: "", user: "" }, "shop:events")
            dialog.open()
            tryCompare(dialog, "opened", true)
            expectVerdict(dialog, "urlField", true)
            type(dialog, "streamField", "orders")
            expectVerdict(dialog, "urlField", true)
            type(dialog, "urlField", "http://x")
            expectVerdict(dialog, "urlField", false)
            type(dialog, "urlField", "redis://127.0.0.1:6390")
            expectVerdict(dialog, "urlField", true)
            dialog.close()
        }

        // Export's Browse… opens a save dialog in the folder of the file named; the file chosen
        // there becomes the file, and its extension the format.
        function test_exportBrowsesForTheFile() {
            const dialog = createTemporaryObject(exportComponent, window)
            dialog.prefill("events")
            dialog.open()
            tryCompare(dialog, "opened", true)
            const path = field(dialog, "exportPathField")
            verify(path.text.endsWith(".csv"), path.text)
            path.text = "/tmp/shopstream-export-test/rows.csv"
            mouseClick(findChild(dialog.contentItem, "exportBrowseButton"))
            const files = dialog.fileDialog
            tryCompare(files, "visible", true)
            compare(ShopRules.localFile(files.currentFolder), "/tmp/shopstream-export-test")
            // What the file dialog reports when a file is chosen in it (the user's part of it
            // is Qt's own).
            files.selectedFile = ShopRules.fileUrl("/tmp/elsewhere/all events.json")
            compare(ShopRules.localFile(files.selectedFile), "/tmp/elsewhere/all events.json")
            files.accepted()
            files.close()
            tryCompare(files, "visible", false)
            compare(path.text, "/tmp/elsewhere/all events.json")
            verify(findChild(dialog.contentItem, "exportJson").checked)
            verify(dialog.opened, "the export dialog stays open, to be confirmed")
            dialog.close()
        }

        function test_cancelClosesWithoutSubmitting() {
            const dialog = openDialog(topUpComponent)
            type(dialog, "userIdField", "7")
            type(dialog, "amountField", "5")
            mouseClick(findChild(dialog.footer, "topUpDialogCancel"))
            tryCompare(dialog, "visible", false)
            wait(50)
            compare(finishedSpy.count, 0)
        }
    }
}
