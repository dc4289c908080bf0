"""Running the same training in several processes under `torchrun` (DistributedDataParallel).

torchrun sets WORLD_SIZE, RANK and LOCAL_RANK; with WORLD_SIZE > 1 the loop joins the process group
(gloo on the CPU, nccl on CUDA, one GPU per process). Every process trains on its share of each batch;
DDP averages the gradients, and only rank 0 writes files.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn

from genimg_desktop.engine.device import resolve_device

_TIMEOUT = datetime.timedelta(minutes=30)  # rank 0 may spend a while exporting or sampling


@dataclass(frozen=True)
class DistContext:
    rank: int
    world: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1

    def wrapper(self) -> Callable[[nn.Module], nn.Module]:
        """What `FamilyTrainer.wrap` does here: DDP under torchrun, nothing otherwise. The same module
        always gets the same DDP object, so a family may call `wrap` once or on every step."""
        wrapped: dict[int, nn.Module] = {}

        def wrap(module: nn.Module) -> nn.Module:
            if not self.distributed:
                return module
            key = id(module)  # the DDP object keeps the module alive, so the id stays unique
            if key not in wrapped:
                ids = [self.device.index] if self.device.type == "cuda" else None
                wrapped[key] = nn.parallel.DistributedDataParallel(module, device_ids=ids)
            return wrapped[key]

        return wrap

    def reduce_step(self, losses: dict[str, float], stop: bool) -> tuple[dict[str, float], bool]:
        """Losses averaged over the processes, and whether any process was asked to stop: one small
        collective per step, so all processes checkpoint and leave at the same step."""
        if not self.distributed:
            return losses, stop
        keys = sorted(losses)
        comm = self.device if self.device.type == "cuda" else torch.device("cpu")
        values = torch.tensor(
            [float(losses[k]) for k in keys] + [float(stop)], dtype=torch.float64, device=comm
        )
        dist.all_reduce(values)
        out = values.cpu().tolist()
        return {k: v / self.world for k, v in zip(keys, out[:-1], strict=True)}, out[-1] > 0

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


@contextmanager
def session(device_pref: str) -> Iterator[DistContext]:
    """The process group for this run (none when not under torchrun), torn down at the end."""
    world = world_size()
    if world <= 1:
        yield DistContext(0, 1, resolve_device(device_pref))
        return
    rank = int(os.environ["RANK"])
    device = resolve_device(device_pref)
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank)))
        torch.cuda.set_device(device)
    elif device.type != "cpu":
        raise ValueError(f"training in several processes needs cpu or cuda, not {device.type}")
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo", timeout=_TIMEOUT)
    try:
        yield DistContext(rank, world, device)
    finally:
        dist.destroy_process_group()
