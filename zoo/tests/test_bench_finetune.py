"""zoo/bench/finetune_vs_scratch.py: the pure helpers that define 'epochs and seconds to the same error', and one
tiny end-to-end round through the zoo's own train command."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))

import finetune_vs_scratch as B  # noqa: E402


def _h(epoch, mean, seconds=1.0, wall=None):
    return {"epoch": epoch, "mean_px": mean, "seconds": seconds, "wall": wall if wall is not None else 2.0 + epoch}


def test_history_keeps_validated_epochs_with_their_wall_time():
    lines = [{"type": "start", "at": 10.5},
             {"type": "epoch", "epoch": 1, "validated": True, "metrics": {"mean": 0.9}, "seconds": 1.5, "at": 13.0},
             {"type": "epoch", "epoch": 2, "validated": False, "metrics": {}, "seconds": 1.0, "at": 14.0},
             {"type": "epoch", "epoch": 3, "metrics": {"mean": 0.5}, "seconds": 1.2, "at": 15.5},
             {"type": "artifact", "at": 16.0}]
    assert B.history_from_lines(lines, 10.0) == [_h(1, 0.9, 1.5, 3.0), _h(3, 0.5, 1.2, 5.5)]


def test_target_is_the_scratch_runs_best_plus_the_tolerance():
    assert B.target_error([_h(1, 0.8), _h(2, 0.4), _h(3, 0.5)], 0.05) == pytest.approx(0.42)
    with pytest.raises(ValueError, match="no validated epoch"):
        B.target_error([], 0.05)


def test_time_to_target_is_the_first_epoch_at_or_under_it():
    history = [_h(1, 0.9, 2.0), _h(2, 0.42, 3.0), _h(3, 0.3, 4.0)]
    assert B.time_to_target(history, 0.42) == {"epochs": 2, "train_seconds": 5.0, "wall_seconds": 4.0,
                                               "mean_px": 0.42}
    assert B.time_to_target(history, 0.1) is None


def test_ratios_are_scratch_over_finetune_and_null_when_a_run_missed():
    scratch = {"epochs": 12, "train_seconds": 30.0, "wall_seconds": 33.0}
    fine = {"epochs": 3, "train_seconds": 6.0, "wall_seconds": 11.0}
    assert B.ratios(scratch, fine) == {"epochs": 4.0, "train_seconds": 5.0, "wall_seconds": 3.0}
    assert B.ratios(scratch, None) == {"epochs": None, "train_seconds": None, "wall_seconds": None}
    rounds = [{"ratios": {"epochs": 4.0}}, {"ratios": {"epochs": None}}, {"ratios": {"epochs": 2.0}}]
    assert B.median_ratio(rounds, "epochs") == 3.0
    assert B.median_ratio([{"ratios": {"epochs": None}}], "epochs") is None


def test_one_tiny_round_through_the_zoo(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert B.main(["--work", str(tmp_path / "w"), "--out", str(out), "--base-samples", "96", "--base-epochs", "1",
                   "--samples", "96", "--epochs", "2", "--seeds", "1", "--batch-size", "16"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == printed
    (r,) = printed["rounds"]
    assert [len(r["history"][k]) for k in ("scratch", "finetune")] == [2, 2]
    best = min(h[1] for h in r["history"]["scratch"])
    assert r["target_px"] == pytest.approx(best * 1.05, rel=1e-3)  # history rounds to 4 digits
    assert r["best_px"]["scratch"] == pytest.approx(best, abs=1e-4)
    assert r["scratch"]["epochs"] in (1, 2) and r["scratch"]["wall_seconds"] > r["scratch"]["train_seconds"] > 0
    assert printed["base"]["on_drifted_val_mean_px"] > 0 and printed["settings"]["epochs"] == 2


def test_summary_names_every_round_and_a_missed_target():
    result = {"data": {"drifted": "last scan"}, "base": {"on_drifted_val_mean_px": 0.94},
              "settings": {"tolerance": 0.05},
              "rounds": [{"seed": 1, "target_px": 0.363, "scratch": {"epochs": 16, "train_seconds": 20.0},
                          "finetune": {"epochs": 2, "train_seconds": 2.5},
                          "ratios": {"epochs": 8.0, "train_seconds": 8.0, "wall_seconds": 4.0},
                          "best_px": {"scratch": 0.35, "finetune": 0.3}},
                         {"seed": 2, "target_px": 0.35, "scratch": {"epochs": 20, "train_seconds": 25.0},
                          "finetune": None, "ratios": {"epochs": None, "train_seconds": None, "wall_seconds": None},
                          "best_px": {"scratch": 0.333, "finetune": 0.4}}],
              "median_ratios": {"epochs": 8.0, "train_seconds": 8.0, "wall_seconds": 4.0}}
    text = B.summary(result)
    assert "seed 1: target 0.363 px | scratch 16 epochs, 20.0 s | fine-tune 2 epochs, 2.5 s" in text
    assert "best within the budget: scratch 0.350 px, fine-tune 0.300 px" in text
    assert "seed 2" in text and "fine-tune never reached it" in text and "n/a epochs" in text
    assert "median scratch/fine-tune: 8.0x epochs, 8.0x training seconds, 4.0x wall seconds" in text
