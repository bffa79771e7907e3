# Sourced by the bin/ wrappers: the project root, the import path for bot/, and
# the resolved configuration from bot/config.py as environment variables.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
# Keep the OpenMP/TensorFlow thread pools small: two cores serve several processes.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Rasa must not phone home: no network beyond the package registries.
export RASA_TELEMETRY_ENABLED=false
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
require_venv() {
  if [ ! -x "$ROOT/.venv/$1/bin/python" ]; then
    echo "error: .venv/$1 is missing; run 'make install' (or bin/setup) first" >&2
    exit 1
  fi
}
require_venv app
eval "$("$ROOT/.venv/app/bin/python" -m bot.config env)"
