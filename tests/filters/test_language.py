"""The language filter: long foreign-script blocks go, terms, code and bilingual text stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.language import RULE, LanguageFilter, LanguageOptions

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "fixtures" / "cases" / "language.json").read_text(encoding="utf-8"))
ZH = "视察中，大家一致认为，自主创新是推动发展的第一动力，必须坚持不懈地抓下去。"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["label"])
def test_cases(case: dict) -> None:
    doc = Document.from_text(case["original"])
    LanguageFilter().apply(doc)
    # blank lines left behind are layout's to collapse
    assert doc.text.rstrip("\n") == case["fixed"].rstrip("\n")


def test_seed_000_english_blocks_removed_whole() -> None:
    path = next((ROOT / "seeds").glob("000_*.txt"))
    doc = Document.from_text(path.read_text(encoding="utf-8"))
    LanguageFilter().apply(doc)
    assert [(c.rule, c.line, c.extra["script"], c.extra["main_script"]) for c in doc.changes] == [
        (RULE, 46, "latin", "han"), (RULE, 44, "latin", "han")
    ]
    assert "Communist Youth League" not in doc.text and "六抓科技投入" in doc.text
    again = Document.from_text(doc.text)
    LanguageFilter().apply(again)
    assert again.changes == []


@pytest.mark.parametrize("seed", ["001", "002", "003", "004"])
def test_other_seeds_untouched(seed: str) -> None:
    path = next((ROOT / "seeds").glob(f"{seed}_*.txt"))
    doc = Document.from_text(path.read_text(encoding="utf-8"))
    LanguageFilter().apply(doc)
    assert doc.changes == []


def test_thresholds_are_options() -> None:
    english = "It works well. It is fast. It is cheap. " * 5
    text = f"{ZH}\n\n{english}\n\n{ZH}"
    doc = Document.from_text(text)
    LanguageFilter().apply(doc)
    assert len(doc.changes) == 1  # fifteen sentences make a long block
    doc = Document.from_text(text)
    LanguageFilter(LanguageOptions(min_block_sentences=16, min_block_chars=1000)).apply(doc)
    assert doc.changes == []


def test_a_short_english_quotation_in_chinese_text_stays() -> None:
    english = "It works well. It is fast. It is cheap."
    doc = Document.from_text(f"{ZH}\n\n{english}\n\n{ZH}")
    LanguageFilter().apply(doc)
    assert doc.changes == []  # three short sentences: a quotation, not a second version


def test_an_appended_translation_goes_glued_or_apart() -> None:
    """A Chinese article with its machine translation appended (about as long in
    weighted letters): the translation goes, with or without a blank line between."""
    zh = ("社区图书馆今年春天完成了改造，新增了儿童阅读区和自习室。\n"
          "馆长介绍，改造后每天的到馆人数比去年增加了一倍，周末常常一座难求。\n")
    en = ("The community library completed its renovation this spring, adding a children's "
          "reading area and a study room. According to the curator, daily visitors have "
          "doubled since last year, and seats are often hard to find on weekends.")
    for text in (zh + en, zh + "\n" + en):
        doc = Document.from_text(text)
        LanguageFilter().apply(doc)
        assert doc.text.rstrip("\n") == zh.rstrip("\n")


def test_chinese_block_in_english_document() -> None:
    english = "The committee met on Monday and agreed to publish the annual report next week."
    chinese = "。".join([ZH] * 3)
    text = "\n\n".join([english, english, chinese, english])
    doc = Document.from_text(text)
    LanguageFilter().apply(doc)
    assert [c.extra["script"] for c in doc.changes] == ["han"]


# --------------------------------------------------------------------------- interleaved
# Realistic pages written for these tests: a news page whose every paragraph is followed
# by its machine translation, the reverse order of a bilingual-reading site, and pages
# whose English must stay (glossaries, code, references, quotations, product names).

NEWS_ZH = [
    "我市首条城市绿道全线贯通",
    "2024-04-18 09:30　来源：本报讯",
    "昨日上午，全长二十六公里的滨江绿道正式向市民开放，这是我市建成的第一条贯穿主城区的城市绿道。",
    "绿道沿江而建，串联起五座公园和三个历史街区，沿途设有十二处驿站，提供饮水、休息和自行车租赁服务。",
    "市园林局负责人介绍，绿道建设历时两年，共种植乔木八千余株，新增绿地面积约四十公顷。",
    "开放首日，不少市民带着孩子前来骑行和散步。家住附近的王女士说，以后周末不用开车去郊区，在家门口就能亲近自然。",
]
NEWS_EN = [
    "Yesterday morning, the 26-kilometre riverside greenway officially opened to the public. "
    "It is the first urban greenway built in our city that runs through the main urban area.",
    "Built along the river, the greenway links five parks and three historic districts, with "
    "twelve rest stations along the way offering drinking water, rest areas and bicycle rental.",
    "According to the head of the municipal landscaping bureau, construction took two years, "
    "more than 8,000 trees were planted and about 40 hectares of green space were added.",
    "On the opening day, many residents came with their children to cycle and walk. Ms. Wang, "
    "who lives nearby, said that from now on she would not need to drive to the suburbs at "
    "weekends to be close to nature.",
]


def _interleaved(sep: str) -> str:
    # the title's translation goes too, once the page is shown to be a translation
    paras = [NEWS_ZH[0], "City's first urban greenway fully opens", NEWS_ZH[1]]
    for zh, en in zip(NEWS_ZH[2:], NEWS_EN, strict=True):
        paras += [zh, en]
    return sep.join(paras) + "\n"


@pytest.mark.parametrize("sep", ["\n\n", "\n"], ids=["blank-lines", "glued"])
def test_an_interleaved_machine_translation_goes_and_the_chinese_stays(sep: str) -> None:
    doc = Document.from_text(_interleaved(sep))
    LanguageFilter().apply(doc)
    kept = [line for line in doc.lines if line.strip()]
    assert kept == NEWS_ZH
    assert {c.rule for c in doc.changes} == {"interleaved-translation"}
    assert len(doc.changes) == 5
    again = Document.from_text(doc.text)
    LanguageFilter().apply(again)
    assert again.changes == []


def test_english_first_bilingual_reading_keeps_the_chinese() -> None:
    # a bilingual-reading site: each English paragraph, then its Chinese translation
    paras = ["双语阅读：城市绿道"]
    for zh, en in zip(NEWS_ZH[2:], NEWS_EN, strict=True):
        paras += [en, zh]
    doc = Document.from_text("\n\n".join(paras))
    LanguageFilter().apply(doc)
    assert [line for line in doc.lines if line.strip()] == ["双语阅读：城市绿道", *NEWS_ZH[2:]]


def test_an_appended_translation_longer_than_the_page_goes() -> None:
    en = " ".join(NEWS_EN) + " " + NEWS_EN[0]
    doc = Document.from_text("\n\n".join(NEWS_ZH) + "\n\nEnglish version\n\n" + en)
    LanguageFilter().apply(doc)
    assert [line for line in doc.lines if line.strip()] == [*NEWS_ZH, "English version"]


GLOSSARY = """人工智能常用术语中英对照

