"""Realistic, deterministic sample workbooks (``leadbook sample``): one per rep, with planted
defects and planted 撞单 (one customer in two reps' files), both listed in ``manifest.json``.

Everything comes from ``random.Random(seed)`` and ``as_of``, never the clock: the same arguments
give the same records and the same manifest. :func:`generate` returns the records without
writing (tests, benchmarks); :func:`make_sample` writes them with the template's writer.
Planted personal data (mobiles, e-mails, names) is kept masked in the results and the manifest.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from leadbook.core import reference
from leadbook.core.atomic import atomic_path, check_target
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.leadid import ids_for
from leadbook.core.mask import mask_text


# ------------------------------------------------------------------------------ data lists
def _words(text: str) -> tuple[str, ...]:
    """A data list written as one string, items separated by white space."""
    return tuple(text.split())


def _table(text: str) -> dict[str, tuple[str, ...]]:
    """``key: item item ...`` lines as a dict of word lists."""
    rows = (line.split(":", 1) for line in text.strip().splitlines())
    return {key.strip(): _words(items) for key, items in rows}


SURNAMES = "张王李赵陈刘杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
BRAND_CHARS = (  # brands alternate the two lists: 华创, 恒瑞达, 鼎盛泰和 ...
    "华恒宏鼎瑞嘉卓博盛汇鑫凯宇腾启航润锐迈奥捷昊晟诚浩峰蓝星远志联拓信源达正泰新天和",
    "创科通安康达泰祥丰瑞利盛德佳力威辰弘源智睿微邦海川合宁成兴亿云维拓锦骏驰耀诺",
)
LEGAL_FORMS = {"有限公司": 7, "股份有限公司": 2, "有限责任公司": 1}
SECTION_WEIGHTS = {"制造业": 30, "信息传输、软件和信息技术服务业": 18, "批发和零售业": 12}
SECTION_WEIGHTS |= {"交通运输、仓储和邮政业": 6, "建筑业": 5, "科学研究和技术服务业": 5}
SKIP_SECTIONS = ("公共管理、社会保障和社会组织", "国际组织")
# The industry word of the company name, per section (per division for manufacturing).
SECTION_WORDS = _table("""
    信息传输、软件和信息技术服务业: 科技 信息技术 软件 网络科技 数据科技
    批发和零售业: 贸易 商贸 供应链管理
    交通运输、仓储和邮政业: 物流 供应链 运输
    建筑业: 建设工程 建筑工程 装饰工程
    科学研究和技术服务业: 检测技术 技术服务
    租赁和商务服务业: 企业管理咨询 设备租赁
    电力、热力、燃气及水生产和供应业: 能源 新能源
    卫生和社会工作: 医疗管理 健康科技
    住宿和餐饮业: 酒店管理 餐饮管理
    房地产业: 置业 物业服务
    教育: 教育科技
    金融业: 融资租赁
    计算机、通信和其他电子设备制造业: 电子 智能
    专用设备制造业: 医疗器械 智能装备
    通用设备制造业: 精密 机械
    汽车制造业: 汽车部件 精密
    电气机械和器材制造业: 电气 新能源
    仪器仪表制造业: 仪器 传感
    化学原料和化学制品制造业: 化工 新材料
    橡胶和塑料制品业: 新材料 塑胶
    医药制造业: 生物医药 制药
    金属制品业: 五金 金属制品
""")
DEFAULT_WORDS = _words("科技 实业 发展")
MAIN_BUSINESS = dict(
    pair.split(":")
    for pair in _words("""
    电子:电子元器件 智能:智能控制设备 医疗器械:医用监护设备 智能装备:自动化装备 精密:精密零部件
    机械:通用机械 汽车部件:汽车零部件 电气:电气设备 新能源:储能设备 仪器:检测仪器 传感:工业传感器
    化工:精细化学品 新材料:高分子材料 塑胶:塑料制品 生物医药:生物制剂 制药:化学药品 五金:五金件
    物流:仓储物流 供应链:供应链服务 运输:道路货运 软件:行业软件 科技:软件开发与系统集成 贸易:工业品贸易
""")
)
PROVINCE_WEIGHTS = {"广东省": 18, "江苏省": 14, "浙江省": 12, "上海市": 10, "北京市": 10}
PROVINCE_WEIGHTS |= {"山东省": 8, "四川省": 3, "湖北省": 3, "福建省": 3}
SKIP_PROVINCES = ("台湾省", "香港特别行政区", "澳门特别行政区")
AREA_CODES = dict(
    pair.split(":")
    for pair in _words("""
    北京市:010 上海市:021 天津市:022 重庆市:023 广州市:020 深圳市:0755 东莞市:0769 佛山市:0757
    珠海市:0756 惠州市:0752 中山市:0760 杭州市:0571 宁波市:0574 温州市:0577 嘉兴市:0573 绍兴市:0575
    金华市:0579 台州市:0576 南京市:025 苏州市:0512 无锡市:0510 常州市:0519 南通市:0513 徐州市:0516
    扬州市:0514 济南市:0531 青岛市:0532 烟台市:0535 潍坊市:0536 东营市:0546 成都市:028 武汉市:027
    西安市:029 沈阳市:024 长沙市:0731 郑州市:0371 合肥市:0551 福州市:0591 厦门市:0592 泉州市:0595
    大连市:0411 哈尔滨市:0451 长春市:0431 石家庄市:0311 昆明市:0871 南宁市:0771 南昌市:0791
    贵阳市:0851 太原市:0351
