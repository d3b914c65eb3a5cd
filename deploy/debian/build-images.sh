#!/bin/sh
# Builds, from Debian's package archive alone, the images docker-compose.yml needs when no image
# registry can be reached (README, "On a closed network"): a debian:bookworm-slim-like base made
# with debootstrap, then Python, PostgreSQL, Redis and nginx on it. deploy/debian.yml makes the
# stack use them. Needs root (debootstrap), debootstrap and a Docker engine. Set DEBIAN_MIRROR
# to the agency's mirror of the archive; run again to rebuild (the base only with REBUILD_BASE=1).
set -eu
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
here="$(cd "$(dirname "$0")" && pwd)"
base=icms-debian:bookworm-slim

if [ -n "${REBUILD_BASE:-}" ] || ! docker image inspect "$base" > /dev/null 2>&1; then
    root="$(mktemp -d)"
    trap 'rm -rf "$root"' EXIT
    echo "Making $base with debootstrap from $mirror"
    debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1 \
        || { tail -n 20 "$root.log" >&2; exit 1; }
    rm -f "$root.log"
    # As Debian's official images: no recommended packages, no package lists kept.
    printf 'APT::Install-Recommends "false";\n' > "$root/etc/apt/apt.conf.d/90icms"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
    tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$base" > /dev/null
fi

echo "Building icms-python:3.11, icms-postgres:15, icms-redis:7 and icms-nginx:1.22"
docker compose --file "$here/images.yml" build --quiet
