"""The window's training view: `genimg train` in a child process, its progress read from the run folder.

- `train_process.py` the run settings, the command line and the QProcess (start, pause by the
                     stop-request file, cancel, the outcome of an exit).
- `run_files.py`     what the view reads from the run folder: new lines of losses.jsonl, the newest
                     sample grid.
- `loss_plot.py`     the loss curves widget (QPainter, no plotting library).
- `train_view.py`    the dialog: form, buttons, progress, sample grid, plot and process output.
"""
