"""Another checkout of the repository (BENCH_AGAINST=<git ref>), to measure it in the same run as this one.

A detached git worktree in a temporary folder, sharing this checkout's virtualenv and npm packages (static files
come from node_modules): same libraries, same database, only the project's code differs.
"""

import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, text=True, capture_output=True).stdout.strip()


def other_ref() -> str:
    """BENCH_AGAINST, else where this branch left main (the merge-base), else main."""
    wanted = os.environ.get("BENCH_AGAINST")
    if wanted:
        return wanted
    try:
        return git("merge-base", "HEAD", "main")
    except subprocess.CalledProcessError:
        return "main"


@contextmanager
def checkout(ref: str):
    """Yields (folder, commit) of ``ref`` checked out in a temporary worktree, removed afterwards."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="bench-against-") as tmp:
        folder = Path(tmp) / "checkout"
        git("worktree", "add", "--detach", str(folder), commit)
        try:
            for shared in ("node_modules", ".venv"):
                if (ROOT / shared).exists():
                    (folder / shared).symlink_to((ROOT / shared).resolve())
            yield folder, commit
        finally:
            git("worktree", "remove", "--force", str(folder))
