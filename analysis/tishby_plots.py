"""The classic information plane of one run drawn three ways (Tishby's setting, README "Classic
experiments"): equal-width binning (Shwartz-Ziv & Tishby), the sliced KSG plane, and the KDE upper
bound (Saxe et al.), side by side with one colour scale for the epochs.

    python analysis/plots.py classic RUN_DIR [--out PREFIX] [--dpi 150]

Reads RUN_DIR/plane-binning.h5, RUN_DIR/plane.h5 and RUN_DIR/plane-kde.h5 (written by
`infoplane analyze RUN.h5 --method binning|ksg|kde`).
"""
import os

import h5py
import matplotlib.pyplot as plt
from matplotlib import colors

import plots

# (file, x label, y label, panel title) of each panel, left to right.
PANELS = (
    ("plane-binning.h5", "I(X;T)", "I(T;Y)", "binning ({bins} bins)"),
    ("plane.h5", "S1(X;T)", "S1(T;Y)", "sliced KSG (m = {slices}, k = {k})"),
    ("plane-kde.h5", "I(X;T) upper bound", "I(T;Y)", "KDE upper bound (σ² = {noise_variance:g})"),
)


def root_attributes(path):
    with h5py.File(path, "r") as f:
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}


def plot_classic(run_dir, out=None, dpi=150):
    """Three panels, one trajectory per layer in each, points coloured by epoch."""
    planes = []
    for name, xlabel, ylabel, title in PANELS:
        path = os.path.join(run_dir, name)
        layers, settings = plots.read_plane(path)
        planes.append((layers, settings, xlabel, ylabel, title.format(**{**settings, **root_attributes(path)})))
    epochs = [e for layers, *_ in planes for layer in layers for e in layer["epoch"]]
    norm = colors.Normalize(vmin=min(epochs, default=0), vmax=max(epochs, default=1))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    scatter = None
    for ax, (layers, settings, xlabel, ylabel, title) in zip(axes, planes):
        scatter, _ = plots.draw_plane(ax, layers, settings, title, norm=norm)
        units = settings.get("units", "nats")
        ax.set_xlabel(f"{xlabel} [{units}]")
        ax.set_ylabel(f"{ylabel} [{units}]")
    name = os.path.basename(os.path.normpath(run_dir))
    fig.suptitle(f"{name}: the information plane three ways", fontsize=11)
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes), label="epoch")
    return plots.save(fig, out or os.path.join(run_dir, "classic"), "classic", dpi=dpi)
