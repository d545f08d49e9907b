"""How every cartguard command ends on a user-facing error: one line on stderr, exit code 2.

Never a traceback: bad options, unreadable or invalid input and files that cannot be written are
what a user at a terminal (or a job log) must be able to act on. Shared by the commands of
``cartguard.cli`` and those that live beside their own package (cohort, bulk); imports only click.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from cartguard.errors import CartguardError


def fail(message: str) -> NoReturn:
    """Print ``cartguard: error: message`` on stderr and exit with code 2."""
    click.echo(f"cartguard: error: {message}", err=True)
    sys.exit(2)


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn a bad option, a :class:`CartguardError` or a failed write into :func:`fail`."""
    try:
        yield
    except click.BadParameter as exc:
        fail(exc.format_message())
    except CartguardError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {exc.filename}: {exc.strerror}")