下面整理了入门阶段最常遇到的术语，方便读者查阅英文文献时对照使用。

人工智能 Artificial Intelligence (AI)
机器学习 Machine Learning (ML)
深度学习 Deep Learning
神经网络 Neural Network
卷积神经网络 Convolutional Neural Network (CNN)
循环神经网络 Recurrent Neural Network (RNN)
自然语言处理 Natural Language Processing (NLP)
强化学习 Reinforcement Learning
迁移学习 Transfer Learning
过拟合 Overfitting
"""

GLOSSARY_ALTERNATING = """计算机网络术语表

以下术语按章节顺序排列，每个中文术语下一行是它的英文名称。

传输控制协议
Transmission Control Protocol
用户数据报协议
User Datagram Protocol
域名系统
Domain Name System
动态主机配置协议
Dynamic Host Configuration Protocol
虚拟专用网络
Virtual Private Network
"""

CODE_PAGE = """用 Python 读取 CSV 文件

在数据分析中，最常见的第一步就是把 CSV 文件读进内存。下面的例子使用标准库里的 csv 模块，不需要安装任何第三方包。

```python
import csv

def read_rows(path):
    # Read every row of the file as a dict keyed by the header.
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
```

如果文件很大，一次读进内存可能不合适，这时可以改成逐行处理，每读一行就立即处理并丢弃，内存占用会小得多。

