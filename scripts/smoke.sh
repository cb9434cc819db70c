#!/usr/bin/env bash
# Migrates, serves the site with gunicorn on a free port and fetches the home page.
# Expects DATABASE_URL (scripts/with_db.py provides it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=inclusion_site.settings.dev
$PY manage.py migrate --noinput
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/gunicorn inclusion_site.wsgi --bind "127.0.0.1:$port" --workers 1 --env DJANGO_SETTINGS_MODULE=inclusion_site.settings.dev &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$port/" -o /tmp/smoke-home.html 2>/dev/null; then
    grep -q "Trouver un service d'insertion" /tmp/smoke-home.html
    echo "smoke: home page served on the embedded database"
    exit 0
  fi
  sleep 0.2
done
echo "smoke: the server did not answer" >&2
exit 1
