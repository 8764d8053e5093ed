"""The course's plot style: a colour-blind-safe palette and labelled axes.

Every figure in the book is drawn by code with these helpers, so that colours
mean the same thing on every page (one colour per cell type) and every axis
says what it shows and in which unit.

Example:

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from rnnlib import plots
>>> plots.use_course_style()
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([1, 2, 3], color=plots.KIND_COLORS["gru"])
>>> _ = plots.label(ax, x="time step t", y="hidden state h_t (unitless)")
>>> plt.close(fig)
"""

from __future__ import annotations

#: Okabe & Ito's eight colours, distinguishable with the common colour-vision
#: deficiencies (https://jfly.uni-koeln.de/color/).
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: One colour per cell type, the same on every page.
KIND_COLORS = {"simple_rnn": PALETTE[0], "gru": PALETTE[1], "lstm": PALETTE[2]}

#: A diverging colour map for signed values such as hidden states in (-1, 1),
#: and a sequential one for gates in (0, 1); both are colour-blind safe.
DIVERGING_CMAP = "RdBu_r"
SEQUENTIAL_CMAP = "viridis"

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": SEQUENTIAL_CMAP,
}


def use_course_style():
    """Apply the course's matplotlib style (palette, sizes, grid) to later figures.

    Returns:
        None. Changes ``matplotlib.rcParams`` in place.

    Example:

    >>> from rnnlib import plots
    >>> plots.use_course_style()
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=PALETTE)


def label(ax, *, x, y, title=None):
    """Label both axes of ``ax`` (and optionally its title); an empty label is an error.

    Args:
        ax: a matplotlib ``Axes``.
        x: the x-axis label, with its unit in parentheses where it has one.
        y: the y-axis label, likewise.
        title: an optional title.

    Returns:
        ``ax``, for chaining.

    Example:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = label(ax, x="lag T - t (steps)", y="gradient norm")
    >>> plt.close(fig)
    """
    for name, text in (("x", x), ("y", y)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name} must be a non-empty axis label, got {text!r}")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)
    return ax
