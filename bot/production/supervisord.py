"""supervisord with its children left in the caller's process group.

Stock supervisord puts every child in a process group of its own, so that a
Ctrl-C in its terminal reaches only supervisord. Here the children stay in
`make run`'s group, as under honcho: Ctrl-C reaches every process at once (and
still does if supervisord itself was killed), supervisord, told the same, does
not restart them, and nothing double-forks away from the terminal. For that
reason the generated programs never signal "as a group" (bot/production/plan.py):
their group is make run's.
"""

from __future__ import annotations

from supervisor import options, supervisord


def _stay_in_group(_self: options.ServerOptions) -> None:
    return None


def main() -> None:
    options.ServerOptions.setpgrp = _stay_in_group
    supervisord.main()


if __name__ == "__main__":
    main()
