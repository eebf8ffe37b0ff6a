# The jobmatch API: the Python package on python:3.11-slim, run as an unprivileged user.
# Built by docker-compose.yml (service "api"); see docs/DEPLOYMENT.md.
# Not tested here: the development machines have no Docker engine.

# Stage 1: build the package's wheel, so no source tree ends up in the image.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# .dockerignore keeps .env, .venv, data, tests and caches out of the build context.
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

# Stage 2: the runtime. Every dependency ships a manylinux wheel for CPython 3.11: no compiler needed.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels

# A fixed uid, so a bind-mounted data folder can be chowned to it.
RUN useradd --system --uid 10001 --home-dir /var/lib/jobmatch --create-home jobmatch
WORKDIR /var/lib/jobmatch
USER jobmatch
ENV JOBMATCH_DATA_DIR=/var/lib/jobmatch \
    JOBMATCH_HOST=0.0.0.0 \
    JOBMATCH_PORT=8080
EXPOSE 8080

# /health answers without touching the store; slim images have no curl or wget, so Python asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=4).status != 200)"]

# No ENTRYPOINT: `docker compose run --rm api jobmatch ontology load …` runs any jobmatch command.
CMD ["jobmatch", "serve", "--host", "0.0.0.0", "--port", "8080"]
