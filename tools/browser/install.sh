#!/usr/bin/env bash
# Install what the browser tests need, from the project's own files:
#   - Debian's Chromium (apt-get), started headless by the tests; Playwright's own browser
#     downloads are never used;
#   - axe-core from the npm registry, pinned by tools/browser/package.json and package-lock.json.
# Idempotent: a second run changes nothing. Runs as root, or through sudo when available.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install.sh: need root or sudo to run: $*" >&2
        return 1
    fi
}

install_chromium() {
    if [ -x /usr/bin/chromium ]; then
        echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown))"
        return 0
    fi
    # Refresh the package lists only when the package is unknown to apt (a fresh image).
    if ! apt-cache show chromium >/dev/null 2>&1; then
        as_root apt-get update
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
}

install_axe() {
    if ! command -v npm >/dev/null 2>&1; then
        echo "install.sh: npm is needed for axe-core (apt-get install npm)" >&2
        return 1
    fi
    if [ -f "$here/package-lock.json" ]; then
        local locked installed
        locked="$(node -p "require('$here/package-lock.json').packages['node_modules/axe-core'].version")"
        installed="$(node -p "try { require('$here/node_modules/axe-core/package.json').version } catch (e) { '' }")"
        if [ -n "$locked" ] && [ "$locked" = "$installed" ]; then
            echo "axe-core: already installed ($installed)"
            return 0
        fi
        # `npm ci` installs exactly the locked versions.
        npm ci --prefix "$here" --no-audit --no-fund
    else
        npm install --prefix "$here" --no-audit --no-fund --save-exact=false axe-core@4
    fi
}

install_chromium
install_axe
echo "browser harness ready: /usr/bin/chromium, $here/node_modules/axe-core/axe.min.js"
