"""`python -m orders_payments`: run the demo (see the package documentation)."""

import nexusproto.process

from orders_payments.run import main

if __name__ == "__main__":
    # Exits without interpreter teardown, which the SDK's native threads can crash.
    nexusproto.process.run(main())
