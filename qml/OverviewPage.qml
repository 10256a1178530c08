// The Overview page: the stream's entries by type and verdict, the rejections by reason
// (choose one to list those entries on the Events page), applied, rejected and revenue over
// time, and the users who spent most and the items that sold most. Everything is at the
// timeline's current point: the head when live, the current event in history.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

Page {
    id: page
    objectName: "overviewPage"

    /// The admin chose a reason (its name) or a type: the Events page lists those entries.
    signal reasonChosen(string reason)
    signal typeChosen(string type)
    /// Whether the Events page can filter by this type (it knows the types of section 3).
    property var filterableType: function(type) { return false }

    readonly property OverviewModel overview: ShopSession.overview

    function focusSearch() {}

    // The figures are kept up to date only while the page shows.
    Binding { target: ShopSession.overview; property: "active"; value: page.visible }

    Accents { id: accents }
    SystemPalette { id: system }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            spacing: 18
            Label {
                objectName: "overviewPoint"
                text: ShopSession.replay.live
                      ? qsTr("All %1").arg(ShopRules.countOf(page.overview.position, qsTr("event"), qsTr("events")))
                      : qsTr("History: the first %1 of %2")
                            .arg(ShopRules.countOf(page.overview.position, qsTr("event"), qsTr("events")))
                            .arg(ShopRules.formatCount(ShopSession.replay.length))
                font.bold: true
            }
            Label {
                objectName: "overviewApplied"
                text: qsTr("%1 applied").arg(ShopRules.formatCount(page.overview.applied))
                color: accents.applied
            }
            Label {
                objectName: "overviewRejected"
                text: qsTr("%1 rejected").arg(ShopRules.formatCount(page.overview.rejected))
                color: page.overview.rejected > 0 ? accents.rejected : system.text
            }
            Label {
                objectName: "overviewRevenue"
                text: qsTr("Revenue %1").arg(page.overview.revenueText)
                ToolTip.visible: revenueHover.hovered
                ToolTip.text: qsTr("What the applied orders cost their users, at the prices of the time")
                HoverHandler { id: revenueHover }
            }
            Item { Layout.fillWidth: true }
            Label {
                objectName: "overviewPartial"
                visible: !ShopSession.replay.available
                text: qsTr("Only the entries the window holds")
                color: accents.warning
                ToolTip.visible: partialHover.hovered
                ToolTip.text: ShopSession.replay.unavailableReason
                HoverHandler { id: partialHover }
            }
            Label {
                visible: !page.overview.ready || !ShopSession.historyComplete
                text: ShopSession.historyComplete ? qsTr("Reading the history…") : qsTr("The history is still loading")
                color: accents.idle
            }
        }
    }

    Label {
        anchors.centerIn: parent
        visible: page.overview.position === 0
        text: qsTr("No events yet.")
        color: accents.idle
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        visible: page.overview.position > 0
        contentWidth: availableWidth
        clip: true

        GridLayout {
            width: scroll.availableWidth - 16
            x: 8
            y: 8
            columns: 2
            columnSpacing: 12
            rowSpacing: 12

            GroupBox {
                title: qsTr("Events by type")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 1
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 0
                    Repeater {
                        model: page.overview.types
                        delegate: ItemDelegate {
                            id: typeRow
                            required property var modelData
                            readonly property int total: modelData.applied + modelData.rejected
                            objectName: "typeRow_" + modelData.type
                            Layout.fillWidth: true
                            enabled: page.filterableType(modelData.type)
                            padding: 4
                            Accessible.name: qsTr("%1: %2 applied, %3 rejected").arg(modelData.type)
                                                 .arg(modelData.applied).arg(modelData.rejected)
                            ToolTip.visible: hovered
                            ToolTip.text: qsTr("List the %1 entries on the Events page").arg(modelData.type)
                            onClicked: page.typeChosen(modelData.type)
                            contentItem: RowLayout {
                                spacing: 8
                                Label {
                                    text: typeRow.modelData.type
                                    Layout.preferredWidth: 110
                                    elide: Text.ElideRight
                                    textFormat: Text.PlainText
                                }
                                Item {
                                    Layout.fillWidth: true
                                    Layout.preferredHeight: 12
                                    Rectangle {
                                        height: parent.height
                                        width: parent.width * typeRow.modelData.applied / Math.max(1, page.overview.applied + page.overview.rejected)
                                        color: accents.applied
                                    }
                                    Rectangle {
                                        x: parent.width * typeRow.modelData.applied / Math.max(1, page.overview.applied + page.overview.rejected)
                                        height: parent.height
                                        width: parent.width * typeRow.modelData.rejected / Math.max(1, page.overview.applied + page.overview.rejected)
                                        color: accents.rejected
                                    }
                                }
                                Label {
                                    text: ShopRules.formatCount(typeRow.modelData.applied)
                                    color: accents.applied
                                    horizontalAlignment: Text.AlignRight
                                    Layout.preferredWidth: 64
                                }
                                Label {
                                    text: ShopRules.formatCount(typeRow.modelData.rejected)
                                    color: typeRow.modelData.rejected > 0 ? accents.rejected : accents.idle
                                    horizontalAlignment: Text.AlignRight
                                    Layout.preferredWidth: 56
                                }
                            }
                        }
                    }
                }
            }

            GroupBox {
                title: qsTr("Rejections by reason")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 1
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 0
                    Label {
                        visible: page.overview.reasons.length === 0
                        text: qsTr("None: every entry was applied.")
                        color: accents.idle
                    }
                    Repeater {
                        model: page.overview.reasons
                        delegate: ItemDelegate {
                            id: reasonRow
                            required property var modelData
                            objectName: "reasonRow_" + modelData.reason
                            Layout.fillWidth: true
                            padding: 4
                            Accessible.name: qsTr("%1: %2").arg(modelData.reason).arg(modelData.count)
                            ToolTip.visible: hovered
                            ToolTip.text: qsTr("%1. Choose to list these entries on the Events page.").arg(modelData.text)
                            onClicked: page.reasonChosen(modelData.reason)
                            contentItem: RowLayout {
                                spacing: 8
                                Label {
                                    text: reasonRow.modelData.reason
                                    Layout.preferredWidth: 150
                                    elide: Text.ElideRight
                                    font.underline: reasonRow.hovered
                                }
                                Item {
                                    Layout.fillWidth: true
                                    Layout.preferredHeight: 12
                                    Rectangle {
                                        height: parent.height
                                        width: parent.width * reasonRow.modelData.count / Math.max(1, page.overview.rejected)
                                        color: accents.rejected
                                        opacity: 0.8
                                    }
                                }
                                Label {
                                    text: ShopRules.formatCount(reasonRow.modelData.count)
                                    horizontalAlignment: Text.AlignRight
                                    Layout.preferredWidth: 64
                                }
                            }
                        }
                    }
                }
            }

            GroupBox {
                title: qsTr("Users who spent most")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 1
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 2
                    Label {
                        visible: page.overview.topUsers.length === 0
                        text: qsTr("No orders yet.")
                        color: accents.idle
                    }
                    Repeater {
                        model: page.overview.topUsers
                        delegate: RowLayout {
                            id: userRow
                            required property var modelData
                            required property int index
                            objectName: "topUser_" + index
                            Layout.fillWidth: true
                            spacing: 8
                            Label {
                                text: qsTr("%1 (%2)").arg(userRow.modelData.name !== "" ? userRow.modelData.name : qsTr("no name"))
                                                     .arg(userRow.modelData.userId)
                                textFormat: Text.PlainText
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                            Label {
                                text: userRow.modelData.spentText
                                horizontalAlignment: Text.AlignRight
                            }
                            Label {
                                text: ShopRules.countOf(userRow.modelData.orders, qsTr("order"), qsTr("orders"))
                                color: accents.idle
                                horizontalAlignment: Text.AlignRight
                                Layout.preferredWidth: 80
                            }
                        }
                    }
                }
            }

            GroupBox {
                title: qsTr("Items that sold most")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 1
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 2
                    Label {
                        visible: page.overview.topItems.length === 0
                        text: qsTr("Nothing sold yet.")
                        color: accents.idle
                    }
                    Repeater {
                        model: page.overview.topItems
                        delegate: RowLayout {
                            id: itemRow
                            required property var modelData
                            required property int index
                            objectName: "topItem_" + index
                            Layout.fillWidth: true
                            spacing: 8
                            Label {
                                text: itemRow.modelData.name !== "" && itemRow.modelData.name !== itemRow.modelData.itemId
                                      ? qsTr("%1 (%2)").arg(itemRow.modelData.name).arg(itemRow.modelData.itemId)
                                      : itemRow.modelData.itemId
                                textFormat: Text.PlainText
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                            Label {
                                text: qsTr("%1 sold").arg(ShopRules.formatCount(itemRow.modelData.sold))
                                horizontalAlignment: Text.AlignRight
                            }
                            Label {
                                text: qsTr("%1 left").arg(ShopRules.formatCount(itemRow.modelData.stock))
                                color: accents.idle
                                horizontalAlignment: Text.AlignRight
                                Layout.preferredWidth: 80
                            }
                        }
                    }
                }
            }
            GroupBox {
                title: qsTr("Over time")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.columnSpan: 2
                Layout.preferredWidth: 1
                ColumnLayout {
                    anchors.fill: parent
                    spacing: 4
                    RowLayout {
                        spacing: 12
                        Label { text: qsTr("■ applied"); color: accents.applied }
                        Label { text: qsTr("■ rejected"); color: accents.rejected }
                        Label { text: qsTr("■ revenue"); color: system.highlight }
                    }
                    SeriesChart {
                        objectName: "countsChart"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 80
                        series: page.overview.series
                        maximum: page.overview.seriesMaxCount
                        stacks: [{ key: "applied", color: accents.applied }, { key: "rejected", color: accents.rejected }]
                        Accessible.name: qsTr("Applied and rejected entries over time")
                    }
                    SeriesChart {
                        objectName: "revenueChart"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 60
                        series: page.overview.series
                        maximum: page.overview.seriesMaxRevenue
                        stacks: [{ key: "revenue", color: system.highlight }]
                        Accessible.name: qsTr("Revenue over time")
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: page.overview.series.length ? page.overview.series[0].fromText : ""
                            color: accents.idle
                            font.pointSize: Qt.application.font.pointSize * 0.9
                        }
                        Item { Layout.fillWidth: true }
                        Label {
                            text: page.overview.series.length ? page.overview.series[page.overview.series.length - 1].toText : ""
                            color: accents.idle
                            font.pointSize: Qt.application.font.pointSize * 0.9
                        }
                    }
                }
            }

        }
    }
}
