# The Flowloom image used by docker-compose.yml for both the API and the workers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLOWLOOM_HOME=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY backend ./backend
COPY engine ./engine
# pyproject.toml packages migrations/flowloom as backend/db/migrations: the wheel needs the folder
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system --home /data flowloom && mkdir -p /data && chown flowloom /data

USER flowloom
EXPOSE 8000
CMD ["flowloom", "serve", "--host", "0.0.0.0", "--port", "8000"]
