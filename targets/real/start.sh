#!/usr/bin/env bash
# start.sh DIR starts a private Dovecot (IMAP, POP3, LMTP, SASL auth) and a
# private Postfix (smtp, submission, smtps) on 127.0.0.1 high ports, with
# every file under DIR, and writes for mailspec:
#
#   DIR/profile.yaml   the target profile (endpoints, accounts, claims, TLS)
#   DIR/ca.pem         the CA that signed the servers' certificate
#   DIR/env            shell lines: export MAILSPEC_PROFILE=... and the ports
#   DIR/dovecot.pid    the Dovecot master's PID
#   DIR/postfix.pid    the Postfix master's PID
#
# It exits 0 only when every endpoint has sent its greeting (over verified
# TLS for the implicit-TLS ports). Stop the servers with stop.sh DIR.
#
# Ports: MAILSPEC_PORT_BASE=N uses N+25 (smtp), N+587 (submission), N+465
# (smtps), N+143 (imap), N+993 (imaps), N+110 (pop3), N+995 (pop3s) and N+24
# (LMTP, for Postfix only); without it, a free base is picked at random
# between 10000 and 31000. MAILSPEC_START_TIMEOUT (seconds, default 30)
# bounds each wait for the greetings.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly timeout_secs=${MAILSPEC_START_TIMEOUT:-30}

