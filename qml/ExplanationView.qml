// An explanation (ShopSession's map from the core's explainEntry): the checks of DESIGN
// section 3 in their order (passed with a check mark, the one that decided in the rejection
// colour with its values, those not reached greyed) and every row the event changed, before
// and after. The entry details pane and the edit dialogs' previews show it.
// A Column, not a ColumnLayout: in Qt 6.4 a layout whose Repeater replaces its delegates while
// the layout rearranges (a dialog closing) reads a deleted item and crashes.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls

Column {
    id: view

    /// {applied, ladder: [{check, checkText, outcome, detail}], changes: [{label, text}]}, or null.
    property var explanation: null
    property bool showLadder: true
    /// The rungs are named namePrefix + "Check" + index, the changes namePrefix + "Change" + index.
    property string namePrefix: "explanation"
    readonly property var ladder: explanation && explanation.ladder ? explanation.ladder : []
    readonly property var changes: explanation && explanation.changes ? explanation.changes : []

    spacing: 2
    Accents { id: accents }

    Label {
        visible: view.showLadder && view.ladder.length > 0
        text: qsTr("Checks")
        color: palette.placeholderText
    }
    Repeater {
        model: view.showLadder ? view.ladder : []
        delegate: Label {
            required property var modelData
            required property int index
            /// "passed", "decided" or "not_reached" (tests read it).
            readonly property string outcome: modelData.outcome
            objectName: view.namePrefix + "Check" + index
            width: view.width
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            text: outcome === "passed" ? "✓ " + modelData.check
                  : outcome === "decided" ? "✗ " + modelData.check + (modelData.detail !== "" ? ": " + modelData.detail : "")
                  : "· " + qsTr("%1 (not reached)").arg(modelData.check)
            color: outcome === "decided" ? accents.rejected : outcome === "passed" ? palette.windowText : palette.placeholderText
            font.bold: outcome === "decided"
            ToolTip.visible: checkHover.hovered
            ToolTip.text: modelData.checkText
            HoverHandler { id: checkHover }
        }
    }

    Label {
        visible: view.explanation !== null && view.explanation.applied === true
        text: qsTr("Changes")
        color: palette.placeholderText
    }
    Repeater {
        model: view.changes
        delegate: Label {
            required property var modelData
            required property int index
            objectName: view.namePrefix + "Change" + index
            width: view.width
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            text: modelData.label + ": " + modelData.text
        }
    }
    Label {
        visible: view.explanation !== null && view.explanation.applied === true && view.changes.length === 0
        text: qsTr("no row changed")
        color: palette.placeholderText
    }
}
