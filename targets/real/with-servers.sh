#!/usr/bin/env bash
# with-servers.sh CMD [ARG...] runs CMD against freshly started Dovecot and
# Postfix: it installs the packages if needed (install.sh), starts both
# servers in a new temporary directory (start.sh), exports
# MAILSPEC_PROFILE=DIR/profile.yaml and MAILSPEC_REAL_SERVERS=1 (and the
# rest of DIR/env), runs CMD, then stops the servers (stop.sh) and removes
# the directory, also when CMD fails or the run is interrupted. It exits
# with CMD's status.
#
#   targets/real/with-servers.sh go test ./...
#
# MAILSPEC_REAL_KEEP=1 keeps the directory (logs, mail, queue) afterwards.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here

log() { printf 'with-servers.sh: %s\n' "$*" >&2; }

if (($# == 0)); then
	log "usage: with-servers.sh CMD [ARG...]"
	exit 2
fi

"$here/install.sh"

dir=$(mktemp -d "${TMPDIR:-/tmp}/mailspec-real.XXXXXX")
status=0
ran=0
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	trap - EXIT INT TERM HUP
	if ((ran && status != 0)); then
		log "status $status; the servers' logs end with:"
		for f in "$dir/dovecot/dovecot.log" "$dir/postfix/maillog"; do
			if [[ -s "$f" ]]; then
				printf '==> %s <==\n' "$f" >&2
				tail -n 40 "$f" >&2
			fi
		done
	fi
	"$here/stop.sh" "$dir" || status=1
	if [[ "${MAILSPEC_REAL_KEEP:-}" == 1 ]]; then
		log "kept $dir"
	else
		rm -rf "$dir"
	fi
	exit "$status"
}
trap cleanup EXIT
# Ctrl-C reaches CMD too (same process group); bash runs these traps once
# CMD has ended, and the EXIT trap stops the servers.
trap 'status=130; exit 130' INT
trap 'status=143; exit 143' TERM
trap 'status=129; exit 129' HUP

"$here/start.sh" "$dir" || {
	status=$?
	exit "$status"
}
# shellcheck source=/dev/null # written by start.sh
. "$dir/env"
export MAILSPEC_PROFILE MAILSPEC_REAL_SERVERS=1

ran=1
"$@" || status=$?
exit "$status"
