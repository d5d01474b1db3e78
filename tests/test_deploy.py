"""Past one machine: the Docker image, compose's replicas behind nginx, and that topology tried here without Docker.

No Docker daemon here, so the Dockerfile and compose.yaml are checked for what can be read off them (the CPU torch
index, the pin agreeing with requirements.txt, what is copied, the port and health path); deploy/nginx.conf is run
for real: Debian's nginx, rendered from it by deploy/nginx.py, before two app processes (bench/proxy.py).
"""
from __future__ import annotations

import difflib
import fnmatch
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "deploy"))
import nginx as nginx_conf  # noqa: E402  (deploy/nginx.py)
from nginx import ALPHABET  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
APP_FILES = {"app.py", "serve.py", "pages", "playground", "assets", ".streamlit"}  # what `streamlit run serve.py` reads


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def torch_pin() -> str:
    (pin,) = [ln.split("==")[1].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
              if re.match(r"torch\s*==", ln)]
    return pin


def test_requirements_keep_the_plain_torch_pin_and_no_other_index():
    """Community Cloud and these machines install requirements.txt as it is: one plain pin, no extra index."""
    text = (ROOT / "requirements.txt").read_text()
    assert re.fullmatch(r"\d+\.\d+\.\d+", torch_pin()), torch_pin()
    assert "index-url" not in text and "+cpu" not in text


def test_dockerfile_installs_the_cpu_torch_matching_the_pin_before_the_requirements():
    ins = instructions()
    assert ins[0] == ("FROM", "python:3.11-slim")
    runs = [(i, args) for i, (word, args) in enumerate(ins) if word == "RUN"]
    torch_runs = [(i, a) for i, a in runs if re.search(r"\btorch==", a)]
    assert len(torch_runs) == 1, torch_runs
    i_torch, torch_run = torch_runs[0]
    # --index-url (not --extra-index-url): PyPI's torch, which pulls the CUDA libraries, is not even a candidate
    assert f"--index-url {CPU_INDEX} " in torch_run and "--extra-index-url" not in torch_run, torch_run
    assert re.search(r"\btorch==(\S+)", torch_run).group(1) in (torch_pin(), f"{torch_pin()}+cpu")
    (i_req, _), = [(i, a) for i, a in runs if "-r requirements.txt" in a]
    assert i_torch < i_req, "torch must be installed from the CPU index before requirements.txt"
    copied_req = [i for i, (w, a) in enumerate(ins) if w == "COPY" and a.split()[0] == "requirements.txt"]
    assert copied_req and copied_req[0] < i_req


def test_dockerfile_copies_the_app_and_nothing_else_and_the_context_keeps_it():
    ins = instructions()
    sources = [s.rstrip("/") for w, a in ins if w == "COPY" for s in a.split()[:-1] if not s.startswith("--")]
    assert set(sources) == APP_FILES | {"requirements.txt"}, sources
    for s in sources:
        assert (ROOT / s).exists(), f"the Dockerfile copies {s}, which is not in the repository"
    ignored = [ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
               if ln.strip() and not ln.startswith("#")]
    for s in sources:
        assert not any(fnmatch.fnmatch(s, pat) for pat in ignored), f".dockerignore drops {s}, which is copied"
    for kept_out in ("tests", ".venv", ".git", "artifacts", "bench"):
        assert kept_out in ignored, kept_out
    # the app must not reach outside what is copied at run time (training data lives in ../shared, unused by pages)
    for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        assert "shared/data" not in p.read_text() and "../shared" not in p.read_text(), p


