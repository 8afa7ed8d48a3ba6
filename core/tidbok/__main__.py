"""``python -m tidbok`` runs the command-line interface."""

from tidbok.cli import main

raise SystemExit(main())
