"""Data loading and validation for both families.

BraggNN layouts (HDF5):
  plain      : ``patches`` (N,S,S) numeric, ``labels`` (N,2) float = (row, col) of the peak centre in
               patch pixel coordinates (pixel (i, j) has its centre at (i, j); origin = top-left pixel).
               S >= patch size; larger patches are centre-cropped.
  unlabelled : ``patches`` only (``label`` turns it into plain). Optional ``radial_angle`` (N,) and
               ``true_labels`` (N,2) (simulator ground truth, never used for training).
  frames     : ``frames`` (F,H,W) plus a peak table ``peak_fidx``, ``peak_row``, ``peak_col`` (optionally
               ``npeaks``, ``deviations``) in the same file or in a separate file (``--peaks``), exactly
               like BraggNN's peaks-exp4train-psz11.hdf5.  Windows are centred on (int(row), int(col)),
               zero-padded at frame edges, as the reference dataset.py does.

Split: sequential, first int((1-val_fraction)*N) *records* train, the rest validation (records are in
file order; for peak tables the filter npeaks==1 and 0<=deviations<1 is applied after the split, when
those columns exist, which reproduces the reference's 55,548 / 13,799 at psz 11).

CookieNetAE layout: ``X`` (N,128,128) counts and ``Y`` (N,128,128) density; ``X_test``/``Y_test``,
``X_train``/``Y_train`` and ``Ximg``/``Ypdf`` are accepted too.  ``.tgz``/``.tar.gz`` archives holding a
single ``.h5`` are read in memory (the reference test set is used without unpacking it).
"""
from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .protocol import BadInput

COOKIE_KEYS = [("X", "Y"), ("X_test", "Y_test"), ("X_train", "Y_train"), ("Ximg", "Ypdf")]
PEAK_KEYS = ("peak_fidx", "peak_row", "peak_col")


def _h5py():
    try:
        import h5py  # noqa: F401
    except ImportError as e:  # pragma: no cover
        raise BadInput("h5py is required to read HDF5 data files") from e
    return h5py


def open_h5(path: str):
    """Open an HDF5 file (or a .tgz holding one .h5) read-only, refusing unusable files clearly."""
    h5py = _h5py()
    if not path:
        raise BadInput("no data path given")
    if not os.path.exists(path):
        raise BadInput(f"data file not found: {path}")
    if os.path.isdir(path):
        raise BadInput(f"data path is a directory, expected an HDF5 file: {path}")
    if os.path.getsize(path) == 0:
        raise BadInput(f"data file is empty (0 bytes): {path}")
    if path.endswith((".tgz", ".tar.gz", ".tar")):
        try:
            with tarfile.open(path) as tf:
                members = [m for m in tf.getmembers() if m.isfile() and m.name.endswith((".h5", ".hdf5"))]
                if len(members) != 1:
                    raise BadInput(f"{path}: expected exactly one .h5 file in the archive, found {len(members)}")
                buf = io.BytesIO(tf.extractfile(members[0]).read())
        except (tarfile.TarError, OSError, EOFError) as e:
            raise BadInput(f"{path}: not a readable tar archive ({e})") from e
        try:
            return h5py.File(buf, "r")
        except OSError as e:
            raise BadInput(f"{path}: archive member {members[0].name} is not an HDF5 file ({e})") from e
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise BadInput(f"{path}: not a readable HDF5 file ({e})") from e


def _dataset(h, key: str, path: str, ndim: int, kinds: str = "fiu"):
    h5py = _h5py()
    if key not in h:
        raise BadInput(f"{path}: missing dataset '{key}' (found: {sorted(h.keys())})")
    d = h[key]
    if not isinstance(d, h5py.Dataset):
        raise BadInput(f"{path}: '{key}' is a group, expected a dataset")
    if d.ndim != ndim:
        raise BadInput(f"{path}: dataset '{key}' has shape {tuple(d.shape)}, expected {ndim} dimensions")
    if d.dtype.kind not in kinds:
        raise BadInput(f"{path}: dataset '{key}' has dtype {d.dtype}, expected a numeric type ({kinds})")
    if d.shape[0] == 0:
        raise BadInput(f"{path}: dataset '{key}' is empty (shape {tuple(d.shape)})")
    return d


