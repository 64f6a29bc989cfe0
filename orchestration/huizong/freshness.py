"""Is the published warehouse already what a run would build?

A run has nothing to do when every inbox file has the content hash the published warehouse
read, the reference data is the same, the code and declarations that build the marts, rules
and tables are the same, and every table the last run wrote is still on disk. Then the job
skips everything after ingestion (the nightly no-change re-run does almost nothing).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from huizong import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT
from huizong.ingest.files import discover, file_sha256, reference_paths
from huizong.ingest.state import state_get, state_put

STATE_KEY = "build_inputs"
_CODE_DIRS = (
    (DBT_PROJECT_DIR, ("models", "macros", "seeds", "tests", "dbt_project.yml")),
    (EXPECTATIONS_DIR, ("",)),
    (PROJECT_ROOT / "orchestration" / "huizong", ("",)),
)


def build_fingerprint(sources_dir: Path) -> str:
    """Hash of everything besides the inbox that decides the warehouse's content."""
    h = hashlib.sha256()
    for root, parts in _CODE_DIRS:
        for part in parts:
            base = root / part if part else root
            paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            for p in paths:
                h.update(str(p.relative_to(PROJECT_ROOT)).encode())
                h.update(file_sha256(p).encode())
    for ref in reference_paths(Path(sources_dir)):
        h.update(file_sha256(ref).encode())
    return h.hexdigest()


def record(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    state_put(con, STATE_KEY, fingerprint)


def up_to_date(sources_dir: Path, published: Path, exports_dir: Path | None = None) -> tuple[bool, str]:
    """(True, why) when a run would change nothing; (False, why not) otherwise. With
    ``exports_dir``, the tables must also have been written there (a run told to export
    somewhere else has work to do)."""
    if not published.exists():
        return False, "no published warehouse yet"
    try:
        con = duckdb.connect(str(published), read_only=True)
    except duckdb.Error as exc:
        return False, f"published warehouse unreadable: {exc}"
    try:
        if state_get(con, STATE_KEY) != build_fingerprint(sources_dir):
            return False, "code, declarations or reference data changed since the last build"
        known = dict(con.execute("select file_path, sha256 from raw.files").fetchall())
        written = [p for (p,) in con.execute("select path from marts.export_log where path is not null").fetchall()]
    except duckdb.Error as exc:
        return False, f"published warehouse incomplete: {exc}"
    finally:
        con.close()
    current = {f.rel_path: f.sha256 for f in discover(Path(sources_dir))}
    if current != known:
        changed = len(set(current.items()) ^ set(known.items()))
        return False, f"{changed} inbox file versions differ from the published warehouse"
    if exports_dir is not None:
        root = Path(exports_dir).resolve()
        elsewhere = [p for p in written if not Path(p).resolve().is_relative_to(root)]
        if elsewhere:
            return False, f"the last run wrote its {len(elsewhere)} tables elsewhere than {root}"
    missing = [p for p in written if not Path(p).exists()]
    if missing:
        return False, f"{len(missing)} official table files are missing from the exports"
    return True, f"{len(current)} files unchanged, same code and reference data"
