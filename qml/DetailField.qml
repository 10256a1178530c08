// A caption and a plain-text value, for the details panes' grids.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

RowLayout {
    property alias caption: captionLabel.text
    property alias value: valueLabel.text
    property alias valueObjectName: valueLabel.objectName
    property alias valueColor: valueLabel.color

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
        elide: Text.ElideRight
        font.bold: true
    }
}
