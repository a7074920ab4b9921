# unspin HTTP service.
#   docker build -t unspin .                      # rules engine only (no torch), small image
#   docker build -t unspin:model --build-arg VARIANT=model .   # adds the seq2seq model (CPU torch)
#   docker run --rm -p 8000:8000 unspin
# The install and start commands are the ones .ci/run exercises: `pip install .` and `unspin serve`.
FROM python:3.11-slim

ARG VARIANT=rules

# kenlm's Python module compiles from source: a C++ compiler and zlib headers are needed at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/unspin/src
COPY pyproject.toml README.md ./
COPY service ./service
RUN if [ "$VARIANT" = "model" ]; then \
        pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
        && pip install --no-cache-dir '.[model]'; \
    elif [ "$VARIANT" = "rules" ]; then \
        pip install --no-cache-dir .; \
    else \
        echo "VARIANT must be rules or model, got $VARIANT" >&2; exit 2; \
    fi \
    && apt-get purge -y build-essential && apt-get autoremove -y \
    && rm -rf /opt/unspin/src

# Artefacts outside the package: the language model (models/lm) and the seq2seq model (models/seq2seq).
# LM_FILE / GAP_FILLER_FILE are the names scripts/train_lm.py writes into models/lm/ (service/lm.py: LM_FILE, GAP_FILE).
ARG LM_FILE=wiki_en_4gram_v1.binary
ARG GAP_FILLER_FILE=gap_fillers_v1.npz
COPY models /opt/unspin/models

ENV UNSPIN_LM_PATH=/opt/unspin/models/lm/${LM_FILE} \
    UNSPIN_GAP_FILLER_PATH=/opt/unspin/models/lm/${GAP_FILLER_FILE} \
    UNSPIN_MODEL_DIR=/opt/unspin/models/seq2seq \
    UNSPIN_ENGINE=${VARIANT} \
    UNSPIN_WORKERS=2 \
    UNSPIN_PROCESSES=1 \
    PYTHONUNBUFFERED=1

RUN useradd --system --create-home --uid 10001 unspin
USER unspin
WORKDIR /home/unspin
# A volume mounted here (UNSPIN_FEED_DIR=/home/unspin/feeds) starts out owned by this user.
RUN mkdir /home/unspin/feeds

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# Threads and processes come from UNSPIN_WORKERS and UNSPIN_PROCESSES (docker run -e UNSPIN_PROCESSES=4 ...:
# one process per core; each holds its own engine in memory).
CMD ["unspin", "serve", "--host", "0.0.0.0", "--port", "8000"]
