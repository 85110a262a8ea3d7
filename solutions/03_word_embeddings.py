"""Worked solutions to the exercises of notebook 03, word embeddings (skip-gram, CBOW, negative
sampling).

Try each exercise in the notebook before reading its solution here: the check cell tells you what
is wrong with an attempt, and working that out teaches more than reading the answer does. Each
solution has the name the notebook's answer cell expects, so you can paste it there, and the
comments explain the reasoning: why the answer is what it is, and what to notice.
"""

from __future__ import annotations

import torch

# =============================================================================================
# Exercise 3.1 · Skip-gram pairs by hand
# =============================================================================================


def skipgram_pairs(words: list[str], window: int) -> list[tuple[str, str]]:
    """Every (centre, context) pair of ``words``: the context at most ``window`` positions away.

    Three things decide the answer, and each is a classic slip:

    - The window reaches ``window`` positions to the left AND to the right, both ends included:
      ``range(t - window, t + window + 1)``. The ``+ 1`` is there because ``range`` stops
      before its end; without it the word exactly ``window`` away is lost.
    - The centre is not its own context: position ``t`` itself is skipped. (Skipping by
      position, not by word: in "a rose is a rose" the second "a" is a context of the first.)
    - Near the ends of the sentence the window is cut. ``max(0, ...)`` matters most: a negative
      index does not fail in Python, it silently counts from the end, so without it the first
      word would be paired with the last ones. ``min(len(words), ...)`` stops an IndexError on
      the right.

    Repeated pairs are kept. "the cat sat on the mat" with window 1 contains (the, cat) and
    (the, mat): each occurrence is one training example, and a pair that occurs twice in the text
    counts twice in the loss. That is how frequent co-occurrences come to weigh more.
    """
    pairs = []
    for t, centre in enumerate(words):
        for j in range(max(0, t - window), min(len(words), t + window + 1)):
            if j != t:
                pairs.append((centre, words[j]))
    return pairs


# A sentence of T words has fewer than 2 * window * T pairs: the words near either end have fewer
# neighbours. For "the man loves his son" with window 2 that is 14, not 20, as the notebook prints.


# =============================================================================================
# Exercise 3.2 · Nearest neighbours by cosine similarity
# =============================================================================================


def nearest(vectors: torch.Tensor, query: int, k: int) -> list[int]:
    """The ``k`` rows of ``vectors`` (N, D) with the highest cosine similarity to row ``query``.

    Cosine similarity is the dot product of the two vectors divided by both lengths:
    cos(a, b) = a.b / (|a| |b|), the cosine of the angle between them. It compares directions
    only. That is what we want from embeddings: how long a vector is says more about how often
    the word was seen and updated than about what it means.

    Normalising every row to length 1 first turns the cosine into a plain dot product, so the
    whole table is one matrix-vector product. Two tempting shortcuts give other rows:

    - the raw dot product ``vectors @ vectors[query]`` prefers long vectors, even ones that
      point in a rather different direction;
    - the Euclidean distance mixes length and direction: a short vector pointing the same way
      as a long one is far from it.

    The query itself has cosine 1 with itself, the highest possible, so it is set to -inf
    before ``topk`` picks the best ``k``; ``topk`` returns them best first.
    """
    unit = vectors / vectors.norm(dim=1, keepdim=True)
    cosines = unit @ unit[query]
    cosines[query] = float("-inf")
    return torch.topk(cosines, k).indices.tolist()


# =============================================================================================
# Exercise 3.3 · Where the noise draws go: predict, then measure
# =============================================================================================

# The guesses, made before measuring, and the reasoning behind them. The table of section 3
# shows the three most frequent words at 0.37-0.48% of the text each and the 11th, "war", at
# 0.26%, so the top 10 average about 0.33% and together make about 3% of the text: at power 1,
# where each word is drawn as often as it occurs, they get about 3% of the draws. At power 0
# every one of the 8,032 words is drawn equally often, so 10 of them get 10 / 8,032, about
# 0.12%. Power 0.75 lies in between, much nearer to power 1 than to 0: the noise column of the
# same table gives each of these words about half its unigram share, so about 1.5%.
predicted = {1.0: 0.03, 0.75: 0.015, 0.0: 0.0012}


def top_share(
    counts: torch.Tensor, power: float, top: int = 10, draws: int = 100_000, seed: int = 0
) -> float:
    """The fraction of ``draws`` noise words, drawn from count^power, among the ``top`` commonest.

    ``torch.multinomial`` normalises its weights itself, so count^power need not be divided by
    its sum; ``replacement=True`` matters, since the same word is drawn many times (without it,
    more draws than words is an error). The commonest words are found with ``torch.topk``, not
    by position: the check also passes the counts in another order.

    What the measurement shows: raising the counts to a power below 1 shrinks large counts more
    than small ones (1000^0.75 is about 178, 10^0.75 about 5.6), so the most frequent words lose
    part of their share to the rare ones. They remain by far the commonest noise words, so the
    model keeps learning that "state" is not a context of everything, while rare words are still
    drawn now and then. Mikolov et al. chose 0.75 because it worked best in their experiments,
    not from a derivation.
    """
    generator = torch.Generator().manual_seed(seed)
    drawn = torch.multinomial(
        counts.double() ** power, draws, replacement=True, generator=generator
    )
    commonest = torch.topk(counts, top).indices
    return torch.isin(drawn, commonest).float().mean().item()


