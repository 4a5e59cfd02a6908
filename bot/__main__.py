import faulthandler
import signal
import sys

# ``kill -USR1 <pid>`` prints every thread's stack to stderr: how an operator (or a test) sees
# where a process that stopped answering is waiting, without stopping it.
if hasattr(signal, "SIGUSR1"):
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)

from bot.cli import main

raise SystemExit(main())
