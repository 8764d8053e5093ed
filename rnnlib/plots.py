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


def gru_diagram(ax=None):
    """Draw one GRU step (the reset gate before the candidate's product) and return the figure.

    The state line runs along the top: ``h_{t-1}`` is multiplied by the update
    gate ``z_t`` (keep) and the gated candidate ``(1 - z_t) * h~_t`` is added
    (write), giving ``h_t``. Below it, the gates ``z_t`` and ``r_t`` (sigmoid)
    read ``x_t`` and ``h_{t-1}``; the reset gate scales ``h_{t-1}`` before the
    candidate ``h~_t`` (tanh) reads it, as in Cho et al. (2014) and Keras's
    ``reset_after=False``. Colours follow the LSTM diagram of the course:
    blue for sigmoid gates, orange for tanh.

    Args:
        ax: a matplotlib ``Axes`` to draw into; by default a new figure.

    Returns:
        The matplotlib ``Figure``.

    Example:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from rnnlib import plots
    >>> fig = plots.gru_diagram()
    >>> "$r_t$" in [t.get_text() for t in fig.axes[0].texts]
    True
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.patches import Circle, FancyBboxPatch

    state_color, sigma_color, tanh_color = PALETTE[4], PALETTE[0], PALETTE[1]
    r = 0.27  # radius of the circles for the elementwise operations
    top, z_line, mid, gate_y, bottom, x_branch = 4.8, 4.15, 3.4, 2.0, 0.8, 0.1
    h_drop, x_in, z_x, r_x, reset_x, hh_x, keep_x, plus_x = 0.6, 1.2, 2.2, 3.6, 4.8, 6.0, 7.2, 8.6
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.8))
    fig = ax.figure
    ax.set_axis_off()
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-0.7, 5.9)
    ax.set_aspect("equal")

    def wire(*points, color="0.3", lw=1.4, head=True, over=False):
        # A line through the points, arrow head on the last segment; `over` bridges crossings.
        xs, ys = np.array(points).T
        effects = [patheffects.withStroke(linewidth=lw + 5, foreground="0.96")] if over else []
        zorder = 1.5 if over else 1
        ax.plot(xs, ys, color=color, lw=lw, zorder=zorder, path_effects=effects)
        if head:
            style = {"arrowstyle": "-|>", "color": color, "lw": lw, "shrinkA": 0, "shrinkB": 0}
            arrow = ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=style)
            arrow.set_zorder(zorder)

    def dot(x, y, color="0.3"):
        ax.add_patch(Circle((x, y), 0.07, color=color, zorder=3))

    def op(x, y, symbol):
        ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor="0.3", lw=1.4, zorder=3))
        ax.text(x, y, symbol, ha="center", va="center", fontsize=14, zorder=4)

    def box(x, y, name, function, color, width=0.9):
        corner = (x - width / 2, y - 0.38)
        style = {"boxstyle": "round,pad=0.04", "lw": 1.6, "edgecolor": color, "zorder": 2}
        ax.add_patch(FancyBboxPatch(corner, width, 0.76, facecolor=color, alpha=0.25, **style))
        ax.add_patch(FancyBboxPatch(corner, width, 0.76, facecolor="none", **style))
        if name:
            ax.text(x, y + 0.13, name, ha="center", va="center", fontsize=12, zorder=4)
            ax.text(x, y - 0.19, function, ha="center", va="center", fontsize=9, zorder=4)
        else:
            ax.text(x, y, function, ha="center", va="center", fontsize=10, zorder=4)

    frame = {"boxstyle": "round,pad=0.1", "facecolor": "0.96", "edgecolor": "0.7", "zorder": 0}
    ax.add_patch(FancyBboxPatch((0.3, -0.15), 9.0, 5.5, **frame))

    # The state line: h_{t-1}, times z_t (keep), plus (1 - z_t) * hh_t (write), gives h_t.
    wire((-0.2, top), (keep_x - r, top), color=state_color, lw=3, head=False)
    wire((keep_x + r, top), (plus_x - r, top), color=state_color, lw=3, head=False)
    wire((plus_x + r, top), (10.3, top), color=state_color, lw=3)
    op(keep_x, top, "×")
    op(plus_x, top, "+")
    ax.text(-0.2, top + 0.25, "$h_{t-1}$", ha="left", va="bottom", fontsize=13)
    ax.text(10.3, top + 0.25, "$h_t$", ha="right", va="bottom", fontsize=13)
    ax.text(5.0, 5.55, "hidden state: only × and + on this line", ha="center", color=state_color)

    # The gates read h_{t-1} and x_t; the candidate reads x_t and r_t * h_{t-1}.
    wire((h_drop, top), (h_drop, bottom), (r_x, bottom), head=False)
    dot(h_drop, top, state_color)
    wire((x_in, -0.6), (x_in, bottom), head=False)
    wire((x_in, x_branch), (hh_x, x_branch), (hh_x, gate_y - 0.42))
    dot(x_in, bottom)
    dot(x_in, x_branch)
    ax.text(x_in + 0.15, -0.55, "$x_t$", ha="left", va="bottom", fontsize=13)
    for x, name in [(z_x, "$z_t$"), (r_x, "$r_t$")]:
        wire((x, bottom), (x, gate_y - 0.42))
        box(x, gate_y, name, "σ", sigma_color)
    dot(z_x, bottom)
    box(hh_x, gate_y, r"$\tilde h_t$", "tanh", tanh_color)

    # reset: r_t scales h_{t-1} before the candidate's product.
    wire((reset_x, top), (reset_x, mid + r))
    dot(reset_x, top, state_color)
    wire((r_x, gate_y + 0.42), (r_x, mid), (reset_x - r, mid))
    op(reset_x, mid, "×")
    wire((reset_x + r, mid), (hh_x, mid), (hh_x, gate_y + 0.42))

    # update: z_t keeps the old state, 1 - z_t lets the candidate in.
    wire((z_x, gate_y + 0.42), (z_x, z_line), (keep_x, z_line), (keep_x, top - r), over=True)
    dot(keep_x, z_line)
    wire((keep_x, z_line), (keep_x, mid + 0.4))
    box(keep_x, mid, None, "1 − z", sigma_color, width=0.9)
    op(plus_x, mid, "×")
    wire((keep_x + 0.49, mid), (plus_x - r, mid))
    wire((hh_x + 0.47, gate_y), (plus_x, gate_y), (plus_x, mid - r))
    wire((plus_x, mid + r), (plus_x, top - r))

    note = {"fontsize": 9, "color": "0.25", "style": "italic", "va": "center"}
    ax.text(keep_x - 0.35, top - 0.4, "keep", ha="right", **note)
    ax.text(plus_x + 0.35, top - 0.5, "write", ha="left", **note)
    ax.text(reset_x + 0.35, mid + 0.4, "reset", ha="left", **note)
    return fig
