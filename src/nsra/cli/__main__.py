"""``python -m nsra.cli``: the ``nsra`` command."""

from nsra.cli import main

main()
