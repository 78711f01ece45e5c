"""write_h5 replaces a file whole (issue 10 #18): a reader never sees a half-written labelled file."""
import os

import h5py
import numpy as np
import pytest

from beamline_zoo.simulate import write_h5


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "labelled.h5"
    write_h5(str(out), {"labels": np.zeros((4, 2))})
    write_h5(str(out), {"labels": np.ones((5, 2))}, {"labeller": "test"})
    with h5py.File(out) as h:
        assert h["labels"].shape == (5, 2) and h.attrs["labeller"] == "test"
    assert os.listdir(tmp_path) == ["labelled.h5"]


def test_a_failed_write_keeps_the_previous_file_whole(tmp_path):
    out = tmp_path / "labelled.h5"
    write_h5(str(out), {"labels": np.zeros((4, 2))})
    with pytest.raises(TypeError):
        write_h5(str(out), {"labels": np.ones((5, 2)), "broken": np.array([object()])})
    with h5py.File(out) as h:
        assert h["labels"].shape == (4, 2)
    assert os.listdir(tmp_path) == ["labelled.h5"]
