// Where to read the shop from: a Redis URL (with optional user and password) and a stream key,
// or the managed local server. For a rediss:// URL, how TLS checks the server and shows
// itself (CA, client certificate and key, server name, no verification). The password and a
// key's passphrase go to the system keyring only when remembered.
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import ShopStream

ShopDialog {
    id: dialog
    objectName: "connectionDialog"
    title: qsTr("Connection")
    okText: qsTr("Connect")
    width: Math.min(520, parent ? parent.width - 40 : 520)
    initialFocus: urlInput.field
    valid: urlInput.valid && streamInput.valid && (!tls || serverNameInput.valid)

    property var recent: []
    /// The URL asks for TLS: the TLS fields show.
    readonly property bool tls: /^rediss(\+sentinel|\+cluster)?:\/\//i.test(urlInput.text)
    // The stream keys of the server in use, to pick from (SCAN ... TYPE stream).
    property var streamKeys: []
    property string streamKeysNote: ""
    Connections {
        target: ShopSession
        function onStreamKeysListed(keys: list<string>, truncated: bool, error: string) {
            dialog.streamKeys = keys
            dialog.streamKeysNote = error !== "" ? qsTr("The stream keys could not be listed: %1").arg(error)
                                  : truncated ? qsTr("The first %1 stream keys:").arg(keys.length)
                                  : keys.length === 0 ? qsTr("The server in use holds no stream yet.")
                                  : qsTr("Streams on the server in use:")
        }
    }

    // connection: {url, user} (ShopSession.currentConnection(): never a password, so that
    // connecting again unchanged does not send a redacted one).
    function prefill(connection, stream: string) {
        recent = ShopSession.recentConnections()
        streamKeys = []
        streamKeysNote = ""
        ShopSession.listStreamKeys()
        viewOnly.checked = ShopSession.viewOnly
        waitReplicas.value = ShopSession.waitReplicasFor(connection ? connection.url : "")
        showUrl(connection ? connection.url : "")
        userInput.reset(connection ? connection.user : "")
        passwordInput.reset("")
        streamInput.reset(stream)
    }

    // A URL into the fields: its tls-* options go to the TLS fields.
    function showUrl(url: string) {
        const split = ShopSession.splitTls(url)
        urlInput.reset(split.url)
        caInput.reset(split.caFile || "")
        certInput.reset(split.certFile || "")
        keyInput.reset(split.keyFile || "")
        passphraseInput.reset("")
        serverNameInput.reset(split.serverName || "")
        insecure.checked = split.insecure === true
    }

    function tlsFields(): var {
        if (!dialog.tls)
            return {}
        return { caFile: caInput.text, certFile: certInput.text, keyFile: keyInput.text, serverName: serverNameInput.text,
                 keyPassphrase: passphraseInput.text, insecure: insecure.checked }
    }

    // Read by the same parser that connects (leading or trailing blanks count as mistakes
    // rather than being trimmed silently). Empty: the local server ShopStream manages, which
    // is what the dialog shows when that is the server in use.
    function checkUrl(url: string): string {
        return url === "" ? "" : ShopSession.checkUrl(url)
    }

    ValidatedField {
        id: urlInput
        name: "urlField"
        label: qsTr("Server")
        placeholderText: qsTr("Empty: the local server ShopStream manages. Or redis://, rediss:// (TLS), redis+sentinel://, redis+cluster://")
        error: dialog.checkUrl(text)
        onAccepted: dialog.tryAccept()
    }
    RowLayout {
        spacing: 8
        ValidatedField {
            id: userInput
            name: "userField"
            label: qsTr("User (optional)")
            onAccepted: dialog.tryAccept()
        }
        ValidatedField {
            id: passwordInput
            name: "passwordField"
            label: qsTr("Password (optional)")
            echoMode: TextInput.Password
            onAccepted: dialog.tryAccept()
        }
    }
    GroupBox {
        id: tlsGroup
        objectName: "tlsGroup"
        title: qsTr("TLS")
        visible: dialog.tls
        Layout.fillWidth: true

        FileDialog {
            id: pemDialog
            property ValidatedField target
            objectName: "tlsFileDialog"
            title: qsTr("Choose a PEM file")
            nameFilters: [qsTr("PEM files (*.pem *.crt *.cer *.key)"), qsTr("All files (*)")]
            onAccepted: target.reset(ShopRules.localFile(selectedFile))
        }
        component PemField: RowLayout {
            id: pemRow
            property alias input: input
            property alias name: input.name
            property alias label: input.label
            property alias placeholderText: input.placeholderText
            spacing: 4
            Layout.fillWidth: true
            ValidatedField {
                id: input
                onAccepted: dialog.tryAccept()
            }
            Button {
                Layout.alignment: Qt.AlignBottom
                text: qsTr("Browse…")
                Accessible.name: qsTr("Browse for %1").arg(input.label)
                onClicked: {
                    pemDialog.target = input
                    pemDialog.open()
                }
            }
        }

        ColumnLayout {
            anchors.fill: parent
            spacing: 6
            PemField {
                id: caRow
                name: "tlsCaField"
                label: qsTr("CA certificates")
                placeholderText: qsTr("Empty: the system's")
            }
            RowLayout {
                spacing: 8
                PemField {
                    id: certRow
                    name: "tlsCertField"
                    label: qsTr("Client certificate (optional)")
                }
                PemField {
                    id: keyRow
                    name: "tlsKeyField"
                    label: qsTr("Client key")
                }
            }
            RowLayout {
                spacing: 8
                ValidatedField {
                    id: passphraseInput
                    name: "tlsPassphraseField"
                    label: qsTr("Key passphrase (optional)")
                    echoMode: TextInput.Password
                    onAccepted: dialog.tryAccept()
                }
                ValidatedField {
                    id: serverNameInput
                    name: "tlsServerNameField"
                    label: qsTr("Server name (optional)")
                    placeholderText: qsTr("Default: the host")
                    error: text.indexOf(" ") >= 0 ? qsTr("A host name has no spaces") : ""
                    onAccepted: dialog.tryAccept()
                }
            }
            CheckBox {
                id: insecure
                objectName: "tlsInsecureCheck"
                text: qsTr("Do not verify the server's certificate")
                Accessible.name: text
            }
            Label {
                objectName: "tlsInsecureWarning"
                Layout.fillWidth: true
                visible: insecure.checked
                text: qsTr("Anyone between here and the server could read and change the shop's data and your password.")
                wrapMode: Text.Wrap
                color: tlsAccents.rejected
                Accents { id: tlsAccents }
            }
        }
    }
    // The fields inside the PemField rows, by the names the code above uses.
    readonly property ValidatedField caInput: caRow.input
    readonly property ValidatedField certInput: certRow.input
    readonly property ValidatedField keyInput: keyRow.input

    ValidatedField {
        id: streamInput
        name: "streamField"
        label: qsTr("Stream")
        placeholderText: "shop:events"
        error: text === "" ? qsTr("Enter the stream key, e.g. shop:events")
                         : text.indexOf(" ") >= 0 ? qsTr("A stream key has no spaces") : ""
        onAccepted: dialog.tryAccept()
    }
    Label {
        objectName: "streamKeysNote"
        Layout.fillWidth: true
        visible: dialog.streamKeysNote !== ""
        text: dialog.streamKeysNote
        wrapMode: Text.Wrap
        color: palette.placeholderText
    }
    Flow {
        Layout.fillWidth: true
        spacing: 4
        visible: dialog.streamKeys.length > 0
        Repeater {
            model: dialog.streamKeys.slice(0, 40)
            delegate: Button {
                required property string modelData
                objectName: "streamKey_" + modelData
                text: modelData
                flat: true
                highlighted: modelData === streamInput.text
                onClicked: streamInput.reset(modelData)
            }
        }
    }
    CheckBox {
        id: remember
        objectName: "rememberCheck"
        text: qsTr("Remember this connection (the password goes to the system keyring)")
        Accessible.name: text
    }

    CheckBox {
        id: viewOnly
        objectName: "viewOnlyCheck"
        text: qsTr("View only: write nothing to Redis (no snapshots, no edits)")
        Accessible.name: text
        ToolTip.visible: hovered
        ToolTip.text: qsTr("The shop is rebuilt in memory from the stored snapshots and the stream. Remembered for this server and stream.")
    }

    RowLayout {
        spacing: 8
        visible: urlInput.text !== "" && !viewOnly.checked // the managed server has no replicas; viewer mode writes nothing
        Label {
            text: qsTr("Confirm each edit on")
        }
        SpinBox {
            id: waitReplicas
            objectName: "waitReplicasSpin"
            from: 0
            to: 9
            editable: true
            Accessible.name: qsTr("Replicas that must confirm each edit")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("After each edit, wait (up to 1 s) until this many replicas have it (Redis WAIT), so that a failover cannot lose it; an edit they do not confirm says so. 0: do not wait. Remembered for this server.")
        }
        Label {
            text: waitReplicas.value === 1 ? qsTr("replica") : qsTr("replicas")
        }
    }

    Label {
        text: qsTr("Recent connections")
        visible: dialog.recent.length > 0
    }
    ListView {
        id: recentList
        objectName: "recentConnections"
        Layout.fillWidth: true
        Layout.preferredHeight: Math.min(contentHeight, 120)
        visible: dialog.recent.length > 0
        clip: true
        model: dialog.recent
        delegate: ItemDelegate {
            id: recentRow
            required property var modelData
            required property int index
            objectName: "recentConnection_" + index
            width: recentList.width
            text: (modelData.user ? modelData.user + " @ " : "") + modelData.url + "  ·  " + modelData.stream
            Accessible.name: text
            contentItem: Label {
                text: recentRow.text
                textFormat: Text.PlainText
                elide: Text.ElideMiddle
            }
            onClicked: {
                dialog.showUrl(modelData.url)
                userInput.reset(modelData.user || "")
                streamInput.reset(modelData.stream)
                passwordInput.field.forceActiveFocus()
            }
        }
    }

    Button {
        objectName: "useLocalServerButton"
        text: qsTr("Use local server")
        enabled: streamInput.valid
        Accessible.name: text
        ToolTip.visible: hovered
        ToolTip.text: qsTr("Start (or share) the redis-server that ShopStream manages itself")
        onClicked: {
            ShopSession.useLocalServer(streamInput.text, viewOnly.checked)
            dialog.close()
        }
    }

    onAccepted: {
        if (urlInput.text === "")
            ShopSession.useLocalServer(streamInput.text, viewOnly.checked)
        else
            ShopSession.connectTo(urlInput.text, userInput.text, passwordInput.text,
                                  streamInput.text, remember.checked, viewOnly.checked, dialog.tlsFields(),
                                  waitReplicas.value)
    }
}
