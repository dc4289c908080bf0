"""The parameter dock's contents: the chosen task's parameters above, the Run button at a fixed place.

Each task has its own editors, so the parameters' natural size changes with the model and task. Laid
out plainly, that size reached the dock: the Run button moved between three heights and the dock (and
with it the canvas) changed width. Here the parameters scroll inside a box whose size does not follow
them, and the button keeps the bottom edge whatever its task's label.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

WIDTH = 300  # px: the editors of every shipped task fit without scrolling sideways
HEIGHT = 360
RUN_HEIGHT = 36


class RunPanel(QWidget):
    def __init__(self, params: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run_panel")
        top = QWidget()  # the editors at the top, the spare height under them
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(params)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(top)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.run_button = QPushButton("Run")
        self.run_button.setFixedHeight(RUN_HEIGHT)
        self.run_button.setEnabled(False)
        # A long task label must not widen the dock: the button takes the width it is given.
        self.run_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.run_button)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(WIDTH, HEIGHT)  # the same for every task: the dock keeps its size

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(WIDTH // 2, RUN_HEIGHT * 3)
