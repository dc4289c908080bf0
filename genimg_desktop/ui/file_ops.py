"""Opening and saving documents: dialogs, drag-and-drop, clipboard paste. Errors become messages.

Routed by extension: `.ora` projects (image + mask + metadata) go through core.ora / core.ora_read,
pictures through core.imageio. Both refuse unreadable or oversized files with a clear ImageLoadError;
the canvas is only touched after a load succeeded, so a bad file changes nothing. Files are read on a
worker thread (ui/image_opener.py) and come back here to replace the document. Saves are atomic, and
encoded from copies on a thread of their own (ui/background.py's `wait_for`: 7 s for a 24 MP PNG would
freeze the window) while the caller waits for the outcome, as "save changes?" needs it at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from genimg_desktop import APP_NAME
from genimg_desktop.core.document import ChangeWatch
from genimg_desktop.core.imageio import (
    ImageLoadError,
    ImageTooLarge,
    LoadedImage,
    check_size,
    save_image,
)
from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui import background
from genimg_desktop.ui.image_opener import Opened, is_project
from genimg_desktop.ui.qimage import qimage_to_rgba
from genimg_desktop.ui.window_host import WindowHost

OPEN_FILTER = (
    "Images and projects (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif *.ora);;"
    "OpenRaster project (*.ora);;All files (*)"
)
PROJECT_FILTER = "OpenRaster project, keeps the mask (*.ora)"
SAVE_FILTER = f"PNG image (*.png);;JPEG image (*.jpg *.jpeg);;WebP image (*.webp);;{PROJECT_FILTER}"
SAVE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".ora")
EXPORT_FORMATS = {
    "png": "PNG image (*.png)",
    "jpg": "JPEG image (*.jpg *.jpeg)",
    "webp": "WebP image (*.webp)",
}


def ask_open(host: WindowHost) -> None:
    path, _ = QFileDialog.getOpenFileName(host.window(), "Open image", host.settings.last_folder, OPEN_FILTER)
    if path:
        open_path(host, Path(path))


def open_path(host: WindowHost, path: Path) -> bool:
    """Start opening `path` on a worker (the window stays live; the status bar shows it with Cancel).
    False when the artist kept the open work. The outcome comes back to `finish_open` or `open_failed`."""
    if not confirm_discard_changes(host):
        return False
    host.opener.start(path)
    return True


def finish_open(host: WindowHost, opened: Opened) -> bool:
    """A file has loaded: it replaces the document, after asking again if the work changed meanwhile."""
    if opened.touched and not confirm_discard_changes(host):
        host.model.say(f"'{opened.path.name}' was not opened: the open image changed while it loaded")
        return False
    host.settings.last_folder = str(opened.path.parent)
    host.set_loaded(opened.loaded, opened.path, opened.mask)
    return True


def open_failed(host: WindowHost, path: Path, error: ImageLoadError, was_fitted: bool) -> None:
    """Say why `path` did not open; a picture over the size limits may be opened scaled down instead."""
    if not isinstance(error, ImageTooLarge) or is_project(path) or was_fitted:
        QMessageBox.warning(host.window(), "Cannot open image", str(error))
        return
    w, h = error.fit
    box = QMessageBox(QMessageBox.Icon.Question, "Image too large", str(error), parent=host.window())
    box.setInformativeText(f"It can be opened scaled down to {w} x {h} pixels, the largest size that fits.")
    scale = box.addButton("Open scaled down to fit", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is scale:
        host.opener.start(path, fit=True)


def open_cancelled(host: WindowHost, path: Path) -> None:
    host.model.say(f"Opening '{path.name}' was cancelled; the open image is unchanged")


def confirm_discard_changes(host: WindowHost) -> bool:
    """True when it is fine to replace the document (saved, discarded, or nothing to lose)."""
    doc = host.model.document
    if not doc.modified:
        return True
    # A painted mask counts as work; a PNG or JPEG would drop it, so Save then saves a project.
    project = doc.mask_at_risk
    text = (
        "The image has unsaved changes and a painted mask. Save them as a project (.ora keeps the mask)?"
        if project
        else "The image has unsaved changes. Save them first?"
    )
    answer = QMessageBox.question(
        host.window(),
        APP_NAME,
        text,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )
    if answer == QMessageBox.StandardButton.Save:
        return ask_save_project(host) if project else ask_save(host)
    return answer == QMessageBox.StandardButton.Discard


def paste_clipboard(host: WindowHost) -> bool:
    """Ctrl+V: an image on the clipboard becomes a new unsaved document; image files are opened."""
    data = QGuiApplication.clipboard().mimeData()
    if data is not None and data.hasUrls():
        for url in data.urls():
            if url.isLocalFile():
                return open_path(host, Path(url.toLocalFile()))
    image = QGuiApplication.clipboard().image()
    if image.isNull():
        host.model.say("The clipboard holds no image")
        return False
    if not confirm_discard_changes(host):
        return False
    try:  # the clipboard bypasses the loader, so apply its size limits here
        check_size(image.width(), image.height(), "The pasted image")
    except ImageLoadError as exc:
        QMessageBox.warning(host.window(), "Cannot paste image", str(exc))
        return False
    rgba = qimage_to_rgba(image)
    loaded = LoadedImage(rgba, "RGBA", "clipboard", (rgba.shape[1], rgba.shape[0]), {}, [])
    host.set_loaded(loaded, None)
    return True


def ask_save(host: WindowHost, save_as: bool = False) -> bool:
    """Save the document (Ctrl+S) or ask where (Save As / Export). Returns True when saved."""
    path = host.model.document.path
    if save_as or path is None or path.suffix.lower() not in SAVE_SUFFIXES:
        # A project stays a project unless the artist picks another type.
        suffix = ".ora" if path is not None and is_project(path) else ".png"
        start = str(Path(host.settings.last_folder or ".") / ((path.stem if path else "untitled") + suffix))
        chosen, _ = QFileDialog.getSaveFileName(host.window(), "Save image as", start, SAVE_FILTER)
        if not chosen:
            return False
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(suffix)
    return save_to(host, path)


def ask_save_project(host: WindowHost) -> bool:
    """File > Save Project: an OpenRaster file that keeps the mask and the generation parameters."""
    path = host.model.document.path
    start = str(Path(host.settings.last_folder or ".") / ((path.stem if path else "untitled") + ".ora"))
    chosen, _ = QFileDialog.getSaveFileName(host.window(), "Save project as", start, PROJECT_FILTER)
    if not chosen:
        return False
    path = Path(chosen)
    return save_to(host, path if is_project(path) else path.with_name(path.name + ".ora"))


def ask_export(host: WindowHost, ext: str) -> bool:
    """Export a copy as PNG / JPEG / WebP; the document keeps its own path and modified state."""
    doc = host.model.document
    stem = doc.path.stem if doc.path else "untitled"
    start = str(Path(host.settings.last_folder or ".") / f"{stem}.{ext}")
    chosen, _ = QFileDialog.getSaveFileName(
        host.window(), f"Export {ext.upper()}", start, EXPORT_FORMATS[ext]
    )
    if not chosen:
        return False
    path = Path(chosen)
    allowed = {".jpg", ".jpeg"} if ext == "jpg" else {f".{ext}"}
    if path.suffix.lower() not in allowed:  # the format is the menu entry's, whatever was typed
        path = path.with_name(path.name + f".{ext}")
    if not _write(host, path):
        return False
    host.settings.last_folder = str(path.parent)
    host.model.say(f"Exported {path}")
    return True


def _write(host: WindowHost, path: Path) -> bool:
    image, mask, metadata = host.model.document.copies()

    def encode(_progress: background.Progress) -> Path:
        if is_project(path):
            return save_ora(path, image, mask, metadata)
        return save_image(path, image, metadata=metadata or None)

    return _encoded(host, path, encode, "Cannot save image", "\n\nThe previous file, if any, is unchanged.")


def _encoded(host: WindowHost, path: Path, encode: background.Work, failure: str, more: str = "") -> bool:
    """Run `encode` off the GUI thread and wait for it (the window paints, a progress dialog keeps it
    from changing); a failure is said in a box titled `failure`. True when the file was written."""
    host.model.set_saving(path)
    try:
        outcome = background.wait_for(host.window(), "Saving", f"Saving {path.name}…", encode)
    finally:
        host.model.set_saving(None)
    if isinstance(outcome, Exception):  # an unforeseen one too: its traceback is in the log
        QMessageBox.warning(host.window(), failure, f"{outcome}{more}")
        return False
    return True


def save_to(host: WindowHost, path: Path) -> bool:
    """Write the document to `path`. True when the file now holds the document as it is: then it is
    marked saved there. An edit or another document that came while it encoded keeps it unsaved."""
    doc = host.model.document
    watch = ChangeWatch(doc)
    try:
        written = _write(host, path)
    finally:
        changed = watch.stop()
    if not written:
        return False
    host.settings.last_folder = str(path.parent)
    if changed or host.model.document is not doc:
        host.model.say(f"Saved {path} as it was when the save began; what changed since is not saved", 8000)
        return False
    host.model.mark_saved(path)
    dropped = host.model.document.mask_at_risk  # the file type has no place for it
    host.model.say(f"Saved {path}" + (" (without the mask: File > Save Project keeps it)" if dropped else ""))
    return True


def save_result(host: WindowHost, result: GenerationResult) -> bool:
    """Save one gallery result as a PNG with its generation parameters embedded."""
    start = str(
        Path(host.settings.last_folder or ".") / f"{result.request.model_id}-{result.request.seed}.png"
    )
    chosen, _ = QFileDialog.getSaveFileName(host.window(), "Save result as", start, SAVE_FILTER)
    if not chosen:
        return False
    path, image, metadata = Path(chosen), result.images[0], result.metadata()
    encode = lambda _progress: save_image(path, image, metadata=metadata)  # noqa: E731
    if not _encoded(host, path, encode, "Cannot save result"):
        return False
    host.model.say(f"Saved {chosen}")
    return True
