"""Input checks shared by every entry point: empty, too long, control characters, markup."""

from __future__ import annotations

import re
import unicodedata

from ..errors import ControlCharacterError, EmptyQuestionError, MarkupError, QuestionTooLongError

MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:|on\w+\s*=", re.IGNORECASE)


def validate(question: object, limit: int) -> str:
    """The question as clean text, or an InputError saying what is wrong with it."""
    if not isinstance(question, str) or not question.strip():
        raise EmptyQuestionError()
    if len(question) > limit:
        raise QuestionTooLongError(limit)
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t\r" for c in question):
        raise ControlCharacterError()
    if MARKUP.search(question):
        raise MarkupError()
    return question.strip()
