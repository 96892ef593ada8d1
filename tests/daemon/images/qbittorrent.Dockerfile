# Stand-in for lscr.io/linuxserver/qbittorrent (which cannot be pulled here): Debian's own
# qbittorrent-nox with the same layout the compose file relies on: the settings in the /config
# volume (XDG folders, as that image keeps them), downloads in /downloads, the WebUI port from
# WEBUI_PORT, curl for the "run external program" line. PUID/PGID are not read (it runs as root).
FROM debian:trixie-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        qbittorrent-nox curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /config /downloads
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/config WEBUI_PORT=8080
VOLUME ["/config"]
EXPOSE 8080 6881
CMD ["sh", "-c", "exec qbittorrent-nox --confirm-legal-notice --webui-port=\"$WEBUI_PORT\""]
