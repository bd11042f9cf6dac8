"""Question (+ conversation state) → Frame: normalise, slots, intent, one retrieval pass, references."""

from .conversation import State, as_shown, resolve, shown_rows, user_turns
from .frame import Frame, understand
from .validate import validate

__all__ = ["Frame", "State", "as_shown", "resolve", "shown_rows", "understand", "user_turns", "validate"]
