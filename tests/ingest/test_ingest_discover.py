"""Discovering the inbox: a file whose size and mtime are unchanged is not hashed again in
the same process, unless it was modified too recently to trust its timestamp."""

from __future__ import annotations

import os
import time

from huizong.ingest import files


def test_a_settled_file_is_hashed_once_a_fresh_one_every_time(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old, new = inbox / "old.csv", inbox / "new.csv"
    old.write_text("a,b\n")
    new.write_text("c,d\n")
    past = time.time() - 60
    os.utime(old, (past, past))
    reads = []
    real = files.file_sha256
    monkeypatch.setattr(files, "file_sha256", lambda p: reads.append(p.name) or real(p))
    monkeypatch.setattr(files, "_digests", {})

    first = {f.rel_path: f.sha256 for f in files.discover(tmp_path)}
    second = {f.rel_path: f.sha256 for f in files.discover(tmp_path)}
    assert first == second and sorted(reads) == ["new.csv", "new.csv", "old.csv"]

    new.write_text("e,f\n")  # same size, rewritten at once: read again, new digest
    third = {f.rel_path: f.sha256 for f in files.discover(tmp_path)}
    assert third["inbox/new.csv"] != first["inbox/new.csv"] and reads.count("new.csv") == 3
    os.utime(old, (past + 1, past + 1))  # touched: read again
    files.discover(tmp_path)
    assert reads.count("old.csv") == 2