log() { printf 'start.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

(($# == 1)) || die "usage: start.sh DIR"
[[ "$timeout_secs" =~ ^[0-9]+$ ]] || die "MAILSPEC_START_TIMEOUT=$timeout_secs: want whole seconds"
[[ $EUID -eq 0 ]] || die "must run as root (Dovecot and Postfix switch users)"
for cmd in dovecot doveconf postfix postconf openssl timeout; do
	command -v "$cmd" >/dev/null || die "$cmd not found: run targets/real/install.sh first"
done

mkdir -p "$1"
DIR=$(cd "$1" && pwd -P)
readonly DIR
# The servers' unprivileged processes (mail, postfix) must traverse DIR.
chmod 0711 "$DIR"

# Refuse to start twice in one directory.
for f in "$DIR/dovecot.pid" "$DIR/postfix.pid"; do
	if [[ -s "$f" ]] && [[ -d "/proc/$(tr -dc '0-9' <"$f")" ]]; then
		die "$f names a running process: run stop.sh $DIR first"
	fi
done

### Ports ###################################################################

# port_busy PORT succeeds when something accepts connections on
# 127.0.0.1:PORT (a listener on 0.0.0.0 counts too).
port_busy() {
	# shellcheck disable=SC2016 # $1 expands in the inner shell
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

declare -A off=([smtp]=25 [submission]=587 [smtps]=465 [imap]=143 [imaps]=993 [pop3]=110 [pop3s]=995 [lmtp]=24)
declare -A port=()

# ports_free BASE sets port[] from BASE and succeeds when all are free.
ports_free() {
	local name
	for name in "${!off[@]}"; do
		port[$name]=$(($1 + off[$name]))
		if port_busy "${port[$name]}"; then
			return 1
		fi
	done
}

if [[ -n "${MAILSPEC_PORT_BASE:-}" ]]; then
	if ! [[ "$MAILSPEC_PORT_BASE" =~ ^[0-9]{4,5}$ ]] || ((MAILSPEC_PORT_BASE < 1024 || MAILSPEC_PORT_BASE > 64000)); then
		die "MAILSPEC_PORT_BASE=$MAILSPEC_PORT_BASE: want a number between 1024 and 64000"
	fi
	ports_free "$MAILSPEC_PORT_BASE" || die "a port of base $MAILSPEC_PORT_BASE is in use (ports: ${port[*]})"
else
	found=0
	for ((try = 0; try < 20; try++)); do
		# Below Linux's ephemeral range (32768-60999) so that no outgoing
		# connection takes one of our ports between check and bind.
		if ports_free $((10000 + (RANDOM % 22) * 1000)); then
			found=1
			break
		fi
	done
	((found)) || die "no free port base found between 10000 and 31000"
fi

### Directories, accounts, TLS ##############################################

mail_user=mail
mail_uid=$(id -u "$mail_user")
mail_gid=$(id -g "$mail_user")

rm -rf "$DIR/dovecot" "$DIR/postfix" "$DIR/mail" "$DIR/tls"
mkdir -p "$DIR/dovecot/run" "$DIR/dovecot/state" "$DIR/postfix/conf" "$DIR/postfix/queue" "$DIR/postfix/data" "$DIR/mail" "$DIR/tls"
chmod 0755 "$DIR/dovecot" "$DIR/postfix" "$DIR/postfix/conf" "$DIR/postfix/queue"
chown postfix: "$DIR/postfix/data"
chmod 0700 "$DIR/postfix/data"
chmod 0700 "$DIR/tls"
chown "$mail_uid:$mail_gid" "$DIR/mail"
chmod 0700 "$DIR/mail"

accounts=(alice bob carol)
if [[ "${MAILSPEC_FUZZ_CONFIG:-}" == 1 ]]; then
	# Fuzz-only: an account per fuzz worker, so that workers do not
	# contend for one INBOX (targets/real/README.md).
	for i in $(seq -w 1 16); do
		accounts+=("fuzz$i")
	done
fi
domain=example.test
declare -A password=()
for a in "${accounts[@]}"; do
	password[$a]=$(openssl rand -hex 12)
done

# One self-signed CA and a server certificate for localhost and 127.0.0.1,
# with ECDSA P-256 keys (RSA key generation costs a second on a busy machine).
(
	cd "$DIR/tls"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 30 \
		-subj "/CN=mailspec test CA $(basename "$DIR")" \
		-addext 'basicConstraints=critical,CA:TRUE' \
		-addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
		-subj '/CN=localhost' 2>/dev/null
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
		'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' \
		'subjectAltName=DNS:localhost,IP:127.0.0.1' >server.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
		-days 30 -extfile server.ext -out server.pem 2>/dev/null
	chmod 0600 ca.key server.key
	rm -f server.csr server.ext
)
openssl verify -CAfile "$DIR/tls/ca.pem" -verify_hostname localhost -verify_ip 127.0.0.1 \
	"$DIR/tls/server.pem" >/dev/null || die "the server certificate does not verify"
cp "$DIR/tls/ca.pem" "$DIR/ca.pem"
chmod 0644 "$DIR/ca.pem"

### Dovecot #################################################################

dc=$DIR/dovecot
{
	for a in "${accounts[@]}"; do
		# user:password:uid:gid:gecos:home:shell:extra; uid/gid come from
		# mail_uid/mail_gid. {PLAIN} lets Dovecot derive every mechanism
		# (CRAM-MD5 and SCRAM need the plaintext or their own hashes).
		printf '%s@%s:{PLAIN}%s::::%s::\n' "$a" "$domain" "${password[$a]}" "$DIR/mail/$domain/$a"
	done
} >"$dc/users"
chown root:dovecot "$dc/users"
chmod 0640 "$dc/users"

mailboxes_conf=
if [[ -r /etc/dovecot/conf.d/15-mailboxes.conf ]]; then
	mailboxes_conf='!include_try /etc/dovecot/conf.d/15-mailboxes.conf'
fi
dh_conf=
if [[ -r /usr/share/dovecot/dh.pem ]]; then
	dh_conf='ssl_dh = </usr/share/dovecot/dh.pem'
fi

cat >"$dc/dovecot.conf" <<EOF
# Private Dovecot instance written by mailspec targets/real/start.sh.
# Only accounts, ports, paths, TLS, logging and limits that slow a test run
# differ from Debian's defaults; see targets/real/README.md.

# Paths: everything under $DIR.
instance_name = mailspec-$(basename "$DIR")
base_dir = $dc/run
state_dir = $dc/state
log_path = $dc/dovecot.log
info_log_path = $dc/dovecot.log

# Ports: loopback only.
listen = 127.0.0.1
protocols = imap pop3 lmtp

# TLS: the certificate made by start.sh. Debian's ssl_dh, as shipped.
ssl = yes
ssl_cert = <$DIR/tls/server.pem
ssl_key = <$DIR/tls/server.key
$dh_conf

# Mail: maildir under $DIR/mail, owned by the existing user "$mail_user".
mail_location = maildir:~/Maildir
mail_uid = $mail_uid
mail_gid = $mail_gid
first_valid_uid = $mail_uid
first_valid_gid = $mail_gid

# Debian's mailbox layout, as shipped (10-mail.conf, 15-mailboxes.conf).
namespace inbox {
  inbox = yes
}
$mailboxes_conf

# Accounts: alice, bob and carol @$domain with passwords made per start.
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $dc/users
}
userdb {
  driver = passwd-file
  args = username_format=%Lu $dc/users
}
# Logging only: log why an authentication failed (never the password).
auth_verbose = yes

# Timing: no 2 s pause after a failed authentication (default 2 secs),
# and no anvil "authentication penalty" (2, 4, 8, then 15 s per failure
# from one IP, and every test connects from 127.0.0.1); disabling its
# socket is the documented way to turn it off.
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port[imap]}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${port[imaps]}
    ssl = yes
  }
  # Limits: keep a few login processes ready (default 0).
  process_min_avail = 2
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${port[pop3]}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${port[pop3s]}
    ssl = yes
  }
  process_min_avail = 2
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${port[lmtp]}
  }
}
service auth {
  # SASL for Postfix's smtpd (smtpd_sasl_type = dovecot).
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}

