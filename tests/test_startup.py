"""Start-up stays light, and the core never imports the CLI toolkits."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_help_does_not_import_heavy_modules():
    mods = _modules_after(
        "from papernotes.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
    )
    assert "requests" not in mods
    assert "sqlite3" not in mods
    assert "pydantic" not in mods
    assert "rich" not in mods


def test_core_does_not_import_click_or_rich():
    mods = _modules_after(
        "import papernotes.model, papernotes.store.kb, papernotes.checks.validate, papernotes.checks.fmt, "
        "papernotes.views.listing, papernotes.metadata.catalog, papernotes.share.merge, "
        "papernotes.share.gitrepo, papernotes.share.resolve, papernotes.share.author"
    )
    assert "click" not in mods and "rich" not in mods


def test_python_dash_m_works():
    out = subprocess.run(
        [sys.executable, "-m", "papernotes", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("papernotes ")


def test_version_imports_no_click():
    code = (
        "import sys; sys.argv = ['papernotes', '--version']\n"
        "from papernotes.entry import main\nmain()\n"
        "print('click' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "papernotes 0.1.0\nFalse\n"


def test_console_script_leaves_everything_else_to_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "papernotes", "--no-such-option"], capture_output=True, text=True
    )
    assert out.returncode == 2 and out.stderr.startswith("Error: ")
