// A caption and a plain-text value, for the details panes' grids. A long value is cut at
// the end (its whole text in a tooltip), or wraps when `wrap` is set.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

RowLayout {
    property alias caption: captionLabel.text
    property alias value: valueLabel.text
    property alias valueObjectName: valueLabel.objectName
    property alias valueColor: valueLabel.color
    property bool wrap: false

    Layout.fillWidth: true
    Label {
        id: captionLabel
        Layout.preferredWidth: 90
        color: palette.placeholderText
    }
    Label {
        id: valueLabel
        Layout.fillWidth: true
        textFormat: Text.PlainText
        elide: parent.wrap ? Text.ElideNone : Text.ElideRight
        wrapMode: parent.wrap ? Text.Wrap : Text.NoWrap
        font.bold: true
        ToolTip.visible: truncated && valueHover.hovered
        ToolTip.text: text
        HoverHandler { id: valueHover }
    }
}
