"""rnnlib.plots.gru_diagram: a figure with the GRU's gates, candidate and states labelled."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from rnnlib import plots  # noqa: E402


def test_gru_diagram_returns_a_figure_with_the_gru_labels():
    fig = plots.gru_diagram()
    try:
        assert isinstance(fig, Figure)
        texts = {t.get_text() for ax in fig.axes for t in ax.texts}
        for label in ("$h_{t-1}$", "$h_t$", "$x_t$", "$z_t$", "$r_t$", r"$\tilde h_t$", "1 − z"):
            assert label in texts, label
        assert {"keep", "write", "reset"} <= texts
    finally:
        plt.close(fig)


def test_gru_diagram_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    try:
        assert plots.gru_diagram(ax) is fig
        assert not ax.axison
    finally:
        plt.close(fig)
