"""The ``qbt-bridge`` process: its command line, its YAML config, the fronts it runs, the demo.

Installed with the ``daemon`` extra; nothing else in qbt-bridge imports it.
"""
