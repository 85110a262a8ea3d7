"""The schematics: every shape on a picture comes from the arguments, and every picture renders."""

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg  # the Agg renderer, without pyplot
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch
from matplotlib.text import Text

from ngram_helpers.models import ModelConfig
from ngram_helpers.schematics import (
    VDOTS,
    backprop_schematic,
    bengio_schematic,
    mlp_schematic,
    negative_sampling_schematic,
    word2vec_schematic,
)

pytestmark = pytest.mark.usefixtures("agg")  # pyplot figures, drawn off screen and closed
SENTENCE = "the man loves his son".split()


def texts(fig: Figure) -> str:
    """Every text on the figure, one per line, after drawing it once (which must not fail)."""
    assert isinstance(fig, Figure)
    FigureCanvasAgg(fig).draw()
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def test_mlp_writes_each_layer_and_the_shapes_of_w_and_b_in_the_notebooks_layout():
    shown = texts(mlp_schematic([4, 5, 3], "tanh"))
    assert "$W_1$ (4, 5)" in shown and "$b_1$ (5,)" in shown
    assert "$W_2$ (5, 3)" in shown and "$b_2$ (3,)" in shown
    assert "$X$: 4" in shown and "$H$: 5" in shown and "$Z$: 3" in shown
    assert shown.count("tanh") == 1  # after the hidden layer only, not after the output
    assert VDOTS not in shown  # nothing is left out of a narrow network
    assert "$W_1$ (5, 4)" in texts(mlp_schematic([4, 5, 3], torch_layout=True))


def test_mlp_draws_a_wide_layer_with_a_vdots_and_its_width():
    shown = texts(mlp_schematic([2, 16, 16, 1], "relu"))
    assert shown.count(VDOTS) == 2
    assert "$H_1$: 16" in shown and "$H_2$: 16" in shown
    assert "$W_2$ (16, 16)" in shown and "$W_3$ (16, 1)" in shown
    assert shown.count("relu") == 2


def test_mlp_draws_at_most_max_units_per_layer():
    fig = mlp_schematic([64, 64, 10], max_units=6)
    circles = fig.findobj(Circle)
    assert len(circles) == 5 + 5 + 5  # each layer: 5 units and a ⋮ in six slots


@pytest.mark.parametrize("bad", [[3], [2, 0, 1]])
def test_mlp_rejects_fewer_than_two_layers_or_an_empty_one(bad):
    with pytest.raises(ValueError):
        mlp_schematic(bad)


def test_backprop_graph_has_the_nodes_their_shapes_and_the_local_derivatives():
    shown = texts(backprop_schematic([2, 16, 2], batch_size=64))
    for node in ["$X$", "$A = XW_1 + b_1$", r"$H = \tanh(A)$", "$Z = HW_2 + b_2$", "$L$"]:
        assert node in shown
    assert "(N, 16)\n= (64, 16)" in shown and "(N, 2)\n= (64, 2)" in shown
    assert "$W_1$ (2, 16)" in shown and "$b_1$ (16,)" in shown and "$W_2$ (16, 2)" in shown
    assert r"$\partial A/\partial W_1 = X^\top$" in shown
    assert r"$\partial Z/\partial W_2 = H^\top$" in shown
    assert r"$\tanh'(A) = 1 - H^2$" in shown
    assert r"$\partial L/\partial Z = (P - Y)/N$" in shown


def test_backprop_graph_follows_its_arguments():
    shown = texts(backprop_schematic([3, 8, 5], batch_size=10, activation="sigmoid"))
    assert "(N, 8)\n= (10, 8)" in shown and "(N, 5)\n= (10, 5)" in shown
    assert "$W_1$ (3, 8)" in shown and "$W_2$ (8, 5)" in shown
    assert r"$\sigma'(A) = H\,(1 - H)$" in shown and "tanh" not in shown
    with pytest.raises(ValueError):
        backprop_schematic([2, 16, 2], 64, activation="softplus")


