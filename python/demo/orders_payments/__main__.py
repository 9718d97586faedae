"""`python -m orders_payments`: run the demo (see the package documentation)."""

import asyncio
import sys

from orders_payments.run import main

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
