"""``python -m tidbok_mocks.inbox``."""

from .server import main

raise SystemExit(main())