# =============================================================================================
# Exercise 3.4 · The gradient of the negative-sampling loss for the centre vector
# =============================================================================================


def ns_grad_centre(v_c: torch.Tensor, u_o: torch.Tensor, u_neg: torch.Tensor) -> torch.Tensor:
    """d loss / d v_c for loss = -log sigma(u_o.v_c) - sum_k log sigma(-u_k.v_c).

    Only one rule is needed: d/dx [-log sigma(x)] = -sigma(-x). (From log sigma(x) =
    -log(1 + e^-x): its derivative is e^-x / (1 + e^-x) = sigma(-x).) The chain rule then gives,
    term by term:

    - the true context word, x = u_o.v_c:      -sigma(-u_o.v_c) u_o
    - each noise word, x = -u_k.v_c:            +sigma(u_k.v_c) u_k   (the inner minus flips it)

    so  d loss / d v_c = -sigma(-u_o.v_c) u_o + sum_k sigma(u_k.v_c) u_k.

    Read it as forces. A step down the gradient moves v_c towards u_o and away from every u_k.
    Each pull is weighted by how wrong the model still is: sigma(-u_o.v_c) is the probability
    the model gives to "o is NOT a context word", near 0 once it is sure about the true pair,
    and sigma(u_k.v_c) is the probability it wrongly gives to "k IS a context word". Pairs the
    model already gets right contribute almost nothing. The full softmax's gradient of
    section 1 has the same shape (the true vector minus an expected vector), but its sum runs
    over the whole vocabulary, and this one over K + 1 words.

    -lr times this gradient is exactly the step ``negative_sampling.negative_sampling_step``
    adds to h: it computes sigma(-s) with s = sign * (u . h) for every output word, which is
    sigma(-u_o.h) for the true word and sigma(u_k.h) for a noise word.

    Shapes: v_c and u_o are (D,), u_neg is (K, D); ``sigmoid(u_neg @ v_c)`` is (K,), and
    multiplying it by u_neg as a (K,) @ (K, D) product sums the K noise terms into one (D,).
    """
    pull = -torch.sigmoid(-(u_o @ v_c)) * u_o
    push = torch.sigmoid(u_neg @ v_c) @ u_neg
    return pull + push


# =============================================================================================
# Exercise 3.5 · What negative sampling's loss is best at
# =============================================================================================


def shifted_pmi(pair_counts: torch.Tensor, noise: torch.Tensor, k: int) -> torch.Tensor:
    """The best score x* = u_o.v_c for every (centre c, context o): a (V, V) tensor.

    Over one pass through the data, the loss terms that involve x = u_o.v_c are:

    - #(c, o) times -log sigma(x): every time o really is a context of c;
    - on average K n_c P_n(o) times -log sigma(-x): every pair with centre c (there are n_c of
      them, the row sum) draws K noise words, and each is o with probability P_n(o).

    Call those two counts A and B. If u_o.v_c could be chosen freely for each pair (a big
    enough D), the best x sets the derivative -A sigma(-x) + B sigma(x) to zero. Since
    sigma(-x) = 1 - sigma(x), that gives sigma(x) = A / (A + B), and solving for x:

        x* = log(A / B) = log( #(c, o) / (K n_c P_n(o)) ).

    Written as log[#(c, o) / n_c] - log P_n(o) - log K: the log-probability of o near c, minus
    the log-probability of o as noise, minus log K. Levy and Goldberg (2014) call this a shifted
    pointwise mutual information. So negative sampling does not learn log P(o | c): words that
    are frequent as noise get their scores lowered, and more noise words (bigger K) lower every
    score by the same log K. That is why, in section 4, the negative-sampling vectors have a
    worse exact-softmax loss, although their directions resemble the exact model's.

    A pair that never occurs has A = 0: only the noise term pushes its score down, and the best
    score is -inf, which ``torch.log(0)`` gives without any special case.

    The check then measures how close the trained model comes. Weighted by how often each pair
    occurs, its scores follow x* more closely than they follow log P(o | c). Counting every pair
    once, they follow it much less well: a rare pair barely affects the loss, so training leaves
    it far from its optimum, and 16 dimensions cannot fit all 27 x 27 scores anyway.
    """
    centre_totals = pair_counts.sum(dim=1, keepdim=True)  # n_c, one per row
    return torch.log(pair_counts / (k * centre_totals * noise[None, :]))


