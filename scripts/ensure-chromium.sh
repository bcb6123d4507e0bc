#!/bin/sh
# The UI tests drive Debian's Chromium through playwright-core (which downloads no browser).
# Installs the `chromium` package when /usr/bin/chromium is missing.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "Chromium is missing: installing Debian's chromium package for the UI tests..."
if [ "$(id -u)" = 0 ]; then
  apt-get update && apt-get install -y chromium
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update && sudo apt-get install -y chromium
else
  echo "error: the UI tests need /usr/bin/chromium; install it as root with: apt-get install -y chromium" >&2
  exit 1
fi
