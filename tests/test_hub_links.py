"""tools/hub_links.py: one nbgitpuller link per exercise, and one for the course.

Each printed link is taken apart with urllib and checked against what the
repository itself says, read here without the tool: the repository and
branch from _config.yml, the exercises from the student notebooks on disk and
their order from _toc.yml, and the folder nbgitpuller clones into (the last
part of the repository URL, nbgitpuller's default ``targetpath``).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "hub_links.py"
STUDENT = "chapters/exercises/student"
HUB = "https://hub.example.edu"

sys.path.insert(0, str(ROOT / "tools"))
import hub_links  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
REPO, BRANCH = CONFIG["url"], CONFIG["branch"]


def toc_order() -> list[str]:
    """The student notebooks in _toc.yml's order, as Jupyter Book's own parser reads the file."""
    docs = parse_toc_yaml(str(ROOT / "_toc.yml"))  # a dict of documents, in book order
    return [f"{d}.ipynb" for d in docs if d.startswith(f"{STUDENT}/")]


def tracked_files() -> set[str] | None:
    """The files git tracks (what a clone gets), or None outside a git checkout."""
    if not (ROOT / ".git").exists():
        return None
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    return set(out.stdout.splitlines()) if out.returncode == 0 else None


def printed_links(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("http://", "https://"))]


def decode(link: str, hub: str = HUB) -> dict[str, str]:
    """The query of an nbgitpuller link, after checking its hub part; each key once."""
    parts = urlsplit(link)
    base = urlsplit(hub)
    assert (parts.scheme, parts.netloc) == (base.scheme, base.netloc), link
    assert parts.path == base.path.rstrip("/") + "/hub/user-redirect/git-pull", link
    query = parse_qs(parts.query, strict_parsing=True)
    assert set(query) == {"repo", "branch", "urlpath"}, query
    assert all(len(v) == 1 for v in query.values()), query
    return {k: v[0] for k, v in query.items()}


def run(*args: str, capsys) -> tuple[int, str, str]:
    """hub_links.main(args): (exit status, stdout, stderr)."""
    try:
        code = hub_links.main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def cli_output() -> str:
    """What the command prints, run as `make hub-links` runs it (a trailing slash on the hub)."""
    out = subprocess.run(
        [sys.executable, str(TOOL), "--hub", HUB + "/"], capture_output=True, text=True, check=True
    )
    return out.stdout


def test_every_exercise_has_one_link_in_book_order(cli_output):
    folder = REPO.rstrip("/").split("/")[-1]  # where nbgitpuller clones the repository
    on_disk = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / STUDENT).glob("*.ipynb"))
    assert on_disk, "no student notebooks found"
    opened = []
    for link in printed_links(cli_output):
        query = decode(link)
        assert query["repo"] == REPO
        assert query["branch"] == BRANCH
        prefix = f"lab/tree/{folder}/"
        assert query["urlpath"].startswith(prefix), query["urlpath"]
        opened.append(query["urlpath"][len(prefix) :])
    notebooks = [p for p in opened if p.endswith(".ipynb")]
    counts = Counter(notebooks)
    assert sorted(counts) == on_disk, "each student notebook needs a link, and only they"
    assert max(counts.values()) == 1, counts
    assert notebooks == toc_order(), "links in _toc.yml's order"


def test_links_open_what_a_clone_has(cli_output):
    """Each urlpath names a file or folder that exists and that git tracks (a clone has it)."""
    folder = REPO.rstrip("/").split("/")[-1]
    tracked = tracked_files()
    paths = [
        decode(link)["urlpath"].split(f"/{folder}/", 1)[1] for link in printed_links(cli_output)
    ]
    folders = [p for p in paths if (ROOT / p).is_dir()]
    assert len(folders) == 1, f"one link for the whole course, to a folder: {folders}"
    for path in paths:
        assert (ROOT / path).exists(), path
        if tracked is not None:
            assert path in tracked or any(f.startswith(path + "/") for f in tracked), (
                f"{path} is not committed, so a student's clone would not have it"
            )


def test_each_link_has_a_title_line(cli_output):
    lines = cli_output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("https://"):
            assert i > 0 and lines[i - 1].strip() and not lines[i - 1].startswith("http"), line
    titles = [lines[i - 1] for i, line in enumerate(lines) if line.startswith("https://")]
    assert titles[1].startswith("ex01_recurrent_step: "), titles[1]


@pytest.mark.parametrize("hub", ["https://hub.example.edu", "https://hub.example.edu///"])
def test_hub_without_trailing_slash_problem(hub, capsys):
    code, out, _ = run("--hub", hub, capsys=capsys)
    assert code == 0
    links = printed_links(out)
    assert links and all(link.startswith(f"{HUB}/hub/user-redirect/git-pull?") for link in links)
    assert not any("//hub/" in link for link in links)


def test_hub_under_a_path(capsys):
    hub = "https://example.edu/jupyter/"
    code, out, _ = run("--hub", hub, capsys=capsys)
    assert code == 0
    for link in printed_links(out):
        decode(link, hub)


def test_repo_branch_and_classic_interface(capsys):
    repo = "https://gitlab.example.edu/teacher/my-rnn-class"
    code, out, _ = run(
        "--hub", HUB, "--repo", repo + "/", "--branch", "fall", "--interface", "tree", capsys=capsys
    )
    assert code == 0
    for link in printed_links(out):
        query = decode(link)
        assert (query["repo"], query["branch"]) == (repo, "fall")
        assert query["urlpath"].startswith("tree/my-rnn-class/"), query["urlpath"]


@pytest.mark.parametrize(
    "hub",
    [
        "hub.example.edu",
        "ftp://hub.example.edu",
        "https://",
        "https://hub.example.edu/hub/login",
        "https://hub.example.edu/user/alice/lab",
        "https://hub.example.edu/?next=x",
    ],
)
def test_bad_hub_is_rejected_with_a_message(hub, capsys):
    code, out, err = run("--hub", hub, capsys=capsys)
    assert code == 2
    assert not printed_links(out)
    assert "--hub" in err and repr(hub) in err, err


def test_missing_hub_is_rejected(capsys):
    code, out, err = run(capsys=capsys)
    assert code == 2 and "--hub" in err and not out
