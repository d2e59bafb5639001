# Loa Xã: console, API, scheduler and playout in one container, on the embedded defaults
# (SQLite in the /data volume, eSpeak NG voices). docker-compose.yml adds PostgreSQL, a
# separate playout worker and Icecast for the scale-out set-up.
# BASE: the official Python image by default; scripts/check-image builds one from a local
# Debian image with Debian's python3 (deploy/debian-base.Containerfile). Nothing here is
# downloaded from outside the package registries (PyPI, and Debian's through the base).
ARG BASE=python:3.11-slim
FROM ${BASE}

# uv in a throwaway virtual environment (Debian's python3 has no pip of its own), used to
# install the locked dependencies from wheels, then removed: no compilers, no caches.
ENV UV_NO_CACHE=1 UV_PYTHON_DOWNLOADS=never UV_PYTHON_PREFERENCE=only-system \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NATIVE_TLS=1 \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir uv \
 && useradd --create-home --uid 1000 loaxa \
 && mkdir /data && chown loaxa /data

WORKDIR /app
COPY pyproject.toml uv.lock README.md LICENSE ./
COPY voices voices
COPY schedules schedules
COPY playout playout
COPY radio radio
COPY receiver receiver
COPY examples examples
RUN /opt/uv/bin/uv sync --frozen --no-dev --python python3 \
 && rm -rf /opt/uv /root/.cache \
 && chown -R loaxa /app

USER loaxa
ENV RADIO_DATA_DIR=/data PATH=/app/.venv/bin:$PATH
VOLUME /data
EXPOSE 8000
# /api/health answers 200 only when the database answers too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"
ENTRYPOINT ["radio"]
# No default password: create the first operator with
#   docker run --rm -it -v loaxa:/data IMAGE user add vanhanh --role operator --emergency
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