```python
def count_rows(path):
    # Stream the file so that memory use stays flat for any size.
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1
```

运行上面的代码前，请确认文件的编码是 UTF-8，否则需要在 open 函数里改成实际的编码。
"""

PAPER = """基于深度学习的城市交通流量预测研究

摘要：城市交通流量预测是智能交通系统的核心问题之一。本文提出一种结合图卷积网络与时间注意力机制的预测模型，在两个公开数据集上的实验表明，该模型的平均绝对误差比基线方法降低了约百分之十二。

关键词：交通流量预测；图卷积网络；注意力机制

1 引言

近年来，深度学习方法在交通预测中得到了广泛应用[1]。Li 等人提出的扩散卷积循环网络把路网建模为有向图[2]，而 Yu 等人则用纯卷积结构提高了训练速度[3]。

参考文献

[1] Zhang J, Zheng Y, Qi D. Deep spatio-temporal residual networks for citywide crowd flows prediction. AAAI, 2017.
[2] Li Y, Yu R, Shahabi C, et al. Diffusion convolutional recurrent neural network: Data-driven traffic forecasting. ICLR, 2018.
[3] Yu B, Yin H, Zhu Z. Spatio-temporal graph convolutional networks: A deep learning framework for traffic forecasting. IJCAI, 2018.
"""

QUOTATIONS = """读诗札记：弗罗斯特的《未选择的路》

这首诗的开头只有一句，却把整首诗的处境交代得清清楚楚：

Two roads diverged in a yellow wood, And sorry I could not travel both.

诗人站在岔路口，两条路看起来几乎一样，他选择了其中一条，却在多年以后回想时说自己选了人迹更少的那一条。很多读者把这首诗读成对勇敢选择的赞美，但细读就会发现，诗人其实在嘲讽人们事后为自己的选择编故事的习惯。这种反讽贯穿全诗，也正是它耐读的原因。

诗的结尾同样值得玩味：

I took the one less traveled by, And that has made all the difference.

这里的“所有的不同”究竟是好是坏，诗人没有说。正是这种留白，让不同年龄的读者在不同的人生阶段读出不同的意味，也让这首诗在一百多年后仍然被人反复引用和讨论。
"""

PRODUCTS = """新款笔记本电脑上手体验

这次试用的是 ThinkPad X1 Carbon，搭载 Intel Core Ultra 7 处理器和 32GB 内存，预装 Windows 11 Pro 系统。

屏幕是一块 14 英寸的 OLED 面板，色彩表现出色，日常用 Microsoft Office 和 Adobe Photoshop 都很流畅。

正如厂商在发布会上所说：“Less weight, more work.” 实际背着它通勤一周，确实几乎感觉不到重量。
"""


@pytest.mark.parametrize("text", [GLOSSARY, GLOSSARY_ALTERNATING, CODE_PAGE, PAPER, QUOTATIONS,
                                  PRODUCTS],
                         ids=["glossary", "glossary-alternating", "code", "references",
                              "quotations", "product-names"])
def test_english_that_belongs_to_a_chinese_page_stays(text: str) -> None:
    doc = Document.from_text(text)
    LanguageFilter().apply(doc)
    assert doc.changes == []
    assert doc.text == Document.from_text(text).text
