// The main window: edit actions in the header, the four pages, the status bar, and the
// feedback (outage banner, demo offer, progress, verdicts, notices). The edit dialogs are
// opened pre-filled with the user or item selected on the Users / Items pages.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import ShopStream

ApplicationWindow {
    id: root
    objectName: "mainWindow"
    title: "ShopStream"
    width: 1280
    height: 800
    minimumWidth: 1024
    minimumHeight: 600 // fits a 1024x600 netbook screen
    visible: true

    // The controls take their colours from the application palette (the desktop's light or
    // dark one, or the dark one main.cpp sets): every control inherits this window's palette.
    palette {
        window: accents.system.window
        windowText: accents.system.windowText
        base: accents.system.base
        alternateBase: accents.system.alternateBase
        text: accents.system.text
        button: accents.system.button
        buttonText: accents.system.buttonText
        highlight: accents.system.highlight
        highlightedText: accents.system.highlightedText
        light: accents.system.light
        midlight: accents.system.midlight
        mid: accents.system.mid
        dark: accents.system.dark
        shadow: accents.system.shadow
        placeholderText: accents.system.placeholderText
        toolTipBase: accents.system.toolTipBase
        toolTipText: accents.system.toolTipText
        // Setting a role sets it for every state: disabled controls need their own, greyed.
        disabled.windowText: disabledPalette.windowText
        disabled.text: disabledPalette.text
        disabled.buttonText: disabledPalette.buttonText
        disabled.button: disabledPalette.button
        disabled.base: disabledPalette.base
        disabled.highlight: disabledPalette.highlight
        disabled.highlightedText: disabledPalette.highlightedText
    }
    SystemPalette { id: disabledPalette; colorGroup: SystemPalette.Disabled }

    readonly property bool outage: ShopSession.connectionState === ShopSession.Disconnected
                                   || ShopSession.connectionState === ShopSession.Failed
    property bool demoRequested: false
    // Edits append events at the head: only while live, when the server lets us write, and
    // not in viewer mode.
    readonly property bool editable: !ShopSession.readOnly && !ShopSession.viewOnly && ShopSession.replay.live && !root.outage
                                     && !ShopSession.gapPending
    // On the original demo's stream only top-ups, restocks and orders can be written: its
    // consumer deletes every entry it cannot read.
    readonly property bool legacy: ShopSession.legacyAppends
    function noLegacyForm(what: string): string {
        return qsTr("This stream is in the original demo's format, which has no %1 (its consumer deletes entries it cannot read).").arg(what)
    }

    // Arrays of ids are built in untyped functions: Qt 6.4's qmlcachegen compiles such an
    // array literal in a binding into code that crashes.
    function dialogs() {
        return [registerUserDialog, topUpDialog, adjustBalanceDialog, addItemDialog, setPriceDialog,
                adjustStockDialog, placeOrderDialog, connectionDialog, aboutDialog, compareDialog, exportDialog,
                streamInfoDialog, whatIfDialog]
    }
    // The edit dialogs by the event they write.
    function editDialogs() {
        return { RegisterUser: registerUserDialog, TopUp: topUpDialog, AdjustBalance: adjustBalanceDialog,
                 AddItem: addItemDialog, SetPrice: setPriceDialog, AdjustStock: adjustStockDialog, Order: placeOrderDialog }
    }
    function pagesInOrder() {
        return [usersPage, itemsPage, eventsPage, overviewPage, snapshotsPage]
    }
    function editActions() {
        return [registerUserAction, topUpAction, adjustBalanceAction, addItemAction, setPriceAction,
                adjustStockAction, placeOrderAction, takeSnapshotAction]
    }
    function appActions() {
        return [connectionAction, streamInfoAction, exportEventsAction, exportShopAction, aboutAction, quitAction]
    }
    function selectedUser(): string {
        return usersPage.selectedUserId
    }
    // Opens one dialog at a time (shortcuts must not stack them), pre-filled.
    function openDialog(dialog, first, second) {
        if (dialogs().some(d => d.visible))
            return
        if (dialog.notSent !== undefined)
            dialog.notSent = "" // a fresh start, not a retry
        if (dialog.whatIfIndex !== undefined)
            dialog.whatIfIndex = -1 // an edit to append
        dialog.prefill(first, second)
        dialog.open()
    }

    // What if the entry ({index, entryId}) had not happened, or (`replace`) had been another
    // event: that is edited in the entry's own dialog, filled from its decoded event (once
    // entryLoaded brings it), or as JSON when it does not decode or by choice.
    property var whatIfEntry: null
    function whatIf(entry: var, replace: bool) {
        if (!replace) {
            openDialog(whatIfDialog, entry, false)
            return
        }
        whatIfEntry = entry
        ShopSession.replay.whatIf.clear() // the last answer, until this one replays
        ShopSession.loadEntry(entry.entryId)
    }
    Connections {
        target: ShopSession
        function onEntryLoaded(entryId: string, fields: var) {
            const entry = root.whatIfEntry
            if (!entry || entry.entryId !== entryId)
                return
            root.whatIfEntry = null
            const dialog = fields.event ? root.editDialogs()[fields.event.type] : undefined
            if (!dialog) {
                root.openDialog(whatIfDialog, entry, true)
                return
            }
            if (root.dialogs().some(d => d.visible))
                return
            dialog.notSent = ""
            dialog.prefill("")
            dialog.fillWhatIf(entry, fields.event)
            dialog.open()
        }
    }
    function replayWith(index: real, entryId: string, type: string, data: var) {
        whatIfDialog.replayWith({ index: index, entryId: entryId }, type, data)
        whatIfDialog.open()
    }
    function whatIfAsJson(index: real, entryId: string) {
        whatIfDialog.prefill({ index: index, entryId: entryId }, true)
        whatIfDialog.open()
    }
    Component.onCompleted: {
        const edits = editDialogs()
        for (const type in edits) {
            edits[type].whatIfAccepted.connect(replayWith)
            edits[type].whatIfAsJson.connect(whatIfAsJson)
        }
    }
    // One entry on the Events page, selected: its pane says why it got its verdict and what it
    // changed (from an entity's history, or the timeline's current event).
    function showEntry(entryId: string) {
        tabs.currentIndex = 2
        eventsPage.showEntry(entryId)
    }
    // The details panes' quick actions go through the same actions as the toolbar.
    function pageAction(action: string) {
        const actions = { topUp: topUpAction, adjustBalance: adjustBalanceAction, placeOrder: placeOrderAction,
                          addItem: addItemAction, setPrice: setPriceAction, adjustStock: adjustStockAction }
        actions[action].trigger()
    }
    function commandName(type: string): string {
        switch (type) {
        case "RegisterUser": return qsTr("Registration")
        case "TopUp": return qsTr("Top up")
        case "AdjustBalance": return qsTr("Balance adjustment")
        case "AddItem": return qsTr("Add item")
        case "SetPrice": return qsTr("Price change")
        case "AdjustStock": return qsTr("Stock adjustment")
        case "Order": case "OrderType": return qsTr("Order")
        default: return type
        }
    }
    function showVerdict(applied: bool, reason: string, message: string, type: string, userId: string, itemId: string) {
        const what = commandName(type)
        const subject = userId !== "" ? qsTr("user %1").arg(userId) : itemId !== "" ? qsTr("item %1").arg(itemId) : ""
        // No reason: it never reached the stream (not connected, refused), which is not a rule
        // saying no, and reads differently.
        const sent = applied || reason !== ""
        // Applied, but not confirmed on the replicas the connection asks for, or not as the
        // dialog's preview said: said beside it.
        const unconfirmed = applied && message !== ""
        const text = applied
                   ? (subject === "" ? qsTr("%1 applied").arg(what) : qsTr("%1 applied: %2").arg(what).arg(subject))
                     + (unconfirmed ? " — " + message : "")
                   : sent ? qsTr("%1 rejected: %2").arg(what).arg(message !== "" ? message : ShopRules.reasonText(reason))
                          : qsTr("%1 not sent: %2").arg(what).arg(message)
        toasts.show(text, applied && !unconfirmed)
        ShopSession.notifications.add(applied ? "applied" : sent ? "rejected" : "error", text)
    }

    Connections {
        target: ShopSession
        function onCommandFinished(requestId: string, applied: bool, reason: string, message: string,
                                   entryId: string, type: string, userId: string, itemId: string) {
            root.showVerdict(applied, reason, message, type, userId, itemId)
            if (applied && userId !== "")
                usersPage.selectUser(userId)
            if (applied && itemId !== "")
                itemsPage.selectItem(itemId)
        }
        // The snapshots the user asked for get a toast; the timed ones only the status bar
        // and the log (a toast every 30 s would push the verdicts out).
        function onSnapshotTaken(snapshotId: string, onRequest: bool) {
            if (onRequest)
                toasts.show(qsTr("Snapshot taken: %1").arg(snapshotId), true)
        }
        function onSnapshotFailed(message: string) { toasts.show(qsTr("Snapshot failed: %1").arg(message), false) }
        function onNotice(message: string) {
            noticeBanner.text = message
            noticeBanner.visible = true
        }
        function onStreamEmptyChanged() { root.demoRequested = false }
    }

    ShopAction { id: registerUserAction; objectName: "registerUserAction"; text: qsTr("Register user…"); enabled: root.editable && !root.legacy
             hint: root.legacy ? root.noLegacyForm(qsTr("user registration")) : qsTr("Register a new user (Ctrl+U)")
             onTriggered: root.openDialog(registerUserDialog, "") }
    ShopAction { id: topUpAction; objectName: "topUpAction"; text: qsTr("Top up…"); enabled: root.editable
             hint: qsTr("Add money to a user's balance (Ctrl+T)"); onTriggered: root.openDialog(topUpDialog, root.selectedUser()) }
    ShopAction { id: adjustBalanceAction; objectName: "adjustBalanceAction"; text: qsTr("Adjust balance…"); enabled: root.editable && !root.legacy
             hint: root.legacy ? root.noLegacyForm(qsTr("balance adjustment")) : qsTr("Correct a user's balance up or down")
             onTriggered: root.openDialog(adjustBalanceDialog, root.selectedUser()) }
    ShopAction { id: addItemAction; objectName: "addItemAction"; text: qsTr("Add item / restock…"); enabled: root.editable
             hint: qsTr("Add a new item or more units of one (Ctrl+I)"); onTriggered: root.openDialog(addItemDialog, itemsPage.selectedItemId) }
    ShopAction { id: setPriceAction; objectName: "setPriceAction"; text: qsTr("Set price…"); enabled: root.editable && !root.legacy
             hint: root.legacy ? root.noLegacyForm(qsTr("prices")) : qsTr("Set an item's price")
             onTriggered: root.openDialog(setPriceDialog, itemsPage.selectedItemId) }
    ShopAction { id: adjustStockAction; objectName: "adjustStockAction"; text: qsTr("Adjust stock…"); enabled: root.editable && !root.legacy
             hint: root.legacy ? root.noLegacyForm(qsTr("stock adjustment")) : qsTr("Correct an item's stock up or down")
             onTriggered: root.openDialog(adjustStockDialog, itemsPage.selectedItemId) }
    ShopAction { id: placeOrderAction; objectName: "placeOrderAction"; text: qsTr("Place order…"); enabled: root.editable
             hint: qsTr("Order items for a user (Ctrl+O)"); onTriggered: root.openDialog(placeOrderDialog, root.selectedUser()) }
    ShopAction { id: takeSnapshotAction; objectName: "takeSnapshotAction"; text: qsTr("Take snapshot"); enabled: root.editable
             hint: qsTr("Save the current state as a snapshot now (Ctrl+Shift+S)"); onTriggered: ShopSession.takeSnapshot() }
    ShopAction { id: connectionAction; objectName: "connectionAction"; text: qsTr("Connection…")
             onTriggered: root.openDialog(connectionDialog, ShopSession.currentConnection(), ShopSession.stream) }
    ShopAction { id: streamInfoAction; objectName: "streamInfoAction"; text: qsTr("Stream information…")
             onTriggered: root.openDialog(streamInfoDialog) }
    // Exports write a local file only: allowed in history, viewer mode and outages alike.
    ShopAction { id: exportEventsAction; objectName: "exportEventsAction"; text: qsTr("Export events…")
             onTriggered: root.openDialog(exportDialog, "events") }
    ShopAction { id: exportShopAction; objectName: "exportShopAction"; text: qsTr("Export shop…")
             onTriggered: root.openDialog(exportDialog, "shop") }
    ShopAction { id: aboutAction; objectName: "aboutAction"; text: qsTr("About ShopStream"); onTriggered: root.openDialog(aboutDialog) }
    ShopAction { id: quitAction; objectName: "quitAction"; text: qsTr("Quit"); onTriggered: root.close() }

    Shortcut { sequence: "Ctrl+U"; onActivated: registerUserAction.trigger() }
    Shortcut { sequence: "Ctrl+T"; onActivated: topUpAction.trigger() }
    Shortcut { sequence: "Ctrl+I"; onActivated: addItemAction.trigger() }
    Shortcut { sequence: "Ctrl+O"; onActivated: placeOrderAction.trigger() }
    Shortcut { sequence: "Ctrl+Shift+S"; onActivated: takeSnapshotAction.trigger() }
    Shortcut { sequence: "Ctrl+L"; onActivated: connectionAction.trigger() }
    Shortcut { sequence: "Ctrl+J"; onActivated: notificationPanel.opened ? notificationPanel.close() : notificationPanel.open() }
    Shortcut { sequence: StandardKey.HelpContents; onActivated: aboutAction.trigger() }
    Shortcut { sequence: StandardKey.Quit; onActivated: quitAction.trigger() }
    Shortcut { sequence: "Ctrl+E"; onActivated: exportEventsAction.trigger() }
    Shortcut { sequence: "Ctrl+Shift+I"; onActivated: streamInfoAction.trigger() }
    Shortcut { sequence: StandardKey.Find; onActivated: root.pagesInOrder()[tabs.currentIndex].focusSearch() }
    Shortcut { sequence: "Alt+Left"; onActivated: ShopSession.replay.stepBack() }
    Shortcut { sequence: "Alt+Right"; onActivated: ShopSession.replay.stepForward() }
    Shortcut { sequence: "Ctrl+Shift+P"; onActivated: ShopSession.replay.playing ? ShopSession.replay.pause() : ShopSession.replay.play() }
    Shortcut { sequence: "Ctrl+Shift+L"; onActivated: ShopSession.replay.goLive() }
    Shortcut { sequence: "Ctrl+1"; onActivated: tabs.currentIndex = 0 }
    Shortcut { sequence: "Ctrl+2"; onActivated: tabs.currentIndex = 1 }
    Shortcut { sequence: "Ctrl+3"; onActivated: tabs.currentIndex = 2 }
    Shortcut { sequence: "Ctrl+4"; onActivated: tabs.currentIndex = 3 }
    Shortcut { sequence: "Ctrl+5"; onActivated: tabs.currentIndex = 4 }

    header: MainToolBar {
        editActions: root.editActions()
        appActions: root.appActions()
    }
    footer: ShopStatusBar { onLogRequested: notificationPanel.open() }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Banner {
            objectName: "outageBanner"
            Layout.fillWidth: true
            visible: root.outage
            accent: accents.rejected
            messageObjectName: "outageMessage"
            text: (ShopSession.connectionState === ShopSession.Failed
                   ? qsTr("Cannot reach the shop's Redis.") : qsTr("The connection to the shop's Redis is lost."))
                  + (ShopSession.statusMessage !== "" ? " " + ShopSession.statusMessage : "")
                  + " " + qsTr("Showing the last known state.")
            buttonText: qsTr("Connection…")
            buttonObjectName: "outageConnectionButton"
            onButtonClicked: connectionAction.trigger()
        }
        Banner {
            objectName: "gapBanner"
            Layout.fillWidth: true
            visible: ShopSession.gapPending
            accent: accents.rejected
            messageObjectName: "gapMessage"
            text: qsTr("Entries are missing from the stream: %1. The shop shown stops before them, following has stopped, and no snapshot is written across the gap. Going on without them leaves their effects out of the shop for good (the next snapshot records that).")
                  .arg(ShopSession.gapMessage)
            buttonText: qsTr("Continue without them")
            buttonObjectName: "continueWithoutGapButton"
            onButtonClicked: ShopSession.continueWithoutGap()
        }
        Banner {
            objectName: "resetBanner"
            Layout.fillWidth: true
            visible: ShopSession.resetNotice !== ""
            closable: true
            messageObjectName: "resetMessage"
            text: ShopSession.resetNotice
            onDismissed: ShopSession.dismissResetNotice()
        }
        Banner {
            objectName: "serverBanner"
            Layout.fillWidth: true
            visible: ShopSession.serverWarnings.length > 0
            messageObjectName: "serverMessage"
            text: ShopSession.serverWarnings.join(" ")
        }
        Banner {
            objectName: "historyBanner"
            Layout.fillWidth: true
            visible: !ShopSession.replay.live
            accent: accents.snapshot
            messageObjectName: "historyMessage"
            // Nothing while live (hidden then): its entries would be read at every append.
            text: ShopSession.replay.live ? ""
                  : ShopSession.replay.position === 0
                  ? qsTr("History: the empty shop, before its first event. Editing is off until you go back to Live.")
                  : qsTr("History: the shop as it was after event %1 of %2 (%3, %4): %5 applied, %6 rejected so far. Editing is off until you go back to Live.")
                    .arg(ShopRules.formatCount(ShopSession.replay.position)).arg(ShopRules.formatCount(ShopSession.replay.length))
                    .arg(ShopSession.replay.current.entryId).arg(ShopSession.replay.current.timeText)
                    .arg(ShopRules.formatCount(ShopSession.replay.appliedAt)).arg(ShopRules.formatCount(ShopSession.replay.rejectedAt))
            buttonText: qsTr("Back to Live")
            buttonObjectName: "historyLiveButton"
            onButtonClicked: ShopSession.replay.goLive()
        }
        Banner {
            objectName: "readOnlyBanner"
            Layout.fillWidth: true
            visible: ShopSession.readOnly
            messageObjectName: "readOnlyMessage"
            text: qsTr("The server does not permit writing for this user: editing is off, the shop is shown read-only.")
        }
        Banner {
            // Asked once per stream (the answer is remembered): nothing is written before it.
            objectName: "snapshotQuestionBanner"
            Layout.fillWidth: true
            visible: ShopSession.snapshotQuestion !== "" && !ShopSession.viewOnly
            accent: accents.system.highlight
            messageObjectName: "snapshotQuestionMessage"
            text: qsTr("Stream %1 has no snapshots yet. Keep snapshots of it in Redis (keys %2), so that it opens quickly next time? Until you answer, ShopStream writes nothing to it.")
                  .arg(ShopSession.stream).arg(ShopSession.snapshotQuestion)
            buttonText: qsTr("Keep snapshots")
            buttonObjectName: "keepSnapshotsButton"
            onButtonClicked: ShopSession.answerSnapshotQuestion(true)
            secondButtonText: qsTr("View only")
            secondButtonObjectName: "viewOnlyButton"
            onSecondButtonClicked: ShopSession.answerSnapshotQuestion(false)
        }
        Banner {
            id: noticeBanner
            objectName: "noticeBanner"
            Layout.fillWidth: true
            visible: false
            closable: true
            messageObjectName: "noticeMessage"
            onDismissed: visible = false
        }
        Banner {
            objectName: "demoOffer"
            Layout.fillWidth: true
            visible: ShopSession.streamEmpty && !ShopSession.readOnly && !ShopSession.viewOnly && !root.demoRequested
            accent: accents.system.highlight
            messageObjectName: "demoOfferMessage"
            text: qsTr("This shop has no events yet. Load a demo shop?")
            buttonText: qsTr("Load demo shop")
            buttonObjectName: "loadDemoButton"
            onButtonClicked: {
                root.demoRequested = true
                ShopSession.loadDemoShop(5000)
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 6
            visible: ShopSession.progress >= 0
            spacing: 10
            ProgressBar {
                objectName: "progressBar"
                Layout.preferredWidth: 320
                visible: ShopSession.progress >= 0
                value: Math.max(0, ShopSession.progress)
                Accessible.name: ShopSession.progressText
            }
            Label {
                objectName: "progressText"
                Layout.fillWidth: true
                textFormat: Text.PlainText
                elide: Text.ElideRight
                text: ShopSession.progressText
            }
        }

        TabBar {
            id: tabs
            objectName: "pageTabs"
            Layout.fillWidth: true
            // A field of the page left behind keeps the keyboard while hidden (it would eat
            // Ctrl+U and what is typed next): the page shown takes it.
            onCurrentIndexChanged: Qt.callLater(() => {
                const focused = root.activeFocusItem
                if (!focused || !focused.visible)
                    root.pagesInOrder()[tabs.currentIndex].forceActiveFocus()
            })
            PageTab { objectName: "usersTab"; text: qsTr("Users") }
            PageTab { objectName: "itemsTab"; text: qsTr("Items") }
            PageTab { objectName: "eventsTab"; text: qsTr("Events") }
            PageTab { objectName: "overviewTab"; text: qsTr("Overview") }
            PageTab { objectName: "snapshotsTab"; text: qsTr("Snapshots") }
        }
        StackLayout {
            id: pages
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex
            UsersPage {
                id: usersPage
                editable: root.editable
                onActionRequested: (action) => root.pageAction(action)
                onEntryChosen: entryId => root.showEntry(entryId)
            }
            ItemsPage {
                id: itemsPage
                editable: root.editable
                onActionRequested: (action) => root.pageAction(action)
                onEntryChosen: entryId => root.showEntry(entryId)
            }
            EventsPage {
                id: eventsPage
                onExportRequested: exportEventsAction.trigger()
                onWhatIfRequested: (entry, replace) => root.whatIf(entry, replace)
            }
            OverviewPage {
                id: overviewPage
                filterableType: type => eventsPage.canShowType(type)
                onReasonChosen: reason => {
                    tabs.currentIndex = 2
                    eventsPage.showOnly("", reason)
                }
                onTypeChosen: type => {
                    tabs.currentIndex = 2
                    eventsPage.showOnly(type, "")
                }
            }
            SnapshotsPage { id: snapshotsPage }
        }
        TimelineBar {
            id: timelineBar
            Layout.fillWidth: true
            onEntryRequested: entryId => root.showEntry(entryId)
            onCompareRequested: root.openDialog(compareDialog,
                                                ShopSession.replay.live ? 0 : ShopSession.replay.position,
                                                ShopSession.replay.length)
        }
    }

    ToastStack {
        id: toasts
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.rightMargin: 16
        anchors.bottomMargin: timelineBar.height + 16 // above the timeline bar, not over it
    }

    NotificationPanel { id: notificationPanel }

    Accents { id: accents }

    RegisterUserDialog { id: registerUserDialog }
    TopUpDialog { id: topUpDialog }
    AdjustBalanceDialog { id: adjustBalanceDialog }
    AddItemDialog { id: addItemDialog }
    SetPriceDialog { id: setPriceDialog }
    AdjustStockDialog { id: adjustStockDialog }
    PlaceOrderDialog { id: placeOrderDialog }
    ConnectionDialog { id: connectionDialog }
    AboutDialog { id: aboutDialog }
    CompareDialog { id: compareDialog }
    WhatIfDialog { id: whatIfDialog }
    StreamInfoDialog { id: streamInfoDialog }
    ExportDialog {
        id: exportDialog
        onFinished: (ok, message) => {
            toasts.show(message, ok)
            ShopSession.notifications.add(ok ? "info" : "error", message)
        }
    }
}
