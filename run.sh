#!/usr/bin/env bash
# Command 1: install what is missing, build, and run the engine on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
ensure_dotnet
ensure_packages "${RUNTIME_PACKAGES[@]}"
echo "run: building (Release)"
dotnet build src/ClutchCall.Voice.Server -c Release -nologo -v q
server=artifacts/bin/ClutchCall.Voice.Server/release/ClutchCall.Voice.Server.dll
if [ $# -eq 0 ]; then
  # Embedded defaults: first the media demo (espeak-ng sentence through the media core into out/),
  # then the engine itself: API, relay at /moq and the sim: test line on http://127.0.0.1:8080.
  echo "run: media demo"
  dotnet "$server" media-demo
  echo "run: serving on http://127.0.0.1:8080 (Ctrl+C to stop)"
  exec dotnet "$server" serve
fi
exec dotnet "$server" "$@"
