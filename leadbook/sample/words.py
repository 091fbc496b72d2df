"""The sample's vocabulary: the word tables the generator draws from (surnames, brand
characters, company words, places and area codes, contact titles, needs, budgets, log texts,
next actions), the weights of channels, contact methods and outcomes, and :func:`fill` for the
``{placeholders}`` of need and log texts.

Data, the two helpers that parse its lists (:func:`word_list`, :func:`word_table`), and
:func:`fill`, the only thing here that draws (it takes the random generator explicitly).
"""

from __future__ import annotations

import random
import re


def word_list(text: str) -> tuple[str, ...]:
    """A data list written as one string, items separated by white space."""
    return tuple(text.split())


def word_table(text: str) -> dict[str, tuple[str, ...]]:
    """``key: item item ...`` lines as a dict of word lists."""
    rows = (line.split(":", 1) for line in text.strip().splitlines())
    return {key.strip(): word_list(items) for key, items in rows}


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
SECTION_WORDS = word_table("""
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
DEFAULT_WORDS = word_list("科技 实业 发展")
MAIN_BUSINESS = dict(
    pair.split(":")
    for pair in word_list("""
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
    for pair in word_list("""
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
    for pair in word_list("""
    河北:031 山西:035 内蒙古:047 辽宁:041 吉林:043 黑龙江:045 江苏:051 浙江:057 安徽:055 福建:059
    江西:079 山东:053 河南:037 湖北:071 湖南:073 广东:075 广西:077 海南:089 四川:083 贵州:085
    云南:087 西藏:089 陕西:091 甘肃:093 青海:097 宁夏:095 新疆:099
""")
)
CONTACT_TITLES = word_list("经理 总 工 主管 总监 女士 先生")
POSITIONS = word_list("""
    采购部主管 采购经理 技术总监 总经理 IT经理 生产部经理 信息中心主任 设备部经理 副总经理
    运营总监 财务总监 供应链经理 研发经理 行政主管
""")
NEEDS = word_list("""
    需要采购{n}套智能传感器,要求精度±{acc}% 降低采购成本{pct}%,统一供应商管理
    ERP系统升级,支持{users}并发用户 新建{k}条自动化产线,生产节拍提升{pct}%
    WMS仓储系统改造,日处理订单{n}0单 采购{k}台工业机器人,重复定位精度±0.05mm
    CRM系统替换,覆盖{users}名销售人员 MES系统上线,良品率提升{pct}%
    能耗监测平台覆盖{k}个厂区,年节能{pct}% 采购{n}台监护仪,需具备NMPA注册证
    冷链运输外包,月均{n}吨,全程温控2-8℃ 办公网络改造,{users}个工位千兆到桌面
    视觉检测设备{k}套,漏检率低于0.1% OA与财务系统集成,审批时长缩短{pct}%
    采购{n}吨改性塑料粒子,阻燃等级V-0 数据中心扩容{k}0个机柜,PUE降至1.3以下
""")
LOW_NEEDS = word_list(
    "关注能耗管理方案,暂无明确采购计划 评估明年ERP替换的可行性 收集MES供应商资料,明年立项"
)
BUDGETS = word_list("""
    5-10万 10-20万 20-30万 30-50万 50-80万 50-100万 100-200万 200-500万
    30万以下 50万以上 100万以上 1.5亿 1-2亿 80万
""")
DECISIONS = word_list("""
    需技术部评估,总经理审批 采购部+财务部双审批 技术部选型,采购部比价,总经理拍板
    IT部评估,董事会审批 生产部提需求,采购部招标,副总审批 集团采购中心统一招标
""")
CURRENT = word_list("进口传感器(德国品牌) 用友U8 金蝶K3 Excel手工管理 自研系统 国产品牌设备")
COMPETITORS = word_list("某国产品牌报价低10% 某德国品牌 本地集成商 金蝶 用友 两家国产厂商比价中")
PINYIN = word_list("hua chuang heng tai xin rui da kang tong yuan jie sheng")
# Values for the {placeholders} of need and log texts.
WORDS = word_table("""
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
STAGE_TEXT = word_table("""
    跟进中: 首次沟通,确认{topic}需求,约定发送产品资料 了解现有{current}使用情况,客户关注交付周期
    待报价: 客户要求{days}天内提供正式报价,已确认数量与交期 需求确认完毕,客户要求提供阶梯报价
    方案提交中: 提交技术方案,客户对{aspect}提出疑问,需补充技术参数说明 方案评审:客户要求增加{aspect}对比测试
    商务谈判: 商务谈判:客户希望价格下调{pct}%,账期{term}天 客户对比{competitor}报价,我方高约{pct}%,已申请特价
    已成交: 签订合同,首付款{pay}%已到账,安排交付 客户确认中标,合同已盖章回传
    已休眠: 客户明确暂无采购计划,转入培育池,下季度再联系 多次联系未回复,标记休眠,季度复访
    无效: 对方公司无相关业务,判定无效线索 非目标客户(个人咨询),判定无效
""")
GENERAL_TEXT = word_list("""
    跟进内部评估进度,技术部评估中 客户询问{aspect},已发送说明材料 发送成功案例,客户转交{dept}评估
    客户暂未回复,已留言提醒 客户内部预算审批中,预计{days}天后反馈 客户提出{aspect}方面的新要求,已记录
""")
# The next action promised, by the status after the contact.
NEXT_TASKS = word_table("""
    跟进中: 发送产品资料 预约现场拜访 确认技术对接人
    待报价: 提交正式报价单 确认阶梯报价
    方案提交中: 提交技术参数说明 安排样品测试 组织方案演示
    商务谈判: 提交特价申请 确认合同条款
    已成交: 召开项目启动会 安排首批交付
    已休眠: 季度复访,确认需求变化
""")
CHANNEL_WEIGHTS = {"展会": 30, "官网表单": 30, "电话推荐": 15, "老客户转介绍": 15, "其他": 10}
METHOD_WEIGHTS = {"电话": 40, "微信/钉钉": 25, "线上会议": 15, "面谈": 15, "邮件": 5}
# The (high, mid, low) potential weights of the leads of each outcome. stale: open but without
# contact for more than dormancy_days; fresh: open and not contacted yet.
OUTCOMES = {
    "won": (5, 4, 1), "lost": (2, 5, 3), "dormant": (1, 4, 5), "invalid": (1, 3, 6),
    "open": (1, 2, 1), "stale": (3, 9, 8), "fresh": (6, 9, 5),
}  # fmt: skip
# How a lead that is neither won nor fresh ends, by its age in days (below 10, 40, dormancy + 10,
# then older): young leads are open, old ones mostly closed. Won leads are drawn apart (each
# rep's conversion), fresh ones by the hours since creation (FRESH).
OUTCOME_BY_AGE = (
    {"open": 90, "invalid": 10},
    {"open": 75, "lost": 15, "invalid": 10},
    {"open": 55, "lost": 25, "dormant": 12, "invalid": 8},
    {"open": 27, "lost": 33, "dormant": 26, "invalid": 5, "stale": 9},
)
# A careless rep (few log entries) leaves more leads stale and marks fewer dormant.
CARELESS_OUTCOMES = {"stale": 3.0, "dormant": 0.5}
# The chance that a lead is not contacted yet, by the hours since creation (below 8, 24, 72);
# older: a careful rep's, a careless rep's.
FRESH = ((8, 0.85), (24, 0.5), (72, 0.15))
FRESH_OLD = (0.01, 0.12)
# Leads come in over the WINDOW_DAYS before as_of; a weekend day brings WEEKEND_SHARE of a
# weekday's. The weights of the hours they come in (0 to 23): office hours mostly, web forms
# at any hour.
WINDOW_DAYS = 365
WEEKEND_SHARE = 0.25
CREATED_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 1, 10, 10, 10, 6, 10, 10, 10, 10, 10, 4, 2, 1, 0, 0, 0)
CREATED_HOURS_WEB = (
    0.6, 0.4, 0.3, 0.2, 0.2, 0.3, 0.5, 1, 3, 8, 8, 8, 6, 8, 8, 8, 8, 8, 5, 4, 4, 4, 3, 2,
)  # fmt: skip
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(rng: random.Random, template: str) -> str:
    """The template with each ``{placeholder}`` replaced by a word of its :data:`WORDS` list."""
    names = PLACEHOLDER.findall(template)
    return template.format(**{k: rng.choice(WORDS[k]) for k in names})
