# Loa Xã: console, API, scheduler and playout in one container, on the embedded defaults
# (SQLite in the /data volume, eSpeak NG voices). docker-compose.yml adds PostgreSQL, a
# separate playout worker and Icecast for the scale-out set-up.
FROM python:3.11-slim

RUN pip install --no-cache-dir uv \
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
RUN uv sync --frozen --no-dev && chown -R loaxa /app

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
