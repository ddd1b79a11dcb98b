"""The contact sheet of the browser tests' screenshots that CI leaves behind."""
import importlib.util
import subprocess
import sys

from conftest import ROOT

spec = importlib.util.spec_from_file_location("screenshot_index", ROOT / "scripts" / "screenshot_index.py")
screenshot_index = importlib.util.module_from_spec(spec)
spec.loader.exec_module(screenshot_index)


def test_the_contact_sheet_shows_every_screenshot(tmp_path):
    names = ["attention-1280x720.png", "rnn-390x844.png", "a<b>.png"]
    for name in names:
        (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    index = screenshot_index.write_index(tmp_path).read_text(encoding="utf-8")
    assert index.count("<img ") == 3 and "attention-1280x720.png" in index
    assert "a&lt;b&gt;.png" in index and "<b>" not in index  # names are escaped


def test_ci_keeps_a_copy_where_the_runner_asks(tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "home-1280x720.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot_index.py"), str(shots)],
                         env={"ARTIFACTS_DIR": str(tmp_path / "kept"), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True).stdout
    assert "1 files" in out
    assert (tmp_path / "kept" / "screenshots" / "home-1280x720.png").is_file()
    assert (tmp_path / "kept" / "screenshots" / "index.html").is_file()
