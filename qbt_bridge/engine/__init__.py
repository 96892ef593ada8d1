"""The engine: one facade per server over its store, events, refresh tiers, push and catalog.

What fronts need of the clients below (capabilities, which API a URL speaks, qbit_manage's
command names) reaches them from here, so no front imports a client.
"""

from qbt_bridge.clients import Capability, ClientKind
from qbt_bridge.clients import detect as detect_server
from qbt_bridge.clients.base import ALL_CAPABILITIES
from qbt_bridge.clients.http import normalize_url
from qbt_bridge.clients.qbit_manage import COMMANDS as MANAGE_COMMANDS
from qbt_bridge.clients.qbit_manage import check_commands as check_manage_commands
from qbt_bridge.engine.bridge import AddOutcome, Bridge, CommandResult, RefreshPolicy
from qbt_bridge.engine.factory import ServerSettings, check_server, make_bridge
from qbt_bridge.engine.manage import ManageOutcome
from qbt_bridge.engine.push import PUSH_COMMANDS

__all__ = [
    "ALL_CAPABILITIES",
    "MANAGE_COMMANDS",
    "PUSH_COMMANDS",
    "AddOutcome",
    "Bridge",
    "Capability",
    "ClientKind",
    "CommandResult",
    "ManageOutcome",
    "RefreshPolicy",
    "ServerSettings",
    "check_manage_commands",
    "check_server",
    "detect_server",
    "make_bridge",
    "normalize_url",
]
