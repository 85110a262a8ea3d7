"""The name sampler widget of notebook 04, driven by setting control values as a learner would."""

import base64
import html

import pytest

from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.rng import RNG
from ngram_helpers.widgets.sampler import build_sampler

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def model():
    """A small untrained model: its names are random, which is all these tests need."""
    return MLP(ModelConfig(embedding_size=8, hidden_size=32), RNG(1337)).eval()


@pytest.fixture
def sampler(model, names_data):
    return build_sampler(model, names_data, num_names=20, seed=7)


def test_initial_view_shows_names_chart_and_no_message(sampler):
    assert len(sampler.names) == 20
    assert all(f"<b>{name}</b>" in sampler.names_html.value for name in sampler.names)
    assert sampler.names_html.value.count("<li") == 20
    assert bytes(sampler.chart.value).startswith(PNG_SIGNATURE)
    assert sampler.message.value == "" and sampler.error == ""
    assert abs(float(sampler.probs.sum()) - 1) < 1e-5


def test_temperature_redraws_names_and_chart(sampler):
    names, chart, caption = sampler.names, sampler.chart.value, sampler.chart_caption.value
    sampler.temperature.value = 0.5
    assert sampler.names != names
    assert sampler.chart.value != chart
    assert "temperature 0.50" in sampler.chart_caption.value != caption


def test_zero_temperature_is_greedy(sampler):
    sampler.temperature.value = 0.0
    assert len(set(sampler.names)) == 1  # the same most likely name every time
    assert sorted(sampler.probs.tolist())[-2:] == [0.0, 1.0]


def test_number_of_names_and_seed(sampler):
    sampler.num_names.value = 5
    assert len(sampler.names) == 5 and sampler.names_html.value.count("<li") == 5
    first = sampler.names
    sampler.seed.value = 8
    assert sampler.names != first


def test_top_k_one_keeps_a_single_bar(sampler):
    sampler.top_k.value = 1
    assert int((sampler.probs > 0).sum()) == 1


def test_prefix_starts_every_name_and_moves_the_chart(sampler):
    chart = sampler.chart.value
    sampler.prefix.value = "Ma "  # case and surrounding spaces are forgiven
    assert all(name.startswith("ma") for name in sampler.names)
    assert "&#x27;ma&#x27;" in sampler.chart_caption.value
    assert sampler.chart.value != chart


def test_unknown_character_shows_a_message_not_a_traceback(sampler):
    sampler.prefix.value = "m1"
    assert "'1'" in sampler.error and "not in the vocabulary" in sampler.error
    assert "Cannot use this prefix" in sampler.message.value
    assert sampler.names == [] and sampler.names_html.value == ""
    assert "last usable prefix" in sampler.chart_caption.value
    assert sampler.summary() == sampler.error
    sampler.prefix.value = "m"
    assert sampler.message.value == "" and len(sampler.names) == 20


def test_summary_lists_names_with_origins(sampler):
    lines = sampler.summary().splitlines()
    assert lines[0].startswith("train ") and "new " in lines[0]
    assert [line.split()[0] for line in lines[1:]] == sampler.names


def test_the_stored_view_carries_the_chart(sampler):
    bundle = sampler._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget
    assert base64.b64decode(bundle["image/png"]) == bytes(sampler.chart.value)
    assert "NameSampler(" not in bundle["text/plain"]


def test_the_still_copy_shows_the_draw_it_was_made_with(sampler):
    sampler.temperature.value, sampler.seed.value = 0.5, 3
    still = sampler._repr_mimebundle_()["text/html"]
    assert "temperature 0.50" in still and "seed 3," in still
    assert all(html.escape(name) in still for name in sampler.names)
    assert base64.b64encode(bytes(sampler.chart.value)).decode("ascii") in still
    assert sampler.summary() in sampler._repr_mimebundle_()["text/plain"]


def test_in_chinese_its_labels_captions_and_messages_are_chinese(chinese, model, names_data):
    sampler = build_sampler(model, names_data, num_names=5, seed=7)
    labels = [c.description for c in (sampler.temperature, sampler.num_names, sampler.seed)]
    assert labels == ["温度", "名字个数", "随机种子"] and sampler.prefix.description == "前缀"
    assert "之后的下一个字符：温度 1.00" in sampler.chart_caption.value
    assert "<b>生成的名字</b>：训练集 " in sampler.names_html.value
    assert sampler.summary().startswith("训练集 ")
    assert "名字生成器" in sampler._repr_mimebundle_()["text/plain"]
    sampler.prefix.value = "m1"
    assert sampler.error.startswith("无法使用这个前缀：")
    assert "上一个可用前缀" in sampler.chart_caption.value
