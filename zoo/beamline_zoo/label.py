"""Conventional analysis (A): 2D pseudo-Voigt least-squares fit of one peak per patch.

Model = MIDAS form (seed-repos §2.7) in local Cartesian coordinates:
    BG + Imax·[μ·L + (1−μ)·G] with separate radial / tangential Gaussian and Lorentzian widths.
The radial direction ψ comes from the patch file's ``radial_angle`` when present (it is known from
the beam centre on a real detector), else 0 (rows radial).  MIDAS minimises the same sum of squared
residuals with Nelder–Mead; we use scipy's bounded trust-region least squares (faster, same
objective).  Bounds follow MIDAS: Imax in [max/2, 2·max] (of the background-subtracted maximum),
centre within ±1.5 px of the start, μ in [0,1], widths in [0.2, S] px.
"""
from __future__ import annotations

import time

import numpy as np
from scipy.optimize import least_squares

from .simulate import pseudo_voigt

PARAMS = ("bg", "imax", "row", "col", "mu", "sgr", "sge", "slr", "sle")


def _start(patch: np.ndarray):
    S = patch.shape[0]
    bg = float(np.percentile(patch, 20))
    sig = np.clip(patch - bg, 0, None)
    # the window is centred on the peak (peak table / patch layout): start from the brightest pixel of the
    # central 3x3, not of the whole window, which may hold a brighter neighbour
    lo = max(0, (S - 1) // 2 - 1)
    centre = sig[lo:lo + 3 + (S + 1) % 2, lo:lo + 3 + (S + 1) % 2]
    r, c = np.unravel_index(int(np.argmax(centre)), centre.shape)
    r, c = r + lo, c + lo
    r0, r1, c0, c1 = max(0, r - 1), min(S, r + 2), max(0, c - 1), min(S, c + 2)
    w = sig[r0:r1, c0:c1]
    tot = w.sum()
    if tot > 0:
        rr, cc = np.mgrid[r0:r1, c0:c1]
        r, c = float((w * rr).sum() / tot), float((w * cc).sum() / tot)
    peak = float(sig.max())
    return bg, max(peak, 1e-6), float(r), float(c)


def fit_patch(patch: np.ndarray, psi: float = 0.0):
    """Fit one (S,S) patch. Returns (params dict, ok flag)."""
    patch = np.asarray(patch, np.float64)
    S = patch.shape[0]
    ii = np.arange(S, dtype=np.float64)
    R, C = np.meshgrid(ii, ii, indexing="ij")
    bg, peak, r, c = _start(patch)
    pmax = float(patch.max())
    x0 = np.array([bg, peak, r, c, 0.5, 1.0, 1.0, 1.0, 1.0])
    lo = np.array([min(0.0, float(patch.min())) - 1e-6, peak / 2, r - 1.5, c - 1.5, 0, 0.2, 0.2, 0.2, 0.2])
    hi = np.array([max(pmax, 1e-3), 2 * peak, r + 1.5, c + 1.5, 1, S, S, S, S])
    x0 = np.clip(x0, lo + 1e-9, hi - 1e-9)
    obs = patch.ravel()

    def resid(x):
        p = {"imax": x[1], "mu": x[4], "sgr": x[5], "sge": x[6], "slr": x[7], "sle": x[8], "psi": psi}
        return (x[0] + pseudo_voigt(R - x[2], C - x[3], p)).ravel() - obs

    try:
        res = least_squares(resid, x0, bounds=(lo, hi), method="trf", x_scale="jac", max_nfev=400)
    except (ValueError, np.linalg.LinAlgError):
        return None, False
    x = res.x
    ok = bool(res.status > 0 and np.all(np.isfinite(x)) and -0.5 <= x[2] <= S - 0.5 and -0.5 <= x[3] <= S - 0.5)
    # a centre pinned at its ±1.5 px bound means the fit did not converge on a peak
    if ok and (abs(x[2] - lo[2]) < 1e-3 or abs(x[2] - hi[2]) < 1e-3 or abs(x[3] - lo[3]) < 1e-3
               or abs(x[3] - hi[3]) < 1e-3):
        ok = False
    return dict(zip(PARAMS, map(float, x))), ok


def label_patches(patches: np.ndarray, psi=None, progress=None, every: int = 0):
    """Fit every patch. Returns labels (N,2) (row, col), ok mask (N,), params (N,9), seconds."""
    n = len(patches)
    labels = np.full((n, 2), np.nan, np.float32)
    params = np.full((n, len(PARAMS)), np.nan, np.float32)
    ok = np.zeros(n, bool)
    every = every or max(1, n // 20)
    t0 = time.perf_counter()
    for i in range(n):
        p, good = fit_patch(patches[i], 0.0 if psi is None else float(psi[i]))
        if p is not None:
            params[i] = [p[k] for k in PARAMS]
        if good:
            labels[i] = (p["row"], p["col"])
            ok[i] = True
        if progress and ((i + 1) % every == 0 or i + 1 == n):
            progress(i + 1, n)
    return labels, ok, params, time.perf_counter() - t0
