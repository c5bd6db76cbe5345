"""``python -m bench``: run the benchmark matrix and print a Markdown table."""

from bench.runner import main

raise SystemExit(main())
