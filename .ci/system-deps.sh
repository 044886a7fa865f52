#!/usr/bin/env bash
# Install the Debian packages the test tiers need, when missing: chromium (browser tests),
# fonts-noto-cjk (Chinese text in screenshots and PDFs), postgresql (store tests),
# poppler-utils (pdftoppm / pdftotext: the brief's pages are rendered and read back),
# zip (a test packs a workbook with a zip password, as some offices do),
# nginx (the scaled deployment's proxy: deploy/, `make deploy-local`, tests/e2e/test_deploy.py).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v zip >/dev/null 2>&1 || need+=(zip)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
