"""`tongdai vessels`."""

from __future__ import annotations

import typer

app = typer.Typer(help="vessels", no_args_is_help=True)
