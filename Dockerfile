# qbt-bridge daemon: the MQTT and Telegram fronts (qbt-bridge run), configured by a mounted file.
#   docker build -t qbt-bridge .      (or: buildah bud -t qbt-bridge .)
#   docker run -v ./config.yaml:/config/config.yaml:ro -v qbt-bridge-state:/data qbt-bridge
# See contrib/container/compose.yaml for a stack with qBittorrent and Mosquitto.
#
# The base is Debian 13 with Debian's own Python 3.13: the same base a test builds from Debian's
# packages on a machine that cannot pull images (scripts/provision-images), so the image the
# tests build and run is this file, unchanged.
FROM debian:trixie-slim

# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --no-create-home qbt-bridge \
    && mkdir -p /data /config \
    && chown qbt-bridge /data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY qbt_bridge ./qbt_bridge
# This source tree itself, with the daemon's extras (their ranges are in pyproject.toml), in a
# virtual environment of its own (Debian's Python refuses installs into the system).
# hadolint ignore=DL3013
RUN python3 -m venv /opt/qbt-bridge \
    && /opt/qbt-bridge/bin/pip install --no-cache-dir ".[daemon]" \
    && rm -rf /src

WORKDIR /data
USER 10001
ENV PATH=/opt/qbt-bridge/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    XDG_STATE_HOME=/data \
    QBT_BRIDGE_CONFIG=/config/config.yaml
VOLUME ["/data"]
# The push endpoint, when the config has a push: section listening on 0.0.0.0.
EXPOSE 8089

# Healthy while the daemon rewrites its health file and its MQTT connection is up.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["qbt-bridge", "health"]
ENTRYPOINT ["qbt-bridge"]
CMD ["run"]
