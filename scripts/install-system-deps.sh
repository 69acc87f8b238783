#!/usr/bin/env bash
# Debian packages the project needs beyond Python: npm (front-end assets), chromium and CJK
# fonts (browser tests), gettext (translations), LibreOffice's Writer and Calc without a display
# (the tests that print the reports' .docx and .xlsx to PDF on A4, as WPS would). Installs only
# what is missing; needs root.
# Usage: scripts/install-system-deps.sh [npm|browser|print|wrk]   (npm alone is what `make demo`
# needs; browser, chromium and CJK fonts, what `make test` needs for tests/browser/; print,
# LibreOffice (those tests are skipped without it); wrk, the HTTP load generator, only
# `make bench`; no argument: all but wrk, as CI runs it)
set -euo pipefail

want=()
case "${1:-all}" in
    wrk) command -v wrk >/dev/null || want+=(wrk) ;;
    browser | print) ;;
    *) command -v npm >/dev/null || want+=(npm) ;;
esac
case "${1:-all}" in
    all | browser)
        [ -x /usr/bin/chromium ] || want+=(chromium)
        fc-list 2>/dev/null | grep -i "cjk" >/dev/null || want+=(fonts-noto-cjk)  # not -q: fc-list killed by SIGPIPE fails the pipe
        ;;
esac
case "${1:-all}" in
    all | print)
        command -v libreoffice >/dev/null || want+=(libreoffice-writer-nogui libreoffice-calc-nogui)
        ;;
esac
if [ "${1:-all}" = all ]; then
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
