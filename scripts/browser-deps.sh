#!/bin/sh
# browser-deps.sh: what the browser test (tests/browser, `make test-browser`)
# needs, installed when missing:
#   - Debian's chromium (/usr/bin/chromium): apt-get, when root; otherwise
#     the apt-get line is printed and the script fails;
#   - playwright-core at the version tests/browser/package.json pins, by
#     `npm install --no-audit --no-fund` in tests/browser (npm registry; no
#     browser is downloaded: the test uses Debian's chromium).
# Needs Node.js 20 or later and npm. Idempotent: with everything in place it
# does nothing. CI calls it before `make test-browser` (which also calls it).
cd "$(dirname "$0")/.." || exit 1
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
	line="apt-get install -y --no-install-recommends chromium"
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "browser-deps: installing chromium" >&2
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >/dev/null || {
			echo "browser-deps: '$line' failed" >&2; exit 1; }
	else
		echo "browser-deps: $chromium not found; run as root: $line" >&2
		exit 1
	fi
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "browser-deps: node and npm not found (Node.js 20 or later is needed)" >&2
	exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
if [ "${major:-0}" -lt 20 ]; then
	echo "browser-deps: Node.js $(node --version) is too old for playwright-core (20 or later)" >&2
	exit 1
fi

cd tests/browser || exit 1
want=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' package.json | head -n 1)
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/playwright-core/package.json 2>/dev/null | head -n 1)
if [ -z "$have" ] || [ "$have" != "$want" ]; then
	echo "browser-deps: npm install (playwright-core $want)" >&2
	npm install --no-audit --no-fund >&2 || { echo "browser-deps: npm install failed" >&2; exit 1; }
fi
exit 0
