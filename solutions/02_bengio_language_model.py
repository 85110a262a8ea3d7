"""Worked solutions to the exercises of notebook 02, the Bengio et al. (2003) language model.

Try each exercise in the notebook before reading its solution here: the check cell tells you what
is wrong with an attempt, and finding out why teaches more than reading the answer. Each solution
has the name the notebook's answer cell expects (an answer that needs the notebook's objects is
a function of them), and the comments explain the reasoning: why the answer is what it is, and
what to notice.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ngram_helpers.data import NamesData
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.ngrams import NgramCounts
from ngram_helpers.rng import RNG
from ngram_helpers.train import History, TrainConfig, train

# =============================================================================================
# Exercise 2.1 · A finer search for α
# =============================================================================================

fine_alphas = [round(0.05 + 0.01 * k, 2) for k in range(16)]  # 0.05, 0.06, ..., 0.20


def fine_alpha_answer(fourgram: NgramCounts, val4: tuple[torch.Tensor, torch.Tensor]) -> float:
    """The α of ``fine_alphas`` with the lowest validation loss: in the notebook, ``answer``.

    The notebook's cell is one line: ``answer = min(fine_alphas, key=lambda a:
    fourgram.loss(*val4, a))``. What matters is which examples the loss is computed on.

    - **Not train.** The counts were taken from the training names, and on those names less
      smoothing is always better: add-α moves every distribution away from the observed
      frequencies, which are exactly what fits the training text best. Chosen on train, α would
      be the smallest value of any grid you try.
    - **Not test.** The test split is the stand-in for names nobody has seen yet. If it picks α,
      the test loss is no longer an honest estimate of that: it is the best of sixteen tries.
      Here the test split would pick a slightly larger α than val does.
    - **Val** is held out from the counts, so it shows the trade-off: too little smoothing
      trusts counts of 1 and 2, too much flattens every context towards the uniform guess.

    Notice the size of the gain: the best α of the fine grid improves on the coarse grid's 0.1
    by a few hundred-thousandths of a nat. Around its minimum the loss is flat, which is why a
    grid with steps of a factor of about 3 is the usual way to tune a constant like this.
    """
    return min(fine_alphas, key=lambda alpha: fourgram.loss(*val4, alpha))


# =============================================================================================
# Exercise 2.2 · The count for a deeper model
# =============================================================================================


def num_parameters(V: int, T: int, E: int, H: int, L: int) -> int:  # noqa: N803 (as in the text)
    """The number of trained numbers of the MLP with L hidden layers of H units.

    Go through the forward pass and count each tensor it reads:

    - the embedding table: one row of E numbers per symbol, V·E. It is shared by the T
      positions of the context (a letter has the same vector wherever it stands), so it is
      counted once, not T times;
    - the first hidden layer: its input is the T vectors side by side, T·E numbers, so its
      weight matrix is (T·E, H), plus a bias of H;
    - each further hidden layer reads the H outputs of the one below: an (H, H) matrix and a
      bias of H. L hidden layers in all means L - 1 of these, not L: the first is already
      counted;
    - the output layer: (H, V) weights plus a bias of V.

    For L = 1 this is the notebook's formula: 1,296 + 73,728 + 512 + 13,824 + 27 = 89,387 at
    V = 27, T = 3, E = 48, H = 512. What to notice is how the two ways of growing the model
    compare: a longer context adds E·H = 24,576 weights per character, a deeper stack
    H·H + H = 262,656 per layer, each extra layer nearly three times the whole original model.
    A count table, by contrast, grows by a factor of V with each character of context.
    """
    return V * E + (T * E * H + H) + (L - 1) * (H * H + H) + (H * V + V)


# =============================================================================================
# Exercise 2.3 · The gradient of the embedding table
# =============================================================================================


def embedding_grad(idx: torch.Tensor, grad_x: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """dL/dC, shape (V, E), of the lookup x = C[idx].view(B, T*E), given dL/dx (B, T*E).

    Derive it from what the lookup does. Entry (b, t*E + e) of x is a copy of entry
    (idx[b, t], e) of C: block t of row b is the row of the t-th context character. So a small
    change of C[v, e] moves every entry of x that is a copy of it, and by the chain rule

        dL/dC[v, e] = sum over all (b, t) with idx[b, t] = v of dL/dx[b, t*E + e].

    In tensors:

    - ``grad_x.view(B, T, E)`` undoes the concatenation: x was made by ``emb.view(B, T*E)``,
      which lays the T rows of E side by side, so T blocks of E, not E blocks of T. Then
      ``.view(B*T, E)`` lists one row per place in the batch, example by example;
    - ``idx.flatten()`` lists the ids in the same order, so row k of the two belong together;
    - ``index_add_(0, ids, rows)`` adds row k into row ids[k] of a zero table. A character
      that stands in k places of the batch gets the sum of its k rows, and a character that
      occurs nowhere keeps its zero row: the loss does not depend on it.

    The tempting ``grad[ids] = rows`` is an assignment: for a repeated id each write replaces
    the previous one, and only one of its rows survives. In a batch of names almost every
    character is repeated (the newline and 'a' stand in dozens of places of a batch of 128), so
    that gradient would be wrong nearly everywhere. A mean instead of the sum is wrong too: the
    row was used k times, and each use adds its own effect on the loss.

    The same sum is a matrix product, ``F.one_hot(ids, V).T.float() @ rows``: the lookup is a
    one-hot vector times C, and the backward of a product by a matrix is a product by its
    transpose. ``index_add_`` computes it without building the (B*T, V) one-hot matrix; it is
    what PyTorch's own ``nn.Embedding`` backward does. And it is why an embedding's gradient is
    sparse: in one batch only the rows of the characters present receive any gradient. (Plain
    gradient descent would then change only those rows; AdamW still moves the others a little,
    by its running averages of earlier gradients and by its weight decay.)
    """
    B, T = idx.shape  # noqa: N806 (the sizes, named as in the text)
    E = grad_x.shape[1] // T  # noqa: N806
    rows = grad_x.reshape(B, T, E).reshape(B * T, E)  # one row per place in the batch
    table_grad = torch.zeros(vocab_size, E, dtype=grad_x.dtype)
    return table_grad.index_add_(0, idx.flatten(), rows)


# =============================================================================================
# Exercise 2.4 · Direct connections from the embeddings to the output
# =============================================================================================


class DirectMLP(MLP):
    """The lesson's MLP plus the paper's direct connections: logits = mlp(x) + x Wd.

    Bengio et al. write the output as y = b + W x + U tanh(d + H x), with x the concatenated
    embeddings. The package's ``MLP`` computes b + U tanh(d + H x) (``self.mlp``: H, d are the
    first layer, U, b the output layer); the new part is W x, a linear map from the T·E
    embedding numbers straight to the V scores, skipping the hidden layer.

    Three choices, each for a reason:

    - ``bias=False``: the output already has its bias b (the output layer's). A second bias
      would add V parameters that only ever move together with the first one.
    - The direct weights start at zero. The rest of the model is then drawn by ``MLP`` from
      ``rng`` exactly as the plain model is, so at step 0 the two compute the same logits, and
      any difference after training comes from the direct connections. (PyTorch's own random
      start for the layer would also make every run depend on torch's global generator.) Zero
      is a fine start here: the gradient of Wd is x^T (p - y), not zero, so it learns at once.
    - ``forward`` computes x once and feeds it to both paths: the embeddings then receive
      gradient through the hidden layer and through the direct term.
    """

    def __init__(self, config: ModelConfig, rng: RNG | None = None) -> None:
        super().__init__(config, rng)
        self.direct = nn.Linear(
            config.context_length * config.embedding_size, config.vocab_size, bias=False
        )
        nn.init.zeros_(self.direct.weight)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, V) for contexts ``idx`` (B, T); the mean cross-entropy if targets given."""
        x = self.wte(idx).flatten(1)  # (B, T*E)
        logits = self.mlp(x) + self.direct(x)  # (B, V): the hidden path plus the direct path
        loss = None if targets is None else F.cross_entropy(logits, targets)
        return logits, loss


# =============================================================================================
# Exercise 2.5 · Do direct connections help?
# =============================================================================================


def train_direct(
    data: NamesData, config: ModelConfig, num_steps: int = 3000
) -> tuple[DirectMLP, History]:
    """A DirectMLP trained exactly as the notebook trains ``model``, and its history: in the
    notebook, ``direct_model, direct_history = train_direct(data, config)``.

    A comparison measures one change only if everything else is equal: the same sizes
    (``config``), the same initial draws (``RNG(1337)``, with the direct weights at zero, so the
    two models start identical: the check compares their val losses at step 0), the same
    batches, schedule and number of steps (``train`` with ``TrainConfig(num_steps=3000)``), and
    the same evaluation. The package's ``train`` calls the model's own forward, so the direct
    term is trained with no other change to the loop.

    What to expect: after 3,000 steps the two val losses differ by a few thousandths of a nat,
    the direct model slightly behind. Three seeds of each run (1337 to 1339) put the direct
    model behind every time, by 0.002 to 0.003, while the plain model's val loss stayed within
    0.002 across the seeds: a small but steady cost at this budget, not an improvement. Bengio
    et al. did not find the direct connections clearly useful either. A plausible reason: a
    tanh layer of 512 units can already pass on nearly linear functions of the embeddings, so
    the shortcut offers an easier path rather than anything the model could not do before.
    """
    direct_model = DirectMLP(config, RNG(1337))
    direct_history = train(direct_model, data, TrainConfig(num_steps=num_steps), progress=False)
    return direct_model, direct_history


# =============================================================================================
# Self-test · answers
# =============================================================================================
#
# 1. Sparsity. One more character of context splits the same training names over 27 times as
#    many contexts: half of the 5-gram contexts seen in training are seen at most twice (the
#    median count is 2, measured), too few to estimate a 27-way distribution. In the sparsity
#    table, on test, 9.4% of the distinct 5-gram contexts (4.27% of the predictions) never
#    occur in training and get the uniform 1/27, and 13.19% of the predictions meet a 5-gram
#    never counted, whose probability comes from α alone; for the 4-gram these are 1.8%, 0.49%
#    and 4.73%. The extra character helps where the counts are plentiful, but the poorly
#    estimated rare contexts cost more than that gain.
#
# 2. The first two letters of every name. Padded, the first letter is predicted from three end
#    tokens and the second from two end tokens and the first letter. On the stream walk those
#    contexts also hold the last letters of the previous name, which say nothing about this one
#    but split the counts of "a name starts here" over hundreds of different contexts, each
#    with few counts (for the first letter alone, 377 distinct contexts on the training walk,
#    measured, where the padded model has one). From the third prediction of each name on, the
#    two evaluations use the same contexts. This is also why the MLP, which is scored on the
#    walk, is compared with 2.1128, not 2.0872.
#
# 3. It prints "alpha  0.000  val inf". With α = 0 the model is the maximum-likelihood
#    estimate, and a character never seen after a seen context gets probability exactly 0.
#    Measured: 262 of the 7,121 val predictions are such 4-grams (their context occurs in
#    training, that continuation never), so -ln 0 = inf enters the mean, and one infinite term
#    makes the mean infinite. (The 44 predictions whose context was never seen get 1/27 and are
#    finite.) The hand-written trigram cell with 0 in place of 0.1 stops instead, with
#    "ValueError: math domain error" from math.log(0): 45 val predictions are unseen trigrams.
#
# 4. The loss of one prediction is logsumexp(z) - z_target. For logits with spread σ that are
#    unrelated to the target, z_target is on average the mean logit, while the log-sum-exp
#    weights the large logits more than the small ones: for normal logits it is about the mean
#    plus ln V + σ²/2, since the average of e^z is e^(σ²/2) times e to the mean. Put otherwise:
#    random logits give extra probability to some characters, mostly wrong ones, and in log
#    terms the right one loses more than it gains. Seed 1337's logits are not quite unrelated to
#    the target: the part shared by every context correlates (0.2334) with the character
#    frequencies, so frequent targets get a little more than 1/27, and the start (3.2842) is
#    below ln 27 (3.2958). Seeds 1..10 land on both sides, their mean 3.3238 near 3.3309.
#
# 5. Only the first layer reads the context: its input grows from T·E = 144 to 192 numbers, so
#    it gains E·H = 48·512 = 24,576 weights, from 89,387 to 113,963 parameters. The embedding
#    table is shared by the positions and does not grow, nor does the output layer. The full
#    count table grows from 27^4 = 531,441 to 27^5 = 14,348,907 cells, 13,817,466 more: a
#    factor of 27, while the training names fill only 48,929 of them.
#
# 6. The start changes a lot, the end very little. Measured (OMP_NUM_THREADS=1, the cell's
#    code with only the seed changed), val loss at step 0 -> after 3,000 steps (test):
#    seed 1337: 3.2842 -> 2.1943 (2.2217); seed 1338: 3.3507 -> 2.1953 (2.2249);
#    seed 1339: 3.3522 -> 2.1932 (2.2206). The starts differ by up to 0.07, the ends by 0.002.
#    The seed only draws the initial weights (the batches are the same walk for every seed),
#    and training forgets most of the start. So a difference of a few thousandths between two
#    3,000-step runs can be the seed alone: keep that in mind in exercise 2.5.
#
# 7. No. Measured (OMP_NUM_THREADS=1, num_steps=6000, seed 1337): val 2.1412, test 2.1676,
#    down by 0.0531 from 2.1943, but still above the stream-walk 4-gram's 2.1128 (and the padded
#    2.0872). The cosine schedule stretches over the new number of steps, so this is a new run
#    with a slower decay, not 3,000 more steps. For comparison, 1,000 steps end at val 2.2750,
#    worse than the 3-gram; the full 50,000-step run of notebook 04 reaches val 2.0689, below
#    both count figures.
#
# 8. 8.97 = exp(2.1943): the geometric mean of the probabilities the model gives the right next
#    character on val is 1/8.97, about 0.11, so on average it is as unsure as a fair choice
#    among about 9 characters (27 for a model that knows nothing). "emma" is one common,
#    regular name: the geometric mean of its five factors is exp(-2.0041), about 0.135, above
#    val's 0.11, mostly thanks to "a" after "emm" (0.3764); its first letter (0.0728) and its
#    end (0.0768) are below. A mean over five predictions varies much more from name to name
#    than one over the 7,121 predictions of val. Its whole probability, 4.45e-05, is still
#    tiny: a product of factors shrinks with every character, which is why models are compared
#    per character.
#
# 9. The gradient of a character's embedding is a sum over the windows in which it stands, of
#    the error at the output (predicted minus actual next character) sent back through the
#    layers to its position. Vowels stand in similar contexts and are followed by similar
#    characters (mostly consonants, or the end of the name), so the signals they receive point
#    in similar directions, and step after step their changes line up. Two vowels never need
#    to appear together; what counts is the contexts a character stands in and what follows
#    it, not whether it is a vowel: the change also groups w and h with them. The full vectors
#    do not show it yet because the change (0.518 on average) is small beside the random start
#    (6.746).
