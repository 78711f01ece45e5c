"""Checkpoints are loaded weights-only, always, and checked against a recorded sha256 when one is given."""
import os
import pickle

import pytest

from beamline_zoo.protocol import sha256_file
from conftest import run_cli


def _unicode(text: str) -> bytes:
    b = text.encode()
    return pickle.BINUNICODE + len(b).to_bytes(4, "little") + b


def write_crafted_checkpoint(path, marker):
    """A pickle that makes torch 1.13's weights-only unpickler raise TypeError (BUILD on a meta tensor with
    a state that Tensor.set_ rejects but Tensor.__setstate__ accepts) and then, under a full unpickler,
    calls exec() to write `marker`."""
    code = f"open({str(marker)!r}, 'w').write('pwned')"
    data = (pickle.PROTO + b"\x02"
            + pickle.GLOBAL + b"torch._utils\n_rebuild_meta_tensor_no_storage\n"
            + pickle.MARK + pickle.GLOBAL + b"torch\nfloat32\n"
            + pickle.MARK + pickle.BININT1 + b"\x02" + pickle.TUPLE
            + pickle.MARK + pickle.BININT1 + b"\x01" + pickle.TUPLE
            + pickle.NEWFALSE + pickle.TUPLE + pickle.REDUCE
            + pickle.MARK + pickle.NEWFALSE + pickle.BININT1 + b"\x01" + pickle.NONE + pickle.TUPLE + pickle.BUILD
            + pickle.POP
            + pickle.GLOBAL + b"builtins\nexec\n" + pickle.MARK + _unicode(code) + pickle.TUPLE + pickle.REDUCE
            + pickle.STOP)
    with open(path, "wb") as f:
        f.write(data)


@pytest.mark.parametrize("command", ["evaluate", "train"])
def test_issue10_16_crafted_checkpoint_is_refused_without_running_code(tmp_path, bragg_file, capsys, command):
    evil, marker = tmp_path / "evil.pt", tmp_path / "marker"
    write_crafted_checkpoint(evil, marker)
    args = {
        "evaluate": ["evaluate", "--checkpoint", evil, "--data", bragg_file],
        "train": ["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1, "--max-samples", 64,
                  "--parent", evil, "--out", tmp_path / "o"],
    }[command]
    rc, lines, _ = run_cli(args, capsys)
    assert not marker.exists(), "unpickling the crafted checkpoint ran code"
    assert rc == 2 and lines[-1]["type"] == "error" and "evil.pt" in lines[-1]["message"]


def test_issue10_16_recorded_sha256_is_checked_before_loading(tmp_path, bragg_file, ref, capsys):
    good = os.path.join(ref, "braggnn", "fc16_8_4_2-sz11.pth")
    digest = sha256_file(good)
    rc, lines, _ = run_cli(["evaluate", "--checkpoint", good, "--checkpoint-sha256", digest.upper(),
                            "--data", bragg_file, "--max-samples", 200], capsys)
    assert rc == 0 and lines[-1]["type"] == "evaluation"
    evil, marker = tmp_path / "evil.pt", tmp_path / "marker"
    write_crafted_checkpoint(evil, marker)
    rc, lines, _ = run_cli(["train", "--family", "braggnn", "--data", bragg_file, "--epochs", 1,
                            "--parent", evil, "--parent-sha256", digest, "--out", tmp_path / "o"], capsys)
    assert rc == 2 and "sha256" in lines[-1]["message"] and digest in lines[-1]["message"]
    assert not marker.exists()
    rc, lines, _ = run_cli(["evaluate", "--checkpoint", good, "--checkpoint-sha256", "abc", "--data", bragg_file],
                           capsys)
    assert rc == 2 and "64 hex" in lines[-1]["message"]
