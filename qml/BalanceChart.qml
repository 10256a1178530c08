// A sparkline of a user's balance after each event that touched it, oldest left. Long
// histories are thinned to about one point per pixel.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ColumnLayout {
    id: chart

    /// Balances in minor units, oldest first.
    property var points: []
    readonly property real low: points.length ? Math.min(0, Math.min.apply(null, sampled)) : 0
    readonly property real high: points.length ? Math.max.apply(null, sampled) : 0
    readonly property var sampled: {
        const n = points.length, width = Math.max(2, Math.floor(canvas.width))
        if (n <= width)
            return points
        const out = []
        for (let i = 0; i < width; ++i)
            out.push(points[Math.floor(i * (n - 1) / (width - 1))])
        return out
    }

    spacing: 2

    SystemPalette { id: system }

    Canvas {
        id: canvas
        objectName: "balanceChart"
        Layout.fillWidth: true
        Layout.preferredHeight: 90
        Accessible.role: Accessible.Chart
        Accessible.name: qsTr("Balance over time")

        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            ctx.fillStyle = system.base
            ctx.fillRect(0, 0, width, height)
            ctx.strokeStyle = system.mid
            ctx.strokeRect(0.5, 0.5, width - 1, height - 1)
            const p = chart.sampled
            if (p.length < 1)
                return
            const span = Math.max(1, chart.high - chart.low)
            const x = i => p.length === 1 ? width / 2 : 4 + i * (width - 8) / (p.length - 1)
            const y = v => height - 4 - (v - chart.low) * (height - 8) / span
            ctx.strokeStyle = system.highlight
            ctx.lineWidth = 2
            ctx.beginPath()
            ctx.moveTo(x(0), y(p[0]))
            for (let i = 1; i < p.length; ++i)
                ctx.lineTo(x(i), y(p[i]))
            ctx.stroke()
        }
    }
    RowLayout {
        Layout.fillWidth: true
        Label {
            text: chart.points.length
                  ? ShopRules.countOf(chart.points.length, qsTr("change"), qsTr("changes"))
                  : qsTr("No balance history yet")
            color: palette.placeholderText
        }
        Item { Layout.fillWidth: true }
        Label {
            visible: chart.points.length > 0
            text: qsTr("max %1").arg(ShopRules.formatMoney(chart.high))
            color: palette.placeholderText
        }
    }

    onSampledChanged: canvas.requestPaint()
    Connections {
        target: system
        function onPaletteChanged() { canvas.requestPaint() }
    }
}
