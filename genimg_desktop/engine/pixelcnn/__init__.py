"""The autoregressive family: a conditional Gated PixelCNN (no blind spot).

layers.py   gated vertical/horizontal stacks      heads.py     softmax / logistic-mixture outputs
network.py  config dataclass + nn.Module          sampling.py  raster-order samplers (naive reference)
scoring.py  likelihood, bits/dim, entropy         filling.py   ranked completions + uncertainty
imaging.py  canvas <-> model-size levels, maps    tasks.py     TaskSpecs
model.py    the GenerationModel ("pixelcnn")      trainer.py   the FamilyTrainer for `genimg train`
fast_sampling.py  the default sampler: row caches, one position per layer per pixel, exact vs naive
sample_job.py     what every sampler is given (SampleJob)    guidance.py  classifier-free guidance
"""
