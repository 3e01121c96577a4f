"""Scale-out on PostgreSQL (``pip install 'minimax-async[postgres]'``, asyncpg).

* :class:`PostgresJournal`: one batch journal shared by any number of workers on any machines
  (``mm.generate_videos(requests, journal=PostgresJournal(dsn, name="campaign-7"))``, or
  ``journal="postgresql://..."``). Each request is claimed by one live worker at a time.
* :class:`PostgresCoordinator`: webhook wake-ups and scheduler reads shared by every process
  (``AsyncMiniMax(..., coordinator=PostgresCoordinator(dsn))``).

asyncpg is imported when a connection is opened, so ``import minimax_async`` never needs it.

.. versionadded:: 0.x
"""

from ._coordinator import PostgresCoordinator
from ._journal import LeaseLostError, PostgresJournal

__all__ = ["LeaseLostError", "PostgresCoordinator", "PostgresJournal"]
