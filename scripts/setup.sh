#!/usr/bin/env bash
# Installs what Bosun needs on a Debian/Ubuntu machine, only what is missing.
# `setup.sh screenshots` also installs what scripts/screenshots.sh needs to draw PNGs (Pillow, DejaVu fonts).
set -euo pipefail

packages=(nats-server libnats-dev libssl-dev libsqlite3-dev libsodium-dev libncursesw5-dev libcurl4-openssl-dev pkg-config tmux curl)
if [[ "${1:-}" == "screenshots" ]]; then packages+=(python3-pil fonts-dejavu-core); fi
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "setup: swift 6.1 or later must be on PATH (https://swift.org/install)"; exit 1; }
# The integration tests make NATS NKeys and JWTs with PyPI's nkeys, and TLS certificates with openssl.
command -v openssl >/dev/null || { echo "setup: openssl must be on PATH"; exit 1; }
if ! python3 -c "import nkeys" 2>/dev/null; then
    echo "setup: installing the nkeys Python package"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        sudo_cmd=""
        if [[ $(id -u) -ne 0 ]]; then sudo_cmd="sudo"; fi
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-pip
    fi
    # Debian's own Python refuses pip installs outside a virtual environment unless told otherwise.
    python3 -m pip install --quiet nkeys 2>/dev/null || python3 -m pip install --quiet --break-system-packages nkeys
fi
