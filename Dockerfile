# One image for every `mailroom` command: serve (default), worker, smtpd, migrate, ...
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc make libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
RUN python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock
COPY app ./app
RUN /venv/bin/pip install --no-cache-dir --no-deps --no-build-isolation .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 mailroom
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    VAR_DIR=/data
RUN mkdir -p /data && chown mailroom /data
USER mailroom
WORKDIR /home/mailroom
EXPOSE 8000 2525
# The API is healthy when it can reach its database and Redis (/readyz). The worker
# and smtpd services of compose.yaml override this with their own `mailroom health`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["mailroom", "health", "api", "--url", "http://127.0.0.1:8000"]
ENTRYPOINT ["mailroom"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
