"""Frame → answer: one module per answer kind, picked by the router; every fact from a cited record."""

from .base import Draft, Records
from .router import route
from .subject import own_subject

__all__ = ["Draft", "Records", "own_subject", "route"]
