"""Upscaling and restoration: networks that map a picture to a picture (engine/restore/model.py runs
them in tiles; architectures.py names them)."""