""")
)
# Elsewhere: the first three digits of the province's area codes, plus one digit per city.
PROVINCE_AREA = dict(
    pair.split(":")
    for pair in _words("""
    河北:031 山西:035 内蒙古:047 辽宁:041 吉林:043 黑龙江:045 江苏:051 浙江:057 安徽:055 福建:059
    江西:079 山东:053 河南:037 湖北:071 湖南:073 广东:075 广西:077 海南:089 四川:083 贵州:085
    云南:087 西藏:089 陕西:091 甘肃:093 青海:097 宁夏:095 新疆:099
""")
)
CONTACT_TITLES = _words("经理 总 工 主管 总监 女士 先生")
POSITIONS = _words("""
    采购部主管 采购经理 技术总监 总经理 IT经理 生产部经理 信息中心主任 设备部经理 副总经理
    运营总监 财务总监 供应链经理 研发经理 行政主管
""")
NEEDS = _words("""
    需要采购{n}套智能传感器,要求精度±{acc}% 降低采购成本{pct}%,统一供应商管理
    ERP系统升级,支持{users}并发用户 新建{k}条自动化产线,生产节拍提升{pct}%
    WMS仓储系统改造,日处理订单{n}0单 采购{k}台工业机器人,重复定位精度±0.05mm
    CRM系统替换,覆盖{users}名销售人员 MES系统上线,良品率提升{pct}%
    能耗监测平台覆盖{k}个厂区,年节能{pct}% 采购{n}台监护仪,需具备NMPA注册证
    冷链运输外包,月均{n}吨,全程温控2-8℃ 办公网络改造,{users}个工位千兆到桌面
    视觉检测设备{k}套,漏检率低于0.1% OA与财务系统集成,审批时长缩短{pct}%
    采购{n}吨改性塑料粒子,阻燃等级V-0 数据中心扩容{k}0个机柜,PUE降至1.3以下
""")
LOW_NEEDS = _words(
    "关注能耗管理方案,暂无明确采购计划 评估明年ERP替换的可行性 收集MES供应商资料,明年立项"
)
BUDGETS = _words("""
    5-10万 10-20万 20-30万 30-50万 50-80万 50-100万 100-200万 200-500万
    30万以下 50万以上 100万以上 1.5亿 1-2亿 80万
""")
DECISIONS = _words("""
    需技术部评估,总经理审批 采购部+财务部双审批 技术部选型,采购部比价,总经理拍板
    IT部评估,董事会审批 生产部提需求,采购部招标,副总审批 集团采购中心统一招标
""")
CURRENT = _words("进口传感器(德国品牌) 用友U8 金蝶K3 Excel手工管理 自研系统 国产品牌设备")
COMPETITORS = _words("某国产品牌报价低10% 某德国品牌 本地集成商 金蝶 用友 两家国产厂商比价中")
PINYIN = _words("hua chuang heng tai xin rui da kang tong yuan jie sheng")
# Values for the {placeholders} of need and log texts.
WORDS = _table("""
    n: 50 100 200 300 500 800 1000 2000
    pct: 5 8 10 15 20 25 30
    k: 2 3 4 6
    users: 50 100 200 300 500 1000
    acc: 0.1 0.05 0.5
    days: 3 5 7 10 15
    term: 30 60 90
    pay: 30 50
    aspect: 接口兼容性 交付周期 售后响应时间 精度指标 数据安全
    dept: 技术部 采购部 财务部 IT部
    competitor: 某国产品牌 某德国品牌 本地集成商
    topic: 设备采购 系统升级 产线改造 外包服务
    current: 进口传感器 用友U8 金蝶K3 Excel手工台账 自研系统
""")
# Log texts for the contact that moves a lead into a status; GENERAL_TEXT for the others.
STAGE_TEXT = _table("""
    跟进中: 首次沟通,确认{topic}需求,约定发送产品资料 了解现有{current}使用情况,客户关注交付周期
    待报价: 客户要求{days}天内提供正式报价,已确认数量与交期 需求确认完毕,客户要求提供阶梯报价
    方案提交中: 提交技术方案,客户对{aspect}提出疑问,需补充技术参数说明 方案评审:客户要求增加{aspect}对比测试
    商务谈判: 商务谈判:客户希望价格下调{pct}%,账期{term}天 客户对比{competitor}报价,我方高约{pct}%,已申请特价
    已成交: 签订合同,首付款{pay}%已到账,安排交付 客户确认中标,合同已盖章回传
    已休眠: 客户明确暂无采购计划,转入培育池,下季度再联系 多次联系未回复,标记休眠,季度复访
    无效: 对方公司无相关业务,判定无效线索 非目标客户(个人咨询),判定无效
""")
GENERAL_TEXT = _words("""
    跟进内部评估进度,技术部评估中 客户询问{aspect},已发送说明材料 发送成功案例,客户转交{dept}评估
    客户暂未回复,已留言提醒 客户内部预算审批中,预计{days}天后反馈 客户提出{aspect}方面的新要求,已记录
""")
# The next action promised, by the status after the contact.
NEXT_TASKS = _table("""
    跟进中: 发送产品资料 预约现场拜访 确认技术对接人
    待报价: 提交正式报价单 确认阶梯报价
    方案提交中: 提交技术参数说明 安排样品测试 组织方案演示
    商务谈判: 提交特价申请 确认合同条款
    已成交: 召开项目启动会 安排首批交付
    已休眠: 季度复访,确认需求变化
