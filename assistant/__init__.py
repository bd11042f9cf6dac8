"""金沢市DXアクションプラン2.0 question-answering assistant."""

from .engine import Assistant
from .errors import AssistantError, InputError
from .models import Answer, Citation

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "InputError"]
