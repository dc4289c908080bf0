"""The Select subject tool: drag a rectangle around an object; on release the canvas asks the window
to mask the object in it (core/subject.py's GrabCut). The frame shows the crop tool's way, the outside
dimmed: that is what GrabCut takes for background."""

from __future__ import annotations

from genimg_desktop.ui.canvas.crop_tool import CropTool


class SubjectTool(CropTool):
    text = "Select subject"
