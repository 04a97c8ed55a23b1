#!/usr/bin/env bash
# Run after `npm run build` on a clean checkout: fails, naming each one, when the build changed or
# added a file. The files it writes (listed in .gitattributes) are committed, so a change means
# a source was edited without rebuilding: run `npm run build` and commit what it writes.
# Called by .ci/run, .github/workflows/check-dist.yml and .github/workflows/release.yml.
set -euo pipefail
cd "$(dirname "$0")/../.."

fix="run 'npm run build' and commit what it writes"
changed="$(git -c core.quotePath=false status --porcelain --untracked-files=all)"
if [[ -z "$changed" ]]; then
  echo "check-generated: the build changed no committed file"
  exit 0
fi

echo "check-generated: the build changed these files; $fix:" >&2
echo "$changed" >&2
git --no-pager diff --stat >&2
if [[ -n "${GITHUB_ACTIONS:-}" ]]; then
  # One annotation per file, on the run's page and on the file in a pull request's diff.
  while IFS= read -r line; do
    echo "::error file=${line:3}::the build changed ${line:3}: $fix."
  done <<<"$changed"
fi
exit 1
