"""Running evaluation inputs through a PyTorch model and catching the outputs of named modules
with forward hooks. The only module that imports torch, and only when called, so numpy and JAX
users of the recorder never need it.
"""
import numpy as np

from .errors import InputError


def forward_outputs(model, modules, inputs, batch_size, sink):
    """Runs `inputs` (a tensor or array, any shape, one sample per row) through `model` in batches
    of `batch_size`, under `torch.no_grad()` and eval mode, and hands each batch's outputs of
    `modules` ({name: module}, in dict order) to `sink(start_row, {name: n_batch × features float32
    array})`. Every module's training flag is restored afterwards, whatever happens.

    A module's output is its tensor, or the first tensor of a tuple (e.g. an LSTM's output);
    it is flattened per sample, moved to the CPU and converted to float32."""
    import torch

    inputs = torch.as_tensor(inputs)
    parameter = next((p for p in model.parameters() if p.is_floating_point()), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    if parameter is not None and inputs.is_floating_point():
        inputs = inputs.to(parameter.dtype)
    caught, calls = {}, {}

    def catcher(name):
        def hook(module, arguments, output):
            calls[name] = calls.get(name, 0) + 1
            caught[name] = output
        return hook

    modes = {module: module.training for module in model.modules()}
    handles = [module.register_forward_hook(catcher(name)) for name, module in modules.items()]
    try:
        model.eval()
        with torch.no_grad():
            for start in range(0, len(inputs), batch_size):
                batch = inputs[start:start + batch_size].to(device)
                caught.clear()
                calls.clear()
                model(batch)
                sink(start, {name: _flattened(name, caught, calls, len(batch)) for name in modules})
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes.items():
            module.training = training


def _flattened(name, caught, calls, rows):
    """One module's output of one batch as rows × features float32 numpy, checked."""
    import torch

    if name not in caught:
        raise InputError(f"layer {name!r} produced no output when the model ran: record modules that the model's "
                         "forward pass calls (e.g. from model.named_modules())")
    if calls[name] > 1:
        raise InputError(f"layer {name!r} ran {calls[name]} times in one forward pass (a module used twice, such as "
                         "one shared nn.ReLU): record a module that runs once per layer")
    output = caught[name]
    if isinstance(output, (tuple, list)):
        output = next((item for item in output if isinstance(item, torch.Tensor)), None)
    if not isinstance(output, torch.Tensor) or output.dim() == 0 or output.shape[0] != rows:
        shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
        raise InputError(f"layer {name!r} gave {shape} for a batch of {rows} samples: record modules whose output "
                         "has one row per sample (batch first)")
    if output.is_complex():
        raise InputError(f"layer {name!r} gives complex values: record a module with real outputs")
    return np.ascontiguousarray(output.detach().reshape(rows, -1).to("cpu", torch.float32).numpy())
