"""autolog for PyTorch Lightning: ``Trainer.fit`` (``lightning.pytorch`` and the older
``pytorch_lightning`` package).

Parameters: the module's ``hparams`` (``save_hyperparameters()``) and the trainer's limits
(``max_epochs``, ``max_steps``...); data: the datasets behind ``train_dataloaders`` and
``val_dataloaders`` when their content can be fingerprinted (``TensorDataset``, datasets
with ``data``/``targets`` arrays); a ``LightningDataModule``'s data is recorded as unrecorded
(it is built inside ``fit``); metrics: ``trainer.callback_metrics`` after the fit; the model:
the module's ``state_dict``.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Any

from . import autolog as core
from .autolog_data import DataRef, memory_dataset

_TRAINER_SETTINGS = ("max_epochs", "min_epochs", "max_steps", "accumulate_grad_batches",
                     "gradient_clip_val", "precision", "check_val_every_n_epoch")


def install() -> None:
    for name in ("lightning.pytorch", "pytorch_lightning"):
        core.when_imported(name, _patch)


def _patch(module: types.ModuleType) -> None:
    trainer = module.Trainer
    if not core.wrapped(trainer.fit):
        core.patch(trainer, "fit", core.mark(_fit(trainer.fit)))


def _dataset_ref(loader: Any, role: str) -> tuple[list[DataRef], list[str]]:
    if loader is None:
        return [], []
    loaders = loader if isinstance(loader, (list, tuple)) else [loader]
    refs: list[DataRef] = []
    missing: list[str] = []
    for i, dl in enumerate(loaders):
        name = role if len(loaders) == 1 else f"{role}_{i}"
        dataset = getattr(dl, "dataset", dl)
        parts: tuple[Any, ...] | None = None
        if hasattr(dataset, "tensors"):
            parts = tuple(dataset.tensors)
        elif hasattr(dataset, "data"):
            parts = (dataset.data, getattr(dataset, "targets", None))
        ref = memory_dataset(*parts) if parts is not None else None
        if ref is None:
            missing.append(f"{name}:{type(dataset).__qualname__}")
        else:
            refs.append(DataRef((name,), ref))
    return refs, missing


def _fit(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(self: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        if not core.active():
            return original(self, model, *args, **kwargs)
        names = ("train_dataloaders", "val_dataloaders", "datamodule")
        given = dict(zip(names, args, strict=False)) | {k: kwargs[k] for k in names
                                                        if k in kwargs}
        cls = type(model)

        def describe(fit: core.Fit) -> None:
            hparams = getattr(model, "hparams", None)
            fit.params = dict(hparams) if hparams is not None else {}
            for key in _TRAINER_SETTINGS:
                value = getattr(self, key, None)
                if value is not None and key not in fit.params:
                    fit.params[key] = value
            if not fit.top_level:
                return
            refs, missing = _dataset_ref(given.get("train_dataloaders"), "train")
            more, lost = _dataset_ref(given.get("val_dataloaders"), "validation")
            fit.data = refs + more
            missing += lost
            if given.get("datamodule") is not None:
                missing.append(f"datamodule:{type(given['datamodule']).__qualname__}")
            fit.unrecorded.update(dict(m.split(":", 1) for m in missing))

        def finish(fit: core.Fit, result: Any) -> None:
            for key, value in dict(getattr(self, "callback_metrics", {}) or {}).items():
                fit.add_metric(str(key), value)
            state_dict = getattr(model, "state_dict", None)
            fit.set_model(state_dict() if callable(state_dict) else model,
                          estimator=f"{cls.__module__}.{cls.__qualname__}")

        spec = core.FitSpec(library="lightning", type=core.execution_type("lightning",
                                                                          cls.__name__),
                            label=cls.__name__, owner=self, describe=describe, finish=finish)
        return core.call(spec, lambda: original(self, model, *args, **kwargs))

    return fit
