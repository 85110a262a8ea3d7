"""笔记本 04（完整的训练运行）各练习的参考解答。

请先在笔记本里自己做每道练习：检查单元格会告诉你哪里还不对，那句话比读答案更有收获。等你有了
自己的解答，或者确实卡住了，再来这里看。

有些答案要用到笔记本里的对象（训练好的 ``model``、它的 ``table``、``data``）；这些解答写成
以它们为参数的函数，每个函数上方的注释给出笔记本答案单元格里应写的那一行。

这份文件与英文版 ``solutions/04_full_training_run.py`` 的代码完全相同，只有文档字符串和注释译成了
中文（``tests/exercises/test_solutions_zh.py`` 保证这一点）。
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import torch

from ngram_helpers.context_probe import context_probe
from ngram_helpers.data import END, END_GLYPH, NamesData, Tokenizer
from ngram_helpers.exercises.nb04_full_training_run import short_run_val_losses
from ngram_helpers.models import MLP, ModelConfig
from ngram_helpers.sample import (
    LogitTable,
    draw_names,
    memoised_cdf,
    name_origins,
    origin_shares,
    sample_from_table,
)
from ngram_helpers.train import TrainConfig

# ----------------------------------------------------------------------------------------------
# 练习 4.1 · 余弦调度之前先预热
#
# 在笔记本里，检查之后运行：  warmup_effect(data, model_config)   （六次短训练）
#
# 两段在第 `warmup` 步接起来。在它之前，学习率沿直线上升，为 max_lr 的 step / warmup 倍：第 0 步
# 为 0，第 warmup 步为 max_lr。从那里开始就是笔记本 02 的余弦调度，重新开始计：它自己的步数计数是
# step - warmup，长度是 num_steps - warmup，所以它恰好在直线结束的地方从 max_lr 开始，并在运行结束
# 时降到 0。
#
# 值得留意的是（见下面的 warmup_effect：1,000 步的运行，预热 200 步，三个起始种子）：在第 200 步，
# 每个种子下带预热的运行的验证损失都比普通运行落后约 0.05；预热期间学习率平均只有峰值的一半，所以
# 模型走得更少。到第 1,000 步它几乎追上了：分别落后 0.0005、0.0008 和 0.0011，比普通运行在不同种子
# 之间的差别还小（它们的终点相差 0.003），但三个种子都落后。这个小模型用 AdamW、学习率 7e-4，本来
# 就没有什么需要预热来防范的：它的损失从第一步起就稳步下降，所以预热只是白白花掉了步数。预热是为
# 学习率更高的大网络设计的（Vaswani 等人 2017 年的 Transformer 预热了 4,000 步），对它们来说，从
# 随机权重出发的最初几个大步可能让训练发散。


def warmup_cosine(step: int, num_steps: int, max_lr: float, warmup: int) -> float:
    """前 ``warmup`` 步从 0 沿直线上升，然后沿半个余弦从 max_lr 降到 0。"""
    if step < warmup:
        return max_lr * step / warmup
    progress = (step - warmup) / (num_steps - warmup)
    return max_lr * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_effect(
    data: NamesData, model_config: ModelConfig, seeds: tuple[int, ...] = (1337, 1338, 1339)
) -> None:
    """对每个种子，打印带预热的运行的验证损失减去普通余弦运行的验证损失。

    每次运行都是检查自己的那种 1,000 步运行（快速引擎上的 ``train`` 循环，每 200 步算一次验证
    损失），从给定的种子出发：两者之间只有学习率不同。
    """
    num_steps, warmup, max_lr = 1_000, 200, TrainConfig().learning_rate
    for seed in seeds:
        plain = short_run_val_losses(
            lambda s: warmup_cosine(s, num_steps, max_lr, 0), data, model_config, seed
        )
        warm = short_run_val_losses(
            lambda s: warmup_cosine(s, num_steps, max_lr, warmup), data, model_config, seed
        )
        gaps = "  ".join(f"{s}: {warm[s] - plain[s]:+.4f}" for s in plain if s)
        print(f"seed {seed}: plain ends at {plain[num_steps]:.4f}; warm-up − plain at {gaps}")


# ----------------------------------------------------------------------------------------------
# 练习 4.2 · 一半是新名字
#
# 在笔记本里：  answer = half_new_temperature(table, data)   （或者它找到的那个数）
#
# 来源表已经把答案夹在中间了：温度 0.6 时新名字不到一半，1.0 时超过一半。新名字的比例随温度上升
# （分布越平，越常离开热门名字的老路），所以每次把区间减半，直到测得的比例接近 50%，几次测量就能
# 找到一个温度：这就是二分法。
#
# 值得留意的是：测得的比例并不是完全平滑地上升的。500 个名字在每个温度下都用同一批硬币抽取，而温度
# 稍有变化，只要有一枚硬币落到另一个字符上，名字就变了，所以比例是一小步一小步地变化的。这就是为什么
# 检查接受 45% 到 55%，而不要求恰好 50%；也是为什么真正比较采样器时要在多个种子上取平均。


def new_share(names: list[str], data: NamesData) -> float:
    """``names`` 中不在任何一个划分里的名字所占的比例。"""
    return origin_shares(name_origins(names, data))["new"]


def half_new_temperature(table: LogitTable, data: NamesData) -> float:
    """用二分法找到的一个温度：在这个温度下，500 个名字（种子 1）中有 45-55% 是新名字。"""
    low, high = 0.05, 2.0  # 几乎是贪心：新名字很少；温度很高：几乎全是新名字
    for _ in range(20):
        temperature = (low + high) / 2
        names = sample_from_table(table, data.tokenizer, 500, seed=1, temperature=temperature)
        share = new_share(names, data)
        if 0.45 <= share <= 0.55:
            return temperature
        if share < 0.5:
            low = temperature
        else:
            high = temperature
    return temperature


# ----------------------------------------------------------------------------------------------
# 练习 4.3 · 核采样（top-p）
#
# 把概率从大到小排序。每个词元*之前*的累加和，就是比它更可能的那些词元的概率之和；只要这个和仍小于
# p，这个词元就属于核。这样保留下来的，恰好是累加到 p 的最小的一组靠前的词元，其中包括让总和越过 p
# 的那个词元（如果用每个词元*之后*的累加和，即 `cumsum <= p`，这个词元就会被丢掉；遇到非常有把握的
# 模型时，甚至什么都不剩）。
#
# 还有两个细节，采样器才能用它：保留下来的概率要除以它们的和，使总和重新为 1；掩码要按原顺序放回
# 词表的位置（`keep[order] = ...`），因为采样器把第 i 项读作词元 i 的概率。输入不能就地修改：采样器
# 会重复使用每个分布。排序用稳定排序，让相等的概率保持词表中的顺序：两个同样可能的词元中哪一个被
# 留下，就总是同一个。


def top_p_probs(probs: torch.Tensor, p: float) -> torch.Tensor:
    """``probs``（V,）的核：累加到 p 的最小的一组靠前的词元，重新归一化。"""
    ranked, order = torch.sort(probs, descending=True, stable=True)
    mass_before = torch.cumsum(ranked, dim=0) - ranked
    keep = torch.zeros_like(probs, dtype=torch.bool)
    keep[order] = mass_before < p  # 放回词表顺序
    kept = torch.where(keep, probs, torch.zeros_like(probs))
    return kept / kept.sum()


# ----------------------------------------------------------------------------------------------
# 练习 4.4 · 核采样与 top-k 的对比
#
# 在笔记本里：  nucleus_names = nucleus_sampler(table, data.tokenizer)
#               p_like_top3 = p_like_top3_for(table, data, nucleus_names)
#
# sample_from_table 就是在包里的两个函数之上加了三行：probs_after(context) 给出一个上下文之后的
# 分布，memoised_cdf 为每个上下文只算一次累加和，draw_names 每个字符用掉一枚硬币。核采样器只需要
# 换一个 probs_after。
#
# 如果按新名字的比例来匹配“多样性”，在笔记本的模型上，p 约为 0.6 的核采样与 top-k 3 的表现相当。
# 有意思的是两者达到这一点的方式大不相同。top-k 3 总是提供 3 个字符：在 "q" 之后，模型几乎确定是
# "u"，它也提供 3 个；在名字开头，许多字母都说得通，却没有哪个特别可能（最受青睐的首字母也只占约
# 六分之一的概率），它还是只提供 3 个。核采样在前一种情况下只提供 1 个字符，在后一种情况下提供的
# 大约是 top-k 的两倍；检查给出的信息会统计它每一步保留了多少个。
#
# 统计首字母就能看出后果：top-k 3 的 500 个名字全都以模型最青睐的三个首字母之一开头，因为在空上下文
# 之后，只有这三个会被提供。核采样开启名字的字母多了一倍，又靠在模型有把握的地方比 top-k 更严格来
# 弥补这份自由。两者编出的新名字比例相同，但种类不同。


def nucleus_sampler(
    table: LogitTable, tokenizer: Tokenizer
) -> Callable[[int, int, float], list[str]]:
    """学习者要写的 ``nucleus_names(num, seed, p)``，用于笔记本里的 ``table``。"""

    def nucleus_names(num: int, seed: int, p: float) -> list[str]:
        """用 RNG(seed) 抽取 ``num`` 个名字，每个字符都从 top-p 分布中抽。"""

        def probs_after(context: list[int]) -> torch.Tensor:
            row = table.row(context)
            return top_p_probs(torch.softmax(table.logits[row], dim=0), p)

        return draw_names(memoised_cdf(probs_after), tokenizer, table.context_length, num, seed)

    return nucleus_names


def p_like_top3_for(table: LogitTable, data: NamesData, nucleus_names: Callable) -> float:
    """用二分法找到的一个 p：它的核采样编出的新名字比例与 top-k 3 相同（相差不超过 2 个百分点）。"""
    top3 = sample_from_table(table, data.tokenizer, 500, seed=1, top_k=3)
    target = new_share(top3, data)
    low, high = 0.05, 1.0  # 很小的核几乎是贪心；p = 1 就是普通采样
    for _ in range(20):
        p = (low + high) / 2
        share = new_share(nucleus_names(500, 1, p), data)
        if abs(share - target) <= 0.02:
            return p
        if share < target:
            low = p
        else:
            high = p
    return p


# ----------------------------------------------------------------------------------------------
# 练习 4.5 · 第一个字符最重要的上下文
#
# 在笔记本里：  first_matters_most = first_position_context(model, data)   （'lle'）
#
# 不要猜，去搜：数出训练数据流里的各个窗口，从最常见的上下文往下逐个探测，直到某个上下文在位置 1
# 的平均距离最大。找到的第一个是 "lle"（320 个窗口）。在 "lle" 之后，模型给名字结束 68% 的概率：
# "-elle"、"-belle"、"-chelle" 都是名字的结尾。让它成为结尾的正是第一个 l：在 "ale" 之后最可能的
# 是 e（20%），结束符连前三都进不了，"ile" 和 "ele" 之后也一样。换掉第二个 l 或者 e，"ll" 仍然在说
# “结尾可能快到了”。名字的开头也是一样：在 ".ty" 里，结束符说的是“一个以 ty 开头的名字”（后面接
# r 或 l），而 "aty" 或 "nty" 是名字的中间（后面接 a 或 n）。携带信息的那个位置在探测中胜出，不管
# 它在哪里；而它多数时候在最后：在训练集名字的所有窗口中，最后一个位置胜出 88.5%，中间的 10.2%，
# 第一个 1.3%（检查会为笔记本的模型打印这些数）。


def first_position_context(model: MLP, data: NamesData) -> str:
    """训练集名字里第一个位置在探测中胜出的上下文中，出现最频繁的那个。"""
    tokens = data.tokens["train"]
    windows = Counter(tuple(tokens[i : i + 3]) for i in range(len(tokens) - 3))
    for context, _ in windows.most_common():
        text = data.tokenizer.decode(list(context)).replace(END, END_GLYPH)
        if context_probe(model, data.tokenizer, text).mean(dim=1).argmax() == 0:
            return text
    raise ValueError("no context of the training names has its first position winning")


# =============================================================================================
# 自测题 · 答案
# =============================================================================================
#
# 1. 它们是在不同的样本上测的。日志里的 "train" 是训练遍历的前 20 个批量（2,560 个窗口，约占
#    217,470 个的 1%）；最终的表格则给整个训练划分评分。模型是同一个：最终的模型在那 20 个批量上
#    也得到 1.9401（实测）。那些窗口是一份固定的小样本，它们的损失随锯齿一起起落，所以拿验证集去比
#    整个划分上的数字 1.9496。它与验证集（2.0689）的差距，说明模型已经开始拟合它的训练名字。
#
# 2. 共享。计数模型用每个 3 字符上下文自己的计数来估计它的分布，所以稀有的上下文估计得很差（只能靠
#    α 平滑）。MLP 把字符映射为向量，所有上下文都经过同一个隐藏层：行为相似的字符得到相似的向量，
#    模型从一个上下文学到的东西能用到相似的上下文上，所有上下文一共只用 89,387 个参数。
#    说“基本公平”，是因为两者在同样的样本上评分（沿验证集遍历），但在一个名字开头处，两者的上下文
#    不同：MLP 看到的是前一个名字的最后几个字符，计数模型看到的只有结束词元，和它计数时用的两端
#    填充过的名字一样。这几乎不影响计数模型：改在填充过的名字上评分，它的验证损失是 2.0872，
#    而在遍历上是 2.0875（实测）。直接在遍历上计数的 4 元语法也能看到边界另一侧，结果反而更差
#    （笔记本 02 中验证集为 2.1128）：对计数模型来说，前一个名字的结尾只是噪声。
#
# 3. 高于。实测（OMP_NUM_THREADS=1，笔记本的代码只把 NUM_STEPS 改为 5_000，快速引擎）：日志在第
#    4999 步结束，验证损失 2.1554，最终的表格打印训练 2.1311、验证 2.1554、测试 2.1813，比完整运行
#    第 5,000 步时的 2.1473 还差，尽管这次运行的学习率已经退火到 0。余弦调度会拉伸到运行的长度：
#    短运行的 5,000 步平均只用了峰值学习率的一半，而长运行在第 5,000 步时仍是 6.829e-04。早期损失
#    还在快速下降，走过的路程比平稳收尾更重要。再往后，退火就占了上风：NUM_STEPS = 10_000 结束时
#    验证损失为 2.1094（实测），低于完整运行第 10,000 步时的 2.1238。之后不要运行保存检查点的
#    单元格：5,000 步的模型数据和形状都相同，它会取代 50,000 步的检查点。
#
# 4. 不会：还是同样的 200 个字符，与 continue_text 比较的断言也仍然通过（实测）。
#    exp(z) / Σ exp(z) 和 exp(z - m) / Σ exp(z - m) 除了浮点舍入以外是同一批数，而大约 1e-7 的
#    舍入差别，只有在硬币恰好落在累加和的某个边界附近时才会改变一次抽取。减去最大值是为大的 logit
#    准备的：float32 的 exp 在超过约 88.7 时溢出为 inf，而 inf / inf 是 nan。这个模型在全部 19,683
#    个上下文上最大的 logit 是 10.73（实测），所以温度为 1 时不会溢出。温度为 0.1 时，缩放后的 logit
#    达到 107.3，不减最大值的 softmax 在 19,683 个上下文中的 43 个上给出 nan（实测）：在那里，正是
#    这次减法让采样器还能工作。
#
# 5. 几乎全是训练名字，而且种类很少。实测：训练集 97.4%，验证/测试集 0.0%，新名字 2.6%；500 个名字
#    中只有 26 个不同的，"harlee" 出现 189 次，"harley" 出现 126 次。开头的几个名字与温度 0.3 时的
#    四个相同（harley、mari、harlee、rayla）：每个温度下的硬币都一样，分布越“冷”，越多的硬币落在它
#    最可能的字符上。温度为 0 时，每个名字都是 "harlee"，即穿过模型的贪心路径。
#
# 6. 总变差距离是换了位置的概率质量所占的份额。把 27 个符号逐个放到 "emm" 的最后一个位置（m 本身也在
#    其中，距离为 0），把得到的下一个字符分布与原来的比较；平均有 54% 的概率质量转移到了别的字符上。
#    换一种说法：对一个典型的替换，存在一组下一个字符，它们的总概率变化了 0.54。
#
# 7. q，即中间的位置。实测平均距离为 0.36、0.76、0.36，所以笔记本里的断言（最后一个字符最重要）会
#    失败：它对 "emm" 和 "..j" 成立，但并不是定律。在 "aqu" 之后，模型把 92% 的概率给了 a、i 和 e
#    （0.40、0.33、0.19）："qu" 之后跟的是元音。替换掉 q，这点知识就没了："abu" 之后最可能的是 b
#    （0.46），"amu" 之后是 s（0.25）。替换掉 u，q 还在，模型仍然大多预期元音或 y（"aqa" 之后：
#    i 0.29，y 0.28；"aqe" 之后：e 0.56）。携带信息的那个位置最重要，不管它在哪里。
#
# 8. 两个原因。一是它们本来就少：留出的名字中不在训练集里的只有 1,708 个不同的名字，而不同的训练
#    名字有 28,202 个（实测）。如果模型学到的是名字的分布、并不偏爱见过的名字，那么它抽出的真实
#    名字中约有 5.7% 会是留出的名字。实际给出的更少：在 20 个种子、每个 500 个名字上（实测），
#    温度 1.0 时为 3.4%，0.6 时为 2.8%。这就是第二个原因：模型已经拟合了它的训练名字（训练 1.9496
#    对验证 2.0689），所以一个确切的训练名字，比一个同样合理、但模型从未见过的真实名字得到更多
#    概率。笔记本表格的每一行只数到很少几个验证/测试名字（500 个的 0.4% 就是 2 个），所以只能把它
#    当作一种趋势来读。
#
# 9. 第一层把拼接起来的嵌入乘以 W1，这等于对各位置求 wte[x_t] @ W1_t 的和。直接算，每步要
#    B·T·E·H 次乘加（128·3·48·512）；而位置表 P_t = wte @ W1_t 只要 T·V·E·H 次（用 27 代替 128），
#    之后批量只需查出行再相加。反向传播同样省事：dW1_t = wte.T @ dP_t 和
#    dwte = Σ_t dP_t @ W1_t.T 处理的是 27 行，而不是 128 行。只有批量大于词表时才省得下来：批量为
#    16 时，位置表的乘加次数比直接乘积还多（27 > 16），快速引擎剩下的优势来自它的其他技巧（没有
#    自动微分的计算图，把 tanh 写成 2σ(2x) − 1，AdamW 只用一块连续的缓冲区）。输出层（B·H·V）在两个
#    引擎里的工作量相同。
