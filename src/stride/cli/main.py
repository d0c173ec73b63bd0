"""``stride``: serve the web app, migrate, manage users, seed the demo, verify the audit trail."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import typer
from rich.table import Table

from stride import __version__
from stride.cli import activity as activity_cli
from stride.cli import intensity as intensity_cli
from stride.cli import prescribe as prescribe_cli
from stride.cli import protocols as protocols_cli
from stride.cli import reference as reference_cli
from stride.cli import score as score_cli
from stride.cli import screen as screen_cli
from stride.cli import stage as stage_cli
from stride.cli.context import app_services
from stride.cli.output import EXIT_ERROR, console, emit_json, handled, run, stderr
from stride.domain.accounts import parse_role
from stride.services.context import Caller
from stride.services.demo import DemoLogin, demo_logins
from stride.services.registry import Services
from stride.services.users import NewUser

app = typer.Typer(
    help="Stride: exercise as an adjunct treatment of treatment-resistant depression.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for integrations.", no_args_is_help=True)
demo_app = typer.Typer(help="The synthetic demo clinic.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (user_app, "user"),
    (token_app, "token"),
    (demo_app, "demo"),
    (audit_app, "audit"),
):
    app.add_typer(sub, name=name)
score_cli.register(app)
activity_cli.register(app)
stage_cli.register(app)
screen_cli.register(app)
reference_cli.register(app)
intensity_cli.register(app)
protocols_cli.register(app)
prescribe_cli.register(app)

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stride {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Stride command line. Settings come from STRIDE_* environment variables (see README)."""


def print_logins(logins: list[DemoLogin]) -> None:
    table = Table(title="Demo logins (synthetic clinic, never use in production)")
    for column in ("username", "password", "role", "sees"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.username, login.password, login.role.value, login.note)
    console.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Seed the demo clinic if the database is empty.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Web server processes (default: STRIDE_WEB_WORKERS, 1).", min=1, max=64),
    ] = None,
) -> None:
    """Migrate the database and serve the web app."""
    # Loaded only here: the web stack (uvicorn, FastAPI, the templates) is heavy, and no other
    # command needs it. Not an import cycle: stride.web never imports stride.cli.
    import uvicorn

    from stride.web.app import create_app

    services = app_services()
    if demo:
        _seed_demo(services)
    settings = services.deps.settings
    processes = settings.web_workers if workers is None else workers
    _banner(services, host=host, port=port, processes=processes, demo=demo)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        # The app decides whom to believe (STRIDE_TRUSTED_PROXIES, stride.web.proxy); uvicorn's
        # own handling would trust X-Forwarded-For from any loopback client.
        "proxy_headers": False,
        "log_level": "info",
        "server_header": False,
    }
    if processes == 1:
        uvicorn.run(create_app(settings, services=services), **options)
    else:
        _serve_workers(services, processes, options)


def _seed_demo(services: Services) -> None:
    with handled(as_json=False):
        result = services.demo.seed(Caller.cli())
        stderr.print(
            "Seeded the demo clinic." if result.seeded else "Database already has users; not seeding."
        )
        print_logins(result.logins)


def _banner(services: Services, *, host: str, port: int, processes: int, demo: bool) -> None:
    settings = services.deps.settings
    console.print(
        f"\n[bold]Stride {__version__}[/] serving at [link]http://{host}:{port}{settings.root_path}/[/link]"
    )
    console.print(f"Database: {services.deps.db.engine.url.render_as_string(hide_password=True)}")
    if processes > 1:
        console.print(f"Web workers: {processes} processes")
    console.print(
        "Log in at the address above" + (" with a demo login." if demo else ".") + " Ctrl+C stops.\n"
    )


def _serve_workers(services: Services, processes: int, options: dict[str, Any]) -> None:
    """Several processes: what must happen once happens here, before uvicorn starts them (the
    migration and the demo seed before this; the recovery of interrupted imports, which would
    re-queue an import another process is running). Each worker builds its own app and connections."""
    import uvicorn

    with handled(as_json=False):
        if services.deps.settings.jobs_in_process:
            services.imports.doctor()
        services.close()
    uvicorn.run(
        "stride.web.app:create_worker_app",
        factory=True,
        workers=processes,
        # uvicorn replaces a worker that does not answer its health check in time, and a new one
        # answers only once its imports are done: seconds of CPU (FastAPI, SQLAlchemy, Polars), far
        # more on a busy host than uvicorn's 5 s, which would replace every worker as it starts.
        timeout_worker_healthcheck=60,
        **options,
    )


