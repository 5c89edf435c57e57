"""The boilerplate filter: seeds, pages of unseen site kinds, clean documents, templates."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from cleancorp.document import Document
from cleancorp.filters.boilerplate import (
    TEMPLATE_LINE,
    BoilerplateFilter,
    BoilerplateOptions,
    template_key,
)
from cleancorp.filters.language import LanguageFilter
from cleancorp.filters.length import LengthFilter

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"
PAGES = sorted(
    p for p in (FIXTURES / "pages").glob("*.txt") if not p.name.endswith(".expected.txt")
)
CLEAN = sorted((FIXTURES / "clean").glob("*.txt"))
CASES = json.loads((FIXTURES / "cases" / "boilerplate.json").read_text(encoding="utf-8"))


def seed_doc(name: str) -> Document:
    # The unicode filter turns NBSP into spaces before boilerplate runs (SPEC order).
    path = next(SEEDS.glob(f"{name}_*.txt"))
    text = path.read_text(encoding="utf-8").replace("\xa0", " ")
    return Document.from_text(text, source=path.name)


def cleaned(doc: Document, *filters) -> Document:
    for f in filters or (BoilerplateFilter(),):
        assert f.apply(doc) == [doc]
    return doc


def nonblank(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["label"])
def test_cases(case: dict) -> None:
    doc = cleaned(Document.from_text(case["original"]))
    if case["expect"] == "fail":
        assert doc.text != case["fixed"], "known failure now passes: flip it to 'pass'"
        pytest.xfail(case["comment"])
    assert doc.text == case["fixed"]


# -- seeds --------------------------------------------------------------------

SEED_GONE = {
    "000": ["当前位置", "柠檬阅读网", "本文已影响", "祝福语", "文学百科", "优美句子", "小说文章"],
    "003": ["当前位置", "收藏", "文章播报", "语音引擎就绪", "进度: 0/0", "语音播报提示", "设备提示",
            "支持后台播放", "详细咨询", "版权保护", "nbxinxi.com", "打开微信扫一扫", "站点关键词",
            "宁波房贷政策"],
    "004": ["下载本文档", "版权说明", "文档简介", "温馨提示", "本站所有资源", "人人文库网",
            "立即纠正",
            "最新文档", "BJD娃娃", "叉车自行检查记录表", "提交评论", "0/150"],
}
SEED_KEPT = {
    "000": ["高新产业自主创新视察报告", "视察中,大家一致认为", "六抓科技投入"],
    "003": ["关于开展“比学赶超、创先争优”", "嵊州市科学技术局文件", "嵊科技〔2011〕24",
            "各科室、下属事业单位:", "一、指导思想", "做好科技“红娘”。", "二○一一年五月四日",
            "主题词 工作计划", "报送:市委办",
            "抄送:各乡镇", "嵊州市科学技术局"],
    "004": ["1、“破解纳税服务难题", "6、的无公害水果信息"],
}


@pytest.mark.parametrize("seed", sorted(SEED_GONE))
def test_seed_boilerplate_removed_and_text_kept(seed: str) -> None:
    doc = cleaned(seed_doc(seed))
    text = doc.text
    assert [s for s in SEED_GONE[seed] if s in text] == []
    assert [s for s in SEED_KEPT[seed] if s not in text] == []


def test_seed_000_removes_only_chrome_lines() -> None:
    doc = cleaned(seed_doc("000"))
    # `文学百科`, printed beside both the header and the footer menu, goes as the
    # section name it is (no page break beside it: not a running header)
    assert {c.rule for c in doc.changes} == {"nav-list", "site-name", "breadcrumb", "byline"}
    assert sum(c.line_end - c.line + 1 for c in doc.changes) == 15 + 1 + 1 + 7


def test_seed_002_closing_filler_span() -> None:
    doc = cleaned(seed_doc("002"))
    assert [(c.rule, c.action, c.before) for c in doc.changes] == [
        ("closing-filler-tail", "remove", "僅供參考")
    ]
    assert doc.lines[-1].endswith("構(gòu)建和諧人居環(huán)境。")


def test_seed_001_untouched() -> None:
    assert cleaned(seed_doc("001")).changes == []


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seed_idempotent_and_removals_restorable(seed: str) -> None:
    doc = cleaned(seed_doc(seed))
    for change in doc.changes:
        assert change.rule and change.filter == "boilerplate"
        if change.action == "remove" and "\n" in change.before or change.line != change.line_end:
            assert change.before == "\n".join(doc.input_lines[change.line - 1 : change.line_end])
        elif change.action == "remove":
            assert change.before in doc.input_lines[change.line - 1]
    again = Document.from_text(doc.text)
    assert cleaned(again).changes == []


# -- pages of site kinds the seeds do not show --------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_pages_match_expected(page: Path) -> None:
    doc = Document.from_text(page.read_text(encoding="utf-8"))
    cleaned(doc, BoilerplateFilter(), LanguageFilter())
    expected = page.with_suffix(".expected.txt").read_text(encoding="utf-8").splitlines()
    assert nonblank(doc.lines) == nonblank(expected)
    assert cleaned(Document.from_text(doc.text)).changes == []


# -- do no harm -----------------------------------------------------------------


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_documents_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    doc = Document.from_text(text)
    docs = [doc]
    for f in (BoilerplateFilter(), LanguageFilter(), LengthFilter()):
        docs = [d for x in docs for d in f.apply(x)]
    assert docs == [doc] and doc.changes == []
    assert doc.lines == Document.from_text(text).lines


def test_at_least_five_kinds_of_clean_documents() -> None:
    assert {"essay", "classical", "technical", "notice", "dialogue"} <= {p.stem for p in CLEAN}


def test_traditional_page_matched_on_simplified_view_kept_text_unchanged() -> None:
    text = "當前位置：首頁 > 生活\n夏季中暑怎麼辦？\n天氣炎熱，中暑病例明顯增加，醫師提醒注意。"
    doc = cleaned(Document.from_text(text))
    assert doc.lines == ["夏季中暑怎麼辦？", "天氣炎熱，中暑病例明顯增加，醫師提醒注意。"]
    assert doc.changes[0].before == "當前位置：首頁 > 生活"


def test_weak_rule_inside_text_needs_more_evidence() -> None:
    # "评论" alone is a comment-box header only outside the main text.
    text = "第一段，介绍基本情况。\n评论\n第二段，专家的评论意见如下。"
    assert cleaned(Document.from_text(text)).changes == []


def test_fenced_code_is_never_boilerplate() -> None:
    text = "说明如下，请照做。\n```\n# Copyright (c) 2020 Example\nprint('分享到')\n```\n结束。"
    assert cleaned(Document.from_text(text)).changes == []


def test_filter_pickles_and_rebuilds_helpers() -> None:
    f = BoilerplateFilter()
    cleaned(Document.from_text("浙ICP备12345678号\n正文，内容。"), f)
    clone = pickle.loads(pickle.dumps(f))
    assert "_rules" not in clone.__dict__ and "_t2s" not in clone.__dict__
    doc = cleaned(Document.from_text("浙ICP备12345678号\n正文，内容。"), clone)
    assert doc.lines == ["正文，内容。"]


# -- corpus template lines --------------------------------------------------------


def test_template_key_is_stable_and_selective() -> None:
    f = BoilerplateFilter()
    key = template_key("本站 | 关于我们 | 联系我们", f.to_simplified)
    assert key == template_key("本站|關於我們|聯繫我們", f.to_simplified)
    assert key == 0x5289EC456FA4B60E  # BLAKE2b: the same value in every process and run
    assert template_key("一、主要做法") is None
    assert template_key("（二）工作目标") is None
    assert template_key("特此通知。") is None
    assert template_key("x" * 60) is None
    exempt = f.rules().is_template_exempt
    assert template_key("主题词 工作计划", None, exempt) is None
    assert template_key("二○一一年五月四日", None, exempt) is None
    assert template_key("嵊州市科学技术局", None, exempt) is None
    assert template_key("手机版 | 网站地图", None, exempt) is not None


def test_template_lines_removed_with_document_count() -> None:
    pages = [
        f"第{i}篇报道\n正文第{i}段，内容各不相同，说明情况。\n"
        "欢迎光临某某小站 祝您阅读愉快\n一、主要做法"
        for i in range(12)
    ]
    f = BoilerplateFilter(BoilerplateOptions(template_min_docs=10))
    counts: dict[int, int] = {}
    for text in pages:
        for key in f.document_template_keys(Document.from_text(text)):
            counts[key] = counts.get(key, 0) + 1
    f.template_counts = counts
    doc = cleaned(Document.from_text(pages[0]), f)
    assert doc.lines == ["第0篇报道", "正文第0段，内容各不相同，说明情况。", "一、主要做法"]
    (change,) = doc.changes
    assert (change.rule, change.extra) == (TEMPLATE_LINE, {"documents": 12})
    # Below the absolute count nothing goes; with corpus steps off nothing goes.
    f.template_counts = {k: 9 for k in counts}
    assert cleaned(Document.from_text(pages[0]), f).changes == []
    f.template_counts = None
    assert cleaned(Document.from_text(pages[0]), f).changes == []


# A song page: the chorus comes back three times, its first line is also the title.
SONG = """\
首页　华语歌手　排行榜　歌词搜索
晚灯
演唱：许一帆
作词：沈秋
窗外的雨下了一整夜
我把旧信又读了一遍
晚灯还亮着
你说过要回来
晚灯还亮着
我就还在等
楼下的车一辆一辆开走
没有一辆停在门前
晚灯还亮着
你说过要回来
晚灯还亮着
我就还在等
后来我搬离了那条街
晚灯还亮着
你说过要回来
晚灯还亮着
我就还在等
本站歌词仅供学习交流使用，版权归原作者所有。
"""


def test_a_chorus_is_verse_not_page_furniture() -> None:
    doc = cleaned(Document.from_text(SONG))
    assert doc.text.count("晚灯还亮着") == 6
    assert doc.text.count("你说过要回来") == 3
    # a page of verse has no sentence to anchor on: its lines of verse give the edges,
    # so the menu above the title goes and the title stays
    assert doc.text.startswith("晚灯\n")
    assert "本站歌词仅供学习交流使用" not in doc.text


# A forum thread: the poster's name over each post goes; the poem's first line, quoted
# in a reply, stays where the poem has it.
THREAD = """\
【原创】秋收
[复制链接]
田埂
电梯直达 楼主
田埂 发表于 2024-10-3 20:15:42 | 只看该作者 | 倒序浏览 | 阅读模式
【原创】秋收

