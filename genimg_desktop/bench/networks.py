"""The GAN generator and the VAE decoder as the bench runs them outside `model.run`: one way to call
either, for the FLOP count, the precision and compile comparisons and the kernel floor."""

from __future__ import annotations

from typing import Any

FAMILIES = ("gan", "vae")


def network(model: Any) -> Any:
    """The module that makes the images: the GAN's generator, or the whole VAE (its decoder runs)."""
    return model.net if model.family == "gan" else model.vae


def generate(family: str, net: Any, z: Any, labels: Any) -> Any:
    """Images in [-1, 1] from latents (B, Z) and labels (B,) through `net` (what `network` gave, or a
    copy of it). No context managers inside: callers choose inference mode, autocast or compiling."""
    if family == "gan":
        return net(z, labels)
    return net.decode_mean(z, net.embed(labels))


def app_generate(model: Any, z: Any, labels: Any) -> Any:
    """The images `generate` makes, drawn the way the app's tasks draw them: the GAN's folded
    synthesis (engine/gan/fused.py), the VAE's decoder, each in the precision its load-time check chose."""
    if model.family == "gan":
        return model.synthesize(model.net.mapping(z), model.net.embed(labels))
    return model.draw(z, model.vae.embed(labels))
