#!/usr/bin/env bash
# The test command of the README: installs and starts the real servers
# (Dovecot, Postfix) once, runs every package's tests against them and the
# embedded reference system, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed: $unformatted" >&2
	exit 1
fi
go vet ./...
# The HTML report's test drives headless Chromium.
targets/browser/install.sh
exec targets/real/with-servers.sh go test -count=1 ./... "$@"
