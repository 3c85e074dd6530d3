"""``bundle-tools patch-csv``: parse the options, plan the edits, then write, check or diff."""

from __future__ import annotations

import difflib
import json
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bundle_tools.cli import exit_on_input_error
from bundle_tools.cli.images import CaFile, PlainHttp, TlsVerify, registry_options
from bundle_tools.cli.options import choice
from bundle_tools.csv_model import CLOUDS
from bundle_tools.errors import UsageError, json_safe, printable

if TYPE_CHECKING:
    from bundle_tools.patch import Change


#: Clouds with CCO short-lived token support, as a choice type for ``--token-auth``.
Cloud = StrEnum("Cloud", {cloud: cloud for cloud in CLOUDS})


class Output(StrEnum):
    """Report formats."""

    text = "text"
    json = "json"


def _pair(option: str, shape: str, value: str) -> tuple[str, str]:
    """``NAME=VALUE`` split at the first ``=``; UsageError without one."""
    name, sep, rest = value.partition("=")
    if not sep:
        raise UsageError(f"{option} {value!r}: expected {shape}")
    return name, rest


def _diff(path: Path, before: str, after: str) -> str:
    """Unified diff of one file, as ``diff -u`` writes it (a last line without a newline
    is followed by ``\\ No newline at end of file``, so ``patch`` can apply it)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _render_text(changes: list[Change], verb: str) -> str:
    if not changes:
        return "unchanged: nothing to do"
    lines = [
        f"{printable(str(c.file))}: {printable(c.pointer)}: "
        f"{json.dumps(json_safe(c.old))} -> {json.dumps(json_safe(c.new))}"
        for c in changes
    ]
    files = len({c.file for c in changes})
    lines.append(f"{verb} {len(changes)} change(s) in {files} file(s)")
    return "\n".join(lines)


def patch_csv(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="A bundle directory, a directory holding one CSV file, or a CSV file "
            "(a symlink is followed: its target is updated, the link kept).",
            readable=False,
        ),
    ],
    token_auth: Annotated[
        list[Cloud] | None,
        typer.Option(
            "--token-auth",
            **choice(Cloud),
            help='Cloud whose token-auth annotation becomes "true" (repeatable). Default: aws.',
        ),
    ] = None,
    no_token_auth: Annotated[
        bool,
        typer.Option(
            "--no-token-auth",
            help="Make no token-auth edits (annotation, volume, mount, RBAC); "
            "only the release fields given.",
        ),
    ] = False,
    deployment: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Operator deployment (default: the only one, else the only one with a "
            "container named --container or 'manager').",
        ),
    ] = None,
    container: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="Operator container (default: the only one, or 'manager')."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a bound-sa-token volume with other content, and mounts of that "
            "volume or at its path that differ (one token mount is left).",
        ),
    ] = False,
    no_credentials_requests: Annotated[
        bool,
        typer.Option(
            "--no-credentials-requests",
            help="Do not grant cloudcredential.openshift.io/credentialsrequests.",
        ),
    ] = False,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            metavar="VERSION",
            help="Strict semver X.Y.Z[-PRE] (no 'v'; no '+build', which a CSV name cannot "
            "hold): spec.version and metadata.name's .vX.Y.Z (or .X.Y.Z) suffix.",
        ),
    ] = None,
    replaces: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="spec.replaces: the previous CSV's name, like my-operator.v1.2.2."
        ),
    ] = None,
    skip_range: Annotated[
        str | None,
        typer.Option(
            metavar="RANGE",
            help="olm.skipRange in blang/semver syntax: space-separated comparators, "
            "'||' between alternatives, x wildcards, e.g. '>=3.5.x <3.6.1'.",
        ),
    ] = None,
    operator_image: Annotated[
        str | None,
        typer.Option(
            metavar="REF",
            help="Operator container image and the containerImage annotation "
            "(REPO:TAG or REPO@sha256:DIGEST); spec.relatedImages entries that listed the "
            "old image follow.",
        ),
    ] = None,
    related_image: Annotated[
        list[str] | None,
        typer.Option(
            "--related-image",
            metavar="NAME=REF",
            help="Image REF for RELATED_IMAGE_<NAME> (NAME upper-cased, characters other "
            "than letters and digits made '_': quay-db -> RELATED_IMAGE_QUAY_DB), set in "
            "every container that has that env var, else added to the operator container; "
            "and for the spec.relatedImages entry named NAME or holding the old image, "
            "else a new one (repeatable).",
        ),
    ] = None,
    no_related_images_entry: Annotated[
        bool,
        typer.Option(
            "--no-related-images-entry",
            help="--related-image sets env vars and updates existing spec.relatedImages "
            "entries but adds no new entry.",
        ),
    ] = False,
    annotation: Annotated[
        list[str] | None,
        typer.Option(
            "--annotation",
            metavar="KEY=VALUE",
            help="Set metadata.annotations KEY to the string VALUE (repeatable), e.g. "
            "quay-version=v3.7.0. createdAt, olm.skipRange and containerImage have "
            "options of their own.",
        ),
    ] = None,
    created_at: Annotated[
        str | None,
        typer.Option(
            metavar="TIMESTAMP|now",
            help="createdAt annotation: an RFC 3339 timestamp, or 'now' (current UTC "
            "time, set only when the run changes something else, so a rerun is a no-op).",
        ),
    ] = None,
    channels: Annotated[
        str | None,
        typer.Option(
            metavar="NAME,...",
            help="Comma-separated channels (metadata/annotations.yaml; spaces around "
            "names are dropped). The default channel must stay one of them.",
        ),
    ] = None,
    default_channel: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Default channel (metadata/annotations.yaml)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when something would change.")
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print a unified diff instead of the report; write nothing. "
            "With --check, also exit 1 when there is a diff.",
        ),
    ] = False,
    output: Annotated[
        Output,
        typer.Option(
            "--output",
            "-o",
            **choice(Output),
            help="Report of the changes: text (one line each: file, JSON pointer, old -> new) "
            "or json.",
        ),
    ] = Output.text,
    pin_digests: Annotated[
        bool,
        typer.Option(
            "--pin-digests",
            help="Replace every image tag in the CSV (containers, initContainers, "
            "RELATED_IMAGE_* env, containerImage, spec.relatedImages) with the digest its "
            "registry gives (the index digest of a multi-arch image), and list every image "
            "in spec.relatedImages.",
        ),
    ] = False,
    plain_http: PlainHttp = False,
    tls_verify: TlsVerify = "true",
    ca_file: CaFile = None,
) -> None:
    """Make a CSV ready for OpenShift short-lived cloud credentials and set release fields.

    Token auth (unless --no-token-auth): each token-auth-<cloud> annotation
    becomes "true"; the operator pod gets the projected bound-sa-token volume,
    mounted read-only by the operator container; clusterPermissions grant
    the pod's service account (default: "default") what CCO token auth needs.

    Only the lines that must change are touched; a second run changes nothing.
    Files are replaced atomically, or left untouched on any error.

    Exit codes: 0 done or up to date, 1 --check found changes,
    2 bad input or refused edit (PATH:LINE:COL: error: ... on stderr).
    """
    from bundle_tools.patch import (
        PatchOptions,
        created_at_now,
        find_targets,
        patch_annotations_text,
        patch_csv_text,
    )
    from bundle_tools.safewrite import Original, Write, locked, write_files
    from bundle_tools.yamlio import read_source

    json_output = output is Output.json
    with exit_on_input_error(json_output):
        if no_token_auth and token_auth:
            raise UsageError("--token-auth and --no-token-auth exclude each other")
        if diff and json_output:
            raise UsageError("--diff and --output json exclude each other")
        clouds = tuple(dict.fromkeys(c.value for c in token_auth or [Cloud("aws")]))
        options = PatchOptions(
            token_auth=() if no_token_auth else clouds,
            deployment=deployment,
            container=container,
            force=force,
            credentials_requests=not no_credentials_requests,
            version=version,
            replaces=replaces,
            skip_range=skip_range,
            operator_image=operator_image,
            related_images=tuple(
                _pair("--related-image", "NAME=REF", v) for v in related_image or []
            ),
            related_images_entry=not no_related_images_entry,
            annotations=tuple(_pair("--annotation", "KEY=VALUE", v) for v in annotation or []),
            created_at=created_at_now() if created_at == "now" else created_at,
            created_at_only_with_changes=created_at == "now",
            channels=tuple(c.strip() for c in channels.split(","))
            if channels is not None
            else None,
            default_channel=default_channel,
        )
        options.check()
        targets = find_targets(path, options)
        with locked(targets.root) as lock_dir:
            csv_source = read_source(targets.csv)
            results = []
            if targets.annotations is not None:
                source = read_source(targets.annotations)
                results.append((source, *patch_annotations_text(source, options)))
            with ExitStack() as stack:
                resolve = None
                if pin_digests:
                    from bundle_tools.images.registry import digest_resolver

                    resolve = stack.enter_context(
                        digest_resolver(registry_options(plain_http, tls_verify, ca_file))
                    )
                csv_text, csv_changes = patch_csv_text(
                    csv_source,
                    options,
                    bundle_changed=any(c for _, _, c in results),
                    resolve_digest=resolve,
                )
            results.insert(0, (csv_source, csv_text, csv_changes))
            originals = [Original.of(s.path, s.encode(s.text)) for s, _, _ in results]
            changes = [c for _, _, file_changes in results for c in file_changes]
            if diff:
                typer.echo("".join(_diff(s.path, s.text, t) for s, t, _ in results), nl=False)
            elif not check:
                write_files(
                    [
                        Write(s.path, s.encode(text), original, targets.root)
                        for (s, text, _), original in zip(results, originals, strict=True)
                    ],
                    journal=lock_dir,
                )
    if json_output:
        status = "changed" if changes else "unchanged"
        typer.echo(
            json.dumps(
                json_safe(
                    {"version": 1, "status": status, "changes": [c.to_dict() for c in changes]}
                ),
                indent=2,
            )
        )
    elif not diff:
        verb = "would make" if check else "made"
        typer.echo(_render_text(changes, verb))
    if check and changes:
        raise typer.Exit(1)
