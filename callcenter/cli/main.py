"""`tongdai`: the command line of the contract (section 1). Each group in its own module."""

from __future__ import annotations

import typer

from callcenter.cli import agent, call, db, demo, onestop, retention, users, vessels, worker

app = typer.Typer(
    help="tongdai — tổng đài dịch vụ công cho chủ tàu cá (hotline tools).", no_args_is_help=True
)
app.add_typer(db.app, name="db")
app.add_typer(vessels.app, name="vessels")
app.add_typer(users.app, name="users")
app.add_typer(demo.app, name="demo")
app.add_typer(retention.app, name="retention")
call.register(app)  # tongdai call
agent.register(app)  # tongdai agent
onestop.register(app)  # tongdai onestop-emulator
worker.register(app)  # tongdai worker

if __name__ == "__main__":
    app()