def _finite(a: np.ndarray, key: str, path: str) -> None:
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        raise BadInput(f"{path}: dataset '{key}' contains {bad} NaN/Inf values")


def _limit(n: int, max_samples: Optional[int]) -> int:
    if max_samples is not None:
        if max_samples < 1:
            raise BadInput(f"--max-samples must be >= 1, got {max_samples}")
        n = min(n, max_samples)
    return n


def sequential_split(n: int, val_fraction: float) -> int:
    """Number of training records in the sequential split (first part trains)."""
    if not 0.0 <= val_fraction < 1.0:
        raise BadInput(f"--val-fraction must be in [0, 1), got {val_fraction}")
    return int(round((1.0 - val_fraction) * n, 9)) if val_fraction > 0 else n


# --------------------------------------------------------------------------------------- BraggNN
@dataclass
class BraggSet:
    windows: np.ndarray  # (N, W, W) float32 raw intensities, W = psz + 2*aug
    labels: np.ndarray  # (N, 2) float32 (row, col) in window coordinates
    psz: int
    aug: int
    extra: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.labels)


def _to_window(patches: np.ndarray, labels: np.ndarray, W: int):
    """Centre-crop or pad (with each patch's minimum) (N,S,S) patches to (N,W,W); shift labels."""
    N, S, _ = patches.shape
    if S == W:
        return patches.astype(np.float32, copy=False), labels.astype(np.float32)
    if S > W:
        s = (S - W) // 2
        return (np.ascontiguousarray(patches[:, s:s + W, s:s + W], dtype=np.float32),
                (labels - s).astype(np.float32))
    lo = (W - S) // 2
    out = np.empty((N, W, W), np.float32)
    out[:] = patches.reshape(N, -1).min(axis=1)[:, None, None]
    out[:, lo:lo + S, lo:lo + S] = patches
    return out, (labels + lo).astype(np.float32)


def read_patches(path: str, max_samples: Optional[int] = None, need_labels: bool = False):
    """Plain/unlabelled layout: returns (patches float32 (N,S,S), labels (N,2) or None, extras)."""
    with open_h5(path) as h:
        if "patches" not in h:
            if "frames" in h or "peak_row" in h:
                raise BadInput(f"{path}: this is a frames/peak-table file, not a patch file; "
                               f"'patches' dataset missing")
            raise BadInput(f"{path}: missing dataset 'patches' (found: {sorted(h.keys())})")
        d = _dataset(h, "patches", path, 3)
        N, S1, S2 = d.shape
        if S1 != S2:
            raise BadInput(f"{path}: 'patches' has shape {tuple(d.shape)}; patches must be square (N,S,S)")
        n = _limit(N, max_samples)
        patches = d[:n].astype(np.float32)
        _finite(patches, "patches", path)
        labels = None
        if "labels" in h:
            ld = _dataset(h, "labels", path, 2, "fiu")
            if ld.shape != (N, 2):
                raise BadInput(f"{path}: 'labels' has shape {tuple(ld.shape)}, expected ({N}, 2) = (row, col) "
                               f"per patch")
            labels = ld[:n].astype(np.float32)
            _finite(labels, "labels", path)
            if (labels < -0.5).any() or (labels > S1 - 0.5).any():
                raise BadInput(f"{path}: 'labels' outside the patch: (row, col) must lie in [-0.5, {S1 - 0.5}]")
        elif need_labels:
            raise BadInput(f"{path}: missing dataset 'labels' (N,2); the patches are unlabelled — "
                           f"run `label` first")
        extras = {}
        for key, shape in (("radial_angle", (N,)), ("true_labels", (N, 2))):
            if key in h and h[key].shape == shape:
                extras[key] = h[key][:n].astype(np.float32)
    return patches, labels, extras