""")
CHANNEL_WEIGHTS = {"展会": 30, "官网表单": 30, "电话推荐": 15, "老客户转介绍": 15, "其他": 10}
METHOD_WEIGHTS = {"电话": 40, "微信/钉钉": 25, "线上会议": 15, "面谈": 15, "邮件": 5}
# Share of each outcome, and the (high, mid, low) potential weights of its leads. stale: open
# but without contact for more than dormancy_days; fresh: open and not contacted yet.
OUTCOMES = {
    "won": (0.14, (5, 4, 1)), "lost": (0.12, (2, 5, 3)), "dormant": (0.08, (1, 4, 5)),
    "invalid": (0.05, (1, 3, 6)), "open": (0.45, (1, 2, 1)), "stale": (0.08, (3, 9, 8)),
    "fresh": (0.08, (6, 9, 5)),
}  # fmt: skip
# Defects are planted in this order, round robin (duplicate-lead-id is left out: the lead ID
# is the template's formula).
DEFECT_CODES = _words("""
    required-missing not-in-list invalid-phone invalid-datetime invalid-budget personal-mobile
    personal-email unmasked-name region-mismatch industry-mismatch lost-without-reason vague-need
    high-potential-incomplete unknown-lead log-mismatch
""")
BAD_VALUES = _table("""
    size: 300人左右 中型企业 约200人
    method: 上门拜访 短信
    budget: 面议 大概几十万 预算未定 十几万左右
    date: 2024/13/45 2025-02-30 下周三 月底前
    email: zhang.san lili_88 wangwei1990 chen.jie