def test_port_and_health_check_agree_with_the_app_config():
    ins = dict((w, a) for w, a in instructions() if w in ("EXPOSE", "HEALTHCHECK", "CMD"))
    cmd = ins["CMD"]
    assert cmd.startswith('["streamlit", "run", "serve.py"'), cmd
    port = re.search(r'"--server.port", "(\d+)"', cmd).group(1)
    assert ins["EXPOSE"] == port == "8501"
    assert f"http://127.0.0.1:{port}/_stcore/health" in ins["HEALTHCHECK"]
    assert '"--server.address", "0.0.0.0"' in cmd  # reachable from the nginx container
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text()).get("server", {})
    assert "port" not in server and not server.get("baseUrlPath"), "the config would move the port or /_stcore"
    # the upstreams nginx proxies to are compose's app services on that port
    assert [addr.split(":")[1] for _, addr in nginx_conf.replicas()] == [port] * len(nginx_conf.replicas())


def test_compose_runs_replicas_of_the_image_behind_nginx_with_the_deployed_config():
    """One service per replica, each with its letter (its rooms' codes start with it), the very replicas and letters
    deploy/nginx.conf routes to."""
    text = (ROOT / "compose.yaml").read_text()
    template, services = text.split("\nservices:\n")
    assert re.search(r"^x-app: &app$", template, re.M) and re.search(r"^  build: \.$", template, re.M)
    names = re.findall(r"^  ([\w-]+):$", services, re.M)
    apps, ngx = services.split("\n  nginx:\n")
    assert names[-1] == "nginx" and len(names) - 1 >= 2, names
    replicas = []
    for name, body in zip(names, re.split(r"^  [\w-]+:$", apps, flags=re.M)[1:]):
        assert re.search(r"^    <<: \*app$", body, re.M), name
        # one training worker per core a replica may use (os.cpu_count() in a container counts the host's cores)
        cpus = re.search(r'cpus: "(\d+)"', template).group(1)
        assert re.search(r'PLAYGROUND_WORKERS: "(\d+)"', body).group(1) == cpus, name
        replicas.append((re.search(r'PLAYGROUND_REPLICA: "(\w)"', body).group(1), f"{name}:8501"))
    assert replicas == nginx_conf.replicas(), (replicas, nginx_conf.replicas())
    assert len({letter for letter, _ in replicas}) == len(replicas)
    assert all(letter in ALPHABET for letter, _ in replicas)
    assert "- ./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in ngx
    assert re.search(r"^    image: nginx:", ngx, re.M)
    # nginx resolves the replicas' names once they answer
    assert re.findall(r"^      ([\w-]+):\n        condition: service_healthy$", ngx, re.M) == names[:-1]


def test_nginx_conf_is_sticky_per_browser_and_passes_websockets():
    conf = re.sub(r"(?m)\s+#.*$|^#.*$", "", (ROOT / "deploy" / "nginx.conf").read_text())  # directives only
    assert re.search(r"^\s*hash \$rnnp_route consistent;", conf, re.M)
    assert "ip_hash" not in conf and "$remote_addr consistent" not in conf  # one lecture hall = one address
    assert re.search(r"^\s*add_header Set-Cookie \$rnnp_set_cookie always;", conf, re.M)
    # rooms: a request goes to its room's replica (the query's, else the room cookie's), else to the hashed pool
    assert re.search(r"^\s*proxy_pass http://\$rnnp_upstream;$", conf, re.M)
    assert re.search(r'^map "\$arg_room:\$cookie_rnnp_room" \$rnnp_room \{$', conf, re.M)
    assert re.search(r"^\s*add_header Set-Cookie \$rnnp_set_room always;", conf, re.M)
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $connection_upgrade;", "proxy_set_header Host $http_host;",
                 "proxy_read_timeout 1d;"):
        assert re.search(rf"^\s*{re.escape(line)}$", conf, re.M), line


