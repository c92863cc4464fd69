"""A cache backend whose server is down: every call raises, as Django's RedisCache does when Redis
does not answer (redis.exceptions.ConnectionError)."""

from django.core.cache.backends.base import BaseCache


class CacheFora(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)

    def _fora(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    add = get = set = touch = delete = clear = incr = get_many = set_many = delete_many = has_key = _fora
