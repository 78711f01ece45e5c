"""Beamline Retrain model zoo: BraggNN and CookieNetAE (simulate, label, train, export, evaluate)."""
import os

# 0.2.0: idle OpenMP threads sleep, calibration splits a step's fixed cost, the best validated epoch is kept —
# a new version makes every trainer recalibrate (lib/calibration).
__version__ = "0.2.0"

# Before torch loads OpenMP (it reads this once): idle OpenMP threads sleep instead of spinning. Trainer
# hosts are shared, and a spinning thread takes the core its busy sibling needs: on this project's
# 2-core machine under load, a BraggNN step at batch 256 on 2 threads took 0.4-1.5 s spinning and
# 0.08-0.18 s passive (1 thread: 0.13-0.24 s). An operator's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
