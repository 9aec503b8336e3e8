#!/usr/bin/env bash
# stop.sh DIR stops the Dovecot and Postfix that start.sh DIR started, by
# the PIDs in their pid files, and waits until their processes are gone.
# Idempotent: servers already stopped, or a DIR that never started any, are
# fine. It never looks processes up by name: a PID is signalled only after
# checking that it is the master of this DIR's instance.
set -euo pipefail

log() { printf 'stop.sh: %s\n' "$*" >&2; }

if (($# != 1)); then
	log "usage: stop.sh DIR"
	exit 2
fi
[[ -d "$1" ]] || exit 0
DIR=$(cd "$1" && pwd -P)
readonly DIR

# session_pids SID prints the PIDs of the processes in session SID. Both
# masters start a session of their own when they daemonize, and their
# children stay in it.
session_pids() {
	# Field 6 of /proc/PID/stat is the session; the command name (field 2)
	# may hold spaces and parentheses, so count from its closing ")".
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v sid="$1" '{ pid = $1; sub(/.*\) /, ""); if ($4 == sid) print pid }'
}

# read_pid FILE prints the PID in FILE, if any.
read_pid() {
	[[ -r "$1" ]] || return 0
	tr -dc '0-9' <"$1" | head -c 10
}

# is_master PID EXE MARK succeeds when PID runs EXE and its command line or
# environment holds MARK (this DIR's configuration path).
is_master() {
	local pid=$1 exe=$2 mark=$3
	[[ -n "$pid" && -d "/proc/$pid" ]] || return 1
	[[ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" == "$exe" ]] || return 1
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$mark" && return 0
	tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF -- "$mark"
}

# stop NAME EXE MARK PIDFILE... stops the master named by the first pid file
# that names a live master of this DIR, then waits for its whole session.
stop() {
	local name=$1 exe=$2 mark=$3 f pid='' p i left
	shift 3
	for f in "$@"; do
		p=$(read_pid "$f")
		if is_master "$p" "$exe" "$mark"; then
			pid=$p
			break
		fi
	done
	if [[ -z "$pid" ]]; then
		rm -f "$DIR/$name.pid"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		left=$(session_pids "$pid")
		[[ -n "$left" ]] || break
		if ((i == 150)); then
			log "$name (session $pid) still running after 15s; sending SIGKILL to: $(echo "$left" | tr '\n' ' ')"
			# shellcheck disable=SC2086 # one PID a word
			kill -KILL $left 2>/dev/null || true
		fi
		sleep 0.1
	done
	if [[ -n "$(session_pids "$pid")" ]]; then
		log "error: $name (session $pid) did not stop"
		return 1
	fi
	rm -f "$DIR/$name.pid"
}

status=0
# Postfix first: it delivers to Dovecot's LMTP and authenticates through it.
stop postfix /usr/lib/postfix/sbin/master "MAIL_CONFIG=$DIR/postfix/conf" \
	"$DIR/postfix.pid" "$DIR/postfix/queue/pid/master.pid" || status=1
stop dovecot /usr/sbin/dovecot "$DIR/dovecot/dovecot.conf" \
	"$DIR/dovecot.pid" "$DIR/dovecot/run/master.pid" || status=1
exit "$status"
