"""``lineage-graph roles``: which type names are datasets, models, evaluations, deployments,
training steps, pipelines (``lineage_graph.roles``); every question reads this mapping.

    lineage-graph roles                     # the effective mapping (default or stored)
    lineage-graph roles --role model        # only one role
    lineage-graph roles set ol.train training
    lineage-graph roles set Examples none   # no role, even by default
    lineage-graph roles unset Examples      # back to the default

At module level this imports only typer and ``cli.common``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import Connection, JsonOpt, connection, connects, emit_json

if TYPE_CHECKING:
    from ..roles import RoleMap

app = typer.Typer(help="Which type names play which role (dataset, model, evaluation ...).")

TypeArg = Annotated[str, typer.Argument(metavar="TYPE", help="A type name (Model, ol.Dataset).")]


def _json(mapping: RoleMap) -> dict[str, Any]:
    from ..answers import ROLES

    return {
        "roles": mapping.roles,
        "stored": mapping.stored,
        "by_role": {role: list(mapping.types(role)) for role in ROLES},
    }


def _show(mapping: RoleMap, role: str | None, as_json: bool) -> None:
    from ..roles import DEFAULTS
    from . import output as out

    if as_json:
        emit_json(_json(mapping))
        return
    table = out.new_table(title="roles (stored entries override the defaults)",
                          title_justify="left")
    for col in ("type", "role", "source"):
        table.add_column(col, overflow="fold")
    for type_name, r in mapping.roles.items():
        if role is not None and r != role:
            continue
        source = "stored" if type_name in mapping.stored else "default"
        table.add_row(type_name, r, source)
    removed = [t for t, r in mapping.stored.items() if r == "none" and t in DEFAULTS]
    out.console().print(table)
    if removed:
        out.console().print("no role (stored): " + ", ".join(removed), markup=False)


RoleOpt = Annotated[str | None, typer.Option("--role", help="Show only this role.")]


def _current(conn: Connection, role: str | None, as_json: bool) -> None:
    from .. import roles

    if role is not None:
        roles.check_role(role)
    with conn.store() as store:
        mapping = roles.current(store)
    _show(mapping, role, as_json)


@app.callback(invoke_without_command=True)
def roles_command(ctx: typer.Context, role: RoleOpt = None, as_json: JsonOpt = False) -> None:
    """Show the mapping of type names to roles (without a subcommand; as ``roles show``)."""
    if ctx.invoked_subcommand is None:
        _current(connection(ctx), role, as_json)


@app.command("show")
@connects
def show_command(conn: Connection, role: RoleOpt = None, as_json: JsonOpt = False) -> None:
    """Show the mapping of type names to roles: each type, its role, default or stored."""
    _current(conn, role, as_json)


@app.command("set")
@connects
def set_command(conn: Connection, type_name: TypeArg,
                role: Annotated[str, typer.Argument(
                    metavar="ROLE",
                    help="dataset, model, evaluation, deployment, training, pipeline, "
                         "statistics, or none.")],
                as_json: JsonOpt = False) -> None:
    """Store that TYPE plays ROLE (``none``: no role, even by default)."""
    from .. import roles

    with conn.store(write=True) as store:
        mapping = roles.set_role(store, type_name, role)
    _show(mapping, None, as_json)


@app.command("unset")
@connects
def unset_command(conn: Connection, type_name: TypeArg, as_json: JsonOpt = False) -> None:
    """Forget the stored entry for TYPE (its default applies again)."""
    from .. import roles

    with conn.store(write=True) as store:
        mapping = roles.unset_role(store, type_name)
    _show(mapping, None, as_json)
