#!/bin/sh
# As the official redis image: own /data, run as the redis user, and (with no config file)
# listen on every address without protected mode; only the compose network reaches it.
set -eu
if [ "${1:-}" = redis-server ]; then
    shift
    set -- redis-server --bind "* -::*" --protected-mode no "$@"
fi
if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