def read_peak_table(path: str):
    """Read and validate a BraggNN peak table (as peaks-exp4train-psz11.hdf5)."""
    with open_h5(path) as h:
        missing = [k for k in PEAK_KEYS if k not in h]
        if missing:
            raise BadInput(f"{path}: peak table missing dataset(s) {missing} (need {list(PEAK_KEYS)})")
        cols = {}
        for k in PEAK_KEYS + ("npeaks", "deviations"):
            if k in h:
                cols[k] = _dataset(h, k, path, 1)[:]
        n = len(cols["peak_fidx"])
        for k, v in cols.items():
            if len(v) != n:
                raise BadInput(f"{path}: peak table column '{k}' has {len(v)} rows, 'peak_fidx' has {n}")
            _finite(v.astype(np.float64) if v.dtype.kind == "f" else v, k, path)
        if cols["peak_fidx"].dtype.kind not in "iu":
            raise BadInput(f"{path}: 'peak_fidx' has dtype {cols['peak_fidx'].dtype}, expected an integer type")
        if (cols["peak_fidx"] < 0).any():
            raise BadInput(f"{path}: 'peak_fidx' has negative frame indices")
    return cols


def peak_filter(cols: dict) -> np.ndarray:
    keep = np.ones(len(cols["peak_fidx"]), bool)
    if "npeaks" in cols:
        keep &= cols["npeaks"] == 1
    if "deviations" in cols:
        keep &= (cols["deviations"] >= 0) & (cols["deviations"] < 1)
    return keep


def extract_windows(frames_ds, fidx, rows, cols, W: int, path: str = "frames"):
    """(W,W) windows around (int(row), int(col)); zero-padded at edges. Returns windows, labels (row, col)."""
    F, H, Wd = frames_ds.shape
    n = len(fidx)
    out = np.zeros((n, W, W), np.float32)
    lab = np.zeros((n, 2), np.float32)
    half = W // 2
    if n and int(fidx.max()) >= F:
        raise BadInput(f"{path}: peak_fidx refers to frame {int(fidx.max())} but 'frames' has {F}")
    order = np.argsort(fidx, kind="stable")
    cur, frame = -1, None
    for i in order:
        f = int(fidx[i])
        if f != cur:
            frame = np.asarray(frames_ds[f], dtype=np.float32)
            if not np.isfinite(frame).all():
                raise BadInput(f"{path}: frame {f} of 'frames' contains NaN/Inf")
            cur = f
        r, c = float(rows[i]), float(cols[i])
        if not (0 <= r < H and 0 <= c < Wd):
            raise BadInput(f"{path}: peak {i} at (row {r}, col {c}) lies outside the {H}x{Wd} frame")
        cr, cc = int(r), int(c)
        r0, c0 = cr - half, cc - half
        rs, re = max(0, r0), min(H, r0 + W)
        cs, ce = max(0, c0), min(Wd, c0 + W)
        out[i, rs - r0:re - r0, cs - c0:ce - c0] = frame[rs:re, cs:ce]
        lab[i] = (r - r0, c - c0)
    return out, lab


def load_braggnn(path: str, psz: int = 11, aug: int = 1, max_samples: Optional[int] = None,
                 val_fraction: float = 0.2, peaks: Optional[str] = None, split: str = "train"):
    """Return (train BraggSet, val BraggSet) for split='train', or one BraggSet for split='all'/'val'."""
    W = psz + 2 * aug
    with open_h5(path) as h:
        is_frames = "frames" in h
        has_peaks_here = all(k in h for k in PEAK_KEYS)
        has_patches = "patches" in h
    if peaks is not None or is_frames:
        if not is_frames:
            raise BadInput(f"{path}: missing dataset 'frames' (F,H,W); with --peaks, --data must be the frames file")
        table = read_peak_table(peaks if peaks is not None else path)
        if peaks is None and not has_peaks_here:
            raise BadInput(f"{path}: has 'frames' but no peak table ({list(PEAK_KEYS)}); pass it with --peaks")
        n = _limit(len(table["peak_fidx"]), max_samples)
        table = {k: v[:n] for k, v in table.items()}
        keep = peak_filter(table)
        ntr = sequential_split(n, val_fraction)
        sel_tr = np.nonzero(keep[:ntr])[0]
        sel_va = ntr + np.nonzero(keep[ntr:])[0]
        with open_h5(path) as h:
            fd = _dataset(h, "frames", path, 3)

            def mk(sel):
                w, l = extract_windows(fd, table["peak_fidx"][sel], table["peak_row"][sel],
                                       table["peak_col"][sel], W, path)
                return BraggSet(w, l, psz, aug)

            if split == "all":
                sel = np.nonzero(keep)[0]
                return mk(sel)
            tr, va = mk(sel_tr), mk(sel_va)
    elif has_patches:
        patches, labels, extras = read_patches(path, max_samples, need_labels=True)
        if patches.shape[1] < psz:
            raise BadInput(f"{path}: patches are {patches.shape[1]}x{patches.shape[2]}, smaller than the "
                           f"model's patch size {psz}")
        w, l = _to_window(patches, labels, W)
        full = BraggSet(w, l, psz, aug, extras)
        if split == "all":
            return full
        ntr = sequential_split(len(full), val_fraction)
        tr = BraggSet(w[:ntr], l[:ntr], psz, aug)
        va = BraggSet(w[ntr:], l[ntr:], psz, aug)
    else:
        with open_h5(path) as h:
            keys = sorted(h.keys())
        if has_peaks_here:
            raise BadInput(f"{path}: a peak table without frames; pass the frames file as --data and this "
                           f"file as --peaks (the public BraggNN frames are not distributed)")
        raise BadInput(f"{path}: no BraggNN data found: need 'patches'+'labels' or 'frames'+peak table "
                       f"(found: {keys})")
    if split == "val":
        return va
    if len(tr) == 0:
        raise BadInput(f"{path}: no training samples after the split/filter")
    if len(va) == 0 and val_fraction > 0:
        raise BadInput(f"{path}: no validation samples after the split/filter ({len(tr)} train); "
                       f"give more data or a larger --val-fraction")
    return tr, va


