#!/usr/bin/env bash
# Builds the Debian package with CPack and checks it (DESIGN section 10): the .desktop file
# and the metainfo validate, Depends holds the QML modules the front end imports and the
# Redis packages, the file list is complete, and the programs run from a throwaway root
# that the package is unpacked into (dpkg-deb -x: nothing is installed into the system).
#
#   test_package.sh SOURCE_DIR BUILD_DIR VERSION [CMAKE [CPACK]]
#
# Every failure ends the test with one line "FAIL: <why>" (the last line of the output);
# the lines before it give details when there are any.
set -uo pipefail

source_dir=${1:?usage: test_package.sh SOURCE_DIR BUILD_DIR VERSION [CMAKE [CPACK]]}
build_dir=${2:?missing BUILD_DIR}
version=${3:?missing VERSION}
cmake=${4:-cmake}
cpack=${5:-cpack}
app_id=io.github.shopstream.ShopStream

work=$(mktemp -d "${TMPDIR:-/tmp}/shopstream-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*"
  exit 1
}
# Shows the end of a log, then fails with one line.
fail_log() {
  local log=$1
  shift
  tail -n 25 "$log" | sed 's/^/  | /'
  fail "$@"
}
step() { echo "-- $*"; }

for tool in dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli readelf gzip groff; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/setup.sh installs it)"
done

# --- 1. Build what the package installs, then the package -----------------------------------
step "building shopstream, shopstream-cli and the man pages"
"$cmake" --build "$build_dir" --target shopstream shopstream-cli shopstream_man_pages >"$work/build.log" 2>&1 ||
  fail_log "$work/build.log" "building shopstream / shopstream-cli failed (see the build output above)"

step "cpack -G DEB"
"$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  fail_log "$work/cpack.log" "cpack -G DEB failed"
shopt -s nullglob
debs=("$work"/out/*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || fail "cpack made ${#debs[@]} .deb files, expected exactly one"
deb=${debs[0]}
arch=$(dpkg --print-architecture)
[ "$(basename "$deb")" = "shopstream_${version}_${arch}.deb" ] ||
  fail "the package is named $(basename "$deb"), expected shopstream_${version}_${arch}.deb"
echo "   $(basename "$deb")"

# --- 2. Control fields ------------------------------------------------------------------------
step "control fields"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = shopstream ] || fail "Package is '$(field Package)', expected shopstream"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', expected $version (from project(VERSION))"
[ -n "$(field Maintainer)" ] || fail "the package has no Maintainer"
[ -n "$(field Section)" ] || fail "the package has no Section"
[ -n "$(field Homepage)" ] || fail "the package has no Homepage"
[ -n "$(field Description)" ] || fail "the package has no Description"
depends=$(field Depends)
echo "   Depends: $depends"
# The package names of Depends, without versions or alternatives.
dep_names=" $(echo "$depends" | tr ',|' '\n' | sed -e 's/(.*)//' -e 's/^ *//' -e 's/ *$//' -e '/^$/d' | tr '\n' ' ') "
has_dep() { [[ "$dep_names" == *" $1 "* ]]; }

required=(qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-window qml6-module-qtquick-layouts qml6-module-qtqml-workerscript
  redis-server redis-tools util-linux)
# dpkg-shlibdeps ran (CPACK_DEBIAN_PACKAGE_SHLIBDEPS): the libraries are there too.
required+=(libc6 libqt6core6 libqt6gui6 libqt6qml6 libqt6quick6 libhiredis0.14 libssl3)
for p in "${required[@]}"; do
  has_dep "$p" || fail "Depends lacks $p: $depends"
done

# Every module the QML imports needs its Debian package (qml6-module-<uri, lower case, dots
# as dashes>); a new import without a new Depends entry would break only the installed app.
qml_dir="$source_dir/qml"
[ -d "$qml_dir" ] || fail "no QML directory at $qml_dir"
mapfile -t imports < <(find "$qml_dir" -name '*.qml' -exec sed -n -E 's/^[[:space:]]*import[[:space:]]+([A-Za-z][A-Za-z0-9_.]*).*/\1/p' {} + | sort -u)
[ ${#imports[@]} -gt 0 ] || fail "found no import lines in $qml_dir/*.qml"
for uri in "${imports[@]}"; do
  case "$uri" in
    ShopStream | ShopStream.*) continue ;;                     # our own module, compiled in
    QtQuick.Controls.*) uri=QtQuick.Controls ;;                # the styles ship with Controls
    QtQml) continue ;;                                         # built into libqt6qml6
    QtQuick.Dialogs) # its file dialog, where there is no native one, is QML over a folder model
      has_dep qml6-module-qt-labs-folderlistmodel \
        || fail "the QML imports QtQuick.Dialogs but Depends lacks qml6-module-qt-labs-folderlistmodel" ;;
  esac
  pkg=qml6-module-$(echo "$uri" | tr 'A-Z.' 'a-z-')
  has_dep "$pkg" || fail "the QML imports $uri but Depends lacks $pkg (add it in packaging/CMakeLists.txt)"
done
echo "   QML imports covered: ${imports[*]}"

# --- 3. File list -----------------------------------------------------------------------------
step "file list"
dpkg-deb --contents "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/files"
expected=(
  /usr/bin/shopstream
  /usr/bin/shopstream-cli
  "/usr/share/applications/$app_id.desktop"
  "/usr/share/metainfo/$app_id.metainfo.xml"
  "/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
  /usr/share/man/man1/shopstream-cli.1.gz
  /usr/share/man/man1/shopstream.1.gz
)
for size in 16 32 48 64 128 256; do
  expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png")
done
for f in "${expected[@]}"; do
  grep -qxF "$f" "$work/files" || fail "the package lacks $f"
