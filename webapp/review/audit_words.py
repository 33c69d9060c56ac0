"""Audit rows in plain words: what was done, to what, with the figures that matter."""

from __future__ import annotations

from storage.repo.audit import AuditEntry

LABELS = {
    "pending": "pending",
    "duplicate": "duplicate",
    "not_duplicate": "not a duplicate",
    "boilerplate": "boilerplate",
}


def _n(count: object, word: str) -> str:
    number = count if isinstance(count, int) else 0
    return f"{number} {word}{'' if number == 1 else 's'}"


def describe(entry: AuditEntry) -> str:
    """One sentence for an audit row.

    Example: ``decide_story:duplicate`` with count 3 -> "Marked 3 paragraphs of article
    #12 (against article #7) as duplicate."
    """
    d = entry.details
    action, _, state = entry.action.partition(":")
    label = LABELS.get(state, state)
    if action == "decide":
        previous = LABELS.get(str(d.get("previous", "")), str(d.get("previous", "?")))
        return f"Marked flag #{entry.target_id} as {label} (was {previous})."
    if action == "decide_story":
        against = d.get("original_article")
        where = (
            "inside the article" if against == entry.target_id else f"(against article #{against})"
        )
        return (
            f"Marked {_n(d.get('count'), 'paragraph')} of article #{entry.target_id} "
            f"{where} as {label}."
        )
    if action == "bulk":
        stories = d.get("stories")
        scope = f"of {_n(len(stories), 'story')}" if isinstance(stories, list) else "of a filter"
        return f"Bulk: marked {_n(d.get('count'), 'paragraph')} {scope} as {label}."
    if action == "undo":
        skipped = d.get("skipped")
        extra = f", {_n(len(skipped), 'paragraph')} left as decided since" if skipped else ""
        return (
            f"Undid decision #{entry.target_id} ({d.get('undone_action', '?')}): "
            f"{_n(d.get('count'), 'paragraph')} restored{extra}."
        )
    if action == "choose_original":
        return (
            f"Made article #{d.get('original')} the original of cluster #{entry.target_id} "
            f"(was #{d.get('previous_original')})."
        )
    if action == "login_failed":
        return (
            f"Failed login as “{d.get('name', '?')}” from {d.get('address', '?')}: "
            f"{d.get('reason', '?')}."
        )
    return f"{entry.action} on {entry.target_type} #{entry.target_id}."


def facts(entry: AuditEntry) -> list[tuple[str, str]]:
    """The details worth showing beside the sentence (the per-flag list summarised)."""
    out = []
    for key, value in sorted(entry.details.items()):
        if key == "links" and isinstance(value, list):
            ids = ", ".join(f"#{item.get('id')}" for item in value[:20] if isinstance(item, dict))
            more = f" and {len(value) - 20} more" if len(value) > 20 else ""
            out.append(("flags", ids + more))
        elif key == "stories" and isinstance(value, list):
            out.append(("stories", ", ".join(str(v) for v in value[:20])))
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in sorted(value.items()) if v is not None)
            out.append((key, shown or "none"))
        elif value is not None:
            out.append((key, str(value)))
    return out