@db_app.command("upgrade")
def db_upgrade(as_json: JsonFlag = False) -> None:
    """Migrate the database to the newest schema."""
    services = app_services(as_json)
    run(
        as_json,
        lambda: {"revision": "head", "current": services.schema_is_current()},
        lambda _: stderr.print("Database is up to date."),
    )


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Option(help="Target revision (default: one step back).")] = "-1",
    as_json: JsonFlag = False,
) -> None:
    """Migrate the database down (for rolling back a release)."""
    services = app_services(as_json, migrate=False)

    def action() -> dict[str, Any]:
        return {"current": services.downgrade(revision)}

    run(as_json, action, lambda r: stderr.print(f"Database now at revision {r['current']}."))


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="Login name (letters, digits, . _ -).")],
    role: Annotated[str, typer.Option(help="admin, clinician, patient or researcher.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted if omitted.")
    ],
    display_name: Annotated[str, typer.Option(help="Full name shown in the app.")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    patient_id: Annotated[int | None, typer.Option(help="Patient record (patient accounts only).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a user account."""
    services = app_services(as_json)

    def action() -> dict[str, Any]:
        new = NewUser(
            username=username,
            password=password,
            role=parse_role(role),
            display_name=display_name,
            email=email,
            patient_id=patient_id,
        )
        user = services.users.create(Caller.cli(), new)
        return {**dataclasses.asdict(user), "role": user.role.value}

    run(as_json, action, lambda u: stderr.print(f"Created {u['role']} {u['username']!r} (id {u['id']})."))


@user_app.command("unlock")
def user_unlock(
    username: Annotated[str, typer.Argument(help="The login name whose failed log-ins to clear.")],
    as_json: JsonFlag = False,
) -> None:
    """Clear an account's failed log-ins, so that no client waits to log in to it (audited)."""
    services = app_services(as_json)

    def action() -> dict[str, Any]:
        state = services.users.unlock_username(Caller.cli(), username)
        return {"username": username.strip().lower(), "failures": state.failures}

    run(as_json, action, lambda r: stderr.print(f"Cleared the failed log-ins of {r['username']!r}."))


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    as_json: JsonFlag = False,
) -> None:
    """Issue an API token (shown once; only its hash is stored)."""
    services = app_services(as_json)
    run(
        as_json,
        lambda: {
            "username": username,
            "token": services.auth.create_api_token(Caller.cli(), username=username, name=name),
        },
        lambda r: typer.echo(r["token"]),
    )


@demo_app.command("seed")
def demo_seed(as_json: JsonFlag = False) -> None:
    """Seed the synthetic demo clinic into an empty database."""
    services = app_services(as_json)

    def human(result: dict[str, Any]) -> None:
        stderr.print(
            "Seeded the demo clinic." if result["seeded"] else "Database already has users; not seeding."
        )
        print_logins(demo_logins())

    def action() -> dict[str, Any]:
        result = services.demo.seed(Caller.cli())
        return {
            "seeded": result.seeded,
            "logins": [{**dataclasses.asdict(x), "role": x.role.value} for x in result.logins],
        }

    run(as_json, action, human)


@audit_app.command("verify")
def audit_verify(as_json: JsonFlag = False) -> None:
    """Re-compute the audit hash chain; exit 1 naming the first bad entry if it was tampered with."""
    services = app_services(as_json, migrate=False)
    with handled(as_json=as_json):
        verdict = services.audit.verify(Caller.cli())
    if as_json:
        emit_json(dataclasses.asdict(verdict))
    elif verdict.ok:
        stderr.print(f"Audit chain intact: {verdict.checked} entries. Head hash {verdict.head_hash}")
    else:
        stderr.print(f"[bold red]Audit chain broken at entry {verdict.first_bad_seq}:[/] {verdict.problem}")
    if not verdict.ok:
        raise typer.Exit(EXIT_ERROR)


def main() -> None:
    """Console entry point."""
    app()
