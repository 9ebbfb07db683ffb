"""Where the repository keeps its local, git-ignored state (embedded database, development key)."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The folder for local state: `CUS_DATA_DIR`, else `.data/` at the repository root."""
    path = Path(os.environ.get("CUS_DATA_DIR", REPO_ROOT / ".data"))
    path.mkdir(parents=True, exist_ok=True)
    return path
