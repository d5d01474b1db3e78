# The app in one container: `docker build -t rnn-playground .` then `docker run -p 8501:8501 rnn-playground`.
# compose.yaml runs several of these behind nginx (README: "A lecture past one machine").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# torch first, from PyTorch's CPU-only wheel index: the plain `torch==2.13.0` pin in requirements.txt is then
# already satisfied (2.13.0+cpu matches it), so pip never pulls the CUDA build PyPI's Linux wheel depends on
# (several GB that a CPU container neither uses nor has room for). Keep this version equal to requirements.txt's.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The app alone: no tests, no benchmarks, no training data (.dockerignore keeps the rest out of the context).
COPY .streamlit/ .streamlit/
COPY app.py serve.py ./
COPY pages/ pages/
COPY playground/ playground/
COPY assets/ assets/

RUN useradd --create-home --uid 10001 app
USER app

EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "serve.py", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]
