#!/bin/sh
# Installs the Bosun agent as a systemd service: user `bosun`, data in /var/lib/bosun, config in /etc/bosun.
# Usage: sudo deploy/install.sh [BINARY] --node NAME [--server URL] [--trust KEY]... [--trust-file FILE]...
#            [--nkey KEY --nkey-seed FILE]
#   BINARY defaults to .build/release/bosun-agent (built by `make agent-release`).
#   --trust KEY: run what this key signed (`bosun keys show` on the central node prints it); repeatable.
#   --trust-file FILE: every key in FILE (one per line, # comments); repeatable.
#   Keys given replace /etc/bosun/trusted-keys; without any, an existing file is kept.
#   --nkey KEY --nkey-seed FILE: the node's NATS user, as `bosun nats-users` printed it; the seed is copied to
#   /etc/bosun/nats.nk and /etc/bosun/agent.env gives the agent both.
# Run again to upgrade the binary; an existing /etc/bosun/agent.json is kept.
# DESTDIR=DIR stages the files under DIR (for an image or a package): no packages, user, ownership or systemctl.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
binary="$here/../.build/release/bosun-agent"
node=""
server="nats://127.0.0.1:4222"
root="${DESTDIR:-}"
keys=""
trusted=no
nkey=""
nkey_seed=""

fail() { echo "install.sh: $*" >&2; exit 1; }

# A public key as `bosun keys show` prints it: 32 bytes of ed25519, base64 (44 characters ending in `=`).
check_key() {
    printf '%s\n' "$2" | grep -Eq '^[A-Za-z0-9+/]{43}=$' &&
        [ "$(printf '%s' "$2" | base64 -d 2>/dev/null | wc -c)" -eq 32 ] ||
        fail "$1: not a public key (base64 ed25519, as \`bosun keys show\` prints it): $2"
}

add_key() {
    check_key "$1" "$2"
    keys="$keys$2
"
    trusted=yes
}

add_file() {
    [ -r "$1" ] && [ -f "$1" ] || fail "--trust-file $1: cannot be read"
    number=0
    while IFS= read -r line || [ -n "$line" ]; do
        number=$((number + 1))
        key=$(printf '%s' "${line%%#*}" | tr -d ' \t\r')
        [ -z "$key" ] || add_key "--trust-file $1, line $number" "$key"
    done <"$1"
    trusted=yes
}

while [ $# -gt 0 ]; do
    case "$1" in
        --node|--server|--trust|--trust-file|--nkey|--nkey-seed) [ $# -ge 2 ] || fail "$1 needs a value" ;;
    esac
    case "$1" in
        --node) node="$2"; shift 2 ;;
        --server) server="$2"; shift 2 ;;
        --trust) add_key "--trust" "$2"; shift 2 ;;
        --trust-file) add_file "$2"; shift 2 ;;
        --nkey) nkey="$2"; shift 2 ;;
        --nkey-seed) nkey_seed="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        -*) fail "unknown option $1 (see --help)" ;;
        *) binary="$1"; shift ;;
    esac
done

if [ -n "$nkey$nkey_seed" ]; then
    [ -n "$nkey" ] && [ -n "$nkey_seed" ] || fail "--nkey and --nkey-seed go together (bosun nats-users prints both)"
    printf '%s\n' "$nkey" | grep -Eq '^U[A-Z2-7]{55}$' || fail "--nkey: not a NATS user public key (U…, 56 characters): $nkey"
    [ -r "$nkey_seed" ] && [ -f "$nkey_seed" ] || fail "--nkey-seed $nkey_seed: cannot be read"
    grep -Eq '^SU[A-Z2-7]{56}$' "$nkey_seed" || fail "--nkey-seed $nkey_seed: not a NATS user seed (SU…)"
fi

[ -n "$root" ] || [ "$(id -u)" -eq 0 ] || fail "run as root (sudo)"
[ -x "$binary" ] || fail "no agent binary at $binary (run make agent-release)"

# `own OWNER:GROUP` sets ownership for install(1), except when staging (the user may not exist there yet).
own() { [ -n "$root" ] || printf -- '-o %s -g %s' "${1%%:*}" "${1##*:}"; }

if [ -z "$root" ]; then
    missing=""
    for package in libnats3.4 libsqlite3-0 libsodium23 libcurl4; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
    done
    if [ -n "$missing" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
    fi
    getent group bosun >/dev/null || groupadd --system bosun
    getent passwd bosun >/dev/null ||
        useradd --system --gid bosun --home-dir /var/lib/bosun --no-create-home --shell /usr/sbin/nologin bosun
fi
install -d $(own bosun:bosun) -m 0750 "$root/var/lib/bosun"
install -d $(own root:bosun) -m 0750 "$root/etc/bosun"
[ -z "$root" ] || install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system"
install $(own root:root) -m 0755 "$binary" "$root/usr/local/bin/bosun-agent"

if [ ! -e "$root/etc/bosun/agent.json" ]; then
    [ -n "$node" ] || node=$(hostname -s | tr -c 'A-Za-z0-9_\n-' '-')
    cat >"$root/etc/bosun/agent.json" <<JSON
{
  "node": "$node",
  "server": "$server",
  "allowDirs": []
}
JSON
    [ -n "$root" ] || chown root:bosun /etc/bosun/agent.json
    chmod 0640 "$root/etc/bosun/agent.json"
    echo "install.sh: wrote /etc/bosun/agent.json for node $node"
fi

# The unit starts the agent with --trust /etc/bosun/trusted-keys: the file always exists, empty until keys are given.
if [ "$trusted" = yes ] || [ ! -e "$root/etc/bosun/trusted-keys" ]; then
    {
        echo "# Public keys whose signed messages this agent runs, one per line (written by install.sh)."
        printf '%s' "$keys" | awk '!seen[$0]++'
    } >"$root/etc/bosun/trusted-keys"
    [ -n "$root" ] || chown root:bosun /etc/bosun/trusted-keys
    chmod 0640 "$root/etc/bosun/trusted-keys"
    count=$(printf '%s' "$keys" | sort -u | grep -c . || true)
    echo "install.sh: wrote /etc/bosun/trusted-keys ($count keys)"
fi

# The unit reads BOSUN_AGENT_NATS (extra NATS options) from /etc/bosun/agent.env when it exists.
if [ -n "$nkey" ]; then
    install $(own root:bosun) -m 0640 "$nkey_seed" "$root/etc/bosun/nats.nk"
    echo "BOSUN_AGENT_NATS=--nkey $nkey --nkey-seed /etc/bosun/nats.nk" >"$root/etc/bosun/agent.env"
    [ -n "$root" ] || chown root:bosun /etc/bosun/agent.env
    chmod 0640 "$root/etc/bosun/agent.env"
    echo "install.sh: wrote /etc/bosun/nats.nk and /etc/bosun/agent.env (NATS user $nkey)"
fi

install $(own root:root) -m 0644 "$here/bosun-agent.service" "$root/etc/systemd/system/bosun-agent.service"
if [ -n "$root" ]; then
    echo "install.sh: staged under $root; on the machine: systemctl enable --now bosun-agent"
elif [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable bosun-agent.service
    systemctl restart bosun-agent.service
    echo "install.sh: bosun-agent is running (journalctl -u bosun-agent)"
else
    echo "install.sh: installed; systemd is not running here, start it with: systemctl enable --now bosun-agent"
fi
