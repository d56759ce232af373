"""autolog for PyTorch Lightning.

The real library is large (torch): when it is not installed the real test is skipped with its
reason shown (``-ra``), and a stand-in ``Trainer`` checks the integration's own logic.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from lineage_graph.models import EventType
from lineage_graph.store.base import Store
from lineage_graph.tracking import fields, run


@pytest.fixture
def fake_lightning(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """A minimal ``lightning.pytorch`` with a ``Trainer`` whose ``fit`` sets metrics."""
    pkg = types.ModuleType("lightning")
    mod = types.ModuleType("lightning.pytorch")

    class Trainer:
        def __init__(self, max_epochs: int = 1) -> None:
            self.max_epochs = max_epochs
            self.callback_metrics: dict[str, float] = {}

        def fit(self, model: Any, train_dataloaders: Any = None,
                val_dataloaders: Any = None) -> None:
            if model.hparams.get("lr", 0) < 0:
                raise ValueError("learning rate must be positive")
            self.callback_metrics = {"val_loss": 0.25, "train_loss": 0.5}

    mod.Trainer = Trainer  # type: ignore[attr-defined]
    pkg.pytorch = mod  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lightning", pkg)
    monkeypatch.setitem(sys.modules, "lightning.pytorch", mod)
    return mod


class _Loader:
    def __init__(self, *arrays: Any) -> None:
        self.dataset = types.SimpleNamespace(tensors=arrays)


class TinyModule:
    def __init__(self, lr: float) -> None:
        self.hparams = {"lr": lr, "hidden": 8}

    def state_dict(self) -> dict[str, Any]:
        return {"w": [1.0, 2.0], "lr": self.hparams["lr"]}


def test_trainer_fit_stand_in(
    store: Store, autolog_on: Callable[..., None], fake_lightning: types.ModuleType
) -> None:
    autolog_on(store, libraries=["lightning"])
    x, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    with run("lit", name="r1", store=store):
        fake_lightning.Trainer(max_epochs=3).fit(TinyModule(0.1), _Loader(x, y),
                                                 _Loader(x[:2], y[:2]))
        with pytest.raises(ValueError, match="learning rate"):
            fake_lightning.Trainer().fit(TinyModule(-1.0), _Loader(x, y))
    ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, "r1")
    assert ctx is not None and ctx.id is not None
    ok, failed = sorted(store.get_executions_by_context(ctx.id), key=lambda e: e.id or 0)
    assert ok.type == "lightning.TinyModule"
    assert ok.properties == {"lr": 0.1, "hidden": 8, "max_epochs": 3}
    assert ok.custom_properties[fields.METRICS] == {"val_loss": 0.25, "train_loss": 0.5}
    assert sorted(tuple(e.path) for e in store.get_events(execution_ids=[ok.id or 0])
                  if e.type is EventType.INPUT) == [("train",), ("validation",)]
    assert failed.last_known_state.value == "FAILED"


def test_trainer_fit_real_lightning(
    store: Store, autolog_on: Callable[..., None]
) -> None:
    pl = pytest.importorskip(
        "lightning.pytorch",
        reason="PyTorch Lightning is not installed (torch is too large for this suite's "
               "environment); the stand-in test covers the integration")
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    class Lit(pl.LightningModule):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.save_hyperparameters({"lr": 0.1})
            self.layer = torch.nn.Linear(2, 1)

        def training_step(self, batch: Any, _: int) -> Any:
            x, y = batch
            loss = torch.nn.functional.mse_loss(self.layer(x).squeeze(-1), y)
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    autolog_on(store, libraries=["lightning"])
    data = TensorDataset(torch.rand(8, 2), torch.rand(8))
    with run("lit", name="r1", store=store):
        pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False,
                   enable_progress_bar=False).fit(Lit(), DataLoader(data, batch_size=4))
    ctx = store.get_context_by_type_and_name(fields.PIPELINE_RUN, "r1")
    assert ctx is not None and ctx.id is not None
    [ex] = store.get_executions_by_context(ctx.id)
    assert ex.type == "lightning.Lit" and "train_loss" in ex.custom_properties[fields.METRICS]
