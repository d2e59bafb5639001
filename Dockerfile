# Loa Xã on the embedded defaults: eSpeak NG voices, data in the /data volume.
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
COPY bench bench
COPY examples examples
RUN uv sync --frozen --no-dev && chown -R loaxa /app

USER loaxa
ENV RADIO_DATA_DIR=/data PATH=/app/.venv/bin:$PATH
VOLUME /data
ENTRYPOINT ["radio"]
CMD ["voices", "list"]
