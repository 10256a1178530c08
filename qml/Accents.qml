// Accent colours that read well on both light and dark system palettes: everything else
// comes from the palette itself.
import QtQuick

QtObject {
    readonly property SystemPalette system: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool dark: system.window.hslLightness < 0.5

    readonly property color applied: dark ? "#6fd08c" : "#1b7f3b"
    readonly property color rejected: dark ? "#ff8a80" : "#b3261e"
    readonly property color warning: dark ? "#f2c661" : "#8a5a00"
    readonly property color idle: dark ? "#9aa0a6" : "#5f6368"
    readonly property color snapshot: dark ? "#c58af9" : "#7b1fa2"
    // Rows the current history event touched.
    readonly property color touched: dark ? "#f2c661" : "#f9a825"
    // Tinted backgrounds for banners: the accent blended into the window colour.
    function tint(accent: color): color {
        return Qt.tint(system.window, Qt.rgba(accent.r, accent.g, accent.b, 0.18))
    }
}
