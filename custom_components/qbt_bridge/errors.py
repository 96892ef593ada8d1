"""Engine errors as Home Assistant's translated errors."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    ConnectionFailedError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
    QbtBridgeError,
)
from qbt_bridge.core.redact import redact_text

from .const import DOMAIN


@contextlib.asynccontextmanager
async def translated() -> AsyncIterator[None]:
    """Raise an engine error as the HomeAssistantError a user can read."""
    try:
        yield
    except (NotFoundError, AmbiguousTargetError, InvalidRequestError, NotSupportedError) as err:
        # The user's input was wrong: say so, without a traceback in the log.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_request",
            translation_placeholders={"error": redact_text(str(err))},
        ) from err
    except ConnectionFailedError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="unreachable",
            translation_placeholders={"error": redact_text(str(err))},
        ) from err
    except QbtBridgeError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders={"error": redact_text(str(err))},
        ) from err
