"""Training: data sources, the loop, checkpoints; each family brings its own FamilyTrainer."""
