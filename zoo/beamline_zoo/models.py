"""Model definitions: BraggNN and CookieNetAE (PyTorch).

BraggNN follows DESIGN §7 / seed-repos §2.2; parameter names match the public
checkpoints (``nlb.*``, ``cnn_layers.{0,2,4}``, ``dense_layers.{0,2,...}``) so they
load with strict key matching.

CookieNetAE follows the public PyTorch code's ``CookieAE128ch`` layout
(208,641 parameters).  The paper's 343,937 refers to the TensorFlow original,
whose exact layer list is not public, so we implement the PyTorch count.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

BRAGGNN_DEFAULT = {"patch_size": 11, "dense": [16, 8, 4, 2]}
COOKIE_DEFAULT = {"channels": 128}


class NonLocalBlock(nn.Module):
    """Embedded-Gaussian non-local block, residual, no scaling, no normalisation."""

    def __init__(self, in_ch: int = 64, inter_ch: int = 32):
        super().__init__()
        self.inter_ch = inter_ch
        self.theta_layer = nn.Conv2d(in_ch, inter_ch, 1)
        self.phi_layer = nn.Conv2d(in_ch, inter_ch, 1)
        self.g_layer = nn.Conv2d(in_ch, inter_ch, 1)
        self.out_cnn = nn.Conv2d(inter_ch, in_ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        theta = self.theta_layer(x).flatten(2).transpose(1, 2)  # (b, n, c')
        phi = self.phi_layer(x).flatten(2)  # (b, c', n)
        g = self.g_layer(x).flatten(2).transpose(1, 2)  # (b, n, c')
        attn = torch.softmax(torch.bmm(theta, phi), dim=-1)  # (b, n, n)
        y = torch.bmm(attn, g).transpose(1, 2).reshape(b, self.inter_ch, h, w)
        return self.out_cnn(y) + x


class BraggNN(nn.Module):
    """Input (B,1,psz,psz) min-max normalised patch -> (x=col, y=row)/psz."""

    def __init__(self, patch_size: int = 11, dense: Sequence[int] = (16, 8, 4, 2)):
        super().__init__()
        if patch_size < 7:
            raise ValueError(f"patch_size must be >= 7 (three unpadded 3x3 convs), got {patch_size}")
        if len(dense) < 1 or any(int(d) < 1 for d in dense):
            raise ValueError(f"dense sizes must be positive integers, got {list(dense)}")
        self.patch_size = int(patch_size)
        self.dense = [int(d) for d in dense]
        self.nlb = NonLocalBlock(64, 32)
        act = lambda: nn.LeakyReLU(0.01)  # noqa: E731
        self.cnn_layers = nn.Sequential(
            nn.Conv2d(1, 64, 3), act(), nn.Conv2d(64, 32, 3), act(), nn.Conv2d(32, 8, 3), act()
        )
        side = self.patch_size - 6
        sizes = [8 * side * side] + self.dense
        layers: list[nn.Module] = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), act()]
        layers.append(nn.Linear(sizes[-1], 2))
        self.dense_layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.cnn_layers[0](x)
        x = self.nlb(x)  # NLB sits before the first activation (reference order)
        x = self.cnn_layers[1](x)
        for i in range(2, len(self.cnn_layers)):
            x = self.cnn_layers[i](x)
        return self.dense_layers(torch.flatten(x, 1))


class CookieNetAE(nn.Module):
    """(B,1,128,128) counts -> (B,1,128,128) non-negative density. 208,641 params."""

    def __init__(self, channels: int = 128):
        super().__init__()
        if channels != 128:
            raise ValueError("only the 128-channel CookieNetAE is implemented "
                             "(the public 16-channel variant is internally inconsistent)")
        self.channels = channels
        enc = []
        cin = 1
        for i, c in enumerate((16, 32, 64, 128)):
            enc += [nn.Conv2d(cin, c, 3, padding=1), nn.ReLU()]
            if i < 3:
                enc.append(nn.MaxPool2d(2))
            cin = c
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(128, 128, 2, stride=2), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, 2, stride=2), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 2, stride=2), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, stride=1, padding=1), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1), nn.ReLU(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def xavier_init(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def build_model(family: str, config: dict) -> nn.Module:
    if family == "braggnn":
        return BraggNN(config.get("patch_size", 11), config.get("dense", (16, 8, 4, 2)))
    if family == "cookienetae":
        return CookieNetAE(config.get("channels", 128))
    raise ValueError(f"unknown family {family!r}")


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def input_shape(family: str, config: dict) -> tuple:
    if family == "braggnn":
        p = config.get("patch_size", 11)
        return (1, p, p)
    return (1, 128, 128)


def infer_braggnn_config(state_dict: dict) -> dict:
    """Architecture config from a bare BraggNN state_dict (e.g. the public .pth files)."""
    try:
        in_feat = state_dict["dense_layers.0.weight"].shape[1]
    except KeyError as e:
        raise ValueError("not a BraggNN state_dict: missing key 'dense_layers.0.weight'") from e
    side = int(round((in_feat / 8) ** 0.5))
    if 8 * side * side != in_feat:
        raise ValueError(f"dense_layers.0.weight has {in_feat} inputs, not 8*k*k")
    idx = sorted(int(k.split(".")[1]) for k in state_dict if k.startswith("dense_layers.") and k.endswith(".weight"))
    outs = [int(state_dict[f"dense_layers.{i}.weight"].shape[0]) for i in idx]
    if not outs or outs[-1] != 2:
        raise ValueError("BraggNN state_dict must end with a 2-output linear layer")
    return {"patch_size": side + 6, "dense": outs[:-1]}
