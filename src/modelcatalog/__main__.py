"""``python -m modelcatalog``: the same command line as the ``modelcatalog`` script."""

from modelcatalog.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