# Limits: every test connects from 127.0.0.1 (default 10 per user and IP).
protocol imap {
  mail_max_userip_connections = 100
}
protocol pop3 {
  mail_max_userip_connections = 100
}
EOF

auth_socket=$dc/run/auth-postfix
((${#auth_socket} < 100)) || die "DIR is too long for a unix socket path: $auth_socket"

doveconf -c "$dc/dovecot.conf" -n >/dev/null 2>"$dc/doveconf.err" || {
	cat "$dc/doveconf.err" >&2
	die "Dovecot rejects $dc/dovecot.conf"
}

### Postfix #################################################################

pf=$DIR/postfix
# The configuration directory must hold root-owned files only: Postfix's
# start-up check walks it and warns about the queue if it is inside.
pfc=$pf/conf
for a in "${accounts[@]}"; do
	printf '%s@%s OK\n' "$a" "$domain"
done >"$pfc/vmailbox"
# RFC 5321 section 4.5.1: a domain's mail system MUST accept "postmaster".
printf 'postmaster@%s alice@%s\n' "$domain" "$domain" >"$pfc/virtual"

cat >"$pfc/main.cf" <<EOF
# Private Postfix instance written by mailspec targets/real/start.sh.
# Only accounts, ports, paths, TLS, logging and timing/limits that slow a
# test run differ from Debian's shipped main.cf; see targets/real/README.md.

# As in Debian's main.cf template (/usr/share/postfix/main.cf.debian).
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6

# Paths: everything under $DIR; no syslog here, so log to a file.
config_directory = $pfc
queue_directory = $pf/queue
data_directory = $pf/data
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
syslog_name = postfix-mailspec

# Ports and addresses: loopback, IPv4 only; the services are in master.cf.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.$domain
mydomain = $domain
myorigin = \$mydomain

# Accounts: no local delivery; $domain is a virtual mailbox domain whose
# mail goes by LMTP to Dovecot. Unknown recipients are refused at RCPT.
mydestination =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
virtual_mailbox_domains = $domain
virtual_mailbox_maps = texthash:$pfc/vmailbox
virtual_alias_maps = texthash:$pfc/virtual
virtual_transport = lmtp:inet:127.0.0.1:${port[lmtp]}

# The test client on 127.0.0.1 is a stranger, not a trusted network (the
# default would let loopback relay anywhere), and no mail leaves this host.
mynetworks =
default_transport = error:outbound mail is disabled in this test instance
relay_transport = error:outbound mail is disabled in this test instance

# TLS: the certificate made by start.sh; STARTTLS offered on the smtp port.
smtpd_tls_cert_file = $DIR/tls/server.pem
smtpd_tls_key_file = $DIR/tls/server.key
smtpd_tls_security_level = may

# SASL through Dovecot; enabled on submission and smtps only (master.cf).
smtpd_sasl_type = dovecot
smtpd_sasl_path = $auth_socket

# Timing and limits that slow a test run (Postfix's default in brackets).
# [1s] no pause before each error reply:
smtpd_error_sleep_time = 0
# [10] no growing pause after many errors (above the hard limit: never):
smtpd_soft_error_limit = 10000
# [20] a fuzzer's session survives many errors:
smtpd_hard_error_limit = 1000
# [50] every test connects from 127.0.0.1; 0 = no limit:
smtpd_client_connection_count_limit = 0
# [0] no anvil connection rate limit (the default, stated):
smtpd_client_connection_rate_limit = 0
# [1s] no pause per message when delivery lags behind arrival:
in_flow_delay = 0
EOF

cat >"$pfc/master.cf" <<EOF
# Private Postfix instance written by mailspec targets/real/start.sh.
# Debian's services with chroot "n" (paths under $DIR), and the three
# listeners on 127.0.0.1 high ports.
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:${port[smtp]} inet n - n - - smtpd
127.0.0.1:${port[submission]} inet n - n - - smtpd
  -o syslog_name=postfix-mailspec/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
127.0.0.1:${port[smtps]} inet n - n - - smtpd
  -o syslog_name=postfix-mailspec/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_reject_unlisted_recipient=no
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o milter_macro_daemon_name=ORIGINATING
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

### Fuzz-only configuration (MAILSPEC_FUZZ_CONFIG=1) #######################

# For mailspec fuzz only, never for conformance runs: it lifts Postfix's
# limits that end a session after many errors, and makes connections,
# logins and concurrent sessions of one account cheap in Dovecot (whose
# bad-command disconnects are built in). See "The fuzz-only
# configuration" in targets/real/README.md.
if [[ "${MAILSPEC_FUZZ_CONFIG:-}" == 1 ]]; then
	cat >>"$dc/dovecot.conf" <<EOF

# MAILSPEC_FUZZ_CONFIG=1: fuzz-only settings (targets/real/README.md).
# Login and mail processes serve many connections one after the other
# (default: one each, a fork and exec per login), and the auth service
# takes the clients that allows (default 1000).
service imap-login {
  service_count = 0
}
service pop3-login {
  service_count = 0
}
service imap {
  service_count = 0
  process_min_avail = 4
}
service pop3 {
  service_count = 0
}
service auth {
  client_limit = 4096
}
# The fuzzer's APPENDs and EXPUNGEs need no durability; sdbox locks with
# fcntl where maildir polls a dotlock, which stalls the fuzzer's many
# concurrent sessions of one INBOX for tens of milliseconds.
mail_fsync = never
mail_location = sdbox:~/sdbox
# Many workers, two connections each, all alice@127.0.0.1 (above: 100).
protocol imap {
  mail_max_userip_connections = 1000
}
protocol pop3 {
  mail_max_userip_connections = 1000
}
EOF
	doveconf -c "$dc/dovecot.conf" -n >/dev/null 2>"$dc/doveconf.err" || {
		cat "$dc/doveconf.err" >&2
		die "Dovecot rejects the fuzz-only settings in $dc/dovecot.conf"
	}
	# Postfix: [20, above 1000] no disconnect after many errors (a fuzzer
	# makes little else); [100] none after many NOOP, VRFY, ETRN, RSET.
	postconf -c "$pfc" -e smtpd_hard_error_limit=1000000 smtpd_junk_command_limit=1000000
fi

# Postfix re-reads a main.cf or a texthash map until its mtime is over a
# second old (in case it is still being written): backdating the files we
# just wrote saves a pause of 0.3-2 s in every postconf, postfix and smtpd.
touch -d "@$((EPOCHSECONDS - 10))" "$pfc/main.cf" "$pfc/master.cf" "$pfc/vmailbox" "$pfc/virtual"

max_size=$(postconf -c "$pfc" -h message_size_limit)

### Profile and environment #################################################

{
	cat <<EOF
# One mail system under test: Debian's Dovecot and Postfix, started by
# targets/real/start.sh in $DIR.
name: dovecot-postfix
endpoints:
  - url: smtp://127.0.0.1:${port[smtp]}
  - url: submission://127.0.0.1:${port[submission]}
    tls_required_for_auth: true
  - url: smtps://127.0.0.1:${port[smtps]}
  - url: imap://127.0.0.1:${port[imap]}
  - url: imaps://127.0.0.1:${port[imaps]}
  - url: pop3://127.0.0.1:${port[pop3]}
  - url: pop3s://127.0.0.1:${port[pop3s]}
accounts:
EOF
	for a in "${accounts[@]}"; do
		cat <<EOF
  - user: "$a@$domain"
    password: "${password[$a]}"
    address: "$a@$domain"
    disposable: true
EOF
	done
	cat <<EOF
claims:
  max_message_size: $max_size
tls:
  insecure: false
  ca_file: "$DIR/ca.pem"
  server_name: localhost
EOF
} >"$DIR/profile.yaml"
# It holds the passwords: readable by root, or by the user who ran sudo.
chown "${SUDO_UID:-0}:${SUDO_GID:-0}" "$DIR/profile.yaml"
chmod 0600 "$DIR/profile.yaml"

{
	printf 'export MAILSPEC_PROFILE=%q\n' "$DIR/profile.yaml"
	printf 'export MAILSPEC_REAL_SERVERS=1\n'
	printf 'export MAILSPEC_REAL_DIR=%q\n' "$DIR"
	for name in smtp submission smtps imap imaps pop3 pop3s lmtp; do
		printf 'export MAILSPEC_%s_PORT=%d\n' "${name^^}" "${port[$name]}"
	done
} >"$DIR/env"

### Start and wait ##########################################################

started=0
on_exit() {
	if ((!started)); then
		log "servers' logs follow"
		for f in "$dc/start.out" "$dc/dovecot.log" "$pf/start.out" "$pf/maillog"; do
			if [[ -s "$f" ]]; then
				printf '==> %s <==\n' "$f" >&2
				tail -n 60 "$f" >&2
			fi
		done
		"$here/stop.sh" "$DIR" >&2 || true
	fi
}
trap on_exit EXIT

# greeting PORT TLS WANT QUIT succeeds when the server on PORT sends a first
# line starting with WANT (over TLS verified against ca.pem when TLS is 1),
# then sends QUIT and lets the server close.
greeting() {
	local p=$1 tls=$2 want=$3 quit=$4 line
	if ((tls)); then
		line=$(printf '%s\r\n' "$quit" |
			timeout 5 openssl s_client -connect "127.0.0.1:$p" -servername localhost \
				-verify_hostname localhost -CAfile "$DIR/ca.pem" -verify_return_error -quiet 2>/dev/null |
			head -n 1) || true
	else
		# shellcheck disable=SC2016 # $1 and $2 expand in the inner shell
		line=$(timeout 5 bash -c '
			exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
			IFS= read -r -t 4 l <&3 || exit 1
			printf "%s\r\n" "$2" >&3
			printf "%s\n" "$l"' _ "$p" "$quit" 2>/dev/null) || true
	fi
	[[ "$line" == "$want"* ]]
}

# wait_greetings PIDFILE SPEC... waits until every SPEC (NAME:TLS:WANT:QUIT)
# greets, failing if the master named by PIDFILE dies or time runs out.
wait_greetings() {
	local pidfile=$1 spec name tls want quit pid
	shift
	local -a pending=("$@") left
	local deadline=$((SECONDS + timeout_secs))
	while ((${#pending[@]})); do
		left=()
		for spec in "${pending[@]}"; do
			IFS=: read -r name tls want quit <<<"$spec"
			greeting "${port[$name]}" "$tls" "$want" "$quit" || left+=("$spec")
		done
		pending=("${left[@]+"${left[@]}"}")
		((${#pending[@]})) || break
		if [[ -s "$pidfile" ]]; then
			pid=$(tr -dc '0-9' <"$pidfile")
			[[ -d "/proc/$pid" ]] || die "the master process ($pidfile, PID $pid) died"
		fi
		if ((SECONDS >= deadline)); then
			left=()
			for spec in "${pending[@]}"; do
				left+=("${spec%%:*} (127.0.0.1:${port[${spec%%:*}]})")
			done
			die "no greeting within ${timeout_secs}s from: ${left[*]}"
		fi
		sleep 0.1
	done
}

# Dovecot first: Postfix delivers to its LMTP and authenticates through it.
# Dovecot's master (and its log process) keep the stderr they were given:
# hand them a file, or a caller that pipes start.sh never sees EOF.
dovecot -c "$dc/dovecot.conf" </dev/null >"$dc/start.out" 2>&1 || die "dovecot did not start"
wait_greetings "$dc/run/master.pid" \
	'imap:0:* OK:a LOGOUT' 'imaps:1:* OK:a LOGOUT' \
	'pop3:0:+OK:QUIT' 'pop3s:1:+OK:QUIT' 'lmtp:0:220 :QUIT'
[[ -S "$auth_socket" ]] || die "Dovecot's auth socket $auth_socket is missing"
tr -dc '0-9' <"$dc/run/master.pid" >"$DIR/dovecot.pid"
echo >>"$DIR/dovecot.pid"

# Postfix: "postfix start" checks the configuration, creates the queue tree
# with the right owners and starts the master daemon.
postfix -c "$pfc" start </dev/null >"$pf/start.out" 2>&1 || die "postfix did not start"
wait_greetings "$pf/queue/pid/master.pid" \
	'smtp:0:220 :QUIT' 'submission:0:220 :QUIT' 'smtps:1:220 :QUIT'
tr -dc '0-9' <"$pf/queue/pid/master.pid" >"$DIR/postfix.pid"
echo >>"$DIR/postfix.pid"

started=1
log "Dovecot and Postfix ready in $DIR (profile $DIR/profile.yaml)"
