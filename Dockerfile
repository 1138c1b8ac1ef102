# The Flowloom image used by docker-compose.yml for both the API and the workers.

# The web app, built apart: Node and its ~400 MB of node_modules stay out of the final image.
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
# package*.json first, so that npm ci is cached until the dependencies change
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
# the generated GraphQL code (src/gql) is committed, so the build needs no schema or codegen
COPY frontend ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLOWLOOM_HOME=/data FLOWLOOM_WEB_DIR=/app/web
WORKDIR /app

COPY pyproject.toml README.md ./
COPY backend ./backend
COPY engine ./engine
# pyproject.toml packages migrations/flowloom as backend/db/migrations: the wheel needs the folder
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system --home /data flowloom && mkdir -p /data && chown flowloom /data
# served at / by flowloom serve (FLOWLOOM_WEB_DIR); read-only for the flowloom user
COPY --from=web /src/frontend/dist ./web

USER flowloom
EXPOSE 8000
CMD ["flowloom", "serve", "--host", "0.0.0.0", "--port", "8000"]
