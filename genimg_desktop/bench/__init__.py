"""`genimg bench`: one run that measures the machine, every installed generation model, the PixelCNN
samplers, app start-up, UI stalls during a job and peak memory, and prints them beside the targets.

One small module per measurement (flops, latency, pixelcnn, startup, stalls, memory); `suite` runs them
in order and `report` turns the result into a table and the target verdicts. Outside the layers (like
selftest.py): torch and Qt are imported inside the measurement that needs them.
"""