# =============================================================================================
# Self-test · answers
# =============================================================================================
#
# 1. The factors approach 1/5 and the product 0.2^4 = 0.0016. Scaling both v and u by 1/10
#    scales every dot product u_i.v_c by 1/100; exp of a number near 0 is near 1, so the softmax
#    over the five words is almost uniform. Measured: the four factors become 0.2002, 0.1993,
#    0.2000 and 0.2002, and the product 0.001598 (it was 0.001335). Random vectors only move the
#    factors around 0.2, up for some words and down for others. Training can raise the product,
#    but not without limit: the four words share one probability mass, so it is at most
#    (1/4)^4, about 0.0039, and only if "loves" gave nothing to itself.
#
# 2. CBOW conditions every prediction on four symbols, two on each side of the gap; skip-gram
#    predicts each context letter from the centre letter alone, and a letter two positions away
#    says little about it. More evidence gives a sharper distribution and a lower loss. 3.2958 is
#    ln 27: the loss of a model that gives every one of the 27 symbols probability 1/27, i.e. that
#    has learned nothing. Both models are far below it.
#
# 3. A cosine depends only on directions. The MLP's table starts as N(0, 1) numbers, vectors of
#    mean length 6.746; 3,000 steps moved them by 0.518 on average, so each trained vector still
#    points almost where its random start did, and the cosines between vowels stay close to
#    those of the random start (-0.008 before, 0.021 after). The change itself, looked at on its
#    own, is organised: letters that can stand in the same places received similar gradients, so
#    the changes of the vowels point alike (0.515). The word2vec tables of section 2 start from
#    random numbers ten times smaller (N(0, 1) times 0.1), so what they end with is mostly learned.
#
# 4. The mean cosine between a vowel's own v and u: -0.784 for CBOW (-0.555 for skip-gram).
#    u_o.v_c is large when o is likely near c, and vowels mostly stand next to consonants, so the
#    direction that marks the vowels in u points against the one that marks them in v. Adding
#    two nearly opposite vectors cancels most of both; averaging the tables only makes sense when
#    a word's two vectors point roughly the same way.
#
# 5. The cost of one full-softmax pair is proportional to |V| * D: every pair scores, and updates,
#    every output vector. From the top 250 words to all 8,032 the pairs grow 3.5x, but |V| grows
#    32x, so an epoch should cost about 3.5 * 32, some 110 times more. A rerun of that cell here
#    gave 2.5 and 255.4 CPU s per epoch (about 100x); per pair, 4.8 and 141 microseconds (29x).
#    Negative sampling makes the per-pair cost K + 1 dot products, whatever |V| is.
#
# 6. Only "entir" (74) and "ethylen" (5) stay at 1.000; "state" drops to 0.165, "american" to
#    0.191, "time" to 0.192, "war" to 0.234, "control" to 0.398. Why: with x = f / (s N), the
#    formula gives P(keep) = (sqrt(x) + 1) / x, which is below 1 exactly when sqrt(x) exceeds the
#    golden ratio 1.618, i.e. when a word's count f is above about 2.618 s N. Here N = 302,730
#    (the tokens of the 8,032 vocabulary words; the rarer words are not counted). At s = 1e-3
#    that threshold is about 793: "war" (788) is just below it, and only 9 words are thinned at
#    all: in expectation 0.5% of the tokens are dropped. At s = 1e-4 it is about 79: 934 words
#    are thinned, and about 26% of the tokens are dropped in each epoch, in expectation.
#
# 7. There is no "true" list of neighbours to compare with. Two gensim runs that differ only in
#    the seed (the random start and the random draws of training) already share only part of
#    their top-10 neighbours (0.729 for skip-gram): that is the noise of training on 300k
#    tokens. Our implementation cannot be expected to agree with gensim more than gensim agrees
#    with itself, so "equal quality" means an overlap close to that floor (within 0.05).
#
# 8. No. Measured: K = 30 gives cosine 0.891 and K = 40 0.892, no better than K = 20 (0.892);
#    K = 50 diverges: its vectors become non-finite, and aligned_cosine stops the cell
#    with "linalg.svd: The algorithm failed to converge because the input matrix contained
#    non-finite values". The step is summed over the 1,024 pairs of a batch, and with only 27
#    symbols each output vector is hit many times: "a", the commonest noise symbol (share
#    0.116), is drawn about 1,024 * K * 0.116 times a batch, some 5,900 times at K = 50. The
#    summed step grows with K until at lr 0.003 it overshoots. At lr 0.001 K = 50 trains, but
#    gets no closer than K = 20 at that rate (0.815 and 0.814 after 2 epochs). Put the loop back
#    to (1, 5, 20) before exercise 3.5: its check uses the last model the loop trained.
