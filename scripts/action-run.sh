#!/usr/bin/env bash
# The lint step of the composite action (action.yml), kept in a file so a test can run it with
# GitHub's environment variables set. Writes annotations to the log, a SARIF file for code
# scanning, and a Markdown summary to the job summary; exits as `fail-on` asks.
set -uo pipefail

read -r -a extra <<< "${INPUT_ARGS:-}"
read -r -a sites <<< "${INPUT_SITE:-}"
if [ "${#sites[@]}" -gt 0 ]; then
  # A site run lints the site; files only when they are named too.
  read -r -a paths <<< "${INPUT_PATHS:-}"
  for site in "${sites[@]}"; do
    extra+=(--site "$site")
  done
else
  read -r -a paths <<< "${INPUT_PATHS:-.}"
fi
format="${INPUT_FORMAT:-github}"
fail_on="${INPUT_FAIL_ON:-error}"
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
sarif="$out_dir/postlint.sarif"
summary="$out_dir/postlint-summary.md"

postlint check "${paths[@]}" "${extra[@]}" \
  --format "$format" \
  --format "sarif=$sarif" \
  --format "markdown=$summary" \
  --fail-on "$fail_on"
status=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$summary" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "sarif=$sarif" >> "$GITHUB_OUTPUT"
fi
exit "$status"
