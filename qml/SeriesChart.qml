// Bars over time for the Overview page: one bar per span of the series, its `stacks` (keys of
// the series' entries, each with a colour) stacked bottom up and scaled to `maximum`. Hovering
// a bar says its span and figures.
import QtQuick
import QtQuick.Controls

Canvas {
    id: chart

    /// [{fromText, toText, applied, rejected, revenue, revenueText}], oldest first.
    property var series: []
    property real maximum: 0
    /// [{key, color}], drawn in this order from the bottom.
    property var stacks: []
    readonly property int hoveredIndex: hover.hovered && series.length > 0
                                        ? Math.min(series.length - 1, Math.floor(hover.point.position.x * series.length / Math.max(1, width)))
                                        : -1

    Accessible.role: Accessible.Chart

    SystemPalette { id: system }

    onSeriesChanged: requestPaint()
    onMaximumChanged: requestPaint()
    onWidthChanged: requestPaint()
    onHeightChanged: requestPaint()
    onHoveredIndexChanged: requestPaint()

    HoverHandler { id: hover }

    ToolTip.visible: hoveredIndex >= 0
    ToolTip.text: {
        if (hoveredIndex < 0)
            return ""
        const b = series[hoveredIndex]
        return qsTr("%1 to %2\n%3 applied, %4 rejected, revenue %5").arg(b.fromText).arg(b.toText)
                   .arg(ShopRules.formatCount(b.applied)).arg(ShopRules.formatCount(b.rejected)).arg(b.revenueText)
    }

    onPaint: {
        const ctx = getContext("2d")
        ctx.reset()
        ctx.fillStyle = system.base
        ctx.fillRect(0, 0, width, height)
        ctx.strokeStyle = system.mid
        ctx.strokeRect(0.5, 0.5, width - 1, height - 1)
        const n = series.length
        if (n === 0 || maximum <= 0)
            return
        const slot = (width - 4) / n
        const gap = slot > 6 ? 1 : 0
        for (let i = 0; i < n; ++i) {
            let bottom = height - 2
            for (let s = 0; s < stacks.length; ++s) {
                const value = series[i][stacks[s].key]
                if (value <= 0)
                    continue
                const h = Math.max(1, value * (height - 4) / maximum)
                ctx.fillStyle = stacks[s].color
                ctx.globalAlpha = i === hoveredIndex ? 1 : 0.85
                ctx.fillRect(2 + i * slot + gap, bottom - h, Math.max(1, slot - 2 * gap), h)
                bottom -= h
            }
        }
        ctx.globalAlpha = 1
    }
}
