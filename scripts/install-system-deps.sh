#!/usr/bin/env bash
# Debian packages the project needs beyond Python: npm (front-end assets), chromium and CJK
# fonts (browser tests), gettext (translations). Installs only what is missing; needs root.
# Usage: scripts/install-system-deps.sh [npm]   (npm alone is what `make demo` needs)
set -euo pipefail

want=()
command -v npm >/dev/null || want+=(npm)
if [ "${1:-all}" != npm ]; then
    [ -x /usr/bin/chromium ] || want+=(chromium)
    fc-list 2>/dev/null | grep -qi "cjk" || want+=(fonts-noto-cjk)
    command -v msgfmt >/dev/null || want+=(gettext)
fi

if [ ${#want[@]} -eq 0 ]; then
    echo "system packages: all present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${want[*]}; run this script as root (sudo $0)" >&2
    exit 1
fi
echo "installing Debian packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