def test_bengio_writes_every_shape_with_symbols_and_numbers():
    config = ModelConfig(vocab_size=27, context_length=3, embedding_size=48, hidden_size=512)
    shown = texts(bengio_schematic(config, batch_size=128))
    assert "(B, T)\n= (128, 3)" in shown
    assert "(B, T, E)\n= (128, 3, 48)" in shown
    assert "(B, T·E)\n= (128, 144)" in shown
    assert "(B, H)\n= (128, 512)" in shown
    assert "(B, V)\n= (128, 27)" in shown
    assert "$C$ (V, E)\n= (27, 48)" in shown
    assert "(T·E, H) = (144, 512)" in shown and "(H, V) = (512, 27)" in shown
    assert "optional" in shown and "(T·E, V) = (144, 27)" in shown


def test_bengio_numbers_change_with_the_config():
    config = ModelConfig(vocab_size=11, context_length=5, embedding_size=10, hidden_size=7)
    shown = texts(bengio_schematic(config, batch_size=4))
    assert "(B, T·E)\n= (4, 50)" in shown
    assert "(B, H)\n= (4, 7)" in shown and "(B, V)\n= (4, 11)" in shown
    assert "(T·E, V) = (50, 11)" in shown
    assert "144" not in shown and "512" not in shown


def test_word2vec_shows_both_models_on_the_lessons_sentence():
    shown = texts(word2vec_schematic(SENTENCE, centre=2, window=2))
    assert "skip-gram" in shown and "CBOW" in shown and shown.count("$m = 2$") == 2
    for word in SENTENCE:
        assert shown.split("\n").count(word) == 2  # once in each panel
    for offset in ["$-2$", "$-1$", "$+1$", "$+2$"]:
        assert shown.count(offset) == 2
    assert r"\frac{1}{4}" in shown  # CBOW averages the four context words


def test_word2vec_window_decides_the_context_words():
    fig = word2vec_schematic(SENTENCE, centre=1, window=1)
    shown = texts(fig)
    assert r"\frac{1}{2}" in shown and "$+3$" in shown and "$m = 1$" in shown
    dashed = [p for p in fig.findobj(FancyBboxPatch) if p.get_linestyle() == "--"]
    assert len(dashed) == 2 * 2  # "his" and "son" lie outside the window, in both panels
    with pytest.raises(ValueError):
        word2vec_schematic(SENTENCE, centre=5, window=2)


def test_negative_sampling_shows_k_noise_words_and_the_true_context_word():
    noise = ["war", "the", "film", "bishop", "year"]
    shown = texts(negative_sampling_schematic(5, noise, centre="church", context="pope"))
    for i, word in enumerate(noise, start=1):
        assert rf"$\mathbf{{u}}_{{{i}}}$ {word}" in shown
        assert rf"$\sigma(\mathbf{{u}}_{{{i}}}^\top \mathbf{{v}}_c)$" in shown
    assert r"$\mathbf{u}_{o}$ pope" in shown and r"$\mathbf{v}_c$ church" in shown
    assert "$K = 5$" in shown and "0.75" in shown
    labels = shown.split("\n")
    assert labels.count("1") == 1 and labels.count("0") == 5
    assert VDOTS not in shown


def test_negative_sampling_elides_the_middle_of_many_noise_words():
    shown = texts(negative_sampling_schematic(20))
    assert "$K = 20$" in shown and VDOTS in shown
    assert r"$\mathbf{u}_{1}$" in shown and r"$\mathbf{u}_{20}$" in shown
    assert r"$\mathbf{u}_{10}$" not in shown
    with pytest.raises(ValueError):
        negative_sampling_schematic(3, ["a", "b"])


def test_the_pictures_are_deterministic():
    def png(fig: Figure) -> bytes:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return bytes(canvas.buffer_rgba())

    config = ModelConfig()
    for make in [
        lambda: mlp_schematic([4, 5, 3]),
        lambda: backprop_schematic([2, 16, 2], 64),
        lambda: bengio_schematic(config, 128),
        lambda: word2vec_schematic(SENTENCE, 2, 2),
        lambda: negative_sampling_schematic(5),
    ]:
        assert png(make()) == png(make())


def test_in_chinese_the_word2vec_and_noise_labels_are_chinese_and_drawn(chinese):
    fig = word2vec_schematic(SENTENCE, centre=2, window=2)
    fig.canvas.draw()  # a missing glyph fails the test (the chinese fixture)
    shown = texts(fig)
    assert "跳元模型（skip-gram），m = 2" in shown and "连续词袋模型（CBOW），m = 2" in shown
    fig = negative_sampling_schematic(5)
    fig.canvas.draw()
    assert "噪声分布" in texts(fig).split("\n")
