// Exports to a local file: the Events page's rows as shown (what: "events"), or the shop at
// the timeline's point (what: "shop": users and items as `shopstream-cli state` prints them),
// as CSV or JSON. The file name starts in the Documents folder; the file is written whole or
// not at all. The outcome is reported through `finished` (the window toasts and logs it).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ShopDialog {
    id: dialog
    objectName: "exportDialog"
    title: what === "events" ? qsTr("Export events") : qsTr("Export the shop")
    okText: qsTr("Export")
    initialFocus: pathInput.field
    valid: pathInput.valid

    property string what: "events"
    readonly property string format: jsonChoice.checked ? "json" : "csv"
    signal finished(bool ok, string message)

    function prefill(what: string) {
        dialog.what = what === "shop" ? "shop" : "events"
        csvChoice.checked = true
        pathInput.reset(ShopSession.defaultExportPath(dialog.what, "csv"))
    }

    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: dialog.what === "events"
              ? qsTr("The Events page's rows as shown: its filters apply, and in history only the events up to the current one.")
              : qsTr("The users and the items at the timeline's point (the newest when live), as shopstream-cli state prints them; money in minor units.")
    }
    RowLayout {
        RadioButton {
            id: csvChoice
            objectName: "exportCsv"
            text: qsTr("CSV")
            checked: true
            onToggled: pathInput.reset(pathInput.text.replace(/\.json$/, ".csv"))
        }
        RadioButton {
            id: jsonChoice
            objectName: "exportJson"
            text: qsTr("JSON")
            onToggled: pathInput.reset(pathInput.text.replace(/\.csv$/, ".json"))
        }
    }
    ValidatedField {
        id: pathInput
        name: "exportPathField"
        label: qsTr("File")
        error: text.trim() === "" ? qsTr("Enter the file to write") : ""
        onAccepted: dialog.tryAccept()
    }

    onAccepted: {
        const path = pathInput.text
        const error = dialog.what === "events" ? ShopSession.exportEvents(path, dialog.format)
                                               : ShopSession.exportShop(path, dialog.format)
        dialog.finished(error === "", error === "" ? qsTr("Exported to %1").arg(path) : qsTr("Export failed: %1").arg(error))
    }
}
