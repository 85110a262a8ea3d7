"""The device choice, and a GPU run checked against the CPU run within a tolerance band.

The CPU tests run everywhere. Those marked ``needs_cuda`` run where PyTorch sees a CUDA GPU:
there, a run on the GPU must agree with the same run on the CPU to within 1e-3 (the losses are
about 2 to 3), not digit for digit (PyTorch does not promise bit-equal results across devices).
"""

import pytest
import torch

from ngram_helpers.checkpoint import checkpoint_bytes, load_checkpoint
from ngram_helpers.cli import main
from ngram_helpers.device import (
    DEVICE_VARIABLE,
    DeviceError,
    available_devices,
    describe_device,
    model_device,
    pick_device,
)
from ngram_helpers.evaluate import evaluate, split_loss
from ngram_helpers.models import MLP, MLPRaw, ModelConfig
from ngram_helpers.ngrams import fit_kneser_ney
from ngram_helpers.rng import RNG
from ngram_helpers.sample import LogitTable, next_char_probs, sample_from_table, sample_names
from ngram_helpers.train import TrainConfig, build_model, model_config_for, train
from tests.conftest import NAMES

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")
SHORT = TrainConfig(num_steps=400, eval_every=100)
# how far a GPU run may be from the CPU run (losses are about 2-3; float32 sums in other orders)
LOSS_TOLERANCE = 1e-3


def test_the_cpu_is_always_there_and_comes_last():
    assert available_devices()[-1] == "cpu"


def test_the_variable_names_the_device(monkeypatch):
    monkeypatch.setenv(DEVICE_VARIABLE, "cpu")
    assert pick_device() == torch.device("cpu")
    monkeypatch.setenv(DEVICE_VARIABLE, "auto")
    assert pick_device().type == available_devices()[0]


def test_an_argument_wins_over_the_variable(monkeypatch):
    monkeypatch.setenv(DEVICE_VARIABLE, "no-such-device")
    assert pick_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("name", ["tpu", "gpu", "cuda:x", "vulkan"])
def test_a_name_that_is_no_device_here_is_one_line(name):
    with pytest.raises(DeviceError) as err:
        pick_device(name)
    assert "\n" not in str(err.value) and name in str(err.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_asking_for_a_missing_gpu_says_why(monkeypatch):
    monkeypatch.setenv(DEVICE_VARIABLE, "cuda")
    with pytest.raises(DeviceError, match=f"{DEVICE_VARIABLE}='cuda': "):
        pick_device()


def test_the_cpu_line_says_the_numbers_are_the_stored_ones():
    line = describe_device(torch.device("cpu"))
    assert line.startswith("Device: cpu.") and "\n" not in line


def test_model_device_of_each_kind_of_model(names_data):
    config = ModelConfig(hidden_size=8)
    assert model_device(MLP(config, RNG(1))) == torch.device("cpu")
    assert model_device(MLPRaw(config, RNG(1))) == torch.device("cpu")
    assert model_device(fit_kneser_ney(names_data, 2)) == torch.device("cpu")


def test_the_command_line_refuses_an_unknown_device_in_one_line(capsys):
    assert main(["train", "--steps", "1", "--device", "tpu", "--quiet"]) == 2
    assert main(["sample", "--device", "tpu"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: --device='tpu'") for line in err)


# --- on a GPU ---------------------------------------------------------------------------------


def cpu_and_gpu_runs(data, engine: str):
    """The same short run trained on the CPU and on the GPU: (cpu model, cpu history, gpu ...)."""
    config = model_config_for(data)
    cpu = build_model(data, config, SHORT)
    gpu = build_model(data, config, SHORT).to("cuda")
    return (
        cpu,
        train(cpu, data, SHORT, engine=engine, progress=False),
        gpu,
        train(gpu, data, SHORT, engine=engine, progress=False),
    )


@needs_cuda
@pytest.mark.parametrize("engine", ["plain", "fast"])
def test_a_gpu_run_agrees_with_the_cpu_run(names_data, one_thread, engine):
    cpu, cpu_history, gpu, gpu_history = cpu_and_gpu_runs(names_data, engine)
    assert model_device(gpu).type == "cuda"
    for name in ("train_loss", "val_loss"):
        assert getattr(gpu_history, name) == pytest.approx(
            getattr(cpu_history, name), abs=LOSS_TOLERANCE
        )
    assert split_loss(gpu, names_data, "test") == pytest.approx(
        split_loss(cpu, names_data, "test"), abs=LOSS_TOLERANCE
    )
    tokens = names_data.tokens["val"]
    assert evaluate(gpu, tokens, max_batches=5) == pytest.approx(
        evaluate(cpu, tokens, max_batches=5), abs=LOSS_TOLERANCE
    )


@needs_cuda
def test_a_model_trained_on_the_gpu_loads_and_samples_on_the_cpu(names_data, tmp_path, one_thread):
    cpu, cpu_history, gpu, gpu_history = cpu_and_gpu_runs(names_data, "plain")
    path = tmp_path / "gpu.pt"
    path.write_bytes(checkpoint_bytes(gpu, names_data, SHORT, gpu_history))
    loaded = load_checkpoint(path)
    assert model_device(loaded.model).type == "cpu"
    for name, tensor in gpu.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], tensor.cpu())
    # the same weights sample the same names on both devices (the coins are Python floats)
    tokenizer = names_data.tokenizer
    on_gpu = sample_names(gpu, tokenizer, 30, seed=7)
    assert sample_names(loaded.model, tokenizer, 30, seed=7) == on_gpu
    probs = next_char_probs(gpu, [0, 0, 0]).cpu()
    assert torch.allclose(probs, next_char_probs(loaded.model, [0, 0, 0]), atol=1e-6)
    table = LogitTable(gpu)
    assert sample_from_table(table, tokenizer, 30, seed=7) == on_gpu


@needs_cuda
def test_the_command_line_trains_and_samples_on_the_gpu(names_data, tmp_path, capsys):
    path = tmp_path / "run.pt"
    args = ["--data", str(NAMES), "--steps", "50", "--quiet", "--device", "cuda"]
    assert main(["train", *args, "--checkpoint", str(path)]) == 0
    assert "running on cuda" in capsys.readouterr().err
    assert main(["sample", "--checkpoint", str(path), "--device", "cuda", "--num", "3"]) == 0
    assert len(capsys.readouterr().out.split()) == 3


@needs_cuda
def test_the_gpu_lines_say_where_training_runs():
    device = torch.device("cuda")
    assert "Training runs there" in describe_device(device)
    assert "run on the CPU" in describe_device(device, trains_here=False)


def test_in_chinese_the_cpu_line_is_chinese(chinese):
    line = describe_device(torch.device("cpu"))
    assert line.startswith("设备：cpu。") and DEVICE_VARIABLE in line and "\n" not in line
