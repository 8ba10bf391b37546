# The one image behind every Aksio service of compose.yaml (api, worker, relay).
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY aksio ./aksio
RUN pip install --no-cache-dir .
ENV AKSIO_DATA_DIR=/var/lib/aksio
EXPOSE 8000
CMD ["aksio", "serve", "--host", "0.0.0.0", "--port", "8000"]