done
outside=$(grep -vE '^/(usr/.*)?$' "$work/files" | head -n 1)
[ -z "$outside" ] || fail "the package installs outside /usr: $outside"

# --- 4. Unpack into a throwaway root and check the contents -----------------------------------
step "unpacking into a throwaway root"
root="$work/root"
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x failed"

desktop-file-validate "$root/usr/share/applications/$app_id.desktop" >"$work/desktop.log" 2>&1 ||
  fail_log "$work/desktop.log" "desktop-file-validate rejects $app_id.desktop"
grep -qx "Icon=$app_id" "$root/usr/share/applications/$app_id.desktop" ||
  fail "the desktop file's Icon is not $app_id"
grep -qE '^Exec=shopstream( |$)' "$root/usr/share/applications/$app_id.desktop" ||
  fail "the desktop file's Exec does not start shopstream"

metainfo="$root/usr/share/metainfo/$app_id.metainfo.xml"
appstreamcli validate --no-net "$metainfo" >"$work/metainfo.log" 2>&1 ||
  fail_log "$work/metainfo.log" "appstreamcli validate --no-net rejects $app_id.metainfo.xml"
grep -q "<id>$app_id</id>" "$metainfo" || fail "the metainfo's id is not $app_id"
grep -q "<release version=\"$version\"" "$metainfo" ||
  fail "the metainfo has no <release> for version $version"
grep -q '<screenshot' "$metainfo" || fail "the metainfo has no screenshots"
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$metainfo" ||
  fail "the metainfo's launchable is not $app_id.desktop"

# The PNGs are what their directory says (width and height from the IHDR chunk).
for size in 16 32 48 64 128 256; do
  png="$root/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
  read -r w0 w1 w2 w3 h0 h1 h2 h3 < <(od -An -tu1 -j16 -N8 "$png")
  w=$(((w0 << 24) | (w1 << 16) | (w2 << 8) | w3))
  h=$(((h0 << 24) | (h1 << 16) | (h2 << 8) | h3))
  if [ "$w" -ne "$size" ] || [ "$h" -ne "$size" ]; then
    fail "${size}x${size}/apps/$app_id.png is ${w}x${h}"
  fi
done
grep -q '<svg' "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg" || fail "the scalable icon is not an SVG"

# Man pages: gzipped, and groff renders them without a warning.
for page in shopstream-cli shopstream; do
  gz="$root/usr/share/man/man1/$page.1.gz"
  gzip -t "$gz" 2>/dev/null || fail "$page.1.gz is not gzip data"
  warnings=$(gzip -dc "$gz" | groff -man -Tutf8 -ww -z 2>&1)
  [ -z "$warnings" ] || fail "groff warns about $page.1: $(echo "$warnings" | head -1)"
done
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT 'EXIT STATUS' FILES EXAMPLES; do
  gzip -dc "$root/usr/share/man/man1/shopstream-cli.1.gz" | grep -qx "\.SH \"\?$section\"\?" ||
    fail "shopstream-cli.1 has no $section section"
done

# No RPATH/RUNPATH: the build tree must not leak into installed binaries.
for exe in shopstream shopstream-cli; do
  rpath=$(readelf -d "$root/usr/bin/$exe" | grep -E '\((RPATH|RUNPATH)\)')
  [ -z "$rpath" ] || fail "/usr/bin/$exe has an RPATH: ${rpath##*: }"
done

# --- 5. Run the unpacked programs -------------------------------------------------------------
# A clean environment: the system's Qt and QML modules only, a private HOME.
mkdir -p "$work/home" "$work/runtime" && chmod 700 "$work/runtime"
run() {
  env -u QML_IMPORT_PATH -u QML2_IMPORT_PATH -u QT_PLUGIN_PATH -u LD_LIBRARY_PATH \
    HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config" \
    XDG_CACHE_HOME="$work/home/.cache" XDG_RUNTIME_DIR="$work/runtime" SHOPSTREAM_DATA_DIR="$work/home/data" \
    timeout 120 "$@"
}

step "shopstream --version"
out=$(run "$root/usr/bin/shopstream" --version 2>"$work/err") || fail_log "$work/err" "shopstream --version failed"
[ "$out" = "shopstream $version" ] || fail "shopstream --version printed '$out', expected 'shopstream $version'"

step "shopstream-cli --version and --help"
out=$(run "$root/usr/bin/shopstream-cli" --version 2>"$work/err") || fail_log "$work/err" "shopstream-cli --version failed"
[ "$out" = "shopstream-cli $version" ] || fail "shopstream-cli --version printed '$out', expected 'shopstream-cli $version'"
out=$(run "$root/usr/bin/shopstream-cli" --help 2>"$work/err") || fail_log "$work/err" "shopstream-cli --help failed"
[[ "$out" == *"Usage: shopstream-cli"* ]] || fail "shopstream-cli --help printed no usage"

step "QT_QPA_PLATFORM=offscreen shopstream --selftest"
QT_QPA_PLATFORM=offscreen run "$root/usr/bin/shopstream" --selftest >"$work/selftest.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  if [ $rc -eq 124 ]; then
    reason="it did not finish within 120 s"
  elif [ $rc -gt 128 ]; then
    reason="it crashed (SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128))))"
  else
    reason=$(grep -m1 '^shopstream:' "$work/selftest.log" || tail -n 1 "$work/selftest.log")
    reason="exit status $rc: ${reason:-no output}"
  fi
  [ ${#reason} -le 300 ] || reason="${reason:0:300}..."
  fail_log "$work/selftest.log" "the installed shopstream --selftest failed: $reason"
fi
sed 's/^/   /' "$work/selftest.log" | tail -n 1

echo "PASS: $(basename "$deb") builds, validates, and its programs run"
