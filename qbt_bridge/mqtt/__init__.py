"""The MQTT front: retained state, events, commands with answers, Home Assistant discovery."""

from qbt_bridge.mqtt.front import MqttFront
from qbt_bridge.mqtt.render import Topics

__all__ = ["MqttFront", "Topics"]
