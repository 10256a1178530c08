# Shared by scripts/run and scripts/test (sourced, not run): installs the Debian packages
# shopstream needs when any is missing, then configures and builds with CMake + Ninja.

SHOPSTREAM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHOPSTREAM_BUILD=${SHOPSTREAM_BUILD:-$SHOPSTREAM_ROOT/build}

# Build, run and test dependencies (Debian 12 package names).
SHOPSTREAM_PACKAGES=(
  cmake ninja-build ccache g++ pkg-config
  qt6-base-dev qt6-declarative-dev libhiredis-dev libssl-dev openssl nlohmann-json3-dev libgl-dev
  qtkeychain-qt6-dev
  qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-window qml6-module-qtquick-layouts qml6-module-qtqml-workerscript
  qml6-module-qttest qml6-module-qtquick-dialogs qml6-module-qtquick-shapes qml6-module-qt-labs-folderlistmodel
  redis-server redis-tools util-linux xvfb xauth imagemagick xdotool
  desktop-file-utils appstream dpkg-dev groff-base
  clang-14 libclang-rt-14-dev libbenchmark-dev
)

shopstream_install_packages() {
  local missing=() p
  for p in "${SHOPSTREAM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "scripts: installing missing Debian packages: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

shopstream_build() {
  cmake -S "$SHOPSTREAM_ROOT" -B "$SHOPSTREAM_BUILD" -G Ninja "$@" >/dev/null
  cmake --build "$SHOPSTREAM_BUILD"
}
