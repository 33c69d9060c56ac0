"""The audit log offers no way to rewrite it; highlight and password helpers."""

from __future__ import annotations

import ast
from pathlib import Path

from storage.repo import audit
from webapp.review.filters import safe_next
from webapp.review.highlight import highlight_pair
from webapp.review.passwords import hash_password, needs_rehash, verify_password
from webapp.review.rendering import safe_href

ROOT = Path(__file__).resolve().parents[3]


def test_audit_module_only_inserts_and_reads() -> None:
    public = {name for name in vars(audit) if callable(getattr(audit, name))}
    assert {"append_audit", "list_audit", "count_audit"} <= public
    assert not any(word in name for name in public for word in ("update", "delete", "edit"))


def test_no_code_updates_or_deletes_audit_rows() -> None:
    for path in [
        *ROOT.joinpath("webapp").rglob("*.py"),
        *ROOT.joinpath("storage/repo").glob("*.py"),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("update", "delete"):
                args = [a for a in node.args if isinstance(a, ast.Name)]
                assert all(a.id != "AuditLog" for a in args), f"{path} rewrites the audit log"


def test_highlight_escapes_then_marks() -> None:
    left, right, share = highlight_pair(
        "Ports <b>reopen</b> after the storm", "After the storm, ports reopen"
    )
    assert "<b>" not in left and "&lt;b&gt;" in left
    assert "<mark>after the storm</mark>" in left
    assert right.startswith("<mark>After the storm,</mark>")
    assert 0 < share <= 1


def test_highlight_of_unrelated_texts_marks_nothing() -> None:
    left, right, share = highlight_pair("alpha beta gamma", "delta epsilon zeta")
    assert "<mark>" not in left + right and share == 0


def test_passwords() -> None:
    encoded = hash_password("correct horse")
    assert encoded.startswith("$argon2id$") and not needs_rehash(encoded)
    assert verify_password(encoded, "correct horse")
    assert not verify_password(encoded, "wrong horse")
    assert not verify_password(None, "correct horse")
    assert not verify_password("not-a-hash", "correct horse")


def test_safe_next_and_href() -> None:
    assert safe_next("/review/pair/3?state=all") == "/review/pair/3?state=all"
    for bad in ("https://evil.example", "//evil.example", "/review\\@evil", "/other", None):
        assert safe_next(bad) == "/review"
    assert safe_href("https://a.example/x") == "https://a.example/x"
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("data:text/html,x") is None
