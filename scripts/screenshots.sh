#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/screenshots/*.png). Not a test: it drives the
# real app under Xvfb at 1280x800 with xdotool (keyboard shortcuts, and clicks at fixed
# positions) and captures the screen with ImageMagick's `import`.
#
#   scripts/screenshots.sh [OUTPUT_DIR]      (default docs/screenshots; needs a build)
#   SHOPSTREAM_BUILD=build-gui scripts/screenshots.sh
#
# It starts a private redis-server on a unix socket in a temporary directory, writes a demo
# shop (shopstream-cli produce --events 3000 --users 40 --items 20 --seed 1, plus a user
# named "<b>x</b>"), and stops the server at the end (for outage.png, while the app runs).
# On the way it deletes and rewrites the stream (stream-reset.png) and writes a stream in the
# original demo's format with an entry deleted, on a server that evicts keys (gap.png).
# The snapshots are taken in the app (Ctrl+Shift+S): a snapshot written before the app
# starts would be restored, and the app would then hold only the events after it, leaving
# the history panes and the balance chart empty.
#
# The clicks use positions in the 1280x800 window (the constants below). After a layout
# change in qml/, look at the new PNGs and adjust them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SHOPSTREAM_BUILD:-$ROOT/build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
APP=$BUILD/src/app/shopstream
CLI=$BUILD/src/cli/shopstream-cli
STREAM=shop:events

# Positions (x y) in the window, which Xvfb shows at 0,0 without decorations.
USER_ROW_7="300 285"         # Users page, row of user 7 (sorted by id)
ITEM_ROW_2="300 145"         # Items page, second row
EVENT_ROW="400 451"          # Events page, a row in the middle
VERDICT_FILTER="265 61"      # Events page, the verdict filter
SNAPSHOT_ROW="300 115"       # Snapshots page, first row
TIMELINE_MIDDLE="600 736"    # the timeline's slider, a little before its middle
ADJUST_BALANCE_BUTTON="234 12"
SET_PRICE_BUTTON="467 12"
ADJUST_STOCK_BUTTON="557 12"
ORDER_LINE0_ITEM="560 399"   # place order dialog with one line, user 7's balance above it
KEEP_SNAPSHOTS_BUTTON="1128 48"  # the question banner's Keep snapshots (a stream with none yet)
COMPARE_BUTTON="1147 736"    # the timeline bar's Compare… (in history)
TYPE_FILTER="88 61"          # Events page, the type filter
TYPE_ALL="50 63"             # ...its list: All types
TYPE_TOPUP="39 115"          # ...its list: TopUp
USER_FILTER="385 61"         # Events page, the user filter
FIRST_EVENT_ROW="400 115"    # Events page, the first row
WHATIF_WITHOUT="490 267"     # the first row's menu: What if this had not happened
WHATIF_REPLACE="490 295"     # ... and What if it had been…

