"""Render deploy/nginx.conf for an nginx outside Docker: the same file, other addresses.

    python deploy/nginx.py --server 127.0.0.1:8601 --server 127.0.0.1:8602 --listen 127.0.0.1:8600 --prefix /tmp/px

writes a complete nginx.conf to stdout (or --out) whose http {} block is deploy/nginx.conf with only these
changes: the upstream's `server app:8501 ...;` line becomes one line per --server (same parameters), `listen 80`
becomes --listen, and the access log goes to PREFIX/access.log. Everything that decides affinity, websockets
and headers is the deployed file's own text, so a test of the rendered file tests the deployed one.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CONF = Path(__file__).resolve().parent / "nginx.conf"
SERVER = re.compile(r"^(?P<indent>[ \t]*)server app:8501(?P<params>[^;]*);$", re.M)
LISTEN = re.compile(r"^(?P<indent>[ \t]*)listen 80;$", re.M)
ACCESS_LOG = re.compile(r"^(?P<indent>[ \t]*)access_log /var/log/nginx/access\.log (?P<fmt>\w+);$", re.M)


def _one(pattern: re.Pattern, text: str, what: str) -> re.Match:
    found = list(pattern.finditer(text))
    if len(found) != 1:
        raise ValueError(f"deploy/nginx.conf must have exactly one {what} line, found {len(found)}")
    return found[0]


def render_http(servers: list[str], listen: str, access_log: str, conf: str | None = None) -> str:
    """deploy/nginx.conf (the text inside http {}) with its upstream servers, listen address and access log set."""
    text = CONF.read_text() if conf is None else conf
    if not servers:
        raise ValueError("at least one upstream server")
    m = _one(SERVER, text, "`server app:8501 ...;`")
    lines = "\n".join(f"{m['indent']}server {s}{m['params']};" for s in servers)
    text = text[:m.start()] + lines + text[m.end():]
    m = _one(LISTEN, text, "`listen 80;`")
    text = text[:m.start()] + f"{m['indent']}listen {listen};" + text[m.end():]
    m = _one(ACCESS_LOG, text, "`access_log /var/log/nginx/access.log FORMAT;`")
    return text[:m.start()] + f"{m['indent']}access_log {access_log} {m['fmt']};" + text[m.end():]


def render(servers: list[str], listen: str, prefix: Path) -> str:
    """A whole nginx.conf for `nginx -p PREFIX -c PREFIX/nginx.conf`: pid, logs and temp files under PREFIX."""
    prefix = Path(prefix)
    temps = "\n".join(f"    {k}_temp_path {prefix}/{k}_temp;" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    http = render_http(servers, listen, str(prefix / "access.log"))
    body = "\n".join(("    " + line) if line.strip() else "" for line in http.splitlines())
    return (f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\n{temps}\n{body}\n}}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", action="append", required=True, help="host:port of an app process (repeat)")
    ap.add_argument("--listen", default="127.0.0.1:8080")
    ap.add_argument("--prefix", type=Path, required=True, help="folder for pid, logs and temp files")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    text = render(a.server, a.listen, a.prefix)
    if a.out:
        a.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
