"""`python -m bench`: the benchmark's command line lives in bench.run."""

from bench.run import main

raise SystemExit(main())