母亲把玉米挂上屋檐
一串一串像金色的灯笼
风从山口吹进院子
把灯笼吹得轻轻摇晃
回复 支持 反对
使用道具 举报
半亩方塘
沙发
半亩方塘 发表于 2024-10-4 09:32:18 | 只看该作者
回复 1# 田埂
田埂 发表于 2024-10-3 20:15
母亲把玉米挂上屋檐
第二节的比喻很准，读着能看见那个院子，最后一句可以再收一收，节奏会更稳一些。
回复 支持 反对
使用道具 举报
田埂
板凳
田埂 发表于 2024-10-4 12:06:55 | 只看该作者
谢谢细读，末句我再改改，过几天发修改稿。
回复 支持 反对
"""


def test_a_quoted_poem_line_stays_in_the_poem() -> None:
    doc = cleaned(Document.from_text(THREAD))
    lines = doc.text.split("\n")
    assert lines.count("母亲把玉米挂上屋檐") >= 1
    poem = lines.index("母亲把玉米挂上屋檐")
    assert lines[poem + 1] == "一串一串像金色的灯笼"
    assert "田埂" not in lines  # the poster's card, beside post toolbars each time


# A PDF extraction: the journal's running header beside each page number goes; a
# notice's signature that repeats its letterhead stays.
def test_running_header_needs_a_page_break_or_chrome_beside_it() -> None:
    pdf = Document.from_text(
        "青禾学报　　2022年第4期\n"
        "乡村小学的阅读角建设调查\n"
        "一、调查背景\n"
        "近年来，乡村小学陆续建起了阅读角，但图书更新慢、借阅记录少的问题普遍存在，本文\n"
        "- 1 -\n"
        "青禾学报　　2022年第4期\n"
        "以三所学校为例，记录阅读角一个学期的使用情况。\n"
        "二、调查方法\n"
        "调查采用问卷与访谈相结合的方式，共发放问卷三百份，收回有效问卷二百八十六份。\n"
        "- 2 -\n"
        "青禾学报　　2022年第4期\n"
        "三、结论\n"
        "阅读角能否用起来，关键在于有没有人管、有没有新书。\n")
    assert "青禾学报" not in cleaned(pdf).text
    notice = Document.from_text(
        "南岭县农业农村局\n"
        "关于做好秋季农作物病虫害防治工作的通知\n"
        "各乡镇农业服务中心：\n"
        "当前正值秋粮作物病虫害高发期，为确保秋粮丰收，现就有关事项通知如下。\n"
        "一、加强监测预警，及时发布病虫情报。\n"
        "二、抓好统防统治，组织专业化服务队开展防治。\n"
        "三、做好安全用药指导，防止农药残留超标。\n"
        "南岭县农业农村局\n"
        "2024年8月20日\n")
    assert cleaned(notice).text.count("南岭县农业农村局") == 2


# A job page's tail: the recruiter card and company sidebar between the page's widgets
# go with them; a notice's signature and date between its attachments' links and the
# previous/next links stay (a sign-off is the text's own end), and so do the
# attachments its lead-in introduces.
JOB_TAIL = """\
首页 职位 公司 校园 APP 资讯
数据分析师
岗位职责：
1. 负责业务数据的整理与分析，按周输出经营报告；
2. 配合产品团队设计指标体系，跟进数据埋点的质量。
工作地点：南屿市高新区创业路18号。
举报
周女士
南屿数联 · 人事主管
立即登录
查看地图
看过该职位的人还看了
企业服务 职位招聘 热门职位 APP下载
"""

NOTICE_TAIL = """\
[首页](https://www.example.edu.cn/) > [通知公告](https://www.example.edu.cn/tzgg/)
关于举办青年教师教学比赛的通知
各学院：
为提高青年教师的课堂教学水平，学校决定举办第十届青年教师教学比赛，现将有关事项通知如下。
请各学院于10月15日前报送参赛名单。
附件：
[1.报名表.docx](https://www.example.edu.cn/files/1.docx)
教务处
2024年9月20日
[上一篇：关于做好期中教学检查的通知](https://www.example.edu.cn/a/1.htm)
[下一篇：关于调整上课时间的通知](https://www.example.edu.cn/a/2.htm)
"""


def test_a_short_run_between_chrome_in_the_tail_is_chrome() -> None:
    doc = cleaned(Document.from_text(JOB_TAIL))
    assert doc.text.endswith("工作地点：南屿市高新区创业路18号。")
    assert any(c.rule == "edge-run" and c.before == "周女士\n南屿数联 · 人事主管\n立即登录" for c in doc.changes)


def test_a_sign_off_in_the_tail_is_the_texts_own_end() -> None:
    doc = cleaned(Document.from_text(NOTICE_TAIL))
    assert "教务处\n2024年9月20日" in doc.text
    assert not any(c.rule == "edge-run" for c in doc.changes)
    # the list the lead-in introduces is the notice's own, links or not
    assert "附件：\n[1.报名表.docx](https://www.example.edu.cn/files/1.docx)\n教务处" in doc.text


# An encyclopedia entry: each section heading sits over a `播报 编辑` toolbar; the
# toolbars between sections make no section a stray sentence beyond the article.
ENTRY = """\
百科首页 秒懂百科 特色百科 知识专题
竹编
竹编是用竹篾编成器物的传统手工艺，常见的有竹篮、竹席和竹筐。
历史
播报
编辑
早在新石器时代，先民就已用竹篾编织器物，此后竹编在南方各地代代相传。
工艺
播报
编辑
竹编要经过选竹、破篾、刮篾和编织等工序，篾片越薄，编出的器物越细密。
产地
播报
编辑
浙江、福建和四川等地都有竹编的传统，各地的纹样和器形各有特色。
词条统计
浏览次数：10233次
"""


def test_sections_parted_by_toolbars_keep_their_headings() -> None:
    doc = cleaned(Document.from_text(ENTRY))
    lines = doc.text.split("\n")
    for heading in ("历史", "工艺", "产地"):
        assert heading in lines
    assert "播报" not in lines and "编辑" not in lines


# A lyric site prints its plug inside the lyric; the refrain after the last plug is the
# song's own end, not a run of chrome between the plug and the credits; and a one-line
# refrain sung three times is verse, not a running header.
LYRIC = """\
首页 华语男歌手 华语女歌手 排行榜
晚风 - 林小舟
更多更详尽歌词 在 ※ 某某歌词网
晚风吹过旧车站
站台的灯一盏一盏
我在长椅上等你
等到月亮落下山岗
晚风吹过旧车站
你说过要回来
更多更详尽歌词 在 ※ 某某歌词网
啦啦啦 啦啦啦
晚风吹过旧车站
本歌词由 热心网友 提供
"""


def test_the_refrain_after_a_lyric_sites_plug_stays() -> None:
    doc = cleaned(Document.from_text(LYRIC))
    assert doc.text.endswith("你说过要回来\n啦啦啦 啦啦啦\n晚风吹过旧车站")
    assert doc.text.count("晚风吹过旧车站") == 3
    assert "更多更详尽歌词" not in doc.text


# A travel post whose comment box header (`评论（27）`) is also a comment-box widget line:
# the readers' comments under it go, the post stays whole.
POST_WITH_COMMENTS = """\
洱海边的五天
第一天到大理古城已经是傍晚，放下行李就去吃了一碗饵丝，汤头很鲜，配上一碟腌菜刚刚好。
第二天租了电动车沿洱海西岸骑行，一路上走走停停，拍了很多照片，傍晚在喜洲古镇吃了破酥粑粑。
第三天特意住到洱海东岸的双廊，为的就是日出，太阳从背后的山上升起来，把对岸的苍山照成了金色。
回程的飞机上，我已经在想下次什么时候再来了。
评论（27）
旅行的猫 双廊那家客栈叫什么呀？求推荐
小鹿乱撞呀 回复 旅行的猫：私信你啦
一只咸鱼 照片好美，准备十一月去
"""


def test_comments_under_a_comment_box_header_go() -> None:
    doc = cleaned(Document.from_text(POST_WITH_COMMENTS))
    assert doc.text.endswith("回程的飞机上，我已经在想下次什么时候再来了。")
    assert doc.text.startswith("洱海边的五天\n")


# Related questions under an answer go on a page with chrome; a clean essay that ends on
# two questions keeps them.
ANSWER = """\
首页 问答 专家 登录
膝盖疼是不是一定要换关节？
退化性膝关节炎并不是一确诊就要换关节，大部分患者可以先做保守治疗，包括强化肌肉、控制体重。
建议先找物理治疗师评估，再设计适合自己的运动计划。
膝盖有响声是关节退化吗？
老人应该怎么挑登山杖？
Copyright 2024 某某健康网 京ICP备12345678号
"""
ESSAY_END = """\
那年夏天，我们在河边捉了一下午的鱼，回家时天已经黑透了，母亲站在门口等我们。
后来大家各奔东西，河也改了道，那片滩地上盖起了新的楼房。
你还记得那条河吗？
你还会回去看看吗？
"""


def test_a_list_of_questions_in_the_tail_of_a_page_with_chrome_goes() -> None:
    doc = cleaned(Document.from_text(ANSWER))
    assert doc.text.endswith("再设计适合自己的运动计划。")
    assert cleaned(Document.from_text(ESSAY_END)).text == ESSAY_END.rstrip("\n")


# A related list after the article: its titles ask questions, which makes them read as
# sentences, but they are other pages' titles.
ARTICLE_AND_RELATED = """\
首页 | 羽绒服选购 | 品牌大全 | 网站地图
买羽绒服之前，先看懂吊牌上的这几个数字
一件羽绒服保暖不保暖，光看厚薄和价格是不够的，吊牌上印着的几个数字才是关键。
含绒量指的是填充物里绒子所占的比例，日常穿着选百分之八十以上的就比较暖和了。
最后提醒一句，试穿时用手拍一拍衣服，如果有细小的绒毛飘出来，说明面料防钻绒做得不好。
相关文章
鹅绒和鸭绒哪个更保暖？鹅绒鸭绒的区别
羽绒服钻绒怎么办？处理方法看这里
羽绒服洗后结块怎么恢复
Copyright 2023 某某知识网 版权所有
"""


def test_a_related_list_after_the_article_goes_with_its_question_titles() -> None:
    doc = cleaned(Document.from_text(ARTICLE_AND_RELATED))
    assert doc.text.endswith("说明面料防钻绒做得不好。")
    assert doc.text.startswith("买羽绒服之前，先看懂吊牌上的这几个数字\n")


# A hospital's department page as Markdown: after its last sentence come its lists,
# headings, doctors and timetable, all the page's own text; a Q&A page's doctor card
# (three weak lines in a row) goes.
DEPARTMENT = """\
* [首页](https://www.example-hospital.cn/)
* [科室导航](https://www.example-hospital.cn/keshi/)
* [就医指南](https://www.example-hospital.cn/guide/)

# 消化内科

消化内科是我院重点专科之一，现有医师二十三名，开放床位六十张，年门诊量约十二万人次。

## 特色诊疗

* 无痛胃肠镜
* 幽门螺杆菌个体化根除治疗

## 专家团队

**林某某** 主任医师 科主任

擅长：消化道早期肿瘤的内镜诊断与治疗。

**沈某某** 副主任医师

## 门诊安排

| 时间 | 上午 | 下午 |
| --- | --- | --- |
| 周一 | 林某某 | 普通门诊 |

Copyright © 2024 某市第一人民医院 版权所有 浙ICP备12345678号
"""
CARD = """\
首页 问医生 找医院 | 登录 注册
孩子晚上总咳嗽怎么办？
问题描述：女儿五岁，这半个月一到晚上躺下就咳，有时候能咳醒，白天反而还好。
医生回答
王某某　主治医师
某市第一人民医院　儿科
擅长：小儿呼吸系统疾病、小儿哮喘、过敏性咳嗽
夜间咳嗽多见于过敏性咳嗽或鼻后滴漏，建议先到医院做个血常规和过敏原检查，再对症处理。
"""


def test_a_department_page_keeps_its_lists_doctors_and_timetable() -> None:
    text = cleaned(Document.from_text(DEPARTMENT)).text
    for line in ("* 无痛胃肠镜", "**林某某** 主任医师 科主任", "擅长：消化道早期肿瘤的内镜诊断与治疗。",
                 "**沈某某** 副主任医师", "| 周一 | 林某某 | 普通门诊 |"):
        assert line in text.split("\n")
    assert "科室导航" not in text


def test_a_qa_pages_doctor_card_goes() -> None:
    text = cleaned(Document.from_text(CARD)).text
    assert "主治医师" not in text and "擅长" not in text
    assert text.endswith("再对症处理。")


def test_a_videos_chapter_list_is_not_a_list_of_related_questions() -> None:
    page = ("首页 番剧 直播 | 登录\n三分钟讲清楚小满\n"
            "二十四节气里有小暑大暑、小寒大寒，偏偏只有小满，没有大满，这期就来讲讲其中的道理。\n"
            "00:00 小满是什么时候\n00:58 为什么没有大满\n"
            "© 2024 某某视频 沪ICP备12345678号\n")
    text = cleaned(Document.from_text(page)).text
    assert "00:00 小满是什么时候\n00:58 为什么没有大满" in text
