"""Render deploy/nginx.conf for an nginx outside Docker: the same file, other addresses.

    python deploy/nginx.py --server A=127.0.0.1:8601 --server C=127.0.0.1:8602 --listen 127.0.0.1:8600 --prefix /tmp/px

writes a complete nginx.conf to stdout (or --out) whose http {} block is deploy/nginx.conf with only these
changes: the replicas' lines become one per --server (LETTER=host:port, LETTER being that app process's
PLAYGROUND_REPLICA; a bare host:port is a replica without rooms, hashed only): the upstream's
`server app-a:8501 ...;` lines, the `upstream rnnp_A { server app-a:8501; }` lines and the room map's `A` lines,
each one made from the deployed file's first such line; `listen 80` becomes --listen, and the access log goes to
PREFIX/access.log. Everything that decides affinity, rooms, websockets and headers is the deployed file's own text,
so a test of the rendered file tests the deployed one.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

CONF = Path(__file__).resolve().parent / "nginx.conf"
LISTEN = re.compile(r"^(?P<indent>[ \t]*)listen 80;$", re.M)
ACCESS_LOG = re.compile(r"^(?P<indent>[ \t]*)access_log /var/log/nginx/access\.log (?P<fmt>\w+);$", re.M)
# The replicas' lines: groups named L* hold the replica's letter, `addr` its address (compose's app-<letter>:8501).
REPLICA_LINES = {
    "`server app-a:8501 ...;`": (re.compile(r"^[ \t]*server (?P<addr>app-\w:8501)[^;]*;$", re.M), False),
    "`upstream rnnp_A { server app-a:8501; }`": (
        re.compile(r"^[ \t]*upstream rnnp_(?P<L1>\w) \{ server (?P<addr>app-\w:8501)[^;]*; \}$", re.M), True),
    "room map `\"~*^A[^:]*:\" A;`": (re.compile(r'^[ \t]*"~\*\^(?P<L1>\w)\[\^:\]\*:"\s+(?P<L2>\w);$', re.M), True),
    "room map `\"~:A$\" A;`": (re.compile(r'^[ \t]*"~:(?P<L1>\w)\$"\s+(?P<L2>\w);$', re.M), True),
}
ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"  # playground/server/rooms.py's (deploy/ does not import the app)


def _one(pattern: re.Pattern, text: str, what: str) -> re.Match:
    found = list(pattern.finditer(text))
    if len(found) != 1:
        raise ValueError(f"deploy/nginx.conf must have exactly one {what} line, found {len(found)}")
    return found[0]


def _block(pattern: re.Pattern, text: str, what: str) -> list[re.Match]:
    """The lines of one kind: at least one, one after the other."""
    found = list(pattern.finditer(text))
    if not found:
        raise ValueError(f"deploy/nginx.conf must have {what} lines, found none")
    for a, b in zip(found, found[1:]):
        if a.end() + 1 != b.start():
            raise ValueError(f"deploy/nginx.conf's {what} lines must follow one another")
    return found


def _made_like(m: re.Match, letter: str, addr: str) -> str:
    """The line `m` matched, for another replica: its letter and address swapped in."""
    spans = sorted((m.span(g), addr if g == "addr" else letter) for g in m.groupdict())
    line, at = "", m.start()
    for (start, end), new in spans:
        line, at = line + m.string[at:start] + new, end
    return line + m.string[at:m.end()]


def parse_server(server: str) -> tuple[str, str]:
    """"A=127.0.0.1:8601" -> ("A", "127.0.0.1:8601"); a bare address has no letter ("")."""
    letter, _, addr = server.rpartition("=")
    if letter and (len(letter) != 1 or letter.upper() not in ALPHABET):
        raise ValueError(f"a replica's letter is one of {ALPHABET}, not {letter!r}")
    return letter.upper(), addr


def replicas(conf: str | None = None) -> list[tuple[str, str]]:
    """(letter, address) of each replica of deploy/nginx.conf, checked to agree in every kind of replica line."""
    text = CONF.read_text() if conf is None else conf
    pool = [m["addr"] for m in _block(REPLICA_LINES["`server app-a:8501 ...;`"][0], text, "pool")]
    up = [(m["L1"], m["addr"]) for m in _block(REPLICA_LINES["`upstream rnnp_A { server app-a:8501; }`"][0], text,
                                                 "upstream rnnp_")]
    if [a for _, a in up] != pool:
        raise ValueError(f"the upstream rnnp_ lines {up} are not the pool's servers {pool}, in order")
    for what, (pattern, _) in list(REPLICA_LINES.items())[2:]:
        letters = [m["L1"] for m in _block(pattern, text, what)]
        if letters != [L for L, _ in up] or any(m["L1"] != m["L2"] for m in pattern.finditer(text)):
            raise ValueError(f"the {what} lines' letters {letters} are not the replicas' {[L for L, _ in up]}")
    return up


def render_http(servers: list[str], listen: str, access_log: str, conf: str | None = None) -> str:
    """deploy/nginx.conf (the text inside http {}) with its replicas, listen address and access log set."""
    text = CONF.read_text() if conf is None else conf
    if not servers:
        raise ValueError("at least one upstream server")
    parsed = [parse_server(s) for s in servers]
    letters = [L for L, _ in parsed if L]
    if len(set(letters)) != len(letters):
        raise ValueError(f"two replicas with one letter: {letters}")
    for what, (pattern, lettered) in REPLICA_LINES.items():
        found = _block(pattern, text, what)
        lines = [_made_like(found[0], L, a) for L, a in parsed if L or not lettered]
        text = text[:found[0].start()] + "\n".join(lines) + text[found[-1].end():]
        if not lines:  # a pool without rooms: the line break before the removed lines goes too
            text = text[:found[0].start() - 1] + text[found[0].start():]
    m = _one(LISTEN, text, "`listen 80;`")
    text = text[:m.start()] + f"{m['indent']}listen {listen};" + text[m.end():]
    m = _one(ACCESS_LOG, text, "`access_log /var/log/nginx/access.log FORMAT;`")
    return text[:m.start()] + f"{m['indent']}access_log {access_log} {m['fmt']};" + text[m.end():]


def render(servers: list[str], listen: str, prefix: Path, conf: str | None = None) -> str:
    """A whole nginx.conf for `nginx -p PREFIX -c PREFIX/nginx.conf`: pid, logs and temp files under PREFIX."""
    prefix = Path(prefix)
    temps = "\n".join(f"    {k}_temp_path {prefix}/{k}_temp;" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    http = render_http(servers, listen, str(prefix / "access.log"), conf)
    body = "\n".join(("    " + line) if line.strip() else "" for line in http.splitlines())
    return (f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\n{temps}\n{body}\n}}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", action="append", required=True,
                    help="LETTER=host:port of an app process started with PLAYGROUND_REPLICA=LETTER (repeat)")
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
