"""Simulation (S): HEDM Bragg patches/frames and CookieBox streaking spectra.  numpy only.

Bragg peaks use the MIDAS 2D pseudo-Voigt parameterisation (seed-repos §2.7), sampled in local
Cartesian coordinates about the peak: ΔR = radial offset (along the direction from the beam
centre), Δη·R = tangential offset, so

    I = BG + Imax · [ μ·L + (1-μ)·G ],
    L = 1 / ((1 + ΔR²/σ_LR²)(1 + (RΔη)²/σ_Lη²)),   G = exp(-ΔR²/2σ_GR² - (RΔη)²/2σ_Gη²)

then Poisson counting noise.  Ranges (ours, not from the code): μ~U(0,1), σ_G,R~U(0.5,1.4),
σ_G,η~U(0.6,2.0) (azimuthally wider), σ_L~σ_G·U(0.7,1.3), Imax log-uniform 150..6000 counts,
BG~U(2,60).  The centre is put in the centre pixel with a uniform sub-pixel offset, as BraggNN's
windows are centred on int(peak) so that labels lie in [psz//2, psz//2+1).

CookieBox spectra follow the generative structure fitted to the real AISDC test set (seed-repos
§3.5): K=1..5 Gaussian photolines whose centres streak as E_k + 34.73·cos(θ_i + φ_k), E_k on the
59.531 + 2.4805·m grid, σ_k~U(0.7,2.6) bins, rows normalised to 1270/128; counts per angle
round(N_min + (N_max−N_min)·cos²(θ_i − pol)), N_max~U{50..99}, N_min~U{1..4}, pol~U(86.1°,86.8°),
energies drawn from the row density and histogrammed (multinomial over bins).

Drifting scan series (``drift_settings``): scan k of K has drift t = k/(K-1) in [0, 1] and
  width      all four widths × (1 + width·t)                     (default width 3.0: four times as wide at the
                                                                   end, as grains deform under load)
  eta        μ ~ U(lerp(eta_start, eta_end, t))                   (default U(0, 0.3) -> U(0.7, 1): Gaussian-like
                                                                   peaks become Lorentzian-like)
  intensity  Imax × (1 - intensity·t)                             (default 0.6: 40 % of the counts at the end)
  beam_shift beam centre moves by beam_shift·size·t along (1, -½) (default 0.1: peak positions on the detector
                                                                   and their radial directions, hence the
                                                                   orientation of each peak, drift)
  crowding   each peak is, with probability crowding·t, placed psz/2..psz px from an earlier one, inside
             its window (default 0.2); the peak table still lists every peak as single (npeaks 1), as a
             peak finder that misses overlaps would
A model trained on scan 0 meets wider, heavier-tailed, fainter and re-oriented peaks on later scans.  The defaults
make the model drift while the conventional labeller stays right (more crowding defeats the single-peak fit too,
and a spot check against it would then measure the labeller, which no fine-tune can follow).
"""
from __future__ import annotations

import numpy as np

COOKIE_ROW_SUM = 1270.0 / 128.0


# ----------------------------------------------------------------------------------------- Bragg
def draw_peak_params(n: int, rng: np.random.Generator, width_scale: float = 1.0, mu_range=(0.0, 1.0),
                     imax_scale: float = 1.0) -> dict:
    sgr = rng.uniform(0.5, 1.4, n) * width_scale
    sge = rng.uniform(0.6, 2.0, n) * width_scale
    return {
        "mu": rng.uniform(mu_range[0], mu_range[1], n),
        "sgr": sgr,
        "sge": sge,
        "slr": sgr * rng.uniform(0.7, 1.3, n),
        "sle": sge * rng.uniform(0.7, 1.3, n),
        "imax": np.exp(rng.uniform(np.log(150.0), np.log(6000.0), n)) * imax_scale,
        "bg": rng.uniform(2.0, 60.0, n),
        "psi": rng.uniform(-np.pi, np.pi, n),  # direction of the radial axis in the patch (row, col)
    }


