# qbt-bridge daemon: the MQTT and Telegram fronts (qbt-bridge run), configured by a mounted file.
#   docker build -t qbt-bridge .
#   docker run -v ./config.yaml:/config/config.yaml:ro -v qbt-bridge-state:/data qbt-bridge
# See contrib/container/compose.yaml for a stack with qBittorrent and Mosquitto.
FROM python:3.13-slim-bookworm

# A user of its own; the state (completion ledger, health file) lives in the /data volume.
RUN useradd --system --uid 10001 --home-dir /data --no-create-home qbt-bridge \
    && mkdir -p /data /config \
    && chown qbt-bridge /data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY qbt_bridge ./qbt_bridge
# This source tree itself, with the daemon's extras (their ranges are in pyproject.toml).
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[daemon]" \
    && rm -rf /src

WORKDIR /data
USER 10001
ENV PYTHONUNBUFFERED=1 \
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
