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
