# A worker for schedcu's remote deployments (README: "Workers on other machines"): the project
# and its pinned dependencies, Chromium for phase 2 and git for the runs' git_clone pull step. Each
# run clones the flow code itself, and the clone comes first on the run's PYTHONPATH, so code
# changes reach the workers by git alone; rebuild the image when pyproject.toml changes.
#   docker build -t schedcu-worker .
# Not built on the development machine (it has no Docker engine); .ci/run builds it where one
# answers.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends git chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/schedcu-src
COPY pyproject.toml README.md ./
COPY schedcu ./schedcu
COPY tasks ./tasks
COPY flows ./flows
RUN pip install --no-cache-dir ".[s3,sftp]" \
    && rm -rf /opt/schedcu-src

# Debian's Chromium (the client launches it with --no-sandbox, as a container needs).
ENV SCHEDCU_CHROMIUM=/usr/bin/chromium \
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PYTHONUNBUFFERED=1

# An empty working folder and no root: a run writes only to its own temporary folder, the
# database and the storage.
RUN useradd --create-home --uid 10001 schedcu
USER schedcu
WORKDIR /home/schedcu

CMD ["prefect", "worker", "start", "--pool", "schedcu-remote", "--type", "process"]
