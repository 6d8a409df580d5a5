#!/usr/bin/env bash
# Command 1: install what is missing, build, and run the engine on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
ensure_dotnet
ensure_packages "${RUNTIME_PACKAGES[@]}"
echo "run: building (Release)"
dotnet build src/ClutchCall.Voice.Server -c Release -nologo -v q
exec dotnet artifacts/bin/ClutchCall.Voice.Server/release/ClutchCall.Voice.Server.dll "$@"
