"""What a worker on another machine has, made on this one: a git repository to clone the flow
code from, and a Python that has the project's dependencies but not the project.

- `bare_repository`: a bare repository whose one branch holds this checkout's files as they are
  now (tracked and new files, `.gitignore` honoured, uncommitted changes included: a developer
  tests what they see). The commit is made with the bare repository's own index and objects;
  the checkout's repository is not touched.
- `dependencies_only_python`: a virtual environment that sees this `.venv`'s site-packages as a
  plain folder. Its editable install of schedcu is a `.pth` file there, and `.pth` files are read
  only in site directories, so this Python cannot import schedcu, flows or tasks: a flow run in it
  works only with the code its pull step cloned.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

GIT_IDENTITY = ["-c", "user.name=schedcu tests", "-c", "user.email=tests@schedcu.invalid"]


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"git {args}: {done.stderr[-2000:]}"
    return done.stdout


def bare_repository(checkout: Path, folder: Path, branch: str) -> str:
    """A bare repository in `folder` with `checkout`'s files on `branch`; its file:// URL."""
    bare = folder / "schedcu.git"
    _git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(bare))
    tree = ["--git-dir", str(bare), "--work-tree", str(checkout)]
    _git(*tree, "add", "--all")
    _git(*GIT_IDENTITY, *tree, "commit", "--quiet", "-m", "schedcu as checked out for the tests")
    return bare.as_uri()


def dependencies_only_python(folder: Path) -> Path:
    """A new virtual environment in `folder` seeing this one's packages but not schedcu."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dependencies = sysconfig.get_paths()["purelib"]
    (Path(site_packages) / "project-dependencies.pth").write_text(dependencies + "\n")
    return python