def pseudo_voigt(dr, dc, p, xp=np):
    """MIDAS-form pseudo-Voigt (without background) at offsets (dr, dc) from the centre.

    p: dict of arrays broadcastable against dr/dc (mu, sgr, sge, slr, sle, imax, psi)."""
    cs, sn = xp.cos(p["psi"]), xp.sin(p["psi"])
    rad = dr * cs + dc * sn  # ΔR
    tan = -dr * sn + dc * cs  # R·Δη
    L = 1.0 / ((1.0 + (rad / p["slr"]) ** 2) * (1.0 + (tan / p["sle"]) ** 2))
    G = xp.exp(-0.5 * (rad / p["sgr"]) ** 2 - 0.5 * (tan / p["sge"]) ** 2)
    return p["imax"] * (p["mu"] * L + (1.0 - p["mu"]) * G)


def simulate_patches(n: int, psz: int = 11, seed: int = 0, margin: int = 0, rng=None):
    """n patches of size psz+2*margin (float32 counts) with (row, col) labels in patch pixels."""
    rng = rng or np.random.default_rng(seed)
    S = psz + 2 * margin
    p = draw_peak_params(n, rng)
    c0 = psz // 2 + margin
    centre = c0 + rng.uniform(0.0, 1.0, (n, 2))  # (row, col)
    ii = np.arange(S, dtype=np.float64)
    patches = np.empty((n, S, S), np.float32)
    step = 8192
    for a in range(0, n, step):
        b = min(n, a + step)
        q = {k: v[a:b, None, None] for k, v in p.items()}
        dr = ii[None, :, None] - centre[a:b, 0, None, None]
        dc = ii[None, None, :] - centre[a:b, 1, None, None]
        lam = pseudo_voigt(dr, dc, q) + q["bg"]
        patches[a:b] = rng.poisson(lam).astype(np.float32)
    return patches, centre.astype(np.float32), p


DRIFT_DEFAULTS = {"width": 3.0, "eta_start": (0.0, 0.3), "eta_end": (0.7, 1.0), "intensity": 0.6,
                  "beam_shift": 0.1, "crowding": 0.2}


def drift_settings(k: int, K: int, width: float = DRIFT_DEFAULTS["width"],
                   eta_start=DRIFT_DEFAULTS["eta_start"], eta_end=DRIFT_DEFAULTS["eta_end"],
                   intensity: float = DRIFT_DEFAULTS["intensity"], beam_shift: float = DRIFT_DEFAULTS["beam_shift"],
                   crowding: float = DRIFT_DEFAULTS["crowding"]):
    """Peak-parameter settings of scan k (0-based) of a K-scan drifting series (module docstring)."""
    t = k / (K - 1) if K > 1 else 0.0
    return {"t": t, "width_scale": 1.0 + width * t,
            "mu_range": tuple(float(a + (b - a) * t) for a, b in zip(eta_start, eta_end)),
            "imax_scale": 1.0 - intensity * t, "beam_shift": beam_shift * t, "crowding": crowding * t}


