"""GenImg Desktop: create and edit images with your own generative models, offline."""

__version__ = "0.1.0"
APP_NAME = "GenImg Desktop"
