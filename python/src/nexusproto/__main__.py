"""`python -m nexusproto`: the `nexusproto` command line (see `nexusproto.cli`)."""

from nexusproto.cli import console

if __name__ == "__main__":
    console()
