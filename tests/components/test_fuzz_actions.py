"""Generated action data for every action of the integration: accepted in shape, or refused.

Home Assistant validates an action's data with its schema before the handler runs; whatever the
data, the schema answers with valid data or voluptuous's own refusal, never another error.
"""

# ruff: noqa: PT017 - each example may be accepted or refused; the refusal's text is checked

from __future__ import annotations

from typing import Any

import voluptuous as vol
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.qbt_bridge.services import SCHEMAS

KEYS = sorted({str(k.schema) for schema in SCHEMAS.values() for k in schema.schema})
LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=20),
)  # fmt: skip
VALUE = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


@settings(max_examples=3_000, deadline=None, derandomize=True)
@given(
    action=st.sampled_from(sorted(SCHEMAS)),
    data=st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), VALUE, max_size=6),
)
def test_every_action_takes_valid_data_or_refuses_it(action: str, data: dict[str, Any]) -> None:
    try:
        valid = SCHEMAS[action](data)
    except vol.Invalid as err:
        assert str(err)
        return
    assert isinstance(valid["config_entry_id"], str)
    for key in ("torrents", "tags", "feeds", "commands"):
        if key in valid:
            assert all(isinstance(item, str) for item in valid[key])
