"""The MQTT front: retained state, events, commands with answers, Home Assistant discovery.

``MqttFront`` is imported on first use (aiomqtt and paho are not loaded for a daemon without an
``mqtt:`` section; the config reads ``mqtt.settings`` either way).
"""

from typing import TYPE_CHECKING, Any

from qbt_bridge.mqtt.render import Topics

if TYPE_CHECKING:
    from qbt_bridge.mqtt.front import MqttFront

__all__ = ["MqttFront", "Topics"]


def __getattr__(name: str) -> Any:
    if name == "MqttFront":
        from qbt_bridge.mqtt.front import MqttFront  # noqa: PLC0415

        return MqttFront
    raise AttributeError(name)
