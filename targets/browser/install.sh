#!/usr/bin/env bash
# install.sh installs the Debian packages that the reports package's
# real-browser test needs: chromium (/usr/bin/chromium) and chromium-driver
# (/usr/bin/chromedriver). It is idempotent: when both programs are there it
# returns at once. The browser comes from Debian's archive, never from a
# download of its own.
set -euo pipefail

packages=(chromium chromium-driver)

log() { printf 'install.sh: %s\n' "$*" >&2; }

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
	exit 0
fi

if [[ $EUID -ne 0 ]]; then
	log "error: /usr/bin/chromium or /usr/bin/chromedriver is missing and not running as root: run as root or install ${packages[*]} by hand"
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
	apt-get install -y --no-install-recommends --no-upgrade "${packages[@]}"
}

# Refresh the package lists only when apt does not know a package, or when
# the install fails (stale lists point at files the mirror no longer has).
need_update=0
for p in "${packages[@]}"; do
	if ! apt-cache show --no-all-versions "$p" >/dev/null 2>&1; then
		need_update=1
		break
	fi
done
if ((need_update)); then
	log "apt-get update (package lists lack: ${packages[*]})"
	apt-get update
fi
log "installing: ${packages[*]}"
if ! apt_install; then
	log "install failed; running apt-get update and retrying once"
	apt-get update
	apt_install
fi

for f in /usr/bin/chromium /usr/bin/chromedriver; do
	if [[ ! -x "$f" ]]; then
		log "error: $f is still missing after the install"
		exit 1
	fi
done
