#!/usr/bin/env bash
# Make sure the few Debian libraries Qt needs are present.
#   scripts/qt-system-libs.sh offscreen   libraries for QT_QPA_PLATFORM=offscreen (tests)
#   scripts/qt-system-libs.sh window      plus the xcb libraries a real window needs
# Installs them with apt-get when run as root on Debian; otherwise prints the
# exact command and fails, so nobody is left with a cryptic Qt plugin error.
set -euo pipefail
mode=${1:-offscreen}

# package -> a shared object it provides
declare -A libs=(
  [libgl1]=libGL.so.1 [libegl1]=libEGL.so.1 [libfontconfig1]=libfontconfig.so.1
  [libglib2.0-0]=libglib-2.0.so.0 [libxkbcommon0]=libxkbcommon.so.0
  [libdbus-1-3]=libdbus-1.so.3 [libx11-6]=libX11.so.6
)
if [ "$mode" = window ]; then
  libs+=(
    [libxcb-cursor0]=libxcb-cursor.so.0 [libxcb-icccm4]=libxcb-icccm.so.4
    [libxcb-keysyms1]=libxcb-keysyms.so.1 [libxcb-image0]=libxcb-image.so.0
    [libxcb-render-util0]=libxcb-render-util.so.0 [libxcb-shape0]=libxcb-shape.so.0
    [libxkbcommon-x11-0]=libxkbcommon-x11.so.0 [libxcb-xkb1]=libxcb-xkb.so.1
  )
fi

have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
missing=()
for pkg in "${!libs[@]}"; do have "${libs[$pkg]}" || missing+=("$pkg"); done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the Debian libraries Qt needs: ${missing[*]}"
  if DEBIAN_FRONTEND=noninteractive bash -c "$cmd" >/tmp/pushsim-apt.log 2>&1; then
    exit 0
  fi
  echo "error: apt-get could not install ${missing[*]} (log: /tmp/pushsim-apt.log)." >&2
  exit 1
fi
echo "error: Qt needs these Debian libraries, which are missing: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "Install them as root, then run make again:" >&2
  echo "    sudo sh -c '$cmd'" >&2
else
  echo "This is not a Debian system: install your distribution's packages for ${missing[*]}." >&2
fi
exit 1
