"""``python -m cxsteward``: the same CLI as the ``cxsteward`` script."""

from cxsteward.cli.app import main

main()
