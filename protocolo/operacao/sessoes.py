"""
Sessions in the database with the cache (Redis) in front, that outlive a cache outage.

Django's cached_db reads the database when reading the cache fails, but lets the cache's exception
through elsewhere: writing a session just read from the database back to the cache, the exists()
check behind every new session key (a lookup that grants access, a login), the delete behind
cycle_key() and logout. With Redis down those became a 500 on most pages. Here every cache call of
the session store that fails is logged as a warning and taken as a miss: the database holds every
session anyway, so nothing is lost, only the cache is skipped until it answers again.

A new key costs one write. Django checks that a random key is free (the cache, then the database)
and INSERTs it at once, and cycle_key() then leaves the data to an UPDATE at the end of the
request: three statements and two transactions for every lookup that grants access. Here a new key
is 32 random characters (165 bits) taken without the check, the old session is deleted at once as
before (session fixation protection), and the session is INSERTed once, by the save at the end of
the request; a key that already exists fails that INSERT and the save retries with another one.
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)


class _CacheTolerante:
    """The calls cached_db makes on its cache, each one a miss when the cache fails."""

    def __init__(self, cache):
        self._cache = cache

    def _falhou(self, operacao, erro):
        logger.warning(
            "Cache de sessões indisponível em %s (%s: %s); usando só o banco.", operacao, type(erro).__name__, erro
        )

    def get(self, chave, default=None):
        try:
            return self._cache.get(chave, default)
        except Exception as erro:
            self._falhou("get", erro)
            return default

    def set(self, chave, valor, timeout):
        try:
            self._cache.set(chave, valor, timeout)
        except Exception as erro:
            self._falhou("set", erro)

    def delete(self, chave):
        try:
            return self._cache.delete(chave)
        except Exception as erro:
            self._falhou("delete", erro)
            return False

    def __contains__(self, chave):
        try:
            return chave in self._cache
        except Exception as erro:
            self._falhou("exists", erro)
            return False

    async def aget(self, chave, default=None):
        try:
            return await self._cache.aget(chave, default)
        except Exception as erro:
            self._falhou("get", erro)
            return default

    async def aset(self, chave, valor, timeout):
        try:
            await self._cache.aset(chave, valor, timeout)
        except Exception as erro:
            self._falhou("set", erro)

    async def adelete(self, chave):
        try:
            return await self._cache.adelete(chave)
        except Exception as erro:
            self._falhou("delete", erro)
            return False


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CacheTolerante(self._cache)
        self._a_criar = False

    def _get_new_session_key(self):
        # No exists() check: a clash is 2**-165 and the INSERT of must_create refuses it anyway.
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self):
        """A new key now (whoever asks for session_key sees it), the old session deleted now, the
        new one written by the next save()."""
        data = self._session
        antiga = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._a_criar = True
        self.modified = True
        if antiga:
            self.delete(antiga)

    def save(self, must_create=False):
        if self._a_criar and self.session_key is not None:
            try:
                super().save(must_create=True)
            except CreateError:
                self._session_key = self._get_new_session_key()
                return self.save()
            self._a_criar = False
            return None
        return super().save(must_create)
