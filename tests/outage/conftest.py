import pytest

from .faults import PrivateRedis


@pytest.fixture
def private_redis():
    """A redis-server of the test's own on a free port, stopped at the end whatever state it is in."""
    redis = PrivateRedis().start()
    yield redis
    redis.stop()
