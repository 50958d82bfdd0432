# Spoorwijzer API image. Configured only by environment variables (DATABASE_URL, SPOORWIJZER_*).
# Migrations run as a separate command before serving:
#   docker run --rm -e DATABASE_URL=... spoorwijzer python -m app.cli migrate
#   docker run -p 8000:8000 -e DATABASE_URL=... -e SPOORWIJZER_BSN_KEY=... spoorwijzer

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --no-deps -r /tmp/requirements.lock

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/srv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SPOORWIJZER_ENVIRONMENT=production \
    SPOORWIJZER_HOST=0.0.0.0 \
    SPOORWIJZER_PORT=8000 \
    WEB_CONCURRENCY=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/spoorwijzer-metrics
RUN useradd --system --create-home --uid 10001 spoorwijzer
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
USER spoorwijzer
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
# The workers count requests into files in PROMETHEUS_MULTIPROC_DIR, emptied at each start; /metrics adds them up.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec uvicorn app.asgi:app --host \"$SPOORWIJZER_HOST\" --port \"$SPOORWIJZER_PORT\" --workers \"$WEB_CONCURRENCY\" --proxy-headers --timeout-graceful-shutdown 20"]
