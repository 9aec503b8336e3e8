#!/usr/bin/env bash
# stop.sh DIR stops the Dovecot and Postfix that start.sh DIR started, by
# the PIDs in their pid files, and waits until all their processes are gone.
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
	# may hold spaces and parentheses, so count from its closing ")". Zombies
	# are left out: they are gone but for their exit status, which an init
	# that does not reap (as in some containers) may never collect.
	# (cat fails when a process ends between the glob and the read.)
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } |
		awk -v sid="$1" '{ pid = $1; sub(/.*\) /, ""); if ($4 == sid && $1 != "Z") print pid }'
}

# read_pid FILE prints the PID in FILE, if any.
read_pid() {
	[[ -r "$1" ]] || return 0
	tr -dc '0-9' <"$1" | head -c 10
}

# is_master PID EXE MARK succeeds when PID runs EXE and its command line or
# environment holds MARK (this DIR's configuration path), so that a stale
# pid file whose PID was reused never gets another process killed.
is_master() {
	local pid=$1 exe=$2 mark=$3
	[[ -n "$pid" && -d "/proc/$pid" ]] || return 1
	[[ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" == "$exe" ]] || return 1
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$mark" && return 0
	tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF -- "$mark"
}

# find_master EXE MARK PIDFILE... prints the PID from the first pid file
# that names a live master of this DIR's instance. The second pid file of
# each pair is the server's own, for a start.sh that failed half-way.
find_master() {
	local exe=$1 mark=$2 f p
	shift 2
	for f in "$@"; do
		p=$(read_pid "$f")
		if is_master "$p" "$exe" "$mark"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
}

postfix_pid=$(find_master /usr/lib/postfix/sbin/master "MAIL_CONFIG=$DIR/postfix/conf" \
	"$DIR/postfix.pid" "$DIR/postfix/queue/pid/master.pid")
dovecot_pid=$(find_master /usr/sbin/dovecot "$DIR/dovecot/dovecot.conf" \
	"$DIR/dovecot.pid" "$DIR/dovecot/run/master.pid")

# Both masters get SIGTERM at once and stop their own children; waiting for
# the two in parallel halves the time (Dovecot's shutdown takes a second or
# more on a busy machine).
sessions=()
for pid in $postfix_pid $dovecot_pid; do
	kill -TERM "$pid" 2>/dev/null || true
	sessions+=("$pid")
done

# alive prints the PIDs still running in the masters' sessions.
alive() {
	local sid
	for sid in "${sessions[@]+"${sessions[@]}"}"; do
		session_pids "$sid"
	done
}

for ((i = 0; i < 400; i++)); do
	left=$(alive)
	[[ -n "$left" ]] || break
	if ((i == 300)); then
		log "still running after 15s; sending SIGKILL to: $(echo "$left" | tr '\n' ' ')"
		# shellcheck disable=SC2086 # one PID a word
		kill -KILL $left 2>/dev/null || true
	fi
	sleep 0.05
done
left=$(alive)
if [[ -n "$left" ]]; then
	log "error: processes did not stop: $(echo "$left" | tr '\n' ' ')"
	exit 1
fi
rm -f "$DIR/postfix.pid" "$DIR/dovecot.pid"
