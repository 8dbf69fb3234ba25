# mlcompliance as a container image: slim Python, a non-root user, the project installed from
# this build context; at run time it needs no network (packs, schemas and templates ship inside).
#   docker build -t mlcompliance .
#   docker run --rm --network none -v "$PWD:/work:ro" mlcompliance check /work --format md
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY policies ./policies
COPY templates ./templates
RUN python -m pip wheel --no-cache-dir --no-deps -w /wheels . \
 && python -m pip wheel --no-cache-dir -w /wheels /wheels/mlcompliance-*.whl

FROM python:3.12-slim
LABEL org.opencontainers.image.title="mlcompliance" \
      org.opencontainers.image.description="Offline policy-as-code compliance checks for ML projects" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY --from=build /wheels /wheels
RUN python -m pip install --no-index --find-links /wheels mlcompliance \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 mlcompliance
USER mlcompliance
WORKDIR /work
ENTRYPOINT ["mlcompliance"]
CMD ["--help"]
