#!/usr/bin/env bash
# Builds dist/ and serves it at http://127.0.0.1:8000/ (any static server will do; this one ships with Python).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
python3 -m pip install -q --disable-pip-version-check "numpy>=2.0"
python3 build.py
echo "Inkling: http://127.0.0.1:${PORT:-8000}/"
exec python3 -m http.server "${PORT:-8000}" --bind 127.0.0.1 --directory dist
