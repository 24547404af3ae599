"""The self-test: Kepu Server against the floor of its own stack, on this machine.

    kepu bench                 (or: python -m kepu_server.benchmark, python bench/run_all.py)

Runs every figure side by side with the floor (a bare Flask app on waitress, 8 threads) in
the same run, so the ratios hold on any PC however fast; then a hall of tablets at
40/150/300; then 2,000 lessons. Everything is on 127.0.0.1 and bounded in time (a few
minutes with the defaults). docs/capacity.md says how to read the figures.
"""
