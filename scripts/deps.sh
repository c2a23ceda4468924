#!/bin/sh
# Installs the Debian packages TrendGuard needs to build, test and run
# (groff-base, man-db and zsh: tests/e2e/cli.sh renders the man pages and
# completes in a real zsh; asciinema: tests/e2e/usability.sh plays the
# app's recordings with the real player).
# As root (or with sudo) it runs apt-get; otherwise it prints the command.
set -eu
# python3-xgboost: XGBoost's tracker (xgboost.tracker) for
# trendguard-train's distributed workers (--workers N, --run-tracker).
PKGS="build-essential pkg-config libncurses-dev libcurl4-openssl-dev \
libcjson-dev libsqlite3-dev sqlite3 libxgboost-dev python3-xgboost \
libcmocka-dev libunistring-dev tmux groff-base man-db zsh asciinema"
[ -n "${TG_EXTRA_PKGS:-}" ] && PKGS="$PKGS $TG_EXTRA_PKGS"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "trendguard: missing packages:$missing (no apt-get here; install them by hand)" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"
else
    echo "trendguard: missing packages; run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "trendguard: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq $missing >/dev/null
