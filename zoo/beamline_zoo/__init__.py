"""Beamline Retrain model zoo: BraggNN and CookieNetAE (simulate, label, train, export, evaluate)."""
__version__ = "0.1.0"
