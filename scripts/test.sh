#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (Python 3.11, Node 20), builds dist/,
# lints, and runs every test: unit tests, the Pyodide tests under Node, and the browser tests in chromium,
# with the core flows also in Firefox ESR and WebKitGTK (tests/browser/test_engines.py).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/lib/chromium/chromium ] || need_apt+=(chromium fonts-dejavu-core)
# The browser tests serve dist/ with nginx (deploy/nginx.conf), brotli as a static host does.
[ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] ||
  need_apt+=(libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static)
# Firefox ESR (driven by npm puppeteer-core over WebDriver BiDi) and WebKitGTK (WebKitWebDriver,
# driven by Selenium; no headless mode, so under xvfb-run).
[ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || need_apt+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null && command -v xauth >/dev/null || need_apt+=(xvfb xauth)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

echo "== pip install -r requirements-dev.txt"
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

echo "== npm ci"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error   # puppeteer-core drives Debian's firefox-esr

echo "== lint: ruff (Python), ESLint (JavaScript)"
python3 -m ruff check .
python3 -m ruff format --check .
npx eslint .

echo "== python build.py"
python3 build.py

echo "== pytest"
python3 -m pytest "$@"
