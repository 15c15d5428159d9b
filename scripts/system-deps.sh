#!/usr/bin/env bash
# Operating-system packages the tests need: Debian's Chromium (Playwright drives it; no browser is
# downloaded), poppler (pdfsig/pdftoppm for signed PDFs), gettext (translations), fonts, and Java for the
# HTML validator (npm vnu-jar) that the browser tests run over the pages they visit.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pdfsig >/dev/null || missing+=(poppler-utils)
command -v msgfmt >/dev/null || missing+=(gettext)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v java >/dev/null || missing+=(default-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
