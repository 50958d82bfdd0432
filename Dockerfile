# Spoorwijzer API image: what production needs and no more (no embedded PostgreSQL, no test tools). Configured
# only by environment variables (DATABASE_URL, SPOORWIJZER_*; each secret also as *_FILE).
# Migrations run as a separate command before serving (expand before contract: docs/operations.md, "Upgrades"):
#   docker run --rm -e DATABASE_URL=... spoorwijzer python -m app.cli migrate
#   docker run -p 8000:8000 -e DATABASE_URL=... -e SPOORWIJZER_BSN_KEYS_FILE=/run/secrets/bsn_keys spoorwijzer
# Stop grace period: the service waits up to 20 s for requests in flight (--timeout-graceful-shutdown) and then
# stops its background workers; give it 30 s (`docker stop -t 30`, compose `stop_grace_period: 30s`, Kubernetes
# `terminationGracePeriodSeconds: 30`). Docker's default of 10 s would cut requests off.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements-hashes.lock /tmp/requirements-hashes.lock
# The runtime lock only (requirements.lock with hashes, made by `make lock-hashes`); pip check proves it complete.
RUN /opt/venv/bin/pip install --no-deps --require-hashes --only-binary=:all: -r /tmp/requirements-hashes.lock \
    && /opt/venv/bin/pip check

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SPOORWIJZER_ENVIRONMENT=production \
    SPOORWIJZER_HOST=0.0.0.0 \
    SPOORWIJZER_PORT=8000 \
    SPOORWIJZER_WORKERS=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/spoorwijzer-metrics
RUN useradd --system --create-home --uid 10001 spoorwijzer
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
USER spoorwijzer
EXPOSE 8000
STOPSIGNAL SIGTERM
LABEL org.spoorwijzer.stop-grace-period="30s"
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
# The workers count requests into files in PROMETHEUS_MULTIPROC_DIR, emptied at each start; /metrics adds them up.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec uvicorn app.asgi:app --host \"$SPOORWIJZER_HOST\" --port \"$SPOORWIJZER_PORT\" --workers \"$SPOORWIJZER_WORKERS\" --proxy-headers --timeout-graceful-shutdown 20"]
