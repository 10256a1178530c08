// Exports to a local file: the Events page's rows as shown (what: "events"), or the shop at
// the timeline's point (what: "shop": users and items as `shopstream-cli state` prints them),
// as CSV or JSON. The file name starts in the Documents folder; the file is written whole or
// not at all (the events on a thread of their own, the window going on meanwhile). The outcome
// is reported through `finished` (the window toasts and logs it).
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
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
    property alias fileDialog: fileDialog

    // The file chosen in the file dialog: its name, and the format its extension names.
    function choose(path: string) {
        pathInput.reset(path)
        if (/\.json$/i.test(path))
            jsonChoice.checked = true
        else if (/\.csv$/i.test(path))
            csvChoice.checked = true
    }

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
    RowLayout {
        Layout.fillWidth: true
        ValidatedField {
            id: pathInput
            name: "exportPathField"
            label: qsTr("File")
            error: text.trim() === "" ? qsTr("Enter the file to write") : ""
            onAccepted: dialog.tryAccept()
        }
        Button {
            objectName: "exportBrowseButton"
            Layout.alignment: Qt.AlignTop
            Layout.topMargin: pathInput.field.y
            text: qsTr("Browse…")
            Accessible.name: qsTr("Choose the file in a file dialog")
            onClicked: {
                fileDialog.currentFolder = ShopRules.folderUrl(pathInput.text)
                fileDialog.selectedFile = ShopRules.fileUrl(pathInput.text.trim())
                fileDialog.open()
            }
        }
    }

    FileDialog {
        id: fileDialog
        objectName: "exportFileDialog"
        title: dialog.title
        fileMode: FileDialog.SaveFile
        acceptLabel: qsTr("Choose")
        defaultSuffix: dialog.format
        nameFilters: dialog.format === "json" ? [qsTr("JSON files (*.json)"), qsTr("CSV files (*.csv)")]
                                              : [qsTr("CSV files (*.csv)"), qsTr("JSON files (*.json)")]
        onAccepted: dialog.choose(ShopRules.localFile(selectedFile))
    }

    onAccepted: {
        const path = pathInput.text
        if (dialog.what === "events") {
            // Written on a thread of its own: the answer comes with eventsExported.
            const refused = ShopSession.exportEvents(path, dialog.format)
            if (refused !== "")
                dialog.finished(false, qsTr("Export failed: %1").arg(refused))
            return
        }
        const error = ShopSession.exportShop(path, dialog.format)
        dialog.finished(error === "", error === "" ? qsTr("Exported to %1").arg(path) : qsTr("Export failed: %1").arg(error))
    }
    Connections {
        target: ShopSession
        function onEventsExported(ok: bool, message: string) { dialog.finished(ok, message) }
    }
}
