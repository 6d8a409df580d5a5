#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a command needs, idempotently, printing what it installs.
# Usage: source scripts/deps.sh; ensure_packages pkg...
# Not root and no password-less sudo: prints the exact apt command to run and fails.

ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#} packages present"
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "deps: missing packages: ${missing[*]}" >&2
      echo "deps: run this first (needs root):" >&2
      echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      return 1
    fi
  fi
  echo "deps: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "deps: installed ${missing[*]}"
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "deps: the .NET 10 SDK is required (https://dotnet.microsoft.com/download); 'dotnet' is not on PATH" >&2
    return 1
  fi
  local major
  major=$(dotnet --version 2>/dev/null | cut -d. -f1)
  if [ "${major:-0}" -lt 10 ]; then
    echo "deps: the .NET 10 SDK is required; found $(dotnet --version)" >&2
    return 1
  fi
}

# What the engine itself needs at run time.
RUNTIME_PACKAGES=(libopus0 espeak-ng libespeak-ng1 libpocketsphinx3 pocketsphinx-en-us sox)
# What the test suite adds: real peers and tools it talks to.
TEST_PACKAGES=(opus-tools sip-tester kamailio baresip chromium postgresql libspeexdsp1 libsoxr0 procps)

# Node.js is used by the TypeScript softphone and the @moq/net interop tests. A machine without it gets
# Debian's nodejs/npm; the tests skip loudly when node is still missing.
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_packages nodejs npm || return 1
  fi
}

# Installs the npm folders from their lock files (once) and builds the softphone bundle.
NPM_FOLDERS=(clients/softphone tests/ClutchCall.Voice.Moqt.Tests/Interop/moq-net)
ensure_npm_folders() {
  command -v npm >/dev/null 2>&1 || { echo "deps: npm not found; the browser and @moq/net tests will skip" >&2; return 0; }
  local dir
  for dir in "${NPM_FOLDERS[@]}"; do
    if [ ! -d "$dir/node_modules" ]; then
      echo "deps: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "deps: npm ci failed in $dir" >&2; return 1; }
    fi
  done
  (cd clients/softphone && npm run --silent build) || { echo "deps: softphone build failed" >&2; return 1; }
}
