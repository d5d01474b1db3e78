"""`python -m playground.sentiment ...`: the training and evaluation CLI (playground/sentiment/cli.py)."""
from playground.sentiment.cli import main

raise SystemExit(main())
