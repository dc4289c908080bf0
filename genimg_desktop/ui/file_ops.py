"""Opening and saving documents: dialogs, drag-and-drop, clipboard paste. Errors become messages.

Routed by extension: `.ora` projects (image + mask + metadata) go through core.ora / core.ora_read,
pictures through core.imageio. Both refuse unreadable or oversized files with a clear ImageLoadError;
the canvas is only touched after a load succeeded, so a bad file changes nothing. Saves are atomic.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox

from genimg_desktop.core.imageio import (
    ImageLoadError,
    ImageSaveError,
    LoadedImage,
    check_size,
    load_image,
    save_image,
)
from genimg_desktop.core.ora import save_ora
from genimg_desktop.core.ora_read import load_ora
from genimg_desktop.core.request import GenerationResult
from genimg_desktop.ui.qimage import qimage_to_rgba

if TYPE_CHECKING:
    from genimg_desktop.ui.main_window import MainWindow

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


def ask_open(window: MainWindow) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open image", window.settings.last_folder, OPEN_FILTER)
    if path:
        open_path(window, Path(path))


def open_path(window: MainWindow, path: Path) -> bool:
    """Open `path` into the canvas; a failure shows the loader's message and changes nothing."""
    if not window.confirm_discard_changes():
        return False
    try:
        if is_project(path):
            project = load_ora(path)
            loaded, mask = project.loaded(), project.mask
        else:
            loaded, mask = load_image(path), None
    except ImageLoadError as exc:
        QMessageBox.warning(window, "Cannot open image", str(exc))
        return False
    window.settings.last_folder = str(path.parent)
    window.set_loaded(loaded, path, mask)
    return True


def is_project(path: Path) -> bool:
    return path.suffix.lower() == ".ora"


def paste_clipboard(window: MainWindow) -> bool:
    """Ctrl+V: an image on the clipboard becomes a new unsaved document; image files are opened."""
    data = QGuiApplication.clipboard().mimeData()
    if data is not None and data.hasUrls():
        for url in data.urls():
            if url.isLocalFile():
                return open_path(window, Path(url.toLocalFile()))
    image = QGuiApplication.clipboard().image()
    if image.isNull():
        window.statusBar().showMessage("The clipboard holds no image", 4000)
        return False
    if not window.confirm_discard_changes():
        return False
    try:  # the clipboard bypasses the loader, so apply its size limits here
        check_size(image.width(), image.height(), "The pasted image")
    except ImageLoadError as exc:
        QMessageBox.warning(window, "Cannot paste image", str(exc))
        return False
    rgba = qimage_to_rgba(image)
    loaded = LoadedImage(rgba, "RGBA", "clipboard", (rgba.shape[1], rgba.shape[0]), {}, [])
    window.set_loaded(loaded, None)
    return True


def ask_save(window: MainWindow, save_as: bool = False) -> bool:
    """Save the document (Ctrl+S) or ask where (Save As / Export). Returns True when saved."""
    path = window.document.path
    if save_as or path is None or path.suffix.lower() not in SAVE_SUFFIXES:
        # A project stays a project unless the artist picks another type.
        suffix = ".ora" if path is not None and is_project(path) else ".png"
        start = str(Path(window.settings.last_folder or ".") / ((path.stem if path else "untitled") + suffix))
        chosen, _ = QFileDialog.getSaveFileName(window, "Save image as", start, SAVE_FILTER)
        if not chosen:
            return False
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(suffix)
    return save_to(window, path)


def ask_save_project(window: MainWindow) -> bool:
    """File > Save Project: an OpenRaster file that keeps the mask and the generation parameters."""
    path = window.document.path
    start = str(Path(window.settings.last_folder or ".") / ((path.stem if path else "untitled") + ".ora"))
    chosen, _ = QFileDialog.getSaveFileName(window, "Save project as", start, PROJECT_FILTER)
    if not chosen:
        return False
    path = Path(chosen)
    return save_to(window, path if is_project(path) else path.with_name(path.name + ".ora"))


def ask_export(window: MainWindow, ext: str) -> bool:
    """Export a copy as PNG / JPEG / WebP; the document keeps its own path and modified state."""
    doc = window.document
    stem = doc.path.stem if doc.path else "untitled"
    start = str(Path(window.settings.last_folder or ".") / f"{stem}.{ext}")
    chosen, _ = QFileDialog.getSaveFileName(window, f"Export {ext.upper()}", start, EXPORT_FORMATS[ext])
    if not chosen:
        return False
    path = Path(chosen)
    allowed = {".jpg", ".jpeg"} if ext == "jpg" else {f".{ext}"}
    if path.suffix.lower() not in allowed:  # the format is the menu entry's, whatever was typed
        path = path.with_name(path.name + f".{ext}")
    if not _write(window, path):
        return False
    window.settings.last_folder = str(path.parent)
    window.statusBar().showMessage(f"Exported {path}", 4000)
    return True


def _write(window: MainWindow, path: Path) -> bool:
    doc = window.document
    try:
        if is_project(path):
            save_ora(path, doc.image, doc.mask, doc.metadata)
        else:
            save_image(path, doc.image, metadata=doc.metadata or None)
    except (ImageSaveError, ImageLoadError, OSError) as exc:
        QMessageBox.warning(window, "Cannot save image", f"{exc}\n\nThe previous file, if any, is unchanged.")
        return False
    return True


def save_to(window: MainWindow, path: Path) -> bool:
    doc = window.document
    if not _write(window, path):
        return False
    doc.path = path
    doc.modified = False
    window.settings.last_folder = str(path.parent)
    window.update_title()
    window.statusBar().showMessage(f"Saved {path}", 4000)
    return True


def save_result(window: MainWindow, result: GenerationResult) -> bool:
    """Save one gallery result as a PNG with its generation parameters embedded."""
    start = str(
        Path(window.settings.last_folder or ".") / f"{result.request.model_id}-{result.request.seed}.png"
    )
    chosen, _ = QFileDialog.getSaveFileName(window, "Save result as", start, SAVE_FILTER)
    if not chosen:
        return False
    try:
        save_image(Path(chosen), result.images[0], metadata=result.metadata())
    except (ImageSaveError, ImageLoadError, OSError) as exc:
        QMessageBox.warning(window, "Cannot save result", str(exc))
        return False
    window.statusBar().showMessage(f"Saved {chosen}", 4000)
    return True
