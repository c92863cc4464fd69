"""
The domain's clock. Services read the time here so that the demo seeder can write a realistic past
(timelines are append-only and their MACs cover the timestamps, so the past cannot be patched in
afterwards). A context variable keeps the override local to the thread that set it.
"""

import contextlib
import contextvars

from django.utils import timezone

_instante = contextvars.ContextVar("instante", default=None)


def agora():
    return _instante.get() or timezone.now()


def hoje():
    return timezone.localdate(agora())


@contextlib.contextmanager
def em(instante):
    token = _instante.set(instante)
    try:
        yield
    finally:
        _instante.reset(token)
