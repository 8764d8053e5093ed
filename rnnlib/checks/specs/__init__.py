"""One module per exercise family: the data of its checks (cases, mutants, hints).

Each module defines ``SPECS``, a dict from check name to :class:`~rnnlib.checks._engine.Spec`.
"""
