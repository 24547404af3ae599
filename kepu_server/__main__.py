"""``python -m kepu_server`` is the ``kepu`` command."""

from kepu_server.cli import main

main()
