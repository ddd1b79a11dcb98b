# The app in a container: one Streamlit server on port 8501, run by a user without root rights,
# with the CPU-only build of torch (the CUDA build of the default index is several GB).
#
#     docker build --build-arg TORCH_INDEX=<the CPU wheel index of README, "Deploying on Streamlit
#                  Community Cloud"> -t seq2seq-explorer .
#     docker run --rm -p 8501:8501 seq2seq-explorer
#
# Several containers behind HAProxy: README, "Serving a class" (deploy/haproxy.cfg).
FROM python:3.11-slim

ARG TORCH_INDEX
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_ARENA_MAX=2 \
    PORT=8501

WORKDIR /app
# The pinned requirements (torch==2.13.0 and the rest); the extra index supplies 2.13.0+cpu, and the
# check stops the build if a CUDA build came instead.
COPY requirements.txt ./
RUN test -n "$TORCH_INDEX" || { echo "pass --build-arg TORCH_INDEX=<CPU wheel index> (README)" >&2; exit 1; } \
 && pip install --extra-index-url "$TORCH_INDEX" -r requirements.txt \
 && python -c "import torch; assert torch.version.cuda is None, 'not the CPU-only build: ' + torch.__version__"

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
# Code and models only (.dockerignore keeps out data, tests, benchmarks, the venv); root owns them and
# the app user cannot change them: the app writes nothing to disk at run time.
COPY app.py ./
COPY .streamlit ./.streamlit
COPY core ./core
COPY ui ./ui
COPY pages ./pages
COPY checkpoints ./checkpoints
COPY deploy ./deploy
USER app

EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s \
  CMD python -c "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ['PORT'], timeout=4).read() != b'ok')"
CMD ["sh", "deploy/serve.sh"]
