"""The Lambda zip bundles requirements.txt; the dev install uses pyproject.
They must name the same runtime dependencies."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> set[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_requirements_match_pyproject_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert set(project["dependencies"]) == _requirements()


def test_importing_the_app_creates_no_client_and_reads_no_setting():
    import subprocess
    import sys

    code = ("import app; from chalicelib.store import aws; from chalicelib.core.settings import get_settings; "
            "print(len(aws._clients), get_settings.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]


def test_importing_the_app_loads_no_service_a_route_does_not_need_yet():
    """A route imports its service inside its handler: a cold start pays for
    the services of the routes it serves, not for all of them."""
    code = "import app, sys; print(sorted(m for m in sys.modules if m.startswith('chalicelib.services.')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_operations_page_prints_the_whole_route_role_table():
    import app  # noqa: F401 - the routes declare themselves on import
    from chalicelib.api.access import role_table
    from chalicelib.api.routing import OPERATIONS

    page = (ROOT / "docs" / "operations.md").read_text()
    assert len(role_table()) > 40
    for (method, path), role in role_table().items():
        shown = f"{role} (session)" if OPERATIONS[(method, path)].session else role
        assert f"| `{method}` | `{path}` | {shown} |" in page, (method, path)



def test_the_reference_builds_with_every_link_and_anchor_found(tmp_path):
    """``make docs``: MkDocs in strict mode fails on a page, link or anchor it cannot find."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    done = subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "privacy" / "index.html").exists()


def test_the_readme_is_a_newcomers_page_and_links_only_to_what_exists():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 200
    for heading in ("## Two commands", "## Try it", "## Read on"):
        assert heading in readme
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / target).exists(), target


def test_only_types_a_browser_shows_without_running_anything_open_inline():
    from chalicelib.store.blobs import INLINE_TYPES, content_disposition

    assert content_disposition("a.pdf", inline="application/pdf" in INLINE_TYPES).startswith("inline;")
    for risky in ("text/html", "image/svg+xml", "application/zip", "application/octet-stream"):
        assert risky not in INLINE_TYPES
    assert content_disposition("Lasku Söderberg.zip").startswith('attachment; filename="Lasku S_derberg.zip"')
