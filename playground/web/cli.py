"""`rnn-playground`: serve the app from this checkout (what `make run` does), passing any options to streamlit."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: app.py, pages/, assets/, .streamlit/


def main(argv: list[str] | None = None) -> int:
    """`rnn-playground [--server.port 8502 ...]`: `streamlit run serve.py` from the checkout, so that its
    .streamlit/config.toml applies whatever the current directory."""
    app = ROOT / "serve.py"  # app.py and the rooms' routes (playground/web/feed.py)
    if not app.is_file():
        print("rnn-playground serves the app from a checkout: install it with `pip install -e .` in the "
              "repository (a plain `pip install .` copies the package without app.py, pages/ and assets/).",
              file=sys.stderr)
        return 2
    from streamlit.web import cli as stcli

    os.chdir(ROOT)
    sys.argv = ["streamlit", "run", str(app), *(sys.argv[1:] if argv is None else argv)]
    return stcli.main()


if __name__ == "__main__":
    raise SystemExit(main())