inside() {
  local out=$1
  local url=unix://$WORK/redis.sock
  "$APP" --redis "$url" --stream "$STREAM" --snapshot-every 0 >"$WORK/app.log" 2>&1 &
  APP_PID=$!
  trap 'kill $APP_PID 2>/dev/null; wait $APP_PID 2>/dev/null || true' EXIT

  timeout 30 xdotool search --sync --onlyvisible --name '^ShopStream$' >/dev/null
  sleep 3 # catch up with the 3000 events (a fraction of a second) and settle

  settle() { sleep "${1:-0.8}"; }
  shot() { import -window root "$out/$1"; echo "  $1"; }
  click() { xdotool mousemove $1 click 1; }
  type_text() { xdotool type --delay 20 -- "$1"; }

  # A stream on a server other than the managed one, with no snapshots yet: the question
  # before the first snapshot. Answered "Keep snapshots" (the tour takes some by hand).
  shot snapshot-question.png
  if [ "${SHOTS_PROBE:-}" = 1 ]; then return; fi
  click "$KEEP_SNAPSHOTS_BUTTON"; settle

  # Pages. A click on a row also gives the window the keyboard focus (there is no window
  # manager).
  click "$USER_ROW_7"; settle 1.5
  shot users.png
  xdotool key ctrl+2; settle; click "$ITEM_ROW_2"; settle 1.5
  shot items.png
  # Events: only the rejected ones, one selected (its pane says why, with the values).
  xdotool key ctrl+3; settle
  click "$VERDICT_FILTER"; settle 0.5; xdotool key Down Down Return; settle
  click "$EVENT_ROW"; settle 1.5
  shot events.png
  click "$VERDICT_FILTER"; settle 0.5; xdotool key Up Up Return; settle
  # Search in the entries' data (Ctrl+F, then Tab past the user and item fields): the
  # orders whose orderId holds o-145.
  xdotool key ctrl+f Tab Tab; type_text o-145; xdotool key Return; settle 2
  shot events-search.png
  xdotool key Escape; settle 0.5

  # Dialogs, pre-filled from the selected user (7) and item (item-0002).
  xdotool key ctrl+1; settle
  xdotool key ctrl+u; settle
  type_text 42; xdotool key Tab; type_text "Grace Hopper"; settle 0.4
  shot dialog-register-user.png; xdotool key Escape; settle 0.5
  xdotool key ctrl+t; settle
  type_text 12.345; settle 0.4   # three decimals: the red message
  shot dialog-top-up.png; xdotool key Escape; settle 0.5
  click "$ADJUST_BALANCE_BUTTON"; settle
  type_text -5.00; xdotool key Tab; type_text "Refund for a broken mug"; settle 0.4
  shot dialog-adjust-balance.png; xdotool key Escape; settle 0.5

  xdotool key ctrl+2; settle
  xdotool key ctrl+i; settle
  type_text 24; xdotool key Tab; type_text 19.90; settle 0.4
  shot dialog-add-item.png; xdotool key Escape; settle 0.5
  click "$SET_PRICE_BUTTON"; settle
  type_text 31.50; settle 0.4
  shot dialog-set-price.png; xdotool key Escape; settle 0.5
  click "$ADJUST_STOCK_BUTTON"; settle
  type_text -2; xdotool key Tab; type_text "Two broken in the warehouse"; settle 0.4
  shot dialog-adjust-stock.png; xdotool key Escape; settle 0.5

  # The first line's picker by a click, the rest by keyboard (the dialog grows as lines and
  # their price-and-stock notes appear): Tab to the quantity, Tab to Add line (the lone
  # line's remove button is off), Space; Shift+Tab back through the new line's remove
  # button to its quantity, then its picker.
  xdotool key ctrl+o; settle
  click "$ORDER_LINE0_ITEM"; type_text item-0002; settle 0.4
  xdotool key Tab ctrl+a; type_text 2
  xdotool key Tab space; settle 0.6
  xdotool key shift+Tab shift+Tab ctrl+a; type_text 3
  xdotool key shift+Tab; type_text item-0016; settle 0.6
  shot order-dialog.png; xdotool key Escape; settle 0.5

  xdotool key ctrl+l; settle 1.5
  shot dialog-connection.png
  # A rediss:// URL shows the TLS fields (the focus starts in the URL field).
  xdotool key ctrl+a; type_text "rediss://redis.internal:6380"; settle 0.6
  shot dialog-connection-tls.png; xdotool key Escape; settle 0.5
  xdotool key ctrl+shift+i; settle 1.5
  shot stream-info.png; xdotool key Escape; settle 0.5
  # Export, and its Browse… (Tab from the file name) opening the save dialog.
  xdotool key ctrl+e; settle; xdotool key Tab space; settle 2
  shot export-browse.png; xdotool key Escape; settle 0.5; xdotool key Escape; settle 0.5
  xdotool key F1; settle
  shot dialog-about.png; xdotool key Escape; settle 0.5

  # Snapshots: one now, a few more events, another; select the older one.
  xdotool key ctrl+5; settle
  xdotool key ctrl+shift+s; settle 1.5
  "$CLI" --redis "$url" --stream "$STREAM" produce --events 200 --users 40 --items 20 --seed 2 >/dev/null
  settle 1.5
  xdotool key ctrl+shift+s; settle 1.5
  click "$SNAPSHOT_ROW"; settle
  shot snapshots.png

  # Feedback: a registration the consumer rejects (user 7 exists) and a top-up; their toasts
  # stack, and the log (Ctrl+J) keeps them with the snapshots.
  xdotool key ctrl+1; settle
  xdotool key ctrl+u; settle; type_text 7; xdotool key Tab; type_text "Ada again"; xdotool key Return; settle 1.5
  xdotool key ctrl+t; settle; type_text 5; xdotool key Return; settle 1.5
  shot toasts.png
  xdotool key ctrl+j; settle
  shot log.png
  xdotool key ctrl+j; settle 0.5

  # What if user 8's first top-up had not happened (the Events page's TopUps of user 8, the
  # first row's menu): the later verdicts that change and the shop at the head against the
  # real one. Then the filters back to all.
  xdotool key ctrl+3; settle
  click "$TYPE_FILTER"; settle 0.5; click "$TYPE_TOPUP"; settle 0.5
  click "$USER_FILTER"; type_text 8; settle 1.5
  xdotool mousemove $FIRST_EVENT_ROW click 3; settle 0.8
  click "$WHATIF_WITHOUT"; settle 2
  shot what-if.png; xdotool key Escape; settle 0.5
  # What if it had been 5.00: the top-up dialog opens on the entry's own values.
  xdotool mousemove $FIRST_EVENT_ROW click 3; settle 0.8
  click "$WHATIF_REPLACE"; settle 1.5
  xdotool key ctrl+a; type_text 5.00; settle 0.8
  shot what-if-edit.png; xdotool key Escape; settle 0.5
  click "$USER_FILTER"; xdotool key ctrl+a BackSpace; settle 0.5
  click "$TYPE_FILTER"; settle 0.5; click "$TYPE_ALL"; settle 0.5

  # History: user 7 selected, a click on the timeline's slider near its middle; the status
  # bar says History, the edit buttons are off.
  xdotool key ctrl+1; settle
  click "$USER_ROW_7"; settle 8 # and let the toasts fade
  click "$TIMELINE_MIDDLE"; settle 1.5
  shot history.png
  # Compare: what changed between that event and the head.
  click "$COMPARE_BUTTON"; settle 1.5
  shot compare.png; xdotool key Escape; settle 0.5
  # The Overview at that point in history, then live.
  xdotool key ctrl+4; settle 1.5
  shot overview-history.png
  xdotool key ctrl+shift+l; settle 1.5
  shot overview.png

  # The window at its minimum, 1024x600: the Events page (its rejected entries) keeps every
  # column, and a verdict the column cuts shows in full under the pointer.
  local wid
  wid=$(xdotool search --onlyvisible --name '^ShopStream$' | head -1)
  xdotool windowsize "$wid" 1024 600; settle 1.5
  xdotool key ctrl+3; settle
  click "$VERDICT_FILTER"; settle 0.5; xdotool key Down Down Return; settle
  xdotool mousemove 560 200; settle 2
  import -window "$wid" "$out/small-screen.png"; echo "  small-screen.png"
  click "$VERDICT_FILTER"; settle 0.5; xdotool key Up Up Return; settle
  xdotool windowsize "$wid" 1280 800; settle 1

  # Viewer mode: the same stream opened with --read-only (the status bar says Viewer, the
  # edit actions are off, nothing is written).
  kill $APP_PID 2>/dev/null; wait $APP_PID 2>/dev/null || true
  "$APP" --redis "$url" --stream "$STREAM" --read-only >"$WORK/app.log" 2>&1 &
  APP_PID=$!
  timeout 30 xdotool search --sync --onlyvisible --name '^ShopStream$' >/dev/null
  sleep 3
  click "$USER_ROW_7"; settle 1.5
  shot viewer.png

  # A dark desktop palette: the history view again.
  restart_app() {
    kill $APP_PID 2>/dev/null; wait $APP_PID 2>/dev/null || true
    "$@" >"$WORK/app.log" 2>&1 &
    APP_PID=$!
    timeout 30 xdotool search --sync --onlyvisible --name '^ShopStream$' >/dev/null
    sleep 3
  }
  restart_app env SHOPSTREAM_THEME=dark "$APP" --redis "$url" --stream "$STREAM" --read-only
  click "$USER_ROW_7"; settle 1.5
  click "$TIMELINE_MIDDLE"; settle 1.5
  shot history-dark.png

  # The stream deleted and written again while the window follows it: the banner says so and
  # the shop is rebuilt from the new stream.
  restart_app "$APP" --redis "$url" --stream "$STREAM" --read-only
  redis-cli -s "$WORK/redis.sock" DEL "$STREAM" >/dev/null
  "$CLI" --redis "$url" --stream "$STREAM" produce --events 300 --users 20 --items 10 --seed 3 >/dev/null
  settle 3
  click "$USER_ROW_7"; settle 1.5
  shot stream-reset.png

  # A gap: the original demo's stream with an entry deleted (XDEL) before it was read, on a
  # server that evicts keys under memory pressure.
  "$CLI" --redis "$url" --stream orders produce --legacy --events 2300 --users 30 --items 15 --seed 4 >/dev/null
  local middle
  middle=$(redis-cli -s "$WORK/redis.sock" --raw XRANGE orders - + COUNT 1000 | grep -aE '^[0-9]+-[0-9]+$' | tail -1)
  redis-cli -s "$WORK/redis.sock" XDEL orders "$middle" >/dev/null
  redis-cli -s "$WORK/redis.sock" CONFIG SET maxmemory-policy allkeys-lru >/dev/null
  restart_app "$APP" --redis "$url" --stream orders --read-only
  shot gap.png
  redis-cli -s "$WORK/redis.sock" CONFIG SET maxmemory-policy noeviction >/dev/null

  # The outage: redis-server goes away while the app runs.
  restart_app "$APP" --redis "$url" --stream "$STREAM" --read-only
  xdotool key ctrl+1; settle 2
  kill "$REDIS_PID"
  settle 4
  shot outage.png
}

