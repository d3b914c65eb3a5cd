# nginx from Debian's packages (bookworm: 1.22), as the official image runs it for ICMS: the
# site in /etc/nginx/conf.d/default.conf, logs to the container's output, curl for the health
# check.
ARG DEBIAN_IMAGE=icms-debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80 443
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
