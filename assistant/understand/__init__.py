"""Question (+ conversation state) → Frame: normalise, slots, intent, one retrieval pass, references."""

from .conversation import State, resolve, user_turns
from .frame import Frame, understand
from .validate import validate

__all__ = ["Frame", "State", "resolve", "understand", "user_turns", "validate"]