def unlabelled_windows(path: str, psz: int, max_samples: Optional[int] = None, peaks: Optional[str] = None):
    """(N, psz, psz) raw windows of a BraggNN file in any layout, labels not needed (the edge's new data),
    and the radial angle per window when the file carries it (else None)."""
    with open_h5(path) as h:
        has_patches = "patches" in h
    if has_patches and peaks is None:
        patches, _labels, extras = read_patches(path, max_samples)
        if patches.shape[1] < psz:
            raise BadInput(f"{path}: patches are {patches.shape[1]}x{patches.shape[2]}, smaller than the "
                           f"model's patch size {psz}")
        windows, _ = _to_window(patches, np.zeros((len(patches), 2), np.float32), psz)
        return windows, extras.get("radial_angle")
    full = load_braggnn(path, psz, 0, max_samples, 0.0, peaks, split="all")
    return full.windows, None


def minmax_np(x: np.ndarray) -> np.ndarray:
    """Per-patch min-max normalisation to [0,1]; constant patches become zeros."""
    mn = x.min(axis=(-2, -1), keepdims=True)
    rng = x.max(axis=(-2, -1), keepdims=True) - mn
    return np.where(rng > 0, (x - mn) / np.where(rng > 0, rng, 1), 0).astype(np.float32)


# ----------------------------------------------------------------------------------- CookieNetAE
def load_cookie(path: str, max_samples: Optional[int] = None, need_y: bool = True):
    with open_h5(path) as h:
        pair = next(((x, y) for x, y in COOKIE_KEYS if x in h), None)
        if pair is None:
            raise BadInput(f"{path}: missing dataset 'X' (or X_test/X_train/Ximg); found {sorted(h.keys())}")
        xk, yk = pair
        xd = _dataset(h, xk, path, 3)
        if tuple(xd.shape[1:]) != (128, 128):
            raise BadInput(f"{path}: '{xk}' has shape {tuple(xd.shape)}, expected (N, 128, 128)")
        n = _limit(xd.shape[0], max_samples)
        X = xd[:n].astype(np.float32)
        _finite(X, xk, path)
        if (X < 0).any():
            raise BadInput(f"{path}: '{xk}' has negative values; expected electron counts >= 0")
        Y = None
        if yk in h:
            yd = _dataset(h, yk, path, 3, "f")
            if tuple(yd.shape) != tuple(xd.shape):
                raise BadInput(f"{path}: '{yk}' has shape {tuple(yd.shape)}, '{xk}' has {tuple(xd.shape)}; "
                               f"they must match")
            Y = yd[:n].astype(np.float32)
            _finite(Y, yk, path)
        elif need_y:
            raise BadInput(f"{path}: missing dataset '{yk}' (target density, same shape as '{xk}')")
        test_keys = xk == "X_test"
    return X, Y, test_keys
