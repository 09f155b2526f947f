#!/usr/bin/env bash
# The checks that need a GPU, in one short run (see docs/gpu-check.md for what it printed):
#   1. the test suite, on this machine's torch;
#   2. quiz-app check --device cuda --strict of the bundled banks;
#   3. the isolation and containment tests with their runners on CUDA;
#   4. the round trip and the first outcome on CUDA, against `python -c "import torch"`.
# Usage, in the repository root of a machine with CUDA: bash benchmarks/gpu_check.sh
# Wheels for packages the machine lacks may lie in .whl/ (installed to /tmp/site, no network).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python3}
if ls .whl/*.whl >/dev/null 2>&1; then
    $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        && export PYTHONPATH="/tmp/site:$PYTHONPATH"
fi
export QUIZ_APP_HOME; QUIZ_APP_HOME=$(mktemp -d)
declare -A RESULT

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
$PY -c "import sys, torch; print('python', sys.version.split()[0], '| torch', torch.__version__, '| cuda', torch.version.cuda, '| gpus', torch.cuda.device_count())"

echo "== 1. the suite"
start=$SECONDS
XDIST=$($PY -c "import xdist" 2>/dev/null && echo "-n 8" || echo "")
timeout 230 $PY -m pytest -q -p no:cacheprovider $XDIST 2>&1 | tail -25
RESULT[suite]="exit ${PIPESTATUS[0]} in $((SECONDS - start)) s"

echo "== 2. quiz-app check --device cuda --strict"
start=$SECONDS
timeout 120 $PY -m quiz_app check --device cuda --strict 2>&1 | tail -15
RESULT[check]="exit ${PIPESTATUS[0]} in $((SECONDS - start)) s"

echo "== 3. isolation and containment on CUDA"
start=$SECONDS
QUIZ_APP_TEST_DEVICE=cuda timeout 100 $PY -m pytest -q -p no:cacheprovider $XDIST \
    tests/system/test_isolation.py tests/system/test_containment.py 2>&1 | tail -8
RESULT[isolation]="exit ${PIPESTATUS[0]} in $((SECONDS - start)) s"

echo "== 4. round trip and first outcome on CUDA"
timeout 60 $PY - <<'PYEOF'
import statistics, subprocess, sys, time
from quiz_app.runner import SnippetRunner
unit = []
for _ in range(3):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    unit.append(time.perf_counter() - started)
started = time.perf_counter()
with SnippetRunner.interactive("cuda") as runner:  # as the app starts it
    first = runner.run("x = torch.ones(2, device=device) * 2\nprint(x.sum().item())")
    first_s = time.perf_counter() - started
    assert first.text == "4.0\n", first
    trips = []
    for _ in range(50):
        runner.wait_ready()
        time.sleep(0.05)
        started = time.perf_counter()
        outcome = runner.run("x = torch.ones(2, device=device) * 2\nprint(x.sum().item())")
        trips.append(time.perf_counter() - started)
        assert outcome.text == "4.0\n", outcome
    print(f"device: {outcome.device} ({outcome.device_name}); guards: {', '.join(outcome.guards)}")
u = statistics.median(unit)
print(f"python -c 'import torch': median {u * 1000:.0f} ms")
print(f"first outcome on CUDA after launch: {first_s * 1000:.0f} ms = {first_s / u:.2f}x import torch")
rt = sorted(trips)
print(f"round trip from a ready CUDA process: median {statistics.median(rt) * 1000:.2f} ms, "
      f"p95 {rt[int(0.95 * (len(rt) - 1))] * 1000:.2f} ms ({len(rt)} runs)")
PYEOF
RESULT[bench]="exit $?"

echo "== summary"
for step in suite check isolation bench; do printf '%-10s %s\n' "$step" "${RESULT[$step]}"; done
