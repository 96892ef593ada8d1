"""docs/commands.md, the command reference, from the command table (scripts/generate-docs).

Per command: what it does, its arguments (kind, bounds, choices, defaults: api/describe.py), its
MQTT topic, where Home Assistant and the chat offer it (their OFFERED / NOT_OFFERED). A test
(tests/api/test_command_table.py) fails when the committed page differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from custom_components.qbt_bridge import services
from qbt_bridge.api.commands import COMMANDS
from qbt_bridge.api.describe import Argument, Kind, arguments
from qbt_bridge.mqtt.render import Topics
from qbt_bridge.telegram import front as telegram

PAGE = Path(__file__).parents[1] / "docs" / "commands.md"
INTRO = """# Command reference

Generated from the command table (`qbt_bridge/api/commands.py`) by `scripts/generate-docs`: every
command, its arguments as the table checks them, and where each front offers it. MQTT payloads
are JSON objects of these arguments (or the plain text the [MQTT page](mqtt.md#commands)
describes); Home Assistant actions take the same arguments and `config_entry_id`.
"""


def _argument(argument: Argument) -> str:
    words = [f"`{argument.name}`", "(required)" if argument.required else "(optional)"]
    kind = {
        Kind.TEXTS: "text or list of texts",
        Kind.FILE: ".torrent (raw, or base64 in JSON)",
        Kind.DURATION: "duration (`30m`, `2h`, `1d`, `1h30m`, or seconds; 1 s to 30 days)",
    }
    if argument.kind is Kind.CHOICE:
        several = "one or more of" if argument.multiple else "one of"
        words.append(f"{several} {', '.join(f'`{c}`' for c in argument.choices)}")
    else:
        words.append(kind.get(argument.kind, argument.kind.value))
    if argument.minimum is not None or argument.maximum is not None:
        low = "" if argument.minimum is None else str(argument.minimum)
        high = "" if argument.maximum is None else str(argument.maximum)
        words.append(f"{low}…{high}")
    if argument.default not in (None, ""):
        words.append(f"default `{argument.default}`")
    return " ".join(words)


def _where(offered: dict[str, str], left_out: dict[str, str], name: str) -> str:
    return offered[name] if name in offered else f"not offered: {left_out[name]}"


def commands_page() -> str:
    """The whole page."""
    topics = Topics("qbt-bridge", "homeassistant")
    parts = [INTRO]
    for name, command in COMMANDS.items():
        args = arguments(command)
        lines = [
            f"## `{name}`",
            "",
            f"{command.summary[0].upper()}{command.summary[1:]}."
            + (" Read-only." if command.read_only else ""),
            "",
            f"- MQTT: `{topics.command('INSTANCE', name)}`",
            f"- Home Assistant: {_where(services.OFFERED, services.NOT_OFFERED, name)}",
            f"- Telegram: {_where(telegram.OFFERED, telegram.NOT_OFFERED, name)}",
            "- Arguments:" + (" none" if not args else ""),
        ]
        lines += [f"    - {_argument(a)}" for a in args]
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    PAGE.write_text(commands_page(), encoding="utf-8")
    sys.stdout.write(f"wrote {PAGE}\n")
