# One image for every `mailroom` command and every compose service: serve (the
# default), worker, smtpd, migrate, org create, ... Production dependencies only
# (requirements-prod.lock: no dev extra, no embedded Redis).
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements-prod.lock requirements-build.lock ./
# Hash-pinned, and wheels only (every pinned package has one): no compiler needed.
# requirements-build.lock is the build backend of the next step.
RUN python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --require-hashes --only-binary :all: \
        -r requirements-prod.lock -r requirements-build.lock
COPY pyproject.toml README.md ./
COPY app ./app
# Nothing needs setuptools at run time once Mailroom is installed.
RUN /venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation . \
    && /venv/bin/pip uninstall --yes setuptools

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 mailroom \
    && mkdir -p /data \
    && chown 10001 /data
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/data
USER 10001
WORKDIR /home/mailroom
EXPOSE 8000 2525
# The API is healthy when it can reach its database and Redis (/readyz). The worker
# and smtpd services of compose.yaml override this with their own `mailroom health`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["mailroom", "health", "api", "--url", "http://127.0.0.1:8000"]
ENTRYPOINT ["mailroom"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
