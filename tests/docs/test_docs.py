"""Every TOML snippet and every ``newsdedup`` command in README.md and docs/*.md works.

- each fenced ```toml block is written to a file and checked by the real loader through
  ``newsdedup sources check --sources FILE`` (exit 0);
- each documented command (in fenced blocks and in inline code) must name a real
  command, its ``--help`` must run, and every option it shows must be in that help.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_INLINE = re.compile(r"`(newsdedup [^`]+)`((?:\s*/\s*`[^`]+`)*)")
_MORE = re.compile(r"`([^`]+)`")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


@dataclass(frozen=True)
class Snippet:
    doc: str
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def _fences(lang: str | None) -> list[Snippet]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            if lang is None or match.group(1) == lang:
                line = text.count("\n", 0, match.start()) + 1
                found.append(Snippet(path.name, line, match.group(2)))
    return found


def _commands() -> list[Snippet]:
    """``newsdedup ...`` commands: lines of fenced shell blocks (pipes split) and
    inline code spans, without comments and line continuations."""
    found: dict[tuple[str, str], Snippet] = {}
    for block in _fences(None):
        if block.text.lstrip().startswith(("[", "#")) and "newsdedup " not in block.text:
            continue
        for offset, raw in enumerate(block.text.replace("\\\n", " ").splitlines(), start=1):
            for part in re.split(r"\s\|\s", raw):
                command = part.split(" #", 1)[0].strip()
                if command.startswith("newsdedup "):
                    found.setdefault(
                        (block.doc, command), Snippet(block.doc, block.line + offset, command)
                    )
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in _INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            first = " ".join(match.group(1).replace("\\|", "|").split())
            for command in [first, *_siblings(first, _MORE.findall(match.group(2)))]:
                found.setdefault((path.name, command), Snippet(path.name, line, command))
    return list(found.values())


def _siblings(first: str, more: list[str]) -> list[str]:
    """``newsdedup users add NAME` / `list`` documents ``newsdedup users list`` too;
    `` / `--synthetic``` after ``newsdedup eval dedup --pairs FILE`` is
    ``newsdedup eval dedup --synthetic``; `` / `status``` is ``newsdedup status``."""
    words = first.split()
    stem = []
    for word in words[1:]:
        if word.startswith(("-", "[")) or not word.islower():
            break
        stem.append(word)
    commands = []
    for span in more:
        span = " ".join(span.replace("\\|", "|").split())
        if span.startswith("-"):
            commands.append(" ".join(["newsdedup", *stem, span]))
        elif span.split()[0] in _subcommands(build_parser()):
            commands.append(f"newsdedup {span}")
        else:
            commands.append(f"newsdedup {stem[0]} {span}")
    return commands


TOML = _fences("toml")
COMMANDS = _commands()


def test_the_docs_have_snippets_and_commands() -> None:
    assert any(s.doc == "README.md" for s in TOML)
    assert len(COMMANDS) >= 30
    assert {s.doc for s in COMMANDS} >= {"README.md", "operations.md", "review.md", "api.md"}


@pytest.mark.parametrize("snippet", TOML, ids=lambda s: s.id)
def test_toml_snippet_is_accepted_by_the_loader(snippet: Snippet, tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(snippet.text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "sources", "check", "--sources", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{snippet.id}:\n{result.stdout}{result.stderr}"
    assert ": OK, " in result.stdout


def _help(path: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
        build_parser().parse_args([*path, "--help"])
    assert info.value.code == 0
    return out.getvalue()


def _problems(command: str) -> list[str]:
    """What is wrong with a documented ``newsdedup ...`` command line (empty: nothing)."""
    root = build_parser()
    tokens = shlex.split(command.replace("…", "X"))[1:]
    global_options = _options(root)
    parser, path = root, []
    while tokens and tokens[0] in global_options:
        tokens = tokens[2:] if tokens[0] == "--database-url" else tokens[1:]
    while tokens and tokens[0] in _subcommands(parser):
        parser = _subcommands(parser)[tokens[0]]
        path.append(tokens.pop(0))
    if not path or _subcommands(parser):
        return [f"{command!r} names no complete newsdedup command"]
    text = _help(path)
    problems = []
    for token in tokens:
        for option in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", token):
            if option in global_options:
                continue
            if option not in _options(parser) or option not in text:
                problems.append(f"{option} is not an option of `newsdedup {' '.join(path)}`")
    return problems


@pytest.mark.parametrize("snippet", COMMANDS, ids=lambda s: f"{s.id} {s.text}")
def test_documented_command_exists_and_its_options_are_in_its_help(snippet: Snippet) -> None:
    assert _problems(snippet.text) == [], snippet.id


def test_a_wrong_command_or_option_is_caught() -> None:
    assert _problems("newsdedup runz") == ["'newsdedup runz' names no complete newsdedup command"]
    assert _problems("newsdedup users") == ["'newsdedup users' names no complete newsdedup command"]
    assert _problems("newsdedup runs --source S --colour red") == [
        "--colour is not an option of `newsdedup runs`"
    ]
    assert _problems("newsdedup -v --database-url sqlite:// runs --json") == []


def test_the_command_itself_runs_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "COMMAND" in result.stdout
