#!/usr/bin/env bash
# Install what tests/container_engine.py needs to build and run images without a Docker daemon:
# Podman (+ runc, which must be used instead of crun on hybrid-cgroup hosts) and debootstrap (the
# local python:X.Y-slim stand-in image). Idempotent: when everything is installed it only checks
# dpkg and exits (no apt-get update). Run as root on Debian 12; non-interactive.
#
# Packages and why (measured on Debian 12 bookworm, root, no systemd):
#   podman, runc      the engine; runc because crun fails ("cgroups in hybrid mode not supported";
#                     apt still installs crun for podman's "crun | runc", harmless)
#   catatonit         `--init` (podman run --init, compose `init: true`) to forward SIGTERM
#   netavark, aardvark-dns, iptables
#                     bridge networks, port publishing and service-name DNS between containers
#   debootstrap       the bookworm rootfs of the python:X.Y-slim stand-in
#   buildah, fuse-overlayfs, uidmap
#                     not needed for root with native overlay, kept for rootless/buildah users
set -euo pipefail

PACKAGES=(podman runc catatonit netavark aardvark-dns iptables debootstrap buildah fuse-overlayfs uidmap)

log() { printf '[install-container-engine] %s\n' "$*"; }

if [[ ${EUID} -ne 0 ]]; then
    log "must run as root (apt-get)" >&2
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "${pkg}" 2>/dev/null || true)
    if [[ ${status} != ii* ]]; then
        missing+=("${pkg}")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "already installed: ${PACKAGES[*]}"
else
    export DEBIAN_FRONTEND=noninteractive
    log "installing: ${missing[*]}"
    # No recommends: they would add crun, systemd, dbus, criu, tini... (~200 packages).
    apt_opts=(-y -q --no-install-recommends
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    log "apt-get update"
    apt-get update -q </dev/null >/dev/null
    apt-get install "${apt_opts[@]}" "${missing[@]}" </dev/null >/dev/null
    log "installed: ${missing[*]}"
fi

log "$(podman --version), $(runc --version | head -n 1), debootstrap $(dpkg-query -W -f='${Version}' debootstrap)"
if docker_info=$(docker info --format '{{.ServerVersion}}' 2>/dev/null) && [[ -n ${docker_info} ]]; then
    log "note: a Docker daemon answers (${docker_info}); tests will use it instead of podman"
fi