def simulate_frames(n_peaks: int, psz: int = 11, seed: int = 0, size: int = 256, per_frame: int = 24,
                    drift: dict | None = None):
    """Detector frames (F,size,size) float32 with isolated peaks + peak table in BraggNN's schema.

    drift: one scan's ``drift_settings`` (default: no drift, the base ranges)."""
    rng = np.random.default_rng(seed)
    drift = drift or {}
    F = max(1, -(-n_peaks // per_frame))
    frames = np.empty((F, size, size), np.float32)
    fidx, rows, cols = [], [], []
    shift = drift.get("beam_shift", 0.0) * size
    crowding = drift.get("crowding", 0.0)
    yc, xc = (size - 1) / 2.0 + shift, (size - 1) / 2.0 - shift / 2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    left = n_peaks
    edge = psz // 2 + 2
    for f in range(F):
        k = min(per_frame, left)
        left -= k
        bg_level = rng.uniform(2.0, 30.0)
        lam = np.full((size, size), bg_level)
        placed = []
        tries = 0
        while len(placed) < k and tries < 20000:
            tries += 1
            if crowding > 0 and placed and rng.random() < crowding:
                # a neighbour inside the window of an earlier peak (not on top of any peak)
                a0, b0 = placed[int(rng.integers(len(placed)))]
                ang, d = rng.uniform(-np.pi, np.pi), rng.uniform(psz / 2, psz)
                r, c = a0 + d * np.sin(ang), b0 + d * np.cos(ang)
                if not (edge <= r < size - edge and edge <= c < size - edge):
                    continue
                if any(np.hypot(r - a, c - b) < psz / 2 for a, b in placed):
                    continue
            else:
                r, c = rng.uniform(edge, size - edge, 2)
                if any(abs(r - a) < psz + 2 and abs(c - b) < psz + 2 for a, b in placed):
                    continue
            if np.hypot(r - yc, c - xc) < size * 0.12:  # beam stop
                continue
            placed.append((r, c))
        if len(placed) < k:
            raise ValueError("frame too small for the requested peaks per frame")
        p = draw_peak_params(len(placed), rng, drift.get("width_scale", 1.0), drift.get("mu_range", (0.0, 1.0)),
                             drift.get("imax_scale", 1.0))
        for j, (r, c) in enumerate(placed):
            q = {kk: v[j] for kk, v in p.items()}
            q["psi"] = np.arctan2(c - xc, r - yc)  # radial direction from the beam centre
            r0, r1 = max(0, int(r) - 8), min(size, int(r) + 9)
            c0, c1 = max(0, int(c) - 8), min(size, int(c) + 9)
            lam[r0:r1, c0:c1] += pseudo_voigt(yy[r0:r1, c0:c1] - r, xx[r0:r1, c0:c1] - c, q)
        frames[f] = rng.poisson(lam).astype(np.float32)
        order = sorted(range(len(placed)), key=lambda j: placed[j])
        for j in order:
            fidx.append(f)
            rows.append(placed[j][0])
            cols.append(placed[j][1])
    n = len(fidx)
    table = {
        "peak_fidx": np.asarray(fidx, np.uint32),
        "peak_row": np.asarray(rows, np.float32),
        "peak_col": np.asarray(cols, np.float32),
        "npeaks": np.ones(n, np.uint16),
        "deviations": np.zeros(n, np.float32),
    }
    return frames, table


# ---------------------------------------------------------------------------------------- Cookie
def simulate_cookie(n: int, seed: int = 0, rng=None):
    """n CookieBox samples: X int16 (n,128,128) counts, Y float16 (n,128,128) density."""
    rng = rng or np.random.default_rng(seed)
    na, ne = 128, 128
    theta = 2 * np.pi * np.arange(na) / na
    e = np.arange(ne, dtype=np.float64)
    X = np.empty((n, na, ne), np.int16)
    Y = np.empty((n, na, ne), np.float16)
    for s in range(n):
        K = int(rng.integers(1, 5))
        E = 59.531 + 2.4805 * rng.integers(0, 8, K)
        phi = rng.uniform(-np.pi, np.pi, K)
        sig = np.exp(rng.uniform(np.log(0.7), np.log(2.6), K))
        w = rng.uniform(0.6, 1.4, K)
        w = COOKIE_ROW_SUM * w / w.sum()
        mu = E[None, :] + 34.73 * np.cos(theta[:, None] + phi[None, :])  # (na, K)
        g = np.exp(-0.5 * ((e[None, None, :] - mu[:, :, None]) / sig[None, :, None]) ** 2)
        g /= sig[None, :, None] * np.sqrt(2 * np.pi)
        y = (w[None, :, None] * g).sum(axis=1)
        y *= COOKIE_ROW_SUM / y.sum(axis=1, keepdims=True)
        Y[s] = y.astype(np.float16)
        nmax = int(rng.integers(50, 100))
        nmin = int(rng.integers(1, 5))
        pol = np.deg2rad(rng.uniform(86.1, 86.8))
        counts = np.rint(nmin + (nmax - nmin) * np.cos(theta - pol) ** 2).astype(np.int64)
        pv = y / y.sum(axis=1, keepdims=True)
        X[s] = rng.multinomial(counts, pv).astype(np.int16)
    return X, Y


def write_h5(path: str, datasets: dict, attrs: dict | None = None) -> None:
    """Writes under a temporary name and renames it onto `path`: a reader sees the old file or the whole new one."""
    import os

    import h5py

    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with h5py.File(tmp, "w") as h:
            for k, v in datasets.items():
                h.create_dataset(k, data=v)
            for k, v in (attrs or {}).items():
                h.attrs[k] = v
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