def test_render_changes_only_the_replicas_listen_and_log():
    deployed = (ROOT / "deploy" / "nginx.conf").read_text().splitlines()
    out = nginx_conf.render_http(["K=127.0.0.1:1", "P=127.0.0.1:2", "127.0.0.1:3"], "127.0.0.1:9", "/x/a.log")
    rendered = out.splitlines()
    assert [ln for ln in rendered if ln.strip().startswith("server 127.")] == [
        f"    server 127.0.0.1:{i} max_fails=3 fail_timeout=10s;" for i in (1, 2, 3)]
    assert [ln.strip() for ln in rendered if ln.startswith("upstream rnnp_")] == [
        "upstream rnnp_K { server 127.0.0.1:1; }", "upstream rnnp_P { server 127.0.0.1:2; }"]
    room_map = [ln.split()[1] for ln in rendered if re.match(r'\s+"~[^"]*"\s+\w;$', ln)]
    assert room_map == ["K;", "P;", "K;", "P;"]  # the query's letters, then the cookie's
    assert "    listen 127.0.0.1:9;" in rendered and "    access_log /x/a.log rnnp;" in rendered
    diff = list(difflib.ndiff(deployed, rendered))
    removed = [ln[2:] for ln in diff if ln.startswith("- ")]
    assert len(removed) == 3 * 4 + 2
    assert removed[-2:] == ["    listen 80;", "    access_log /var/log/nginx/access.log rnnp;"]
    for letter, addr in nginx_conf.replicas():  # the deployed replicas' lines, and only those, went
        mine = [ln for ln in removed if addr in ln or re.search(rf'[\^:]{letter}\b|rnnp_{letter}\b', ln)]
        assert len(mine) == 4, (letter, mine)
    assert len([ln for ln in diff if ln.startswith("+ ")]) == 3 + 2 + 4 + 2
    with pytest.raises(ValueError, match="exactly one"):
        nginx_conf.render_http(["127.0.0.1:1"], "127.0.0.1:9", "/x/a.log",
                               conf="\n".join(ln for ln in deployed if ln.strip() != "listen 80;"))
    with pytest.raises(ValueError, match="room map"):  # the room map is not optional
        nginx_conf.render_http(["127.0.0.1:1"], "127.0.0.1:9", "/x/a.log",
                               conf="\n".join(ln for ln in deployed if not ln.strip().startswith('"~:')))
    with pytest.raises(ValueError, match="one of"):
        nginx_conf.render_http(["B=127.0.0.1:1"], "127.0.0.1:9", "/x/a.log")  # no code starts with B


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (`make test` installs Debian's nginx)")
def test_nginx_accepts_the_rendered_config():
    with tempfile.TemporaryDirectory() as d:
        conf = Path(d) / "nginx.conf"
        conf.write_text(nginx_conf.render(["A=127.0.0.1:8601", "C=127.0.0.1:8602", "127.0.0.1:8603"],
                                          "127.0.0.1:8600", Path(d)))
        out = subprocess.run([NGINX, "-t", "-p", d, "-c", str(conf), "-e", f"{d}/error.log"],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (`make test` installs Debian's nginx)")
def test_two_app_processes_behind_nginx_spread_sessions_and_keep_each_on_its_own_and_each_room_on_its_own():
    """bench/proxy.py --check: fresh visitors from one address land on both processes; four sessions (two per
    process) keep every request (page, health, host-config, websocket, reconnect) on the process of their first
    page load, per nginx's access log; each one's training advances through the proxy after Play. nginx listens on
    127.0.0.2, so Streamlit accepts the websockets only if nginx passes the browser's Host on (Origin == Host).
    Rooms: a presenter on each process (replicas A and C) opens a room; a fresh browser, one whose route cookie goes
    to the other process and the presenter's own follow it by its link, each shown as following and counted by the
    presenter, with every request of theirs (the link's page load, then the websocket and a page load that carry
    only the cookies) on the room's process."""
    out = subprocess.run([sys.executable, "bench/proxy.py", "--check"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, env={"PATH": "/usr/sbin:/usr/bin:/bin", "PLAYGROUND_WORKERS": ""})
    assert out.returncode == 0 and "proxy check: ok" in out.stdout, out.stdout + out.stderr[-2000:]
