# One image for web and workers. The GPU worker's image is built with
# --build-arg TENSORFLOW=gpu, which swaps tensorflow-cpu for tensorflow[and-cuda]
# of the same version (the NVIDIA driver comes from the host, CUDA from the wheels).
FROM python:3.11-slim-bookworm

ARG TENSORFLOW=cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_DEBUG=0 \
    PODIO_VAR_DIR=/var/lib/podio \
    PODIO_STATIC_ROOT=/app/static-collected

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
 && if [ "$TENSORFLOW" = "gpu" ]; then \
      version=$(pip show tensorflow-cpu | sed -n 's/^Version: //p') \
      && pip uninstall -y tensorflow-cpu \
      && pip install --no-cache-dir "tensorflow[and-cuda]==${version}"; \
    fi

COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v0 \
 && useradd --system --home /var/lib/podio podio \
 && mkdir -p /var/lib/podio/media /var/lib/podio/hidden \
 && chown -R podio /var/lib/podio
USER podio

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