if [ "${1:-}" = "--inside" ]; then
  inside "$2"
  exit 0
fi

for tool in redis-server redis-cli xvfb-run xdotool import; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (scripts/setup.sh lists the packages)" >&2; exit 1; }
done
for binary in "$APP" "$CLI"; do
  [ -x "$binary" ] || { echo "screenshots.sh: $binary is not built (set SHOPSTREAM_BUILD)" >&2; exit 1; }
done

OUT=${1:-$ROOT/docs/screenshots}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/shopstream-shots.XXXXXX)
redis-server --port 0 --unixsocket "$WORK/redis.sock" --unixsocketperm 700 --dir "$WORK" --save '' \
  --appendonly no --daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null || true; wait $REDIS_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
  redis-cli -s "$WORK/redis.sock" ping >/dev/null 2>&1 && break
  sleep 0.1
done

URL=unix://$WORK/redis.sock
"$CLI" --redis "$URL" --stream "$STREAM" produce --events 3000 --users 40 --items 20 --seed 1
"$CLI" --redis "$URL" --stream "$STREAM" append RegisterUser '{"userId":99,"name":"<b>x</b>"}' >/dev/null

echo "screenshots.sh: capturing into $OUT"
export WORK REDIS_PID
SHOPSTREAM_THEME=light xvfb-run -a -s '-screen 0 1280x800x24' "$0" --inside "$OUT"
