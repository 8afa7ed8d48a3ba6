"""``python -m tidbok_mocks pasis|pmo --port 0``."""

from .standalone import main

raise SystemExit(main())
