"""Every deployment file binds the API to loopback or requires a token, and says which (issue 14, SECURITY.md).

The worker itself refuses to start on a non-loopback address without a token
(tests/unit/web/test_read_auth.py); these checks keep the shipped manifests in
line with that, so none of them starts a worker that then fails, or one that
serves reads to the network unauthenticated.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from newsmon.web.server import is_loopback

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
TOKEN_VARS = ("NEWSMON_API_TOKEN", "NEWSMON_API_READ_TOKEN")


def test_compose__binds_beyond_loopback_so_it_requires_a_token_from_newsmon_env():
    text = (REPO / "docker-compose.yml").read_text()
    doc = yaml.safe_load(text)
    env = doc["x-newsmon"]["environment"]
    assert not is_loopback(env["NEWSMON_WEB_HOST"])
    assert "TOKEN IS REQUIRED" in text
    # The token comes from newsmon.env, whose template lists both token settings.
    assert doc["x-newsmon"]["env_file"][0]["path"] == "newsmon.env"
    example = (DEPLOY / "newsmon.env.example").read_text()
    assert all(re.search(rf"(?m)^{v}=", example) for v in TOKEN_VARS)
    # Host-side, every published port is on loopback.
    for name, svc in doc["services"].items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_dockerfile__binds_beyond_loopback_and_says_a_token_is_required():
    text = (DEPLOY / "Dockerfile").read_text()
    host = re.search(r"NEWSMON_WEB_HOST=(\S+)", text).group(1)
    assert not is_loopback(host)
    assert "TOKEN IS REQUIRED" in text and all(v in text for v in TOKEN_VARS)


def test_k8s__worker_binds_beyond_loopback_and_mounts_both_tokens():
    docs = {}
    for f in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(f.read_text()):
            if doc:
                docs[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    settings = docs["ConfigMap/newsmon-settings"]["data"]
    assert not is_loopback(settings["NEWSMON_WEB_HOST"])
    assert "TOKEN IS REQUIRED" in (DEPLOY / "k8s" / "configmap.yaml").read_text()
    [worker] = docs["Deployment/newsmon-worker"]["spec"]["template"]["spec"]["containers"]
    env = {e["name"] for e in worker["env"]}
    assert {v + "_FILE" for v in TOKEN_VARS} <= env
    assert {"api-token", "api-read-token"} <= set(docs["Secret/newsmon-secrets"]["stringData"])


def test_systemd__binds_loopback_and_says_so():
    text = (DEPLOY / "systemd" / "newsmon-worker.service").read_text()
    hosts = re.findall(r"(?m)^Environment=.*\bNEWSMON_WEB_HOST=(\S+)", text)
    assert hosts and all(is_loopback(h) for h in hosts)
    assert "API exposure (SECURITY.md): LOOPBACK" in text


def test_security_md__exists_and_is_linked_from_the_readme():
    security = (REPO / "SECURITY.md").read_text()
    for needed in ("6066", "NEWSMON_API_TOKEN", "NEWSMON_API_READ_TOKEN", "/metrics", "producer"):
        assert needed in security
    assert "(SECURITY.md)" in (REPO / "README.md").read_text()
