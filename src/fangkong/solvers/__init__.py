"""Optimisation and forecasting for Fangkong: plain data in, plain data out, no Django.

Each solver module has ``Problem`` (input dataclasses), ``Solution`` (output dataclasses) and
``solve(problem) -> Solution``; ``fangkong.solvers.io`` reads and writes their JSON forms.
Same input, same output: inputs are sorted by id before they reach a solver library.
"""

KINDS = ("allocation", "beds", "dispatch", "capacity", "forecast")
