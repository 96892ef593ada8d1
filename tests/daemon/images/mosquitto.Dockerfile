# Stand-in for eclipse-mosquitto (which cannot be pulled here): Debian's own mosquitto, started
# as that image starts it, with its configuration at /mosquitto/config/mosquitto.conf.
FROM debian:trixie-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /mosquitto/config /mosquitto/data /mosquitto/log
EXPOSE 1883
CMD ["mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]
