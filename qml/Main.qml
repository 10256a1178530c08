// being written
import QtQuick
Item {}
