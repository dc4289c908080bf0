"""Pure data and image logic: numpy + Pillow (+ OpenCV for fast morphology); no Qt, no torch.

Colour convention, used everywhere in the project:
- an image is a numpy array of dtype uint8, shape (H, W, 3) RGB or (H, W, 4) RGBA, row-major;
- a mask is a numpy array of dtype uint8, shape (H, W); 255 means "regenerate this pixel",
  0 means "keep it", values in between are a soft (feathered) edge.
"""
