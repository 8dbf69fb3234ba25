"""The container image (Dockerfile): built from this checkout and smoke-tested with no network,
as a non-root user, when a container engine is available; skipped with the reason otherwise."""
from __future__ import annotations

import shutil
import subprocess
import sys
import uuid

import pytest
from helpers import AS_OF, ROOT, SAMPLES

pytestmark = pytest.mark.packaging


def test_dockerfile_is_slim_non_root_and_offline_at_run_time():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    froms = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert froms and all(f.startswith("python:") and f.endswith("-slim") for f in froms)
    assert "USER mlcompliance" in text and 'ENTRYPOINT ["mlcompliance"]' in text
    final = text.rsplit("FROM ", 1)[1]
    assert "--no-index" in final      # the run stage installs only the wheels built beside it
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ignore[ignore.index("*") + 1:][:5] == ["!pyproject.toml", "!README.md", "!src/", "!policies/", "!templates/"]


def _engine() -> str:
    for name in ("docker", "podman"):
        exe = shutil.which(name)
        if exe and subprocess.run([exe, "info"], capture_output=True, timeout=60).returncode == 0:
            return exe
    pytest.skip("no container engine: neither docker nor podman answers `info` (is the daemon running?)")


def test_image_builds_and_checks_a_project_without_network():
    engine = _engine()
    tag = f"mlcompliance-test:{uuid.uuid4().hex[:8]}"
    build = subprocess.run([engine, "build", "-q", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=900)
    if build.returncode != 0:
        if any(m in build.stderr for m in ("pull access denied", "failed to resolve", "dial tcp", "no such host",
                                           "TLS handshake", "failed to fetch", "i/o timeout")):
            pytest.skip(f"the base image python:3.12-slim cannot be pulled here: {build.stderr.strip()[-200:]}")
        pytest.fail(build.stderr)
    try:
        def run(*args: str, entry: str | None = None) -> subprocess.CompletedProcess:
            cmd = [engine, "run", "--rm", "--network", "none", "-v", f"{SAMPLES}:/work:ro"]
            cmd += ["--entrypoint", entry] if entry else []
            return subprocess.run([*cmd, tag, *args], capture_output=True, text=True, timeout=300)
        assert run("-u", entry="id").stdout.strip() == "10001"
        ok = run("check", "invoice-late-payment", "--as-of", AS_OF)
        assert ok.returncode == 0, ok.stderr
        assert run("check", "support-email-router", "--as-of", AS_OF).returncode == 1
        broken = run("check", "broken-fraud-alerts")
        assert broken.returncode == 2 and "model_card.yaml:10:3" in broken.stderr
    finally:
        subprocess.run([engine, "rmi", "-f", tag], capture_output=True)


def test_the_build_context_dockerignore_leaves_builds_the_wheel(tmp_path):
    """Without an engine: the build stage's first command on exactly the files .dockerignore lets
    through (and the COPY lines copy), so a missing file in the context fails here."""
    context = tmp_path / "context"
    context.mkdir()
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").split("FROM ")[1].splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for src in sources:
                path = ROOT / src.rstrip("/")
                (shutil.copytree if path.is_dir() else shutil.copy)(path, context / src.rstrip("/"))
    out = tmp_path / "wheels"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(context)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 and "Could not find a version" in proc.stderr:
        pytest.skip("pip could not fetch the build backend (hatchling) from the package registry")
    assert proc.returncode == 0, proc.stderr
    wheel = next(out.glob("mlcompliance-*.whl"))
    import zipfile
    names = zipfile.ZipFile(wheel).namelist()
    assert "mlcompliance/_data/policies/mlops-practices/1.0.0/pack.yaml" in names
    assert "mlcompliance/cli/github_action.py" in names and "mlcompliance/schemas/model_card.schema.json" in names
