"""What each button does, as typed data.

python-telegram-bot keeps the object behind the button (arbitrary callback data) and routes a
press by its type to one handler.

``write`` says whether pressing it changes something: a read-only user is never shown such a
button, and a press of one is refused anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton

Back = tuple[str, int] | None  # the list page (filter, page) a torrent's view came from


@dataclass(frozen=True, slots=True)
class Button:
    """A button of one instance's message."""

    instance: str
    write: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class ListPage(Button):
    """A page of /list (or of the list to pick a torrent from, for ``pick``)."""

    query: str
    page: int
    pick: str | None = None
    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Info(Button):
    """A torrent's details (also its Refresh and Cancel buttons)."""

    torrent: str
    back: Back = None
    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class TorrentVerb(Button):
    """Pause, resume or recheck one torrent."""

    verb: str
    torrent: str
    back: Back = None


@dataclass(frozen=True, slots=True)
class AskDelete(Button):
    """Ask how to delete a torrent."""

    torrent: str
    back: Back = None


@dataclass(frozen=True, slots=True)
class Delete(Button):
    """Delete a torrent, with or without its files."""

    torrent: str
    with_files: bool
    back: Back = None


@dataclass(frozen=True, slots=True)
class SetCategory(Button):
    """Put torrents just added into a category."""

    torrents: tuple[str, ...]
    name: str


@dataclass(frozen=True, slots=True)
class CategoryMenu(Button):
    """One torrent's category: the server's categories to pick from."""

    torrent: str
    back: Back = None


@dataclass(frozen=True, slots=True)
class PickCategory(Button):
    """Put one torrent into a category ("" takes it out of its category)."""

    torrent: str
    name: str
    back: Back = None


@dataclass(frozen=True, slots=True)
class TagsMenu(Button):
    """One torrent's tags: the server's tags, each a toggle."""

    torrent: str
    back: Back = None


@dataclass(frozen=True, slots=True)
class ToggleTag(Button):
    """Tag or untag one torrent."""

    torrent: str
    tag: str
    add: bool
    back: Back = None


@dataclass(frozen=True, slots=True)
class NewLabel(Button):
    """Ask for a new category or tag for one torrent: the next message is its name."""

    torrent: str
    kind: str  # "category" or "tag"
    back: Back = None


@dataclass(frozen=True, slots=True)
class AskRemoveCategory(Button):
    """Ask before removing a category."""

    name: str


@dataclass(frozen=True, slots=True)
class RemoveCategory(Button):
    """Remove a category (after the question)."""

    name: str


@dataclass(frozen=True, slots=True)
class CategoriesView(Button):
    """The category list (also the Cancel of a removal)."""

    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class FilesPage(Button):
    """A page of one torrent's files."""

    torrent: str
    page: int
    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class FilePriorityButton(Button):
    """Give one file (or, with ``index`` None, every file) of a torrent a priority."""

    torrent: str
    index: int | None
    priority: str
    page: int


@dataclass(frozen=True, slots=True)
class SearchResultsPage(Button):
    """A page of a search's results."""

    job: int
    pattern: str
    page: int
    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class SearchAdd(Button):
    """Add one search result."""

    job: int
    index: int


@dataclass(frozen=True, slots=True)
class RssOverview(Button):
    """The RSS rules with their buttons (also the Cancel of a delete)."""

    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class RssToggle(Button):
    """Enable or disable an RSS rule."""

    name: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class AskRssDelete(Button):
    """Ask before deleting an RSS rule."""

    name: str


@dataclass(frozen=True, slots=True)
class RssDelete(Button):
    """Delete an RSS rule (after the question)."""

    name: str


# The buttons' "for a while": seconds and their label.
FOR_A_WHILE = ((1800, "30 min"), (3600, "1 h"), (7200, "2 h"))


@dataclass(frozen=True, slots=True)
class AltFor(Button):
    """Alternative speed on or off: for good (``seconds`` None) or for a while."""

    enabled: bool
    seconds: int | None = None


@dataclass(frozen=True, slots=True)
class PauseAllFor(Button):
    """Pause all for a while: what pause all paused resumes at its end."""

    seconds: int


@dataclass(frozen=True, slots=True)
class NotifyToggle(Button):
    """Turn an event kind on or off for the chat ("own": the torrents added from it).

    Read-only users may press it: it changes only what their chat is told.
    """

    kind: str
    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class WatchPage(Button):
    """Another page of the live /watch message."""

    page: int
    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class WatchStop(Button):
    """Stop the live /watch message."""

    write: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class UseInstance(Button):
    """Make this chat talk to the button's instance."""

    write: ClassVar[bool] = False


def key(label: str, button: Button) -> InlineKeyboardButton:
    """An inline button that carries ``button`` as its (typed) callback data."""
    return InlineKeyboardButton(label, callback_data=button)
