#!/usr/bin/env bash
# Install the project, editable, into the virtual environment, every version pinned by
# constraints.txt.
#   .ci/install.sh VENV SPEC        SPEC: "." (what running needs) or ".[test]" (and the tests')
# With uv (fast: parallel downloads, a shared cache), itself pinned and bootstrapped into the
# venv by pip. INSTALLER=pip, or a machine where uv cannot be installed, uses pip instead.
# Bytecode is compiled at install (uv does not by default): where PYTHONDONTWRITEBYTECODE is
# set, as on the CI machine, every Python process (each CLI call, server, worker, test worker)
# otherwise compiled the libraries' sources again, about a second per start.
set -euo pipefail
venv=${1:?venv}; spec=${2:?spec}
uv_version=0.13.9
py="$venv/bin/python"
[ -x "$py" ] || "${PYTHON:-python3}" -m venv "$venv"
if [ "${INSTALLER:-uv}" = uv ]; then
  if [ -x "$venv/bin/uv" ] || "$py" -m pip install -q "uv==$uv_version"; then
    "$venv/bin/uv" pip install --quiet --compile-bytecode --python "$py" -c constraints.txt \
      -e "$spec"
    exec "$py" -m compileall -q -j 0 app.py analytics cli data geo pages ui >/dev/null
  fi
  echo "uv could not be installed: installing with pip instead (slower)" >&2
fi
"$py" -m pip install -q --upgrade pip
"$py" -m pip install -q -c constraints.txt -e "$spec"
"$py" -m compileall -q -j 0 app.py analytics cli data geo pages ui >/dev/null
