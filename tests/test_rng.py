"""ngram_helpers.rng reproduces the test vectors of the lesson's generator bit for bit."""

import pytest

from ngram_helpers.rng import RNG


def test_next_u32_vectors():
    rng = RNG(1337)
    assert [rng.next_u32() for _ in range(5)] == [
        989205090,
        818269915,
        1335155955,
        3876892996,
        2941700015,
    ]


def test_random_vectors():
    assert RNG(1337).rand(3) == [0.23031723499298096, 0.19051826000213623, 0.3108651638031006]
    rng = RNG(42)
    assert [rng.random() for _ in range(3)] == [
        0.3390852212905884,
        0.7822558283805847,
        0.790136992931366,
    ]


def test_randn_vectors_and_odd_length_draws_a_whole_pair():
    assert RNG(1337).randn(3, 0, 1) == [0.6256448549716195, 1.5953569478590017, 1.2515503720425405]
    odd, even = RNG(1337), RNG(1337)
    odd.randn(3)
    even.randn(4)
    assert odd.state == even.state


def test_rand_range_and_randn_affine():
    values = RNG(7).rand(1000, -2.0, 3.0)
    assert min(values) >= -2.0 and max(values) < 3.0
    base, shifted = RNG(9).randn(4), RNG(9).randn(4, mu=1.0, sigma=2.0)
    assert shifted == pytest.approx([z * 2.0 + 1.0 for z in base])


@pytest.mark.parametrize("seed", [0, -1, 2**64])
def test_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        RNG(seed)
