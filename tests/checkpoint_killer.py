"""A cxsteward process that SIGKILLs itself at a named checkpoint, for crash tests.

Run as ``python -c KILLER STEP ARGS...``: the CLI runs ARGS and the process dies, with no
clean-up of any kind, when the service reaches the checkpoint STEP.
"""

from __future__ import annotations

import textwrap

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from cxsteward.services import checkpoints
    from cxsteward.cli.app import main

    step = sys.argv.pop(1)

    def kill(at):
        if at == step:
            os.kill(os.getpid(), signal.SIGKILL)

    checkpoints.hook = kill
    sys.argv[0] = "cxsteward"
    main()
    """
)
