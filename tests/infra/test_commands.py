"""The commands `make run` uses: create the schema and the demo data on an empty database."""

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT


def _flask(*args, env):
    return subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def test_demo_data_gives_the_readme_logins(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "PORTAIL_INSTANCE": str(tmp_path),
    }
    _flask("init-db", env=env)
    first = _flask("demo-data", "--if-empty", env=env)
    again = _flask("demo-data", "--if-empty", env=env)
    assert "created" in first.stdout
    assert "already there" in again.stdout
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "from app import create_app; from models import *; "
            "from workflows.accounts import authenticate; create_app(); "
            "print(Household.select().count(), Town.select().count(), "
            "bool(authenticate('parent@demo.fr', 'demo-parent')), "
            "authenticate('agent@demo.fr', 'demo-agent').roles, "
            "'admin' in authenticate('admin@demo.fr', 'demo-admin').roles, "
            "authenticate('parent@demo.fr', 'wrong'), "
            "bool(authenticate('garde@demo.fr', 'demo-garde')))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # 30 households, and the Roux household sharing a child (garde alternée) with Bernard
    assert check.stdout.split() == ["31", "1", "True", "approver", "True", "None", "True"]
