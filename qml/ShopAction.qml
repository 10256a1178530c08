// An action of the main window, with the longer explanation its toolbar button shows.
import QtQuick.Controls

Action {
    property string hint: ""
}
