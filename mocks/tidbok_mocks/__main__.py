"""``python -m tidbok_mocks pasis|pmo|riv --port 0``."""

from .standalone import main

raise SystemExit(main())
