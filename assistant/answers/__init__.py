"""Frame → answer: one module per answer kind, picked by the router; every fact from a cited record."""

from .base import Draft, Records
from .router import own_subject, route

__all__ = ["Draft", "Records", "own_subject", "route"]
