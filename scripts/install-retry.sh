#!/usr/bin/env bash
# Runs an npm install command, retrying it when it fails. npm retries a request that stalls before
# its response arrives, but not a response body that stalls while being read ("Invalid response
# body ... EIDLETIMEOUT", npm-registry-fetch reads bodies outside make-fetch-happen's retry loop),
# and one such stall fails the whole install. What was fetched stays in npm's cache, so a retry
# resumes rather than starts over. Usage: scripts/install-retry.sh npm ci --no-audit --no-fund
set -uo pipefail
attempts="${INSTALL_ATTEMPTS:-4}"
for ((attempt = 1; ; attempt++)); do
  "$@" && exit 0
  status=$?
  if ((attempt >= attempts)); then
    echo "install-retry: '$*' failed $attempt times (last exit $status)" >&2
    exit "$status"
  fi
  pause=$((attempt * 20))
  echo "install-retry: '$*' failed (exit $status, attempt $attempt of $attempts); retrying in $pause s" >&2
  sleep "$pause"
done