""")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
FIRST_REGISTER_ROW, FIRST_LOG_ROW = 3, 2  # Excel rows of the first data row


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class PlantedDefect:
    file: str
    sheet: str  # "register" or "log"
    row: int  # as Excel shows it
    field: str
    code: str
    value: str  # what was written, masked
    lead_id: str | None = None


@dataclass(frozen=True)
class PlantedDuplicate:
    brand: str
    entries: tuple[tuple[str, str, str], ...]  # (file, lead ID, company as written)
    shared: str = ""  # "office_phone", "im_account" or "" (what both rows share)


@dataclass
class SampleBook:
    file: str
    rep: str
    register: list[dict[str, Any]]  # keyed by field key, lead_id included
    log: list[dict[str, Any]]


@dataclass
class SampleData:
    books: list[SampleBook]
    defects: list[PlantedDefect]
    duplicates: list[PlantedDuplicate]
    config: TeamConfig  # the team config with the sample's reps


@dataclass
class SampleResult:
    paths: list[Path]
    defects: list[PlantedDefect]
    duplicates: list[PlantedDuplicate]
    manifest: Path


def mask(text: str) -> str:
    """Mobiles as 138****5678, e-mail addresses as z***@qq.com (see ``leadbook.core.mask``)."""
    return mask_text(text)


# ------------------------------------------------------------------------------ public API
def generate(
    *,
    reps: int = 12,
    leads: int = 150,
    seed: int = 7,
    defects: float = 0.05,
    as_of: datetime,
    config: TeamConfig | None = None,
    duplicates: int | None = None,
) -> SampleData:
    """The sample's records, one book per rep, without writing anything."""
    if reps < 1 or leads < 1 or not 0 <= defects <= 1 or as_of.tzinfo is not None:
        raise ValueError("need reps >= 1, leads >= 1, 0 <= defects <= 1 and a naive as_of")
    if duplicates is None:
        duplicates = max(1, reps // 2) if reps >= 2 else 0
    if duplicates and (reps < 2 or duplicates * 2 > reps * leads):
        raise ValueError(f"cannot plant {duplicates} duplicates in {reps} x {leads} leads")
    gen = _Generator(random.Random(seed), config or load_config(), as_of)
    return gen.run(reps, leads, defects, duplicates)


def make_sample(
    out_dir: Path,
    *,
    reps: int = 12,
    leads: int = 150,
    seed: int = 7,
    defects: float = 0.05,
    as_of: datetime,
    config: TeamConfig | None = None,
    duplicates: int | None = None,
    force: bool = False,
) -> SampleResult:
    """Write ``rep01.xlsx`` ... (one workbook per rep) and ``manifest.json`` into ``out_dir``."""
    from leadbook.workbook.template import write_workbook  # xlsxwriter: only when writing

    params = {"reps": reps, "leads": leads, "seed": seed, "defects": defects}
    data = generate(**params, as_of=as_of, config=config, duplicates=duplicates)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = out_dir / "manifest.json"
    for target in [out_dir / b.file for b in data.books] + [manifest]:
        check_target(target, force)  # refuse before writing anything
    paths = [
        write_workbook(
            out_dir / b.file,
            config=data.config,
            register=b.register,
            log=b.log,
            force=force,
            created=as_of,
        )
        for b in data.books
    ]
    with atomic_path(manifest, force=force) as tmp:
        tmp.write_text(manifest_json(data, params | {"as_of": as_of}), encoding="utf-8")
    return SampleResult(paths, data.defects, data.duplicates, manifest)


def manifest_json(data: SampleData, params: dict[str, Any]) -> str:
    """The manifest: parameters, files, planted defects and duplicates (personal data masked)."""
    params = {("defect_rate" if k == "defects" else k): v for k, v in params.items()}
    if isinstance(params.get("as_of"), datetime):
        params["as_of"] = params["as_of"].isoformat(sep=" ", timespec="minutes")
    doc = {
        "generator": "leadbook.sample",
        "params": params,
        "files": [
            {"file": b.file, "rep": b.rep, "leads": len(b.register), "log_entries": len(b.log)}
            for b in data.books
        ],
        "defects": [asdict(d) | {"value": mask(d.value)} for d in data.defects],
        "duplicates": [asdict(d) for d in data.duplicates],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------ generation
@dataclass
class _Lead:
    book: int
    outcome: str
    reg: dict[str, Any]
    entries: list[dict[str, Any]]
    brand: str
    duplicate: bool = False


class _Weighted:
    """A weighted choice among fixed items (cumulative weights computed once)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.items, self.cum = list(weights), list(accumulate(weights.values()))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _stem(place: str) -> str:
    """广东省 -> 广东, 深圳市 -> 深圳, 广西壮族自治区 -> 广西."""
    for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if place.endswith(suffix):
            return place.removesuffix(suffix)
    return place


def _quotas(n: int, shares: dict[str, float]) -> list[str]:
    """``n`` outcomes in the given shares (largest remainder, empty outcomes first)."""
    counts = {k: int(n * s) for k, s in shares.items()}
    rest = sorted(shares, key=lambda k: (counts[k] > 0, counts[k] - n * shares[k]))
    for k in rest[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k, c in counts.items() for _ in range(c)]


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class _Generator:
    def __init__(self, rng: random.Random, config: TeamConfig, as_of: datetime) -> None:
        self.rng, self.cfg, self.as_of = rng, config, _minute(as_of)
        statuses, closed = config.values("statuses"), config.status_groups.get("closed", ())
        self.open = [s for s in statuses if s not in closed]  # 待跟进, 跟进中, ... 商务谈判
        self.final = {g: config.status_groups[g][0] for g in ("won", "lost", "dormant", "invalid")}
        self.levels = config.values("potential_levels")
        self.regions, self.industries = reference.regions(), reference.industries()
        self.stems = {_stem(p) for p in self.regions} | {
            _stem(c) for cs in self.regions.values() for c in cs
        }
        provinces = [p for p in self.regions if p not in SKIP_PROVINCES]
        self.province = _Weighted({p: PROVINCE_WEIGHTS.get(p, 1) for p in provinces})
        self.city = {  # the capital or municipality first, then cities with a known area code
            p: _Weighted({c: 8 if c == p else 5 if c in AREA_CODES else 1 for c in self.regions[p]})
            for p in provinces
        }
        self.sections = [s for s in self.industries if s not in SKIP_SECTIONS]
        self.section = _Weighted({s: SECTION_WEIGHTS.get(s, 1) for s in self.sections})
        self.division = {  # divisions with their own industry words first
            s: _Weighted({d: 4 if d in SECTION_WORDS else 1 for d in self.industries[s]})
            for s in self.sections
        }
        self.channels = {c.name: CHANNEL_WEIGHTS.get(c.name, 10) for c in config.channels}
        self.channel = _Weighted(self.channels)
        self.method = _Weighted(
            {m: METHOD_WEIGHTS.get(m, 5) for m in config.values("contact_methods")}
        )
        self.legal_form = _Weighted(LEGAL_FORMS)
        self.brands: set[str] = set()
        self.reps: list[str] = []

    # ------------------------------------------------------------------ the whole sample
    def run(self, reps: int, leads: int, defects: float, duplicates: int) -> SampleData:
        rng = self.rng
        self.reps = self._rep_names(reps)
        self.cfg = replace(self.cfg, reps=tuple(dict.fromkeys([*self.cfg.reps, *self.reps])))
        plan = [_quotas(leads, {k: v[0] for k, v in OUTCOMES.items()}) for _ in range(reps)]
        for outcomes in plan:
            rng.shuffle(outcomes)
        books: list[list[_Lead]] = [[] for _ in range(reps)]
        pairs = []
        for _ in range(duplicates):  # the two least-filled books, ties broken at random
            a, b = sorted(sorted(range(reps), key=lambda i: (len(books[i]), rng.random()))[:2])
            pair = self._duplicate(a, plan[a][len(books[a])], b, plan[b][len(books[b])])
            books[a].append(pair[0])
            books[b].append(pair[1])
            pairs.append(pair)
        for i, outcomes in enumerate(plan):
            books[i] += [self._lead(i, o, self._company()) for o in outcomes[len(books[i]) :]]
            books[i].sort(key=lambda lead: lead.reg["created_at"])
        extra: list[list[dict]] = [[] for _ in range(reps)]  # log rows of unknown leads
        marks = self._plant(books, extra, round(defects * reps * leads))
        return self._assemble(books, extra, marks, pairs)

    def _rep_names(self, n: int) -> list[str]:
        """The config's reps first, then masked surnames (*张, *李, ...) not taken yet."""
        names = list(self.cfg.reps[:n])
        surnames = self.rng.sample(SURNAMES, len(SURNAMES))
        for i in range(2 * n):
            name = f"*{surnames[i % len(surnames)]}{i // len(surnames) or ''}"
            if len(names) < n and name not in names:
                names.append(name)
        return names

    def _assemble(self, books, extra, marks, pairs) -> SampleData:
        """Lead IDs (as the template's formula computes them), sorted logs, Excel rows."""
        codes = {c.name: c.code for c in self.cfg.channels}
        out: list[SampleBook] = []
        for i, leads in enumerate(books):
            for lead, lead_id in zip(leads, ids_for([x.reg for x in leads], codes), strict=True):
                lead.reg["lead_id"] = lead_id
                for entry in lead.entries:
                    entry["lead_id"] = lead_id
            log = sorted(
                [e for x in leads for e in x.entries] + extra[i], key=lambda e: e["contact_at"]
            )
            out.append(
                SampleBook(f"rep{i + 1:02d}.xlsx", self.reps[i], [x.reg for x in leads], log)
            )
        rows = {id(r): j + FIRST_REGISTER_ROW for b in out for j, r in enumerate(b.register)}
        rows |= {id(e): j + FIRST_LOG_ROW for b in out for j, e in enumerate(b.log)}
        defects = [
            PlantedDefect(out[lead.book].file, sheet, rows[id(entry or lead.reg)], key, code,
                          mask(value), (entry or lead.reg)["lead_id"])
            for lead, sheet, key, code, value, entry in marks
        ]  # fmt: skip
        duplicates = []
        for a, b in pairs:
            shared = [
                k for k in ("office_phone", "im_account") if a.reg[k] and a.reg[k] == b.reg[k]
            ]
            rows_ = tuple((out[x.book].file, x.reg["lead_id"], x.reg["company"]) for x in (a, b))
            duplicates.append(PlantedDuplicate(a.brand, rows_, "".join(shared)))
        return SampleData(out, defects, duplicates, self.cfg)

    # ------------------------------------------------------------------ companies
    def _brand(self) -> str:
        """A new 2-4 character brand that does not start with a place name."""
        while True:
            size = self.rng.choices((2, 3, 4), (6, 3, 1))[0]
            brand = "".join(self.rng.choice(BRAND_CHARS[i % 2]) for i in range(size))
            place = any(brand[:k] in self.stems for k in range(2, size + 1))
            if not place and brand not in self.brands and len(set(brand)) == size:
                self.brands.add(brand)
                return brand

    def _company(self) -> dict[str, str]:
        rng = self.rng
        section = self.section(rng)
        division = self.division[section](rng)
        words = SECTION_WORDS.get(division) or SECTION_WORDS.get(section) or DEFAULT_WORDS
        province = self.province(rng)
        return {"brand": self._brand(), "word": rng.choice(words), "section": section,
                "division": division, "province": province, "city": self.city[province](rng),
                "legal": self.legal_form(rng)}  # fmt: skip

    def _written(self, co: dict[str, str], form: str) -> str:
        """The company name in one of the ways people write it."""
        province, city, legal = co["province"], co["city"], co["legal"]
        core = co["brand"] + co["word"]  # what a duplicate check keeps
        town = city if city.endswith("市") and province not in AREA_CODES else province
        place = _stem(town)
        return {
            "town": f"{town}{core}{legal}", "bare": f"{core}{legal}", "stem": f"{place}{core}{legal}",
            "province": f"{_stem(province)}{core}{legal}", "bracket": f"{core}({place}){legal}",
            "wide": f"{core}\uff08{place}\uff09{legal}", "joint": f"{core}股份有限公司",
            "space": f"{town} {core}{legal}", "china": f"{core}(中国){legal}",
            "group": f"{place}{core}集团有限公司",
        }[form]  # fmt: skip

    # ------------------------------------------------------------------ one lead
    def _lead(self, book: int, outcome: str, co: dict[str, str], channel: str = "") -> _Lead:
        rng = self.rng
        potential = rng.choices(self.levels[:3], OUTCOMES[outcome][1][: len(self.levels)])[0]
        rank = min(self.levels.index(potential), 2)  # 0 high, 1 mid, 2 low
        channel = channel or self.channel(rng)
        created = self._created(outcome, channel)
        phone, im = rng.random() < 0.7, rng.random() < 0.6
        if not (phone or im):
            phone, im = (True, False) if rng.random() < 0.5 else (False, True)
        form = rng.choices(("town", "bare", "stem", "province", "bracket"), (5, 3, 2, 2, 1))[0]
        has = lambda *p: rng.random() < p[rank]  # noqa: E731  (probability per potential level)
        reg = {
            "created_at": created, "channel": channel, "status": self.open[0], "potential": potential,
            "company": self._written(co, form), "industry": co["section"],
            "industry_division": co["division"], "size": rng.choice(self.cfg.values("company_sizes")),
            "province": co["province"], "city": co["city"], "contact": "*" + rng.choice(CONTACT_TITLES),
            "position": rng.choice(POSITIONS), "office_phone": self._phone(co) if phone else None,
            "im_account": self._im() if im else None,
            "need": self._fill(rng.choice(NEEDS if has(1, 1, 0.6) else LOW_NEEDS)),
            "budget": rng.choice(BUDGETS) if has(1, 0.85, 0.4) else None,
            "timeline": self._timeline(created) if has(1, 0.75, 0.3) else None,
            "decision": rng.choice(DECISIONS) if has(1, 0.7, 0.3) else None,
            "last_owner": None, "last_contact_at": None, "last_summary": None, "next_action": None,
            "next_due": None, "loss_reason": None,
            "website": f"https://www.{''.join(rng.sample(PINYIN, 2))}.com.cn" if has(0.4, 0.3, 0.2) else None,
            "main_business": MAIN_BUSINESS.get(co["word"], co["division"]) if has(0.6, 0.5, 0.3) else None,
            "current_products": rng.choice(CURRENT) if has(0.5, 0.4, 0.2) else None,
            "competitors": rng.choice(COMPETITORS) if has(0.4, 0.3, 0.1) else None,
        }  # fmt: skip
        lead = _Lead(book, outcome, reg, [], co["brand"])
        if outcome != "fresh":
            self._follow_up(lead, rank)
        return lead

    def _duplicate(self, a: int, outcome_a: str, b: int, outcome_b: str) -> tuple[_Lead, _Lead]:
        """One customer in books a and b: same brand, written differently, other channel."""
        co = self._company()
        first = self._lead(a, outcome_a, co)
        others = {k: w for k, w in self.channels.items() if k != first.reg["channel"]}
        second = self._lead(b, outcome_b, co, _Weighted(others or self.channels)(self.rng))
        forms = self.rng.sample(
            ("town", "bracket", "joint", "stem", "space", "wide", "china", "group"), 2
        )
        first.reg["company"], second.reg["company"] = (self._written(co, f) for f in forms)
        shared = self.rng.choice(("office_phone", "im_account", "", ""))
        if shared:
            value = first.reg[shared] or second.reg[shared]
            value = value or (self._phone(co) if shared == "office_phone" else self._im())
            first.reg[shared] = second.reg[shared] = value
        first.duplicate = second.duplicate = True
        return first, second

    def _fill(self, template: str) -> str:
        names = PLACEHOLDER.findall(template)
        return template.format(**{k: self.rng.choice(WORDS[k]) for k in names})

    def _phone(self, co: dict[str, str]) -> str:
        """The city's real area code where known (else a stable plausible one) + 7-8 digits."""
        rng, city, province = self.rng, co["city"], co["province"]
        code = AREA_CODES.get(city) or AREA_CODES.get(province)
        if code is None:  # stable per city
            code = PROVINCE_AREA.get(_stem(province), "059") + str(zlib.crc32(city.encode()) % 10)
        digits = 8 if len(code) == 3 or rng.random() < 0.7 else 7
        number = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
        return f"{code}-{number}" + (f"-{rng.randint(600, 899)}" if rng.random() < 0.15 else "")

    def _im(self) -> str:
        letters = "".join(self.rng.choices("abcdefghjkmnpqrstuvwxyz", k=self.rng.randint(4, 7)))
        return self.rng.choice(("wxid_", "dd_")) + letters + str(self.rng.randint(10, 9999))

    def _timeline(self, created: datetime) -> str:
        rng = self.rng
        t = created + timedelta(days=rng.randint(40, 240))
        q = (t.month - 1) // 3 + 1
        return rng.choice((f"计划Q{q}启动", f"需{rng.randint(1, 6)}个月内上线", f"计划{t.year}年{t.month}月交付",
                           f"{t.year}年底前完成验收", f"计划{t.year}年Q{q}招标"))  # fmt: skip

    # ------------------------------------------------------------------ time
    def _created(self, outcome: str, channel: str) -> datetime:
        """Creation time: older for outcomes that take time; office hours except web forms."""
        rng, dormancy = self.rng, self.cfg.dormancy_days
        if outcome == "fresh" and rng.random() < 0.5:  # came in today: still within its SLA
            return self.as_of - timedelta(minutes=rng.randint(30, 20 * 60))
        low = {"won": 15, "lost": 10, "dormant": 40, "invalid": 2, "open": 1, "fresh": 3}
        high = 60 if outcome == "fresh" else max(200, dormancy + 60)
        t = self.as_of - timedelta(days=rng.uniform(low.get(outcome, dormancy + 15), high))
        if channel == "官网表单":
            return _minute(t)
        t -= timedelta(days=max(0, t.weekday() - 4))  # weekend -> Friday
        return t.replace(
            hour=rng.randint(9, 17), minute=rng.randint(0, 59), second=0, microsecond=0
        )

    def _first_delay(self, rank: int) -> timedelta:
        """Hours to the first contact; one in five high/mid leads misses its SLA."""
        late = self.rng.random() < 0.2
        hours = ((25, 96) if late else (0.3, 14), (50, 150) if late else (0.5, 30), (1, 240))[rank]
        return timedelta(hours=self.rng.uniform(*hours))

    def _last_contact(
        self, outcome: str, created: datetime, first: datetime
    ) -> tuple[datetime, int]:
        """The time of the newest contact, and how many contacts."""
        rng, as_of, dormancy = self.rng, self.as_of, self.cfg.dormancy_days
        days = lambda a, b: timedelta(days=rng.uniform(a, b))  # noqa: E731
        age = (as_of - created).days
        return {
            "won": lambda: (created + days(10, min(120, age - 1)), rng.randint(3, 10)),
            "lost": lambda: (created + days(5, age - 1), rng.randint(2, 8)),
            "dormant": lambda: (created + days(10, age - 1), rng.randint(1, 4)),
            "invalid": lambda: (first + days(0, 3), rng.randint(1, 2)),
            "stale": lambda: (as_of - days(dormancy + 3, max(dormancy + 4, age - 5)), rng.randint(1, 5)),
            "open": lambda: (as_of - days(0, max(1, min(45, dormancy - 10, age))), rng.randint(2, 8)),
        }[outcome]()  # fmt: skip

    def _times(self, created: datetime, first: datetime, last: datetime, n: int) -> list[datetime]:
        """``n`` increasing contact times from ``first`` to ``last`` (fewer if they collide)."""
        first = min(first, self.as_of)
        last = min(max(last, first), self.as_of)
        span = (last - first).total_seconds()
        mids = sorted(first + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(n - 2))
        out: list[datetime] = []
        for t in [first] if n == 1 else [first, *mids, last]:
            t = self._daytime(_minute(t), created)
            if t > created and (not out or t > out[-1]):
                out.append(t)
        return out

    def _daytime(self, t: datetime, created: datetime) -> datetime:
        """Move a contact at night into the day (same date), unless that breaks the order."""
        if 8 <= t.hour <= 20:
            return t
        day = t.replace(hour=8 + self.rng.randint(0, 1)) if t.hour < 8 else t.replace(hour=20)
        return day if created < day <= self.as_of else t

    # ------------------------------------------------------------------ follow-up log
    def _path(self, outcome: str, n: int) -> list[str]:
        """The statuses a lead moves through, cut to fit ``n`` contacts (first and last kept)."""
        work, rng = self.open[1:], self.rng
        path = {
            "won": work + [self.final["won"]],
            "lost": work[: rng.randint(1, len(work))] + [self.final["lost"]],
            "dormant": work[: rng.randint(1, 2)] + [self.final["dormant"]],
            "invalid": work[:1] + [self.final["invalid"]],
        }.get(outcome) or work[: rng.randint(1, len(work))]
        return path[-1:] if n == 1 else path[:1] + path[max(1, len(path) - n + 1) :]

    def _follow_up(self, lead: _Lead, rank: int) -> None:
        """The lead's log, its status, and the register's copy of the newest entry."""
        rng, reg = self.rng, lead.reg
        first = reg["created_at"] + self._first_delay(rank)
        last, n = self._last_contact(lead.outcome, reg["created_at"], first)
        times = self._times(reg["created_at"], first, last, n)
        path, end = self._path(lead.outcome, len(times)), len(times) - 1
        slots = (
            [0] if len(path) == 1 else [0, *sorted(rng.sample(range(1, end), len(path) - 2)), end]
        )
        changes = dict(zip(slots, path, strict=True))
        own, colleague = self.reps[lead.book], self._colleague(lead.book)
        handed_over = rng.random() < 0.1  # a colleague made the early contacts (R-K5)
        status = reg["status"]
        for i, t in enumerate(times):
            status = changes.get(i) or status
            owner = colleague if handed_over and i < len(times) // 2 else own
            lead.entries.append(self._entry(lead, t, owner, changes.get(i), status))
        if rng.random() < 0.04:  # a colleague covered the newest contact
            lead.entries[-1]["owner"] = colleague
        newest = lead.entries[-1]
        reg |= {"status": status, "last_owner": newest["owner"], "last_contact_at": newest["contact_at"],
                "last_summary": newest["content"], "next_action": newest["next_action"],
                "next_due": newest["due"]}  # fmt: skip

    def _colleague(self, book: int) -> str:
        if len(self.reps) == 1:
            return self.reps[book]
        other = self.rng.randrange(len(self.reps) - 1)
        return self.reps[other + (other >= book)]

    def _entry(
        self, lead: _Lead, t: datetime, owner: str, status_to: str | None, status: str
    ) -> dict:
        rng = self.rng
        if status_to == self.final["lost"]:
            lead.reg["loss_reason"] = reason = rng.choice(self.cfg.values("loss_reasons"))
            content = f"客户反馈:{reason},项目终止"
        else:
            texts = STAGE_TEXT.get(status_to or "", GENERAL_TEXT)
            content = self._fill(rng.choice(texts))
        tasks = NEXT_TASKS.get(status) or (("电话回访",) if status in self.open else ())
        due = (
            t + timedelta(days=90 if status == self.final["dormant"] else rng.randint(2, 10))
        ).date()
        action = f"{due.month}月{due.day}日前{self.rng.choice(tasks)}({owner})" if tasks else None
        return {"lead_id": None, "owner": owner, "contact_at": t, "method": self.method(rng),
                "content": content, "status_to": status_to, "next_action": action,
                "due": due if action else None}  # fmt: skip

    # ------------------------------------------------------------------ planted defects
    def _plant(self, books: list[list[_Lead]], extra: list[list[dict]], count: int) -> list[tuple]:
        """``count`` defects, codes round robin, each on its own lead (never a duplicate)."""
        pool = [lead for leads in books for lead in leads if not lead.duplicate]
        self.rng.shuffle(pool)
        marks: list[tuple] = []
        for k in range(count):
            code = DEFECT_CODES[k % len(DEFECT_CODES)]
            plant = getattr(self, "_plant_" + code.replace("-", "_"))
            for j, lead in enumerate(pool):
                if lead is not None and (mark := plant(lead, extra[lead.book])):
                    pool[j] = None
                    sheet, key, value, entry = mark
                    marks.append((lead, sheet, key, code, value, entry))
                    break
        return marks

    # Each _plant_* changes one lead and returns (sheet, field, value, log entry or None),
    # or returns None, changing nothing, when the lead does not suit the defect.
    def _plant_required_missing(self, lead: _Lead, extra: list) -> tuple:
        key = self.rng.choice(("company", "position", "contacts"))
        if key == "contacts":  # neither office phone nor IM account
            lead.reg["office_phone"] = lead.reg["im_account"] = None
            return "register", "office_phone", "", None
        lead.reg[key] = None
        return "register", key, "", None

    def _plant_not_in_list(self, lead: _Lead, extra: list) -> tuple:
        if lead.entries and self.rng.random() < 0.5:
            entry = self.rng.choice(lead.entries)
            entry["method"] = self.rng.choice(BAD_VALUES["method"])
            return "log", "method", entry["method"], entry
        lead.reg["size"] = self.rng.choice(BAD_VALUES["size"])
        return "register", "size", lead.reg["size"], None

    def _plant_invalid_phone(self, lead: _Lead, extra: list) -> tuple | None:
        reg = lead.reg
        if not reg["im_account"]:  # keep one valid contact
            return None
        area, digits = (
            (reg["office_phone"] or self._phone(reg)).split("-")[0],
            self.rng.randint(1000, 9999),
        )
        reg["office_phone"] = self.rng.choice(
            (f"{area[1:]}-{digits}", f"{area} {digits}", f"{area}-{digits}")
        )
        return "register", "office_phone", reg["office_phone"], None

    def _plant_invalid_datetime(self, lead: _Lead, extra: list) -> tuple | None:
        if not lead.entries:  # a typo puts the creation after as_of: no contact contradicts it
            lead.reg["created_at"] += timedelta(days=365)  # the year mistyped
            return "register", "created_at", f"{lead.reg['created_at']:%Y-%m-%d %H:%M}", None
        dated = [e for e in lead.entries[:-1] if e["due"]]
        if not dated:
            return None
        entry = self.rng.choice(dated)
        entry["due"] = self.rng.choice(BAD_VALUES["date"])  # text in a date column
        return "log", "due", entry["due"], entry

    def _plant_invalid_budget(self, lead: _Lead, extra: list) -> tuple | None:
        if lead.reg["potential"] == self.levels[0]:
            return None
        lead.reg["budget"] = self.rng.choice(BAD_VALUES["budget"])
        return "register", "budget", lead.reg["budget"], None

    def _plant_personal_mobile(self, lead: _Lead, extra: list) -> tuple:
        rng = self.rng
        head, mid, tail = (
            f"1{rng.choice('3456789')}{rng.randint(0, 9)}",
            rng.randint(1000, 9999),
            rng.randint(1000, 9999),
        )
        mobile = rng.choice(
            (f"{head}{mid}{tail}", f"+86 {head}-{mid}-{tail}", f"{head} {mid} {tail}")
        )
        if len(lead.entries) > 1 and rng.random() < 0.4:
            entry = rng.choice(lead.entries[:-1])  # an older entry: the register keeps the newest
            entry["content"] += f",客户留了手机{mobile}"
            return "log", "content", entry["content"], entry
        lead.reg["need"] += f"(对接人手机:{mobile})"
        return "register", "need", lead.reg["need"], None

    def _plant_personal_email(self, lead: _Lead, extra: list) -> tuple | None:
        domains = self.cfg.personal_email_domains[:5] or ("qq.com",)
        email = f"{self.rng.choice(BAD_VALUES['email'])}@{self.rng.choice(domains)}"
        if len(lead.entries) > 1 and self.rng.random() < 0.4:
            entry = self.rng.choice(lead.entries[:-1])
            entry["content"] += f",资料已发至{email}"
            return "log", "content", entry["content"], entry
        if not lead.reg["office_phone"]:
            return None
        lead.reg["im_account"] = email
        return "register", "im_account", email, None

    def _plant_unmasked_name(self, lead: _Lead, extra: list) -> tuple:
        title = lead.reg["contact"].lstrip("*")
        lead.reg["contact"] = self.rng.choice(SURNAMES) + title
        return "register", "contact", lead.reg["contact"][0] + "**", None  # masked

    def _plant_region_mismatch(self, lead: _Lead, extra: list) -> tuple:
        home = self.regions[lead.reg["province"]]
        lead.reg["city"] = self.rng.choice(
            [c for c in AREA_CODES if c not in home and c not in self.regions]
        )
        return "register", "city", lead.reg["city"], None

    def _plant_industry_mismatch(self, lead: _Lead, extra: list) -> tuple:
        home = self.industries[lead.reg["industry"]]
        others = [d for s in self.sections for d in self.industries[s] if d not in home]
        lead.reg["industry_division"] = self.rng.choice(others)
        return "register", "industry_division", lead.reg["industry_division"], None

    def _plant_lost_without_reason(self, lead: _Lead, extra: list) -> tuple | None:
        if lead.reg["status"] != self.final["lost"]:
            return None
        lead.reg["loss_reason"] = None
        return "register", "loss_reason", "", None

    def _plant_vague_need(self, lead: _Lead, extra: list) -> tuple | None:
        if lead.reg["potential"] == self.levels[0] or not self.cfg.vague_terms:
            return None
        lead.reg["need"] = self.rng.choice(self.cfg.vague_terms)
        return "register", "need", lead.reg["need"], None

    def _plant_high_potential_incomplete(self, lead: _Lead, extra: list) -> tuple | None:
        if lead.reg["potential"] != self.levels[0]:
            return None
        key = self.rng.choice(("budget", "timeline"))
        lead.reg[key] = None
        return "register", key, "", None

    def _plant_unknown_lead(self, lead: _Lead, extra: list) -> tuple | None:
        """A log row for a lead ID the register does not have (sequence 9xx never occurs)."""
        if not lead.entries:
            return None
        when = _minute(
            self.as_of - timedelta(days=self.rng.randint(1, 150), hours=self.rng.randint(0, 8))
        )
        entry = self._entry(lead, when, self.reps[lead.book], None, self.open[1])
        code = self.rng.choice(self.cfg.channels).code
        entry["lead_id"] = f"{code}{when:%Y%m%d}9{self.rng.randint(10, 99)}"
        extra.append(entry)
        return "log", "lead_id", entry["lead_id"], entry

    def _plant_log_mismatch(self, lead: _Lead, extra: list) -> tuple | None:
        if not lead.entries:
            return None
        earlier = lead.entries[-1]["contact_at"] - timedelta(days=1, hours=self.rng.randint(1, 20))
        if earlier <= lead.reg["created_at"]:
            return None
        lead.reg["last_contact_at"] = earlier
        return "register", "last_contact_at", f"{earlier:%Y-%m-%d %H:%M}", None
