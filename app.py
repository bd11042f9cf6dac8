"""Serve the UI, JSON API and widget: python app.py [--host H] [--port P]."""

import sys

from assistant.server import main

if __name__ == "__main__":
    sys.exit(main())
