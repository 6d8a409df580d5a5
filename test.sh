#!/usr/bin/env bash
# Command 2: install what is missing and run the whole test suite, then the perf guard.
# Prints one closing line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh
ensure_dotnet || exit 1
ensure_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}" || exit 1
ensure_node || exit 1
ensure_npm_folders || exit 1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=$(mktemp -d)
status=0

echo "test: build (warnings are errors)"
if ! dotnet build ClutchCall.Voice.sln -c Debug -nologo -v q; then
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "test: dotnet format --verify-no-changes"
if ! dotnet format ClutchCall.Voice.sln --verify-no-changes --no-restore; then
  echo "test: formatting differs; run 'dotnet format ClutchCall.Voice.sln'" >&2
  status=1
fi

echo "test: unit, integration and interop suites"
dotnet test ClutchCall.Voice.sln -c Debug --no-build -nologo \
  --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$results/test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "test: TypeScript softphone unit tests (node --test)"
if command -v npm >/dev/null 2>&1; then
  (cd clients/softphone && npm test 2>&1) | tee "$results/ts.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
  echo "test: SKIPPED TypeScript unit tests: npm not found" | tee "$results/ts.log"
fi

echo "test: perf guard (frame-path budgets and zero allocation)"
if ! dotnet run -c Release --project bench/ClutchCall.Voice.Benchmarks -- --perf-guard 2>&1 | tee "$results/perf.log"; then
  echo "test: perf guard failed" >&2
  status=1
fi

passed=0; failed=0; skipped=0
# VSTest prints, per test project, an indented summary block: "     Passed: N", "     Failed: N", "    Skipped: N".
count() { grep -E "^\s+$1: [0-9]+\s*$" "$results/test.log" | awk -F': ' '{s += $2} END {print s + 0}'; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
# node --test closes with "# pass N" / "# fail N" / "# skipped N".
ts() { grep -E "^# $1 [0-9]+$" "$results/ts.log" | awk '{s += $3} END {print s + 0}'; }
passed=$((passed + $(ts pass))); failed=$((failed + $(ts fail))); skipped=$((skipped + $(ts skipped)))
grep -E '^\s+Skipped ' "$results/test.log" | head -50 || true
# CI shows only the tail of the log, so repeat each failure (name, message, first stack lines) here.
if [ "$failed" -gt 0 ]; then
  echo "test: failures"
  awk '/^[[:space:]]+Failed [A-Za-z]/ {n = 40} n > 0 {print; n--}' "$results/test.log" | head -200
fi
[ "$status" -eq 0 ] && [ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
