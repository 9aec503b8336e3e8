#!/usr/bin/env bash
# install.sh installs the Debian packages that mailspec's real-server
# targets need (Dovecot, Postfix and the tools start.sh uses). It is
# idempotent: when everything is installed it only checks and returns.
#
# No system daemon is left running: a policy-rc.d that exits 101 keeps the
# packages' maintainer scripts from starting Dovecot or Postfix on the
# standard ports, and any that did start anyway is stopped by the PID in its
# pid file. start.sh runs private instances under a temporary directory.
set -euo pipefail

packages=(dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix libxml2-utils openssl ca-certificates)

log() { printf 'install.sh: %s\n' "$*" >&2; }

# installed NAME succeeds when dpkg has NAME fully installed.
installed() {
	[[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

# stop_system_daemon NAME PIDFILE EXE stops a daemon started from the
# system configuration, by the PID in its pid file, after checking that the
# PID still belongs to EXE (a stale pid file must not kill another process).
stop_system_daemon() {
	local name=$1 pidfile=$2 exe=$3 pid i
	[[ -r "$pidfile" ]] || return 0
	pid=$(tr -dc '0-9' <"$pidfile" | head -c 10)
	[[ -n "$pid" && -d "/proc/$pid" ]] || return 0
	[[ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" == "$exe" ]] || return 0
	log "a system $name (PID $pid, $pidfile) is running; stopping it"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		[[ -d "/proc/$pid" ]] || return 0
		sleep 0.1
	done
	log "error: system $name (PID $pid) did not stop"
	return 1
}

check_no_system_daemons() {
	stop_system_daemon dovecot /run/dovecot/master.pid /usr/sbin/dovecot
	stop_system_daemon postfix /var/spool/postfix/pid/master.pid /usr/lib/postfix/sbin/master
	# Anything else on the standard mail ports is not ours to stop: say so.
	local busy
	busy=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ':(25|24|110|143|465|587|993|995)$' || true)
	if [[ -n "$busy" ]]; then
		log "warning: something listens on a standard mail port: $(echo "$busy" | tr '\n' ' ')"
	fi
}

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	check_no_system_daemons
	exit 0
fi

if [[ $EUID -ne 0 ]]; then
	log "error: packages missing (${missing[*]}) and not running as root: run as root or install them by hand"
	exit 1
fi

# Debian's MTAs conflict through the virtual package mail-transport-agent:
# installing postfix would remove an installed exim4.
for p in exim4 exim4-base exim4-daemon-light exim4-daemon-heavy; do
	if installed "$p"; then
		if [[ "${MAILSPEC_REPLACE_MTA:-}" != 1 ]]; then
			log "error: $p is installed. Postfix conflicts with it (both provide mail-transport-agent),"
			log "error: so installing postfix would REMOVE exim4. Set MAILSPEC_REPLACE_MTA=1 to allow that."
			exit 1
		fi
		log "warning: $p is installed and will be replaced by postfix (MAILSPEC_REPLACE_MTA=1)"
	fi
done

# Keep the maintainer scripts from starting system daemons: create a
# policy-rc.d that denies every action, and remove it afterwards only if we
# created it.
policy=/usr/sbin/policy-rc.d
created_policy=0
cleanup() {
	if ((created_policy)); then
		rm -f "$policy"
	fi
}
trap cleanup EXIT
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\n# mailspec targets/real/install.sh: start no daemon while installing.\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	created_policy=1
fi

# "No configuration": postfix installs without asking and without writing
# /etc/postfix/main.cf; start.sh writes its own configuration.
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections

export DEBIAN_FRONTEND=noninteractive
apt_install() {
	apt-get install -y --no-install-recommends --no-upgrade "${missing[@]}"
}

# Refresh the package lists only when apt does not know a package, or when
# the install fails (stale lists point at files the mirror no longer has).
need_update=0
for p in "${missing[@]}"; do
	if ! apt-cache show --no-all-versions "$p" >/dev/null 2>&1; then
		need_update=1
		break
	fi
done
if ((need_update)); then
	log "apt-get update (package lists lack: ${missing[*]})"
	apt-get update
fi
log "installing: ${missing[*]}"
if ! apt_install; then
	log "install failed; running apt-get update and retrying once"
	apt-get update
	apt_install
fi

check_no_system_daemons
