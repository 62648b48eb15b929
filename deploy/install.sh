#!/bin/sh
# Installs the Bosun agent as a systemd service: user `bosun`, data in /var/lib/bosun, config in /etc/bosun.
# Usage: sudo deploy/install.sh [BINARY] --node NAME [--server URL]
#   BINARY defaults to .build/release/bosun-agent (built by `make agent-release`).
# Run again to upgrade the binary; an existing /etc/bosun/agent.json is kept.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
binary="$here/../.build/release/bosun-agent"
node=""
server="nats://127.0.0.1:4222"
while [ $# -gt 0 ]; do
    case "$1" in
        --node) node="$2"; shift 2 ;;
        --server) server="$2"; shift 2 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) binary="$1"; shift ;;
    esac
done

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
[ -x "$binary" ] || { echo "install.sh: no agent binary at $binary (run make agent-release)" >&2; exit 1; }

missing=""
for package in libnats3.4 libsqlite3-0 libcurl4; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

getent group bosun >/dev/null || groupadd --system bosun
getent passwd bosun >/dev/null ||
    useradd --system --gid bosun --home-dir /var/lib/bosun --no-create-home --shell /usr/sbin/nologin bosun
install -d -o bosun -g bosun -m 0750 /var/lib/bosun
install -d -o root -g bosun -m 0750 /etc/bosun
install -o root -g root -m 0755 "$binary" /usr/local/bin/bosun-agent

if [ ! -e /etc/bosun/agent.json ]; then
    [ -n "$node" ] || node=$(hostname -s | tr -c 'A-Za-z0-9_\n-' '-')
    cat >/etc/bosun/agent.json <<JSON
{
  "node": "$node",
  "server": "$server",
  "allowDirs": []
}
JSON
    chown root:bosun /etc/bosun/agent.json
    chmod 0640 /etc/bosun/agent.json
    echo "install.sh: wrote /etc/bosun/agent.json for node $node"
fi

install -o root -g root -m 0644 "$here/bosun-agent.service" /etc/systemd/system/bosun-agent.service
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable bosun-agent.service
    systemctl restart bosun-agent.service
    echo "install.sh: bosun-agent is running (journalctl -u bosun-agent)"
else
    echo "install.sh: installed; systemd is not running here, start it with: systemctl enable --now bosun-agent"
fi
