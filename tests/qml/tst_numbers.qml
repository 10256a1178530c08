// Counts as the window writes them: in the locale's digits and grouping, never in exponent
// notation (QML's "%1".arg(1000000) gives "1e+06", which the status bar, the history banner
// and the About dialog used to show), and the noun agreeing with the count ("1 user", not
// "1 users" or "1 user(s)").
import QtQuick
import QtTest
import ShopStream

TestCase {
    name: "Numbers"

    // A count as it reaches QML from a 64-bit C++ property: a double.
    property real million: 1000000

    function test_noExponent_data() {
        return [{ tag: "million", n: 1000000 }, { tag: "ten million", n: 10000000 },
                { tag: "hundred million", n: 100000000 }, { tag: "2^53", n: 9007199254740992 },
                { tag: "zero", n: 0 }, { tag: "negative", n: -2500000 }]
    }
    function test_noExponent(row) {
        // What QML alone does with such a number: the bug.
        verify(qsTr("%1").arg(million).indexOf("e") >= 0, "QML's arg() writes 1000000 as " + qsTr("%1").arg(million))
        const text = ShopRules.formatCount(row.n)
        verify(text.indexOf("e") < 0 && text.indexOf("E") < 0, text)
        compare(text, Number(row.n).toLocaleString(Qt.locale(), "f", 0))
        // Every digit is there: without the group separators it is the number itself.
        compare(text.replace(new RegExp("[^0-9-]", "g"), ""), String(row.n))
    }

    // The Snapshots table's Events column: a count like any other (it showed "3201" raw).
    Component {
        id: snapshotRowComponent
        SnapshotRow {
            index: 0; snapshotId: "1-0"; timeText: ""; events: 1234567; sizeText: ""
            checked: true; problem: ""; rebuild: ""; rebuildWhy: ""; widths: [80, 80, 80, 80, 80, 80]
        }
    }
    function test_snapshotRowEvents() {
        const row = createTemporaryObject(snapshotRowComponent, null)
        verify(row !== null)
        let texts = []
        for (let i = 0; i < row.cells.length; ++i)
            texts.push(row.cells[i].text)
        verify(texts.indexOf(ShopRules.formatCount(1234567)) >= 0, texts.join(" | "))
    }

    function test_countAndNoun() {
        compare(ShopRules.countOf(1, "user", "users"), "1 user")
        compare(ShopRules.countOf(0, "user", "users"), "0 users")
        compare(ShopRules.countOf(2, "order", "orders"), "2 orders")
        compare(ShopRules.countOf(1000000, "event", "events"), ShopRules.formatCount(1000000) + " events")
    }

    // The Events page's reason filter offers every rejection reason of section 3, by name.
    function test_reasonChoices() {
        const choices = ShopRules.reasonChoices()
        compare(choices.length, 14)
        compare(choices[0].value, "too_large")
        compare(choices[13].value, "insufficient_funds")
        compare(choices[13].text, "Rejected: insufficient_funds")
    }
}
