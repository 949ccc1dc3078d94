"""``python -m modelcatalog``: the same command line as the ``modelcatalog`` script."""

from modelcatalog.cli import main

main()
