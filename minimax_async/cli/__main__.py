"""``python -m minimax_async.cli``: the same as the ``minimax-async`` command."""

from . import main

raise SystemExit(main())
