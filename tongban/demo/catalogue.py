"""The service catalogue (事项清单) of 示范市: a standard-material dictionary and some four hundred
realistic items of the implementation list, with their legal bases, materials, fees, time limits,
flow steps and results, covering every item type people apply for and every item the canonical
"one thing" bundles need (BUNDLES). `catalogue_build` loads it through the catalogue services and
publishes every version, so each one has passed the consistency rules; `catalogue_bulk_build` adds
generated county- and township-level implementations for benchmarks through `item_bulk_publish`.

The items are a table (ITEMS) rather than Python literals so that one item reads as one or two
lines. Grammar, one entry per unindented line, indented lines continuing it:

    <department key> <type> <name> [field=value | flag ...]   a 主项; "~amr" = every county's amr
    + <name> [...]                                            a 子项 of the last 主项
    > <situation> <name> [...]                                a 业务办理项 of the last 主项 or 子项

A 子项 or 业务办理项 inherits every field of its parent and overrides the ones it gives. Fields:
    b=LAW:35,LAW     legal basis: keys of LAWS, optionally with an article number (第三十五条)
    t=20/5           legal / promised limit in working days; a promise of 0 is 即办 (instant)
    m=1,3,8?         standard materials by number (M0001, M0003); "?" = conditional. The item's
                     own application form (M0010, named after the item) comes first unless `noform`
    r=YYZZ:营业执照   result: an e-licence type and its name; r=doc:名称 a document, r=ok:名称 an
                     approval (their e-licence type is "PW" + the basic code: the approval document
                     of that item, 批文); r=- no result. Default r=- for 行政给付 and 公共服务
    th=a,b           theme codes (migration 0002); a=P|L|PL who may apply (default: from the themes)
    k=a,b            keywords and colloquial names, for search
    f=KEY,KEY        fees (FEES); f=- none
    v=KEY            on-site visits and their reason (VISITS); v=- none
    d=3              online depth (default 4, or 3 when a visit is needed)
    co=tax,psb       co-handling departments (联办机构)
    s=new,change     generated 业务办理项 for these situations (新办 变更 延续 注销)
    q=KEY            frequently asked questions (FAQS)
    insp             an on-site inspection step (现场核查); noform: no application form
    tw               also implemented by every township (乡级, bulk catalogue only)

Basic codes (基本编码) are "00011" + two type digits + a three-digit sequence per type + a
two-digit 子项 number, in table order: append new items at the end of their department to keep
the codes of the others. Everything is deterministic: no randomness at all.
"""

import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache

from django.db import transaction

from tongban.catalog import services
from tongban.catalog.codes import make_implementation_code
from tongban.catalog.models import Item, Theme
from tongban.core.identifiers import region_level
from tongban.org.models import Department, ServiceHall, Window

Say = Callable[[str], None]

TYPE_DIGITS = {"XK": "01", "JF": "05", "QR": "07", "JL": "08", "CJ": "09", "QT": "10", "GG": "11"}
SITUATIONS = {"new": ("01", "新办"), "change": ("02", "变更"), "renew": ("03", "延续"), "cancel": ("04", "注销")}
COMPLAINT_PHONE = "12345"

# --- Standard materials (标准材料) ----------------------------------------------------------------
# code, name, then lic= (e-licence type), shared= (shared data field), form (a form the applicant
# fills in: one original, no copy), when= (the usual condition when an item lists it as "?").

MATERIALS = """
M0001 居民身份证 lic=JMSFZ
M0002 户口簿 shared=population.household
M0003 营业执照 lic=YYZZ
M0004 不动产权证书（房屋所有权证明） lic=BDCQZ
M0005 出生医学证明 lic=CSYXZM
M0006 结婚证 lic=JHZ
M0007 离婚证（或离婚判决书、调解书） lic=LHZ
M0008 授权委托书 form when=委托他人代为办理的
M0009 受托人身份证明 when=委托他人代为办理的
M0010 申请表（书） form
M0011 近期免冠彩色照片
M0012 居住证 lic=JZZ
M0013 居民死亡医学证明（推断）书 lic=SWYXZM
M0014 遗体火化证明 shared=civil.cremation
M0015 残疾人证 lic=CJRZ
M0016 社会保障卡 lic=SBK
M0017 医疗保险参保证明 shared=medical.insured
M0018 社会保险缴费记录 shared=social.contribution
M0019 劳动合同
M0020 解除或终止劳动合同证明
M0021 职工人事档案
M0022 公司章程
M0023 法定代表人及高级管理人员任职文件
M0024 股东（出资人）主体资格证明
M0025 住所（经营场所）使用证明
M0026 食品经营许可证 lic=SPJYXKZ
M0027 食品安全管理制度
M0028 经营设施空间布局和操作流程
M0029 从业人员健康证明 lic=JKZM
M0030 公共场所卫生许可证 lic=GGCSWSXKZ
M0031 卫生检测（评价）报告
M0032 消防设施检测报告
M0033 场所平面布置图
M0034 建设工程消防验收意见书（或备案凭证） lic=XFYSYJ
M0035 户外广告设施设计图和效果图
M0036 排水户内部排水管网及排放口图纸
M0037 排水水质检测报告
M0038 不动产买卖合同 when=买卖双方已签订合同的
M0039 契税完税证明 lic=QSWSZM
M0040 存量房买卖合同网签备案证明 shared=housing.contract_filing
M0041 建设工程规划许可证 lic=JSGCGHXKZ
M0042 建设用地规划许可证 lic=JSYDGHXKZ
M0043 建设工程设计方案
M0044 国有建设用地使用权出让合同
M0045 项目审批、核准或备案文件
M0046 环境影响评价文件
M0047 施工图设计文件审查合格书
M0048 施工合同
M0049 监理合同
M0050 施工安全保障措施资料
M0051 预防接种证 lic=YFJZZ
M0052 疾病诊断证明书
M0053 医疗收费票据
M0054 费用明细清单
M0055 学历证书 lic=XLZS
M0056 体格检查表
M0057 职业（执业）资格证书 lic=ZYZGZS
M0058 机动车销售统一发票
M0059 机动车交通事故责任强制保险凭证
M0060 机动车登记证书 lic=JDCDJZS
M0061 机动车行驶证 lic=JDCXSZ
M0062 机动车驾驶证 lic=JDCJSZ
M0063 道路运输证 lic=DLYSZ
M0064 道路运输从业资格证 lic=CYZGZ
M0065 退役军人证件（退出现役证）
M0066 本人银行账户信息
M0067 家庭经济状况核对授权书 form
M0068 法定代表人身份证明书 form
M0069 专业技术人员资格证明
M0070 章程草案
M0071 资金（资产）证明
M0072 主要设施设备清单
M0073 安全管理制度和操作规程
M0074 生产安全事故应急预案
M0075 水资源论证报告
M0076 水土保持方案报告
M0077 林木权属证明 lic=LQZ
M0078 检验检测报告
M0079 印章印模
M0080 水电气费用结清证明 when=原户有未结清费用的
M0081 户口迁移证 lic=HKQYZ when=跨省、自治区、直辖市迁移的
M0082 准予迁入证明 when=迁入地要求先行审批的
M0083 就业创业证 lic=JYCYZ
M0084 告知承诺书 form when=选择告知承诺方式办理的
M0085 医疗机构执业许可证 lic=YLJGZYXKZ
M0086 医师资格证书 lic=YSZGZS
M0087 亲属关系证明 shared=population.kinship
"""

# --- Legal bases (设定依据) -----------------------------------------------------------------------

LAWS = {
    key: title
    for key, title in (
        line.split(maxsplit=1)
        for line in """
ACC 《房屋建筑和市政基础设施工程竣工验收备案管理办法》
ACCT 《中华人民共和国会计法》
AID 《中华人民共和国法律援助法》
ADOPT 《中国公民收养子女登记办法》
ADV 《中华人民共和国广告法》
AGMECH 《中华人民共和国农业机械化促进法》
AGRIL 《中华人民共和国农业法》
AGTECH 《中华人民共和国农业技术推广法》
ANIM 《中华人民共和国动物防疫法》
ARB 《中华人民共和国劳动争议调解仲裁法》
ART 《艺术品经营管理办法》
ASSIST 《社会救助暂行办法》
BALLOON 《施放气球管理办法》
BANK 《人民币银行结算账户管理办法》
BLOOD 《中华人民共和国献血法》
BOOK 《代理记账管理办法》
BUILD 《中华人民共和国建筑法》
CARE 《养老机构管理办法》
CHAR 《中华人民共和国慈善法》
CITY 《城市市容和环境卫生管理条例》
CIVIL 《中华人民共和国民法典》
CMR 《中华人民共和国市场主体登记管理条例》
CMRD 《中华人民共和国市场主体登记管理条例实施细则》
COL 《中华人民共和国公司法》
COMP 《中华人民共和国义务教育法》
CONS 《中华人民共和国消费者权益保护法》
CONSTQ 《建设工程质量管理条例》
CONTRACT 《中华人民共和国农村土地承包经营纠纷调解仲裁法》
COOP 《中华人民共和国农民专业合作社法》
CREDIT 《征信业管理条例》
CRIM 《公安机关办理无犯罪记录证明工作规定》
CWASTE 《城市建筑垃圾管理规定》
DATA 《中华人民共和国数据安全法》
DECIDE412 《国务院对确需保留的行政审批项目设定行政许可的决定》
DEED 《中华人民共和国契税法》
DEVQ 《房地产开发企业资质管理规定》
DISAB 《中华人民共和国残疾人保障法》
DISABC 《中华人民共和国残疾人证管理办法》
DISABR 《残疾预防和残疾人康复条例》
DISABS 《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）
DISP 《劳务派遣行政许可实施办法》
DLIC 《机动车驾驶证申领和使用规定》
DOC 《中华人民共和国医师法》
DOCR 《医师执业注册管理办法》
DRAIN 《城镇排水与污水处理条例》
DRAINP 《城镇污水排入排水管网许可管理办法》
DRAW 《取水许可和水资源费征收管理条例》
DRUG 《中华人民共和国药品管理法》
DRUGD 《药品经营和使用质量监督管理办法》
DRVTRAIN 《机动车驾驶员培训管理规定》
EDU 《中华人民共和国教育法》
EIA 《中华人民共和国环境影响评价法》
EIAB 《建设项目环境保护管理条例》
ELDER 《中华人民共和国老年人权益保障法》
EMPL 《中华人民共和国就业促进法》
EMPS 《就业服务与就业管理规定》
ENERGY 《固定资产投资项目节能审查办法》
ENERGYL 《中华人民共和国节约能源法》
ENT 《娱乐场所管理条例》
ENV 《中华人民共和国环境保护法》
EVENT 《大型群众性活动安全管理条例》
EXIT 《中华人民共和国出境入境管理法》
FARMM 《农业机械安全监督管理条例》
FDESIGN 《建设工程消防设计审查验收管理暂行规定》
FIRE 《中华人民共和国消防法》
FIREF 《森林防火条例》
FIREWORK 《烟花爆竹安全管理条例》
FISH 《中华人民共和国渔业法》
FLOOD 《中华人民共和国防洪法》
FOP 《食品经营许可和备案管理办法》
FOREST 《中华人民共和国森林法》
FPP 《食品生产许可管理办法》
FSL 《中华人民共和国食品安全法》
FUNERAL 《殡葬管理条例》
GARB 《城市生活垃圾管理办法》
GASL 《城镇燃气管理条例》
GOVINV 《政府投资条例》
GRASS 《基层法律服务工作者管理办法》
GREEN 《城市绿化条例》
GUARD 《保安服务管理条例》
HAZ 《危险化学品安全管理条例》
HEALTH 《中华人民共和国基本医疗卫生与健康促进法》
HKMO 《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》
HOURS 《关于企业实行不定时工作制和综合计算工时工作制的审批办法》（劳部发〔1994〕503号）
HPF 《住房公积金管理条例》
HRMKT 《人力资源市场暂行条例》
HUKOU 《中华人民共和国户口登记条例》
HWY 《中华人民共和国公路法》
ICH 《中华人民共和国非物质文化遗产法》
IDL 《中华人民共和国居民身份证法》
IIT 《中华人民共和国个人所得税法》
IND 《促进个体工商户发展条例》
INJ 《工伤保险条例》
INV 《中华人民共和国发票管理办法》
INVEST 《企业投资项目核准和备案管理条例》
LABOR 《中华人民共和国劳动法》
LAND 《中华人民共和国土地管理法》
LAWYER 《中华人民共和国律师法》
LCL 《中华人民共和国劳动合同法》
LIB 《中华人民共和国公共图书馆法》
LIGHT 《气象灾害防御条例》
MARRY 《婚姻登记条例》
MARTYR 《烈士褒扬条例》
MCH 《中华人民共和国母婴保健法》
MCHD 《中华人民共和国母婴保健法实施办法》
MDEV 《医疗器械监督管理条例》
MDEVB 《医疗器械经营监督管理办法》
MEAS 《中华人民共和国计量法》
MEASD 《中华人民共和国计量法实施细则》
MEDF 《医疗保障基金使用监督管理条例》
MEDI 《医疗机构管理条例》
MEDIATE 《中华人民共和国人民调解法》
MET 《中华人民共和国气象法》
MILK 《乳品质量安全监督管理条例》
MINOR 《中华人民共和国未成年人保护法》
NETBAR 《互联网上网服务营业场所管理条例》
NURSE 《护士条例》
NURSERY 《托育机构登记和备案办法（试行）》
OPQ 《道路运输从业人员管理规定》
OPT 《优化营商环境条例》
ORPHAN 《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）
OVER 《超限运输车辆行驶公路管理规定》
PASS 《中华人民共和国护照法》
PATENT 《中华人民共和国专利法》
PENSIONT 《城镇企业职工基本养老保险关系转移接续暂行办法》
PERMIT 《建筑工程施工许可管理办法》
PEST 《农药管理条例》
PHS 《公共场所卫生管理条例》
PHSD 《公共场所卫生管理条例实施细则》
PLACE 《地名管理条例》
PLAN 《中华人民共和国城乡规划法》
PLANEM 《生产安全事故应急预案管理办法》
PLANTQ 《植物检疫条例》
PLEDGE 《股权出质登记办法》
PNE 《民办非企业单位登记管理暂行条例》
POLL 《排污许可管理条例》
POOR 《特困人员认定办法》
POP 《中华人民共和国人口与计划生育法》
POWER 《电力供应与使用条例》
PREC 《易制毒化学品管理条例》
PREF 《军人抚恤优待条例》
PREPAID 《单用途商业预付卡管理办法（试行）》
PRESALE 《城市商品房预售管理办法》
PRIVED 《中华人民共和国民办教育促进法》
PROC 《中华人民共和国政府采购法》
PROCC 《政府采购质疑和投诉办法》
PRODQ 《中华人民共和国产品质量法》
PUBHOUSE 《公共租赁住房管理办法》
QUAL 《建筑业企业资质管理规定》
RADI 《放射诊疗管理规定》
RADS 《放射性同位素与射线装置安全和防护条例》
REAL 《不动产登记暂行条例》
REALD 《不动产登记暂行条例实施细则》
RECYC 《再生资源回收管理办法》
RELIC 《中华人民共和国文物保护法》
RENT 《商品房屋租赁管理办法》
REPAIR 《机动车维修管理规定》
RESID 《居住证暂行条例》
REST 《中华人民共和国城市房地产管理法》
RETIRE 《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）
REVIEW 《中华人民共和国行政复议法》
RIDE 《网络预约出租汽车经营服务管理暂行办法》
RISKS 《经营高危险性体育项目许可管理办法》
RIVER 《中华人民共和国河道管理条例》
ROAD 《中华人民共和国道路交通安全法》
ROADM 《城市道路管理条例》
RURALP 《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）
SAFE 《中华人民共和国安全生产法》
SCRAP 《报废机动车回收管理办法》
SEAL 《国务院关于国家行政机关和企业事业单位社会团体印章管理的规定》
SEED 《中华人民共和国种子法》
SEQ 《中华人民共和国特种设备安全法》
SEW 《特种设备作业人员监督管理办法》
SHOW 《营业性演出管理条例》
SI 《中华人民共和国社会保险法》
SOCORG 《社会团体登记管理条例》
SOIL 《中华人民共和国水土保持法》
SOLD 《退役士兵安置条例》
SPORT 《全民健身条例》
SPORTL 《中华人民共和国体育法》
STAT 《中华人民共和国统计法》
TAXC 《中华人民共和国税收征收管理法》
TAXCD 《中华人民共和国税收征收管理法实施细则》
TAXI 《巡游出租汽车经营服务管理规定》
TCM 《中华人民共和国中医药法》
TEACH 《教师资格条例》
TITLE 《职称评审管理暂行规定》
TOB 《中华人民共和国烟草专卖法》
TOBD 《中华人民共和国烟草专卖法实施条例》
TOBL 《烟草专卖许可证管理办法》
TRADES 《旅馆业治安管理办法》
TRANS 《中华人民共和国道路运输条例》
TRANSFER 《城市房地产转让管理规定》
TRAVEL 《旅行社条例》
TWN 《中国公民往来台湾地区管理办法》
UNEMP 《失业保险条例》
VACC 《中华人民共和国疫苗管理法》
VALOR 《国务院办公厅转发民政部等部门关于加强见义勇为人员权益保护意见的通知》（国办发〔2012〕39号）
VET 《兽药管理条例》
VETS 《中华人民共和国退役军人保障法》
VPT 《中华人民共和国车辆购置税法》
VREG 《机动车登记规定》
WATERL 《中华人民共和国水法》
WATERS 《生活饮用水卫生监督管理办法》
WILD 《中华人民共和国野生动物保护法》
WSUP 《城市供水条例》
""".strip().splitlines()
    )
}

# --- Fees (integer fen), visits, frequently asked questions ----------------------------------------

_BDC_FEE = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
_ID_FEE = "《国家发展改革委 财政部关于第二代居民身份证工本费标准的通知》（发改价格〔2005〕436号）"
_EXIT_FEE = "《国家发展改革委 财政部关于降低因私普通护照等出入境证件收费标准的通知》（发改价格〔2019〕914号）"
_TRAFFIC_FEE = "《国家发展改革委 财政部关于公安交通管理收费标准等有关问题的通知》（发改价格〔2004〕2831号）"
FEES = {
    "BDC_HOUSE": (("不动产登记费（住宅）", 8_000, _BDC_FEE),),
    "BDC_OTHER": (("不动产登记费（非住宅）", 55_000, _BDC_FEE),),
    "BDC_CERT": (("不动产权属证书工本费", 1_000, _BDC_FEE),),
    "ID_FIRST": (("居民身份证工本费（申领、换领）", 2_000, _ID_FEE),),
    "ID_LOST": (("居民身份证工本费（丢失补领、损坏换领）", 4_000, _ID_FEE),),
    "ID_TEMP": (("临时居民身份证工本费", 1_000, _ID_FEE),),
    "PASSPORT": (("普通护照工本费", 12_000, _EXIT_FEE),),
    "HKMO": (("往来港澳通行证工本费", 6_000, _EXIT_FEE), ("往来港澳签注费（一次有效）", 1_500, _EXIT_FEE)),
    "TW": (("往来台湾通行证工本费", 6_000, _EXIT_FEE), ("赴台签注费（一次有效）", 1_500, _EXIT_FEE)),
    "PLATE": (
        ("机动车号牌工本费（汽车反光号牌）", 10_000, _TRAFFIC_FEE),
        ("机动车行驶证工本费", 1_000, _TRAFFIC_FEE),
        ("机动车登记证书工本费", 1_000, _TRAFFIC_FEE),
    ),
    "DRIVER": (("机动车驾驶证工本费", 1_000, _TRAFFIC_FEE),),
}

VISITS = {  # key: (visits, reason)
    "portrait": (1, "须本人到场采集人像和指纹信息"),
    "verify": (1, "须本人到场核验身份并签字确认"),
    "both": (1, "须双方当事人共同亲自到场，当面声明并签字"),
    "both2": (2, "须双方共同到场申请，离婚冷静期满后再共同到场领取离婚证"),
    "sign": (1, "买卖双方须到场核验身份、签署询问笔录"),
    "vehicle": (1, "须将机动车送至查验场所查验"),
    "exam": (3, "须本人到考场参加科目一、科目二、科目三考试"),
    "assess": (1, "须本人到指定医疗机构或鉴定机构接受评定"),
}

FAQS = {
    "food": (
        ("只卖预包装食品需要办食品经营许可吗？", "仅销售预包装食品的，办理备案即可，无须申请许可。"),
        ("开饭店要办哪些证？", "可通过“开办餐饮店”一件事一次申请营业执照、食品经营许可等，一套材料、一次提交。"),
    ),
    "hukou": (("跨省迁移还需要迁移证吗？", "已实行跨省迁移“一站式”办理的，在迁入地申请即可，无须再开具迁移证。"),),
    "marry": (("结婚登记需要预约吗？", "可在网上预约，双方须本人携带身份证、户口簿到场办理。"),),
    "elder": (("高龄津贴从什么时候开始发放？", "自审核通过的次月起按月发放至本人社会保障卡金融账户。"),),
    "birthcert": (("出生医学证明在哪里领？", "在新生儿出生的助产机构首次签发，也可在“新生儿出生”一件事中一并申请。"),),
    "publichealth": (("哪些场所需要公共场所卫生许可？", "宾馆、美容美发、游泳场所等；饭馆、咖啡馆等已不再需要。"),),
    "transfer": (
        ("二手房过户要交哪些费用？", "住宅不动产登记费每件80元，另按规定缴纳契税等税款，可网上一次缴清。"),
        ("水电气可以一起过户吗？", "可以，申请不动产转移登记时勾选水电气联动过户即可。"),
    ),
    "planning": (("建设工程规划许可证多久能办好？", "材料齐全的，承诺10个工作日内办结。"),),
    "drain": (("餐饮店需要办排水许可吗？", "向城镇排水设施排放污水的餐饮、洗车等排水户须申领排水许可。"),),
    "ads": (("门头招牌需要审批吗？", "一般门头招牌实行备案；设置大型户外广告设施的须审批。"),),
    "firecheck": (("可以承诺后先营业吗？", "可选择告知承诺方式，作出承诺并提交材料后当场发证，事后核查。"),),
}

# --- The items -------------------------------------------------------------------------------------

ITEMS = """
# 市场监督管理局
amr XK 企业登记 b=CMR:3,CMRD,COL:29 t=3/1 m=1,22,23,24,25,8?,9? r=YYZZ:营业执照 th=l-setup a=L co=tax,psb
    k=开公司,注册公司,办营业执照,公司注册,企业注册,开饭店
> new 企业设立登记
> change 企业变更登记 m=1,3,22?,23?
> cancel 企业注销登记 m=1,3 r=doc:准予注销登记通知书 th=l-close k=注销公司,公司注销,企业注销
amr XK 食品经营许可 b=FSL:35,FOP t=20/5 m=1,3,25,27,28,29 r=SPJYXKZ:食品经营许可证 th=l-permit a=PL insp q=food
    k=开饭店,开餐馆,饭馆,小吃店,餐饮,饭店,奶茶店,食品店,餐饮许可
+ 食品经营许可（餐饮服务） s=new,change,renew,cancel
+ 食品经营许可（食品销售） s=new,change,renew,cancel k=便利店,超市,食品店,副食店,卖食品
+ 食品经营许可（单位食堂） s=new,change,renew,cancel a=L k=食堂,单位食堂,学校食堂
amr XK 食品生产许可 b=FSL:35,FPP t=20/10 m=1,3,25,27,28,72,78 r=SCXKZ:食品生产许可证 th=l-permit a=L insp
    k=食品厂,食品加工,SC认证 s=new,change,renew,cancel
amr QT 仅销售预包装食品备案 b=FSL:35,FOP t=5/0 m=1,3 r=doc:仅销售预包装食品备案回执 th=l-permit a=PL k=卖零食,预包装食品
amr XK 药品零售企业许可 b=DRUG:51,DRUGD t=30/15 m=1,3,25,57,33,73 r=YPJYXKZ:药品经营许可证 th=l-permit a=L insp
    k=开药店,药房,大药房 s=new,change,renew,cancel
amr XK 第三类医疗器械经营许可 b=MDEV,MDEVB t=20/10 m=1,3,25,57,33,73 r=YLQXJYXKZ:医疗器械经营许可证 th=l-permit a=L insp
amr QT 第二类医疗器械经营备案 b=MDEV,MDEVB t=5/0 m=1,3,25,57 r=doc:第二类医疗器械经营备案凭证 th=l-permit a=L
amr XK 特种设备使用登记 b=SEQ:33 t=15/5 m=1,3,78 r=TZSBSYDJZ:特种设备使用登记证 th=l-permit a=L
    k=电梯登记,锅炉登记,压力容器登记
amr XK 特种设备安全管理和作业人员资格认定 b=SEQ:14,SEW t=20/10 m=1,11,55,78 r=TZSBZYRYZ:特种设备安全管理和作业人员证
    th=p-job a=P k=电梯证,叉车证,锅炉证,焊工证
amr XK 计量标准器具核准 b=MEAS:6,MEASD t=20/15 m=1,3,72,69 r=JLBZKHZS:计量标准考核证书 th=l-permit a=L
amr XK 农民专业合作社设立登记 b=COOP,CMR t=3/1 m=1,70,24,25 r=YYZZ:营业执照 th=l-setup a=PL k=合作社,成立合作社
amr QT 股权出质登记 b=CIVIL:443,PLEDGE t=3/0 m=1,3,22? r=doc:股权出质设立登记通知书 th=l-setup a=L k=股权质押
amr QT 市场主体歇业备案 b=CMR:30 t=3/0 m=1,3 r=doc:歇业备案通知书 th=l-close a=PL k=歇业,暂停营业
amr GG 企业档案查询 b=CMR t=1/0 m=1,8?,9? th=l-setup a=PL k=查企业档案,工商档案,调档
amr QT 强制检定计量器具检定 b=MEAS:9 t=20/10 m=3,72 r=doc:检定证书 th=l-annual a=L k=计量检定,电子秤检定,加油机检定
amr CJ 专利侵权纠纷行政裁决 b=PATENT:65 t=90/60 m=1,3?,78 r=doc:专利侵权纠纷处理决定书 th=l-permit a=PL k=专利侵权
amr JL 食品安全违法行为举报奖励 b=FSL:115 t=60/30 m=1,66 r=doc:举报奖励决定书 th=p-health a=P k=食品安全举报,举报奖励
amr JL 政府质量奖评审 b=PRODQ t=90/60 m=3,84 r=doc:质量奖表彰决定 th=l-annual a=L k=质量奖,市长质量奖
amr GG 消费投诉受理 b=CONS t=7/5 m=1 a=PL k=消费投诉,退货,维权,315
~amr XK 个体工商户登记 b=CMR,IND t=3/1 m=1,25,8?,9? r=YYZZ:营业执照 th=p-job,l-setup a=PL
    k=个体户,开店,办执照,小店执照,开饭店,开小吃店
> new 个体工商户设立登记
> change 个体工商户变更登记 m=1,3
> cancel 个体工商户注销登记 m=1,3 r=doc:准予注销登记通知书 th=l-close k=个体户注销,关店
~amr GG 个体工商户年度报告 b=IND t=1/0 m=3 th=l-annual a=PL k=年报,个体户年报
# 公安局
psb QR 户口登记（出生） b=HUKOU:7 t=5/0 m=1,2,5,6? r=JMHKB:居民户口簿 th=p-birth,p-hukou co=nhc
    k=报户口,新生儿落户,上户口,出生落户,新生儿上户口
psb QR 户口迁移 b=HUKOU:10,HUKOU:13 t=20/5 m=1,2,81?,82? r=JMHKB:居民户口簿 th=p-hukou v=verify q=hukou
    k=迁户口,落户,户口迁入,户口迁出,迁移户口
+ 户口迁移（夫妻投靠） m=1,2,6,81?
+ 户口迁移（父母投靠子女） m=1,2,87,81?
+ 户口迁移（购房落户） m=1,2,4,81? k=买房落户,购房入户
+ 户口迁移（人才引进） m=1,2,55,19,81? k=人才落户,人才引进
+ 户口迁移（大中专院校毕业生） m=1,2,55 k=毕业生落户,学生户口
psb QR 死亡户口注销 b=HUKOU:8 t=5/0 m=1,2,13 r=doc:注销户口证明 th=p-death k=注销户口,销户,死亡销户
psb QR 变更更正户口登记项目 b=HUKOU:17 t=20/10 m=1,2 r=JMHKB:居民户口簿 th=p-hukou k=改名字,改名,更正出生日期,改民族
psb GG 户口簿补领、换领 b=HUKOU t=5/0 m=1 r=JMHKB:居民户口簿 th=p-hukou k=户口本丢了,补户口本,换户口本
psb QT 居民身份证申领 b=IDL:8,IDL:10 t=60/15 m=2,11? r=JMSFZ:居民身份证 th=p-hukou f=ID_FIRST v=portrait
    k=办身份证,身份证过期,换身份证,身份证到期
psb QT 居民身份证补领 b=IDL:11 t=60/15 m=2 r=JMSFZ:居民身份证 th=p-hukou f=ID_LOST v=portrait
    k=身份证丢了,补办身份证,身份证掉了
psb QT 临时居民身份证核发 b=IDL t=3/0 m=2,11 r=LSJMSFZ:临时居民身份证 th=p-hukou f=ID_TEMP v=portrait k=临时身份证
psb GG 居住登记 b=RESID:6 t=3/0 m=1,25 th=p-hukou k=暂住登记,登记居住,外来人口登记
psb QT 居住证核发 b=RESID:9 t=15/10 m=1,11,25,19? r=JZZ:居住证 th=p-hukou k=办居住证,暂住证
psb GG 无犯罪记录证明开具 b=CRIM t=3/0 m=1,8?,9? r=WFZJLZM:无犯罪记录证明 th=p-job k=无犯罪证明,开无犯罪,良民证
psb XK 普通护照签发 b=PASS,EXIT t=15/7 m=1,11? r=PTHZ:普通护照 th=p-transport f=PASSPORT v=portrait
    k=办护照,出国,护照到期,出国旅游
psb XK 往来港澳通行证及签注签发 b=HKMO,EXIT t=15/7 m=1 r=WLGATXZ:往来港澳通行证 th=p-transport f=HKMO v=portrait
    k=港澳通行证,去香港,去澳门,港澳签注
psb XK 往来台湾通行证及签注签发 b=TWN,EXIT t=15/7 m=1 r=WLTWTXZ:往来台湾通行证 th=p-transport f=TW v=portrait
    k=台湾通行证,去台湾,赴台签注
psb QT 公章刻制备案 b=SEAL t=1/0 m=1,3,79 r=doc:印章备案回执 th=l-setup a=L k=刻章,刻公章,印章备案,刻制印章
psb XK 旅馆业特种行业许可证核发 b=TRADES:4 t=20/10 m=1,3,25,33,73 r=TZHYXKZ:特种行业许可证 th=l-permit a=PL insp
    k=开旅馆,开宾馆,民宿,开酒店
psb XK 公章刻制业特种行业许可证核发 b=SEAL t=20/10 m=1,3,25,72,73 r=TZHYXKZ:特种行业许可证 th=l-permit a=PL insp
    k=刻章店
psb XK 大型群众性活动安全许可 b=EVENT:11 t=20/7 m=3,33,74 r=doc:大型群众性活动安全许可决定书 th=l-permit a=L
    k=演唱会,大型活动,活动报备
psb XK 剧毒化学品购买许可 b=HAZ:39 t=3/3 m=1,3 r=JDHXPGMXKZ:剧毒化学品购买许可证 th=l-permit a=L
psb XK 保安员证核发 b=GUARD:16 t=15/10 m=1,11,56 r=BAYZ:保安员证 th=p-job a=P k=保安证,当保安
psb XK 机动车登记 b=ROAD:8,VREG t=5/2 m=1,58,59 r=JDCDJZS:机动车登记证书 th=p-transport a=PL f=PLATE v=vehicle
    k=上牌,新车上牌,车辆登记
> new 机动车注册登记
> change 机动车变更登记 m=1,60,61 f=-
> cancel 机动车注销登记 m=1,60,61 f=- v=- r=doc:机动车注销证明书 k=车辆报废,车辆注销
psb XK 机动车转让登记 b=ROAD:12,VREG t=5/1 m=1,60,61,58 r=JDCDJZS:机动车登记证书 th=p-transport a=PL v=vehicle f=DRIVER
    k=二手车过户,车辆过户,汽车过户
psb XK 机动车驾驶证核发 b=ROAD:19,DLIC t=10/1 m=1,11,56 r=JDCJSZ:机动车驾驶证 th=p-transport f=DRIVER
    k=驾照,考驾照,驾驶证
> new 机动车驾驶证初次申领 v=exam
> renew 机动车驾驶证期满换证 m=1,56,62 k=驾照到期,换驾照
> cancel 机动车驾驶证注销 m=1,62 f=- r=doc:机动车驾驶证注销证明
psb XK 机动车检验合格标志核发 b=ROAD:13 t=1/0 m=61,59 r=JDCJYHGBZ:机动车检验合格标志 th=p-transport a=PL
    k=年检,车辆年检,验车,年检标志
psb JL 见义勇为人员表彰奖励 b=VALOR t=60/30 m=1,84? r=doc:表彰奖励决定 th=p-social k=见义勇为,见义勇为奖励
# 民政局
~ca QR 结婚登记 b=CIVIL:1049,MARRY:4 t=1/0 m=1,2,11 r=JHZ:结婚证 th=p-marriage v=both q=marry
    k=领证,结婚,登记结婚,领结婚证
~ca QR 离婚登记 b=CIVIL:1076,CIVIL:1077,MARRY:10 t=30/30 m=1,2,6,11 r=LHZ:离婚证 th=p-marriage v=both2
    k=离婚,协议离婚,办离婚
~ca QR 补领婚姻登记证 b=MARRY:17 t=1/0 m=1,2,11 r=JHZ:结婚证 th=p-marriage v=verify k=结婚证丢了,补结婚证
~ca JF 最低生活保障审批 b=ASSIST:9,ASSIST:11 t=30/20 m=1,2,67,66 th=p-social tw k=低保,申请低保,吃低保
~ca JF 特困人员救助供养 b=ASSIST:14,POOR t=30/20 m=1,2,67,66 th=p-social,p-elderly tw k=五保,特困供养,五保户
~ca JF 临时救助 b=ASSIST:47 t=30/10 m=1,2,67,66 th=p-social tw k=临时困难,急难救助,救急
~ca JF 高龄津贴申领 b=ELDER:33 t=20/5 m=1,2,66 th=p-elderly tw q=elder
    k=老人补贴,高龄补贴,长寿金,尊老金,80岁补贴,老年人补贴
~ca JF 困难残疾人生活补贴和重度残疾人护理补贴 b=DISAB,DISABS t=30/15 m=1,2,15,66 th=p-disability tw
    k=残疾人两项补贴,护理补贴,残疾补贴
~ca JF 经济困难老年人养老服务补贴 b=ELDER:33 t=30/15 m=1,2,67,66 th=p-elderly tw k=养老服务补贴,居家养老补贴
~ca GG 婚姻登记档案查询 b=MARRY t=1/0 m=1 r=doc:婚姻登记记录证明 th=p-marriage k=婚姻状况证明,查结婚记录
~ca JF 基本殡葬服务费用减免 b=FUNERAL t=5/0 m=1,13,14 th=p-death tw k=丧葬费减免,火化费减免,殡葬补贴
ca QR 收养登记 b=CIVIL:1105,ADOPT t=30/20 m=1,2,11,87 r=SYDJZ:收养登记证 th=p-birth v=both k=领养,收养孩子
ca QR 解除收养登记 b=CIVIL:1116,ADOPT t=30/20 m=1,2 r=JCSYGXZM:解除收养关系证明 th=p-birth v=both
ca XK 社会团体登记 b=SOCORG t=60/20 m=1,70,71,25,23 r=SHTTFRDJZS:社会团体法人登记证书 th=l-setup a=L
    k=成立协会,成立商会,社团
> new 社会团体成立登记
> change 社会团体变更登记 m=1,70?
> cancel 社会团体注销登记 m=1 r=doc:准予注销登记通知书 th=l-close
ca XK 民办非企业单位登记 b=PNE t=60/20 m=1,70,71,25,23 r=MBFQYDWDJZS:民办非企业单位登记证书 th=l-setup a=L
    k=民非,民办非企业,社会服务机构
> new 民办非企业单位成立登记
> change 民办非企业单位变更登记 m=1,70?
> cancel 民办非企业单位注销登记 m=1 r=doc:准予注销登记通知书 th=l-close
ca QT 养老机构备案 b=ELDER:43,CARE t=5/0 m=1,3,25,84 r=doc:养老机构备案回执 th=l-permit,p-elderly a=PL
    k=开养老院,养老院备案
ca QR 慈善组织认定 b=CHAR:10 t=20/15 m=3,70 r=doc:慈善组织认定决定书 th=l-setup a=L
ca XK 慈善组织公开募捐资格审核 b=CHAR:22 t=20/15 m=3,70,71 r=GKMJZGZS:公开募捐资格证书 th=l-permit a=L k=募捐
ca QT 地名命名、更名审批 b=PLACE t=30/20 m=3,33 r=doc:地名命名批复 th=l-build a=L k=小区命名,楼盘命名,道路命名
ca JF 孤儿基本生活费发放 tw b=MINOR,ORPHAN t=30/15 m=1,2,13?,66 th=p-social k=孤儿补助
ca JF 事实无人抚养儿童基本生活补贴 tw b=MINOR t=30/15 m=1,2,66 th=p-social
# 人力资源和社会保障局
hrss QR 单位参加社会保险登记 b=SI:57 t=5/0 m=3,66 r=doc:社会保险登记证明 th=l-hr,l-setup a=L
    k=社保开户,单位社保登记,企业社保开户
hrss QR 个人参加社会保险登记 tw b=SI:58 t=5/0 m=1,19? r=doc:参保登记回执 th=p-social k=参加社保,个人社保,交社保
~hrss GG 城乡居民养老保险参保登记 b=SI:20,RURALP t=1/0 m=1,2 th=p-social,p-elderly tw
    k=居民养老保险,农村养老保险,新农保,城乡居民社保
~hrss JF 城乡居民养老保险待遇申领 b=SI:21,RURALP t=20/5 m=1,2,66 th=p-social,p-elderly tw k=领养老金,60岁领养老金
hrss JF 职工退休申请（基本养老保险待遇核定） b=SI:16,RETIRE t=20/10 m=1,21,66 r=doc:基本养老金核定表
    th=p-social,p-elderly co=hsa
    k=退休,办退休,退休手续,领退休金,养老金核定
hrss GG 社会保障卡申领 tw b=SI:58 t=20/5 m=1,11 r=SBK:社会保障卡 th=p-social,p-birth k=办社保卡,社保卡,新生儿社保卡
hrss GG 社会保障卡挂失与补换 tw b=SI:58 t=20/5 m=1,11 r=SBK:社会保障卡 th=p-social k=社保卡丢了,补社保卡,换社保卡
hrss JF 失业保险金申领 b=SI:45,UNEMP:14 t=10/3 m=1,20,66 th=p-social,p-job k=领失业金,失业保险,失业补助
~hrss GG 失业登记 b=EMPL,EMPS t=1/0 m=1 r=JYCYZ:就业创业证 th=p-job tw k=失业登记,登记失业
~hrss GG 就业登记 b=EMPS t=1/0 m=3,19 th=l-hr a=L k=招工登记,用工备案
~hrss QR 就业困难人员认定 b=EMPL,EMPS t=15/5 m=1,83 r=doc:就业困难人员认定结果 th=p-job tw k=就业困难
hrss JF 一次性创业补贴 b=EMPL t=20/10 m=1,2,3,66 th=p-job k=创业补贴,开店补贴
hrss GG 创业担保贷款申请 b=EMPL t=15/5 m=1,3,83 th=p-job k=创业贷款,贴息贷款
hrss JF 职业培训补贴 b=EMPL t=20/10 m=1,57,66 th=p-job k=培训补贴
hrss JF 技能提升补贴 b=UNEMP,SI t=20/10 m=1,57,66 th=p-job k=考证补贴,技能补贴
hrss JF 失业保险稳岗返还 b=UNEMP t=20/10 m=3,66 th=l-hr a=L k=稳岗补贴,稳岗返还
hrss QR 工伤认定 b=INJ:17,INJ:20 t=60/30 m=1,19,52 r=doc:工伤认定决定书 th=p-social a=PL k=工伤,工伤申报,受伤认定
hrss QR 劳动能力鉴定 b=INJ:23 t=60/40 m=1,52,16? r=doc:劳动能力鉴定结论书 th=p-social v=assess k=伤残鉴定,工伤鉴定
hrss JF 工伤保险待遇核定支付 b=INJ,SI:38 t=20/10 m=1,53,54,66 th=p-social a=PL k=工伤报销,工伤待遇
hrss XK 劳务派遣经营许可 b=LCL:57,DISP t=20/10 m=3,71,25,73 r=LWPQJYXKZ:劳务派遣经营许可证 th=l-permit a=L
    k=劳务派遣公司 s=new,change,renew,cancel
hrss XK 人力资源服务许可 b=HRMKT:18 t=20/10 m=3,25,69,73 r=RLZYFWXKZ:人力资源服务许可证 th=l-permit a=L
    k=职业中介,人力资源公司,猎头
hrss XK 民办职业技能培训学校设立 b=PRIVED:12 t=30/20 m=1,70,71,25,69 r=MBXXBXXKZ:民办学校办学许可证 th=l-permit a=L
    k=技校,职业培训学校
hrss XK 企业实行不定时工作制和综合计算工时工作制审批 b=LABOR:39,HOURS t=20/10 m=3 r=doc:特殊工时制度批复 th=l-hr a=L
    k=特殊工时,综合工时,不定时工作制
hrss CJ 劳动人事争议仲裁 b=ARB:2,ARB:43 t=45/45 m=1,19?,8? r=doc:仲裁裁决书 th=p-job a=PL
    k=劳动仲裁,拖欠工资,讨薪,劳动纠纷
hrss GG 基本养老保险关系转移接续 b=SI:19,PENSIONT t=45/15 m=1 th=p-social k=养老保险转移,社保转移
hrss JF 丧葬补助金和抚恤金申领 b=SI:17 t=20/5 m=1,13,87,66 th=p-death,p-social k=死亡待遇,丧葬费,抚恤金
hrss QT 职称评审 b=TITLE t=90/60 m=1,55,57 r=ZCZS:专业技术职务任职资格证书 th=p-job k=评职称,职称
hrss JL 就业创业工作表彰奖励 b=EMPL:10 t=60/30 m=3 r=doc:表彰决定 th=l-hr a=PL
hrss JF 就业见习补贴 b=EMPL t=20/10 m=3,19,66 th=l-hr a=L k=见习补贴,高校毕业生见习
# 卫生健康委员会
nhc GG 出生医学证明首次签发 b=MCH:23,MCHD t=1/0 m=1,6? r=CSYXZM:出生医学证明 th=p-birth q=birthcert
    k=出生证,办出生证,新生儿出生证明
nhc GG 出生医学证明补发 b=MCH:23 t=20/10 m=1,2 r=CSYXZM:出生医学证明 th=p-birth k=出生证丢了,补出生证
nhc GG 出生医学证明换发 b=MCH:23 t=20/10 m=1,5 r=CSYXZM:出生医学证明 th=p-birth k=出生证改名,出生证错误
nhc GG 预防接种证办理 b=VACC:47 t=1/0 m=5,1 r=YFJZZ:预防接种证 th=p-birth,p-health k=打疫苗,疫苗本,接种本,小绿本
nhc GG 生育登记 b=POP t=1/0 m=1,6? th=p-birth tw k=生育服务证,准生证,生育登记服务
nhc JF 农村部分计划生育家庭奖励扶助 b=POP:27 t=30/20 m=1,2,66 th=p-birth,p-elderly tw k=奖励扶助金,独生子女奖励
nhc JF 计划生育家庭特别扶助 b=POP:27 t=30/20 m=1,2,13?,66 th=p-birth,p-elderly tw k=失独家庭,特别扶助金
nhc XK 公共场所卫生许可 b=PHS:8,PHSD:22 t=20/5 m=1,3,25,29,33,31 r=GGCSWSXKZ:公共场所卫生许可证 th=l-permit a=PL insp
    k=开理发店,开美容院,开宾馆,开游泳馆,卫生许可证,卫生许可 s=new,change,renew,cancel q=publichealth
nhc XK 医疗机构执业登记 b=MEDI:15,HEALTH t=45/20 m=1,25,69,72,73 r=YLJGZYXKZ:医疗机构执业许可证 th=l-permit a=L insp
    k=开诊所,开医院,开门诊 s=new,change,cancel
nhc QT 诊所备案 b=MEDI,HEALTH t=5/0 m=1,25,86,33 r=doc:诊所备案凭证 th=l-permit a=PL k=开诊所,诊所备案
nhc XK 医师执业注册 b=DOC:13,DOCR t=20/10 m=1,11,86,56 r=YSZYZS:医师执业证书 th=p-job a=P k=医生注册,执业医师
    s=new,change,cancel
nhc XK 护士执业注册 b=NURSE:7 t=20/10 m=1,11,55,57,56 r=HSZYZS:护士执业证书 th=p-job a=P k=护士证,护士注册
    s=new,change,renew
nhc XK 放射诊疗许可 b=RADI t=20/15 m=3,85,69,72,78 r=FSZLXKZ:放射诊疗许可证 th=l-permit a=L insp
nhc XK 母婴保健技术服务执业许可 b=MCH:32 t=20/15 m=3,85,69 r=MYBJJSFWZYXKZ:母婴保健技术服务执业许可证 th=l-permit a=L
nhc XK 集中式供水单位卫生许可 b=WATERS t=20/15 m=3,78,72,29 r=GSDWWSXKZ:供水单位卫生许可证 th=l-permit a=L insp
nhc QT 托育机构备案 b=POP,NURSERY t=5/0 m=3,25,33,84 r=doc:托育机构备案回执 th=l-permit a=L k=开托育,托儿所,早教
nhc QT 中医诊所备案 b=TCM:14 t=1/0 m=1,25,57,33 r=doc:中医诊所备案证 th=l-permit a=PL k=开中医诊所
nhc GG 无偿献血者用血费用报销 b=BLOOD:14 t=10/5 m=1,53,54,66 th=p-health k=献血报销,用血报销
nhc QT 义诊活动备案 b=HEALTH t=5/0 m=3,69 r=doc:义诊活动备案回执 th=l-permit a=L
nhc GG 婚前医学检查 b=MCH:7 t=1/0 m=1 th=p-marriage,p-health k=婚检,免费婚检
# 自然资源和规划局（不动产登记）
nr QR 不动产转移登记 b=CIVIL:209,REAL:14,REALD t=30/3 m=1,4,38,39,40,2? r=BDCQZ:不动产权证书 th=p-property,l-property
    a=PL f=BDC_HOUSE v=sign co=tax,hud q=transfer k=过户,二手房过户,房产过户,买房过户,卖房
nr QR 不动产首次登记 b=REAL:14,REALD t=30/10 m=1,44,41,34? r=BDCQZ:不动产权证书 th=l-property,p-property a=PL
    f=BDC_OTHER k=初始登记,新房办证,大产证
nr QR 不动产变更登记 b=REAL:14,REALD t=30/3 m=1,4 r=BDCQZ:不动产权证书 th=p-property,l-property a=PL
    k=房产证改名,变更登记
nr QR 不动产抵押权登记 b=CIVIL:402,REAL,REALD t=30/3 m=1,4 r=BDCDJZM:不动产登记证明 th=p-property,l-property a=PL
    f=BDC_HOUSE k=房屋抵押,抵押登记,按揭登记
nr QR 不动产注销登记 b=REAL,REALD t=30/1 m=1,4 r=doc:不动产注销登记证明 th=p-property,l-property a=PL k=解押,注销抵押
nr QR 不动产更正登记 b=CIVIL:220,REALD t=30/10 m=1,4 r=BDCQZ:不动产权证书 th=p-property a=PL
nr QR 不动产预告登记 b=CIVIL:221,REALD t=30/3 m=1,38 r=BDCDJZM:不动产登记证明 th=p-property a=PL f=BDC_HOUSE
    k=预告登记,期房登记
nr QR 不动产权证书补证、换证 b=REAL,REALD t=30/5 m=1 r=BDCQZ:不动产权证书 th=p-property a=PL f=BDC_CERT
    k=房产证丢了,补房产证,换房产证
nr GG 不动产登记资料查询 b=REAL:27 t=1/0 m=1 r=doc:不动产登记信息查询结果 th=p-property a=PL k=查房产,房产查询,查档
nr XK 建设工程规划许可 b=PLAN:40 t=20/10 m=3,44,43,42 r=JSGCGHXKZ:建设工程规划许可证 th=l-build a=L q=planning
    k=工程规划许可,规划证,规划许可
nr XK 建设用地规划许可 b=PLAN:37,PLAN:38 t=20/10 m=3,45,44 r=JSYDGHXKZ:建设用地规划许可证 th=l-build a=L
nr XK 建设项目用地预审与选址意见书核发 b=PLAN:36,LAND t=20/15 m=3,45 r=YDYSXZYJS:建设项目用地预审与选址意见书
    th=l-build a=L k=选址意见书,用地预审
nr XK 乡村建设规划许可 tw b=PLAN:41 t=20/10 m=1,43,2? r=XCJSGHXKZ:乡村建设规划许可证 th=l-build,p-housing a=PL
    k=农村建房,盖房子,自建房
nr XK 临时用地审批 b=LAND:57 t=20/15 m=3,33 r=doc:临时用地批复 th=l-build a=L
nr QT 建设工程规划条件核实 b=PLAN:45 t=15/5 m=3,41 r=doc:规划条件核实合格证明 th=l-build a=L insp k=规划验收,规划核实
# 住房和城乡建设局
hud QT 存量房交易网签备案 b=REST,TRANSFER t=1/0 m=1,4,38 r=doc:存量房买卖合同网签备案证明 th=p-property a=PL co=nr
    k=二手房网签,网签备案,二手房合同备案
hud QT 商品房买卖合同网签备案 b=REST,PRESALE t=1/0 m=1,38 r=doc:商品房买卖合同备案证明 th=p-property a=PL
    k=新房网签,购房合同备案
hud XK 商品房预售许可 b=REST:45,PRESALE:6 t=10/5 m=3,44,41,48 r=SPFYSXKZ:商品房预售许可证 th=l-build a=L k=预售证
hud QT 住房租赁合同登记备案 b=REST:54,RENT t=3/0 m=1,4,38? r=doc:房屋租赁登记备案证明 th=p-housing a=PL
    k=租房备案,租赁备案
hud XK 建筑工程施工许可证核发 b=BUILD:7,BUILD:8,PERMIT t=7/3 m=3,41,47,48,49,50 r=SGXKZ:建筑工程施工许可证 th=l-build
    a=L k=施工许可,开工许可,施工证
hud XK 建筑业企业资质核准 b=BUILD:13,QUAL t=20/15 m=3,69,71,72 r=JZYQYZZZS:建筑业企业资质证书 th=l-permit a=L
    k=施工资质
hud XK 房地产开发企业资质核定 b=REST:30,DEVQ t=20/15 m=3,69,71 r=FDCKFQYZZZS:房地产开发企业资质证书 th=l-permit a=L
hud XK 城镇污水排入排水管网许可 b=DRAIN:21,DRAINP t=15/5 m=1,3,25,36,37 r=PSXKZ:城镇污水排入排水管网许可证
    th=l-permit a=PL insp q=drain k=排水许可,排水证,餐饮排水,污水排放,开饭店
hud XK 建设工程消防设计审查 b=FIRE:11,FDESIGN t=15/10 m=3,43,47? r=doc:消防设计审查意见书 th=l-build a=L
hud XK 建设工程消防验收 b=FIRE:13,FDESIGN t=15/10 m=3,41,32 r=XFYSYJ:建设工程消防验收意见书 th=l-build a=L insp
hud QT 房屋建筑和市政基础设施工程竣工验收备案 b=CONSTQ:49,ACC t=15/5 m=3,41,34 r=doc:竣工验收备案证明 th=l-build a=L
hud XK 燃气经营许可 b=GASL:15 t=20/15 m=3,69,72,73,74 r=RQJYXKZ:燃气经营许可证 th=l-permit a=L
hud GG 公共租赁住房保障申请 b=PUBHOUSE t=30/20 m=1,2,67 th=p-housing tw k=公租房,廉租房,申请公租房
hud JF 住房租赁补贴 tw b=PUBHOUSE t=30/20 m=1,2,67,66 th=p-housing k=租房补贴
# 交通运输局
transport XK 道路旅客运输经营许可 b=TRANS:10 t=20/15 m=3,69,73 r=DLYSJYXKZ:道路运输经营许可证 th=l-permit a=L
    k=客运许可,跑客运
transport XK 道路货物运输经营许可 b=TRANS:24 t=20/5 m=1,3?,61,64 r=DLYSJYXKZ:道路运输经营许可证 th=l-permit a=PL
    k=货运许可,跑货运,货车营运证
transport XK 网络预约出租汽车经营许可 b=RIDE:5 t=20/15 m=3,69,73 r=WYCJYXKZ:网络预约出租汽车经营许可证 th=l-permit a=L
transport XK 网络预约出租汽车运输证核发 b=RIDE:12 t=10/5 m=1,61,59 r=WYCYSZ:网络预约出租汽车运输证 th=p-job a=PL
    k=网约车运输证,跑网约车
transport XK 网络预约出租汽车驾驶员证核发 b=RIDE:14 t=20/10 m=1,62,56 r=WYCJSYZ:网络预约出租汽车驾驶员证 th=p-job
    k=网约车驾驶员证,网约车司机
transport XK 巡游出租汽车驾驶员从业资格证核发 b=TAXI,OPQ t=20/10 m=1,62 r=CYZGZ:道路运输从业资格证 th=p-job
    k=出租车司机,出租车资格证
transport XK 道路运输从业人员从业资格证核发 b=TRANS,OPQ t=10/5 m=1,62,11 r=CYZGZ:道路运输从业资格证 th=p-job
    k=货运资格证,客运资格证
transport QT 机动车维修经营备案 b=TRANS:37,REPAIR t=5/0 m=1,3,25,72 r=doc:机动车维修经营备案回执 th=l-permit a=PL
    k=开修车店,汽修厂,汽车维修
transport QT 机动车驾驶员培训经营备案 b=TRANS,DRVTRAIN t=5/0 m=3,25,72,69 r=doc:机动车驾驶员培训备案回执 th=l-permit
    a=L k=驾校,开驾校
transport XK 公路超限运输许可 b=HWY:50,OVER t=15/2 m=61,62,63 r=CXYSTXZ:超限运输车辆通行证 th=l-permit a=PL
    k=大件运输,超限通行证
transport XK 涉路施工许可 b=HWY:44,HWY:45 t=20/10 m=3,43,50 r=doc:涉路施工许可决定书 th=l-build a=L
transport QT 道路运输证年度审验 b=TRANS t=1/0 m=63,61 r=DLYSZ:道路运输证 th=l-annual a=PL k=营运证年审,运输证年审
transport GG 老年人公交卡办理 b=ELDER t=5/0 m=1,11 th=p-elderly,p-transport k=老年卡,老人乘车卡,免费乘车
# 税务局
tax QT 新办纳税人税务登记信息确认 b=TAXC:15,TAXCD t=1/0 m=3 r=doc:税务事项通知书 th=l-tax,l-setup a=L co=amr
    k=税务登记,税务报到,新办企业税务
tax GG 发票领用 b=INV:15 t=1/0 m=3,1 th=l-tax a=PL k=领发票,申领发票,税控盘,开发票
tax XK 增值税专用发票最高开票限额审批 b=INV,DECIDE412 t=20/10 m=3 r=doc:准予税务行政许可决定书 th=l-tax a=L
    k=专票限额,提高开票限额
tax QT 契税申报 b=DEED:9,DEED:10 t=1/0 m=1,38,4? r=QSWSZM:契税完税证明 th=p-property,l-tax a=PL co=nr
    k=交契税,二手房交税,买房交税
tax GG 个人所得税综合所得汇算清缴 b=IIT:11 t=1/0 m=1,66 th=p-job k=个税退税,个税汇算,退个税
tax GG 车辆购置税申报 b=VPT t=1/0 m=1,58 r=doc:车辆购置税完税证明 th=p-transport a=PL k=交购置税,新车交税
tax GG 开具税收完税证明 b=TAXCD t=1/0 m=1 r=doc:税收完税证明 th=l-tax a=PL k=完税证明,纳税证明
tax QT 跨区域涉税事项报告 b=TAXC t=1/0 m=3 r=doc:跨区域涉税事项报告表 th=l-tax a=L k=外经证
tax QT 清税申报（税务注销） b=TAXC:16,TAXCD t=20/1 m=3 r=doc:清税证明 th=l-close,l-tax a=L k=税务注销,清税
tax QR 纳税信用复评 b=TAXC t=15/15 m=3 r=doc:纳税信用复评结果 th=l-tax a=L k=信用修复
# 医疗保障局
hsa GG 城乡居民基本医疗保险参保登记 b=SI:25 t=1/0 m=1,2,5? th=p-birth,p-health,p-social tw
    k=医保,新农合,居民医保,新生儿医保,交医保
hsa QR 单位参加职工基本医疗保险登记 b=SI:23,SI:57 t=5/0 m=3 r=doc:医疗保险登记回执 th=l-hr,l-setup a=L k=单位医保
hsa QR 职工医保退休人员待遇核定 b=SI:27 t=20/5 m=1,18 r=doc:退休人员医疗保险待遇核定表 th=p-social,p-health,p-elderly
    co=hrss k=退休医保,退休后医保,医保缴费年限
hsa GG 异地就医备案 tw b=SI:29,MEDF t=1/0 m=1 th=p-health,p-social k=异地就医,外地看病,异地报销,异地医保
hsa QR 门诊慢特病待遇认定 b=SI:28,MEDF t=20/10 m=1,52 r=doc:门诊慢特病待遇认定结果 th=p-health
    k=慢性病,特殊病,门诊特殊病,慢病卡
hsa JF 医疗费用零星报销 tw b=SI:28,MEDF t=30/20 m=1,53,54,52,66 th=p-health k=医药费报销,看病报销,手工报销
hsa JF 生育津贴支付 b=SI:56 t=20/10 m=1,5,52?,66 th=p-birth,p-social k=生育津贴,产假工资,生育险
hsa JF 生育医疗费用支付 b=SI:55 t=20/10 m=1,53,54 th=p-birth,p-health k=生孩子报销,生育报销
hsa GG 基本医疗保险关系转移接续 b=SI:32 t=45/15 m=1 th=p-social,p-health k=医保转移,医保转出
hsa GG 医药机构申请医保定点 b=MEDF t=90/60 m=3,85,73 th=l-permit a=L k=医保定点,定点药店
hsa GG 参保人员信息变更 b=SI t=1/0 m=1 th=p-social tw k=医保信息变更
# 教育局
edu XK 教师资格认定 b=TEACH:13,EDU t=30/20 m=1,11,55,56,57? r=JSZGZS:教师资格证书 th=p-edu,p-job
    k=教资认定,教师资格证,考教资
edu XK 民办学校设立审批 b=PRIVED:12 t=90/30 m=1,70,71,25,69 r=MBXXBXXKZ:民办学校办学许可证 th=l-permit a=L insp
    k=办学许可,开幼儿园,民办幼儿园
edu XK 校外培训机构审批 b=PRIVED,EDU t=30/20 m=1,70,71,25,69 r=MBXXBXXKZ:民办学校办学许可证 th=l-permit a=L insp
    k=培训机构,补习班,艺术培训
edu GG 义务教育阶段新生入学报名 b=COMP:12 t=10/5 m=1,2,4?,12? th=p-edu k=入学报名,上小学,小升初,学位申请,入学
edu GG 中小学生转学 b=COMP t=10/5 m=1,2 th=p-edu k=转学
edu JF 普通高中国家助学金 b=EDU:38 t=30/20 m=1,2,67 th=p-edu k=助学金,高中助学金
edu JF 学前教育幼儿资助 b=EDU:38 t=30/20 m=1,2,67 th=p-edu k=幼儿园补助,学前资助
edu GG 学历证明书补办 b=EDU:22 t=10/5 m=1 r=doc:学历证明书 th=p-edu k=毕业证丢了,补毕业证
# 残疾人联合会
dpf GG 残疾人证核发 b=DISAB,DISABC t=20/10 m=1,2,11,52 r=CJRZ:残疾人证 th=p-disability v=assess
    k=残疾证,办残疾证,残疾人证
> new 残疾人证新办
> renew 残疾人证换领 m=1,15,11
> change 残疾人证变更 m=1,15
> cancel 残疾人证注销 m=15,13? r=- v=- k=残疾证注销
dpf JF 残疾人辅助器具适配补贴 b=DISAB t=20/10 m=1,15,66 th=p-disability tw k=轮椅补贴,助听器补贴,辅具补贴
dpf JF 残疾儿童康复救助 tw b=DISAB,DISABR t=20/10 m=1,2,52,15? th=p-disability,p-health k=康复救助,自闭症康复,孤独症
dpf JF 残疾人就业创业补贴 b=DISAB t=20/10 m=1,15,3?,66 th=p-disability,p-job k=残疾人创业
dpf JF 残疾人机动轮椅车燃油补贴 tw b=DISAB t=20/10 m=1,15,61,66 th=p-disability
# 发展和改革委员会
ndrc QT 企业投资项目备案 b=INVEST:13 t=1/0 m=3 r=doc:项目备案证明 th=l-build a=L k=项目备案,立项备案
ndrc XK 企业投资项目核准 b=INVEST:6 t=20/20 m=3,45?,46? r=doc:项目核准批复 th=l-build a=L k=项目核准,立项
ndrc XK 固定资产投资项目节能审查 b=ENERGYL:15,ENERGY t=20/10 m=3,45 r=doc:节能审查意见 th=l-build a=L k=节能评估,能评
ndrc QT 政府投资项目可行性研究报告审批 b=GOVINV:9 t=20/15 m=3,43 r=doc:可行性研究报告批复 th=l-build a=L
# 财政局
finance XK 代理记账资格审批 b=ACCT:36,BOOK t=20/10 m=1,3,57,73 r=DLJZXKZS:代理记账许可证书 th=l-permit a=L
    k=代账公司,代理记账
finance CJ 政府采购投诉处理 b=PROC:56,PROCC t=30/30 m=3,8? r=doc:投诉处理决定书 th=l-permit a=PL k=政府采购投诉
finance GG 会计人员信息采集 b=ACCT t=1/0 m=1,55,57? th=p-job k=会计信息采集,会计继续教育
# 生态环境局
eco XK 建设项目环境影响评价文件审批 b=EIA:22,EIAB t=60/20 m=3,46,45? r=doc:环境影响评价文件批复 th=l-build a=L
    k=环评,环评审批,环评批复
+ 建设项目环境影响报告书审批 t=60/30
+ 建设项目环境影响报告表审批 t=30/15
eco QT 建设项目环境影响登记表备案 b=EIA:22 t=1/0 m=3 r=doc:建设项目环境影响登记表备案回执 th=l-build a=L k=环评登记表
eco XK 排污许可证核发 b=POLL,ENV:45 t=20/15 m=3,46,78 r=PWXKZ:排污许可证 th=l-permit a=L k=排污证
    s=new,change,renew,cancel
eco XK 辐射安全许可证核发 b=RADS t=20/15 m=3,69,72,73 r=FSAQXKZ:辐射安全许可证 th=l-permit a=L
eco JL 生态环境违法行为举报奖励 b=ENV:57 t=60/30 m=1,66 r=doc:举报奖励决定书 th=p-health a=P k=环保举报,污染举报
# 农业农村局
agri XK 农作物种子生产经营许可 b=SEED:31 t=20/15 m=3,69,72,78 r=NZWZZSCJYXKZ:农作物种子生产经营许可证 th=l-permit a=L
    k=种子经营,卖种子
agri XK 农药经营许可 b=PEST:24 t=20/15 m=3,25,69,73 r=NYJYXKZ:农药经营许可证 th=l-permit a=PL insp k=卖农药,农资店
agri XK 兽药经营许可 b=VET:22 t=30/15 m=3,25,69,73 r=SYJYXKZ:兽药经营许可证 th=l-permit a=PL insp k=兽药店
agri XK 动物防疫条件合格证核发 b=ANIM:25 t=20/15 m=1,3?,33,73 r=DWFYTJHGZ:动物防疫条件合格证 th=l-permit a=PL insp
    k=养殖场,养猪场,屠宰场
agri XK 动物诊疗许可 b=ANIM:61 t=20/15 m=1,3?,25,57,72 r=DWZLXKZ:动物诊疗许可证 th=l-permit a=PL insp
    k=开宠物医院,兽医院
agri XK 生鲜乳收购站许可 b=MILK:20 t=20/15 m=3,72,73,78 r=SXRSGXKZ:生鲜乳收购许可证 th=l-permit a=L
agri XK 拖拉机和联合收割机登记 b=FARMM t=2/1 m=1,58 r=TLJDJZS:拖拉机和联合收割机登记证书 th=p-transport a=PL
    k=农机上牌,拖拉机上牌
agri XK 拖拉机和联合收割机驾驶证核发 b=FARMM t=20/5 m=1,11,56 r=TLJJSZ:拖拉机和联合收割机驾驶证 th=p-transport
    k=拖拉机驾照
agri XK 水产苗种生产许可 b=FISH:16 t=20/15 m=1,3?,72 r=SCMZSCXKZ:水产苗种生产许可证 th=l-permit a=PL
agri XK 渔业捕捞许可 b=FISH:23 t=20/10 m=1,72 r=BLXKZ:渔业捕捞许可证 th=p-job a=PL k=捕鱼证,捕捞证
agri JF 农机购置与应用补贴 b=AGMECH:27 t=30/20 m=1,58,66 th=p-job a=PL tw k=农机补贴,买农机补贴
agri JF 耕地地力保护补贴 b=AGRIL t=30/20 m=1,66 th=p-job tw k=种粮补贴,地力补贴
agri CJ 农村土地承包经营纠纷仲裁 b=CONTRACT:2,CONTRACT:48 t=60/60 m=1,8? r=doc:仲裁裁决书 th=p-property a=PL
    k=土地纠纷,承包地纠纷
agri JL 农业技术推广奖励 b=AGTECH:8 t=90/60 m=1 r=doc:奖励决定 th=p-job a=PL
# 文化和旅游局
culture XK 娱乐场所经营许可 b=ENT:9 t=20/15 m=1,3,25,33 r=YLJYXKZ:娱乐经营许可证 th=l-permit a=PL insp
    k=开KTV,歌舞厅,游戏厅,开歌厅
culture XK 互联网上网服务营业场所经营许可 b=NETBAR:10 t=20/15 m=1,3,25,33 r=WLWHJYXKZ:网络文化经营许可证 th=l-permit
    a=PL insp k=开网吧,网咖,电竞馆
culture XK 营业性演出审批 b=SHOW:13 t=20/3 m=3,8? r=doc:营业性演出批准文件 th=l-permit a=L
    k=演出报批,演唱会审批,商业演出
culture XK 旅行社业务经营许可 b=TRAVEL:6 t=20/15 m=1,3,25 r=LXSYWJYXKZ:旅行社业务经营许可证 th=l-permit a=L k=开旅行社
culture XK 文物保护单位建设控制地带内建设工程设计方案审批 b=RELIC:18 t=20/15 m=3,43 r=doc:审批意见 th=l-build a=L
culture QT 艺术品经营单位备案 b=ART:5 t=5/0 m=1,3 r=doc:艺术品经营单位备案证明 th=l-permit a=PL k=画廊,卖字画
culture QR 非物质文化遗产代表性传承人认定 b=ICH:29 t=90/60 m=1 r=doc:代表性传承人认定决定 th=p-job k=非遗传承人
culture GG 公共图书馆借阅证办理 b=LIB t=1/0 m=1 th=p-edu k=办借书证,图书馆,读者证
# 应急管理局
em XK 危险化学品经营许可 b=HAZ:33,HAZ:34 t=30/15 m=3,25,69,73,74 r=WXHXPJYXKZ:危险化学品经营许可证 th=l-permit a=L insp
    k=卖化工品,危化品经营
em XK 烟花爆竹经营（零售）许可 b=FIREWORK:19 t=20/10 m=1,3?,25,73 r=YHBZJYXKZ:烟花爆竹经营（零售）许可证 th=l-permit
    a=PL insp k=卖鞭炮,卖烟花,烟花爆竹
em QT 生产经营单位生产安全事故应急预案备案 b=SAFE:81,PLANEM t=20/5 m=3,74 r=doc:应急预案备案登记表 th=l-permit a=L
em QT 第二类、第三类非药品类易制毒化学品经营备案 b=PREC t=3/1 m=3,73 r=doc:非药品类易制毒化学品经营备案证明
    th=l-permit a=L
em JL 安全生产违法行为举报奖励 b=SAFE:76 t=60/30 m=1,66 r=doc:举报奖励决定书 th=p-job a=P k=安全隐患举报
# 城市管理局
cm XK 户外广告设施设置审批 b=CITY:11,ADV:41 t=20/5 m=1,3,25,35 r=doc:户外广告设施设置许可决定书 th=l-permit a=PL q=ads
    k=招牌,广告牌,门头招牌,店招,开饭店,户外广告
cm XK 城市建筑垃圾处置核准 b=CWASTE,DECIDE412 t=20/10 m=3,72,73 r=JZLJCZHZ:城市建筑垃圾处置核准证 th=l-build a=L
    k=渣土运输,建筑垃圾
cm XK 临时占用城市道路审批 b=ROADM:31 t=20/5 m=1,3?,33 r=doc:临时占用城市道路许可决定书 th=l-permit a=PL
    k=占道,占道经营,占用道路
cm XK 挖掘城市道路审批 b=ROADM:30,ROADM:33 t=20/5 m=3,33,43 r=doc:挖掘城市道路许可决定书 th=l-build a=L k=挖路,道路开挖
cm XK 改变绿化规划、绿化用地的使用性质审批 b=GREEN t=20/10 m=3,43 r=doc:改变绿化用地使用性质许可决定书 th=l-build a=L
cm XK 砍伐、迁移城市树木审批 b=GREEN t=20/5 m=1,3?,33 r=doc:砍伐迁移城市树木许可决定书 th=l-build a=PL k=砍树,移树
cm XK 从事城市生活垃圾经营性清扫、收集、运输、处理服务审批 b=GARB t=20/15 m=3,72,73 r=doc:许可决定书 th=l-permit a=L
~cm QT 店招标牌设置备案 b=CITY t=3/0 m=1,3,35 r=doc:店招标牌设置备案回执 th=l-permit a=PL k=店招,门头招牌,招牌备案
# 司法局
justice GG 法律援助申请 b=AID t=7/3 m=1,67 r=doc:给予法律援助决定书 th=p-social tw k=法律援助,免费律师,请律师
justice QT 律师执业许可初审 b=LAWYER:6 t=20/20 m=1,11,57,56? r=doc:律师执业申请初审意见 th=p-job k=律师执业
justice XK 基层法律服务工作者执业核准 b=GRASS t=20/20 m=1,11,55 r=JCFLFWZYZ:基层法律服务工作者执业证 th=p-job
justice GG 人民调解申请 b=MEDIATE:17 t=30/30 m=1 th=p-social tw k=调解,邻里纠纷,纠纷调解
justice QT 行政复议申请 b=REVIEW t=60/60 m=1,8? r=doc:行政复议决定书 th=p-social a=PL k=行政复议,复议
# 退役军人事务局
veterans GG 退役军人优待证申领 tw b=VETS t=30/20 m=1,65,11 r=TYJRYDZ:退役军人优待证 th=p-social k=优待证,退役军人卡
veterans QT 退役士兵安置 b=SOLD t=60/30 m=1,65 r=doc:退役士兵安置介绍信 th=p-job k=退伍安置,转业安置
veterans QT 伤残抚恤关系接收 b=PREF t=30/20 m=1,65 r=doc:伤残抚恤关系接收证明 th=p-social
veterans QR 残疾军人残疾等级评定 b=PREF v=assess t=60/40 m=1,65,52 r=CJJRZ:中华人民共和国残疾军人证 th=p-disability
veterans JF 带病回乡退伍军人生活补助 b=PREF t=30/20 m=1,65,52,66 th=p-social tw
veterans JF 烈士褒扬金发放 b=MARTYR t=30/20 m=1,87,66 th=p-death,p-social
veterans JF 参战参试退役人员生活补助 b=PREF t=30/20 m=1,65,66 th=p-social tw
# 商务局
commerce XK 报废机动车回收企业资质认定 b=SCRAP:5 t=30/20 m=3,25,72,73 r=BFJDCHSZZRDS:报废机动车回收企业资质认定书
    th=l-permit a=L
commerce QT 单用途商业预付卡备案 b=PREPAID t=20/5 m=3 r=doc:单用途商业预付卡备案回执 th=l-permit a=L k=会员卡备案,预付卡
commerce XK 成品油零售经营资格审批 b=DECIDE412 t=20/20 m=3,25,72,73 r=CPYLSJYPZZS:成品油零售经营批准证书 th=l-permit
    a=L k=开加油站
commerce QT 再生资源回收经营者备案 b=RECYC:7 t=5/0 m=1,3 r=doc:再生资源回收经营者备案回执 th=l-permit a=PL
    k=废品回收,收废品
# 水利局
water XK 取水许可 b=WATERL:48,DRAW t=45/20 m=3,75 r=QSXKZ:取水许可证 th=l-permit a=L k=打井,取水证,地下水
water XK 河道管理范围内建设项目工程建设方案审批 b=WATERL:38,RIVER:11 t=20/15 m=3,43
    r=doc:河道管理范围内建设项目审批决定书
    th=l-build a=L
water XK 生产建设项目水土保持方案审批 b=SOIL:25 t=20/10 m=3,76 r=doc:水土保持方案批复 th=l-build a=L k=水保方案
water XK 洪水影响评价类审批 b=FLOOD:27 t=20/15 m=3,43 r=doc:洪水影响评价审批决定书 th=l-build a=L
water CJ 水事纠纷裁决 b=WATERL:57 t=60/60 m=1,8? r=doc:水事纠纷处理决定书 th=p-property a=PL k=用水纠纷
# 住房公积金管理中心
hpf GG 住房公积金单位缴存登记 b=HPF:14 t=1/0 m=3 r=doc:住房公积金单位缴存登记证明 th=l-hr,l-setup a=L
    k=公积金开户,单位公积金开户
hpf GG 住房公积金个人账户设立 b=HPF:15 t=1/0 m=1 th=p-housing k=个人公积金开户
hpf GG 住房公积金提取（购房） b=HPF:24 t=3/1 m=1,4,38? th=p-housing k=取公积金,公积金提取,买房提取
hpf GG 住房公积金提取（租房） b=HPF:24 t=3/0 m=1 th=p-housing k=租房提取公积金,提公积金
hpf GG 住房公积金提取（退休） b=HPF:24 t=3/0 m=1 th=p-housing,p-elderly k=退休提取公积金,销户提取
hpf GG 住房公积金个人住房贷款 b=HPF:26 t=15/10 m=1,6?,38 th=p-housing k=公积金贷款,买房贷款
hpf GG 住房公积金缴存基数调整 b=HPF:16 t=5/0 m=3 th=l-hr a=L k=公积金基数调整
hpf GG 住房公积金异地转移接续 b=HPF t=15/5 m=1 th=p-housing k=公积金转移
hpf GG 住房公积金缴存证明开具 b=HPF t=1/0 m=1 r=doc:住房公积金缴存证明 th=p-housing k=公积金证明
# 政务服务管理局、数据资源管理局
gov GG 投资项目帮办代办服务 b=OPT t=1/0 m=3 th=l-build a=L k=帮办代办,项目代办
~gov GG 政务服务帮办代办 b=OPT t=1/0 m=1 th=p-elderly a=PL tw k=帮办,代办,老年人代办
data GG 公共数据开放申请 b=DATA t=20/10 m=3,84 th=l-permit a=PL k=数据开放,申请数据
# 消防救援支队
fire XK 公众聚集场所投入使用、营业前消防安全检查 b=FIRE:15 t=10/3 m=1,3,33,32,84?
    r=XFAQJCHGZ:公众聚集场所投入使用营业前消防安全检查合格证 th=l-permit a=PL insp q=firecheck
    k=消防检查,消防安全检查,消防许可,开饭店,开网吧
fire JL 举报火灾隐患奖励 b=FIRE t=30/20 m=1,66 r=doc:举报奖励决定书 th=p-social a=P k=火灾隐患举报
# 林业局
forestry XK 林木采伐许可证核发 b=FOREST:56 t=20/5 m=1,77,33 r=LMCFXKZ:林木采伐许可证 th=p-property a=PL
    k=砍树,采伐证,伐木
forestry XK 建设项目使用林地审核审批 b=FOREST:37 t=20/15 m=3,45,77? r=doc:使用林地审核同意书 th=l-build a=L
forestry XK 植物检疫证书核发 b=PLANTQ:7 t=20/5 m=1,3? r=ZWJYZS:植物检疫证书 th=l-permit a=PL k=苗木检疫
forestry XK 林草种子生产经营许可 b=SEED:31 t=20/15 m=3,69,72 r=LCZZSCJYXKZ:林草种子生产经营许可证 th=l-permit a=L
forestry XK 森林防火期内野外用火审批 b=FIREF:25 t=5/2 m=1,33 r=doc:野外用火许可决定书 th=p-property a=PL k=野外用火,烧荒
forestry XK 野生动物人工繁育许可 b=WILD:25 t=20/15 m=1,3?,72,73 r=YSDWRGFYXKZ:人工繁育许可证 th=l-permit a=PL
# 体育局
sport XK 经营高危险性体育项目许可 b=SPORT:32,RISKS t=30/15 m=1,3,69,72,73 r=GWXTYXMJYXKZ:高危险性体育项目经营许可证
    th=l-permit a=PL insp k=开游泳馆,游泳池,攀岩馆,滑雪场
sport XK 临时占用公共体育设施审批 b=SPORTL t=20/10 m=3,33 r=doc:临时占用公共体育设施许可决定书 th=l-permit a=L
sport QR 运动员技术等级称号授予 b=SPORTL t=30/20 m=1,11 r=YDYDJZS:运动员技术等级证书 th=p-edu k=二级运动员,运动员等级
# 气象局
weather XK 雷电防护装置设计审核 b=MET:31,LIGHT:23 t=20/10 m=3,43,78 r=doc:雷电防护装置设计核准意见书 th=l-build a=L
    k=防雷设计
weather XK 雷电防护装置竣工验收 b=MET:31,LIGHT:23 t=20/10 m=3,78 r=doc:雷电防护装置验收意见书 th=l-build a=L insp
    k=防雷验收
weather XK 升放无人驾驶自由气球或者系留气球活动审批 b=BALLOON,MET t=5/3 m=3,33 r=doc:升放气球活动许可决定书 th=l-permit
    a=PL
weather GG 气象灾害证明出具 b=MET t=5/2 m=1 r=doc:气象证明 th=p-property a=PL k=气象证明,天气证明,保险理赔
# 烟草专卖局
tobacco XK 烟草专卖零售许可证核发 b=TOB:16,TOBD:10,TOBL t=20/10 m=1,3,25 r=YCZMLSXKZ:烟草专卖零售许可证 th=l-permit
    a=PL insp k=卖烟,烟草证,烟草许可证,开超市,开便利店 s=new,change,renew,cancel
# 统计局
stats GG 统计资料查询 b=STAT t=5/3 m=1 a=PL k=统计数据,统计年鉴
stats QT 统计调查项目备案 b=STAT:17 t=20/10 m=3 r=doc:统计调查项目备案通知书 a=L
# 中国人民银行示范市分行
pbc GG 企业银行开户信息推送 b=BANK t=1/0 m=3,1 th=l-setup a=L k=银行开户,对公账户,企业开户,基本户
pbc GG 个人信用报告查询 b=CREDIT:17 t=1/0 m=1 r=doc:个人信用报告 th=p-housing k=征信,查征信,信用报告
pbc GG 企业信用报告查询 b=CREDIT t=1/0 m=3,68 r=doc:企业信用报告 th=l-tax a=L k=企业征信
# 供水、供电、燃气
supply GG 供水过户 b=WSUP t=3/1 m=1,4,80? th=p-property,p-housing a=PL k=水表过户,自来水过户,水电气过户
supply GG 用水报装 b=WSUP t=10/5 m=1,4,33? th=p-housing,l-build a=PL k=装水表,自来水报装,接水
supply GG 用水销户 b=WSUP t=3/1 m=1,80? th=p-housing a=PL k=水表销户
power GG 供电过户 b=POWER t=3/1 m=1,4,80? th=p-property,p-housing a=PL k=电表过户,水电气过户
power GG 低压用电报装 b=POWER t=10/5 m=1,4 th=p-housing,l-build a=PL k=装电表,用电报装,接电
power GG 用电销户 b=POWER t=3/1 m=1,80? th=p-housing a=PL k=电表销户
gas GG 燃气过户 b=GASL t=3/1 m=1,4,80? th=p-property,p-housing a=PL k=燃气过户,天然气过户,煤气过户,水电气过户
gas GG 燃气报装 b=GASL t=15/5 m=1,4 th=p-housing,l-build a=PL k=装燃气,天然气开户,燃气开户
gas GG 燃气销户 b=GASL t=3/1 m=1,80? th=p-housing a=PL k=燃气停用
"""

# The items each canonical "one thing" bundle is made of, by name (for the bundles' own seed).
BUNDLES = {
    "新生儿出生": (
        "出生医学证明首次签发",
        "预防接种证办理",
        "户口登记（出生）",
        "城乡居民基本医疗保险参保登记",
        "社会保障卡申领",
    ),
    "企业开办": (
        "企业设立登记",
        "公章刻制备案",
        "新办纳税人税务登记信息确认",
        "发票领用",
        "单位参加社会保险登记",
        "住房公积金单位缴存登记",
        "企业银行开户信息推送",
    ),
    "开办餐饮店": (
        "个体工商户设立登记",
        "企业设立登记",
        "食品经营许可",
        "公共场所卫生许可",
        "户外广告设施设置审批",
        "城镇污水排入排水管网许可",
        "公众聚集场所投入使用、营业前消防安全检查",
    ),
    "二手房交易及水电气联动过户": (
        "不动产转移登记",
        "存量房交易网签备案",
        "契税申报",
        "供水过户",
        "供电过户",
        "燃气过户",
    ),
    "退休": ("职工退休申请（基本养老保险待遇核定）", "职工医保退休人员待遇核定"),
}


# --- The plan: the tables parsed into specs --------------------------------------------------------


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    licence_type_code: str = ""
    shared_field: str = ""
    form: bool = False  # filled in by the applicant: one original, no copy
    when: str = ""  # the usual condition when an item asks for it only in some cases


@dataclass(frozen=True)
class ItemSpec:
    department: str  # department key; "~amr": every county's counterpart of "amr"
    type_code: str
    name: str
    basic_code: str
    kind: str = Item.MAIN
    situation: str = ""
    legal_basis: str = ""
    legal_days: int = 20
    promised_days: int = 10
    materials: tuple[tuple[str, bool], ...] = ()  # (standard material code, required)
    form: bool = True
    result: tuple[str, str, str] = ("none", "", "")  # result type, name, e-licence type ("" = 批文)
    themes: tuple[str, ...] = ()
    persons: bool = True
    legal_persons: bool = False
    keywords: str = ""
    fees: tuple[tuple[str, int, str], ...] = ()
    visits: int = 0
    visits_reason: str = ""
    online_depth: int = 4
    co_departments: tuple[str, ...] = ()
    inspect: bool = False
    faq: tuple[tuple[str, str], ...] = ()
    township: bool = False
    children: tuple["ItemSpec", ...] = field(default=())

    @property
    def county_level(self) -> bool:
        return self.department.startswith("~")

    def walk(self) -> Iterator["ItemSpec"]:
        yield self
        for child in self.children:
            yield from child.walk()


def _table_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line


@cache
def material_plan() -> dict[str, MaterialSpec]:
    materials = {}
    for line in _table_lines(MATERIALS):
        code, name, *options = line.split()
        values = dict(option.split("=", 1) if "=" in option else (option, "1") for option in options)
        unknown = set(values) - {"lic", "shared", "form", "when"}
        if unknown:
            raise ValueError(f"标准材料 {code} 有未知字段：{sorted(unknown)}")
        materials[code] = MaterialSpec(
            code=code,
            name=name,
            licence_type_code=values.get("lic", ""),
            shared_field=values.get("shared", ""),
            form="form" in values,
            when=values.get("when", ""),
        )
    return materials


def _entries(text: str) -> Iterator[list[str]]:
    """Each entry's tokens; an indented line continues the entry above it."""
    entry: list[str] = []
    for line in _table_lines(text):
        if line[0].isspace():
            entry.extend(line.split())
            continue
        if entry:
            yield entry
        entry = line.split()
    if entry:
        yield entry


@dataclass
class _Node:
    options: dict[str, str]
    children: list["_Node"] = field(default_factory=list)


_OPTIONS = {"b", "t", "m", "r", "th", "a", "k", "f", "v", "d", "co", "s", "q", "insp", "noform", "tw"}


def _node(head: dict[str, str], tokens: list[str]) -> _Node:
    options = dict(head)
    for token in tokens:
        key, _, value = token.partition("=")
        if key not in _OPTIONS:
            raise ValueError(f"事项“{head.get('name')}”有未知字段：{token}")
        options[key] = value if value else "1"
    return _Node(options)


@cache
def catalogue_plan() -> tuple[ItemSpec, ...]:
    """The 主项 of ITEMS in table order, each with its 子项 and 业务办理项."""
    mains: list[_Node] = []
    for tokens in _entries(ITEMS):
        if tokens[0] == "+":
            sub = _node({"name": tokens[1]}, tokens[2:])
            mains[-1].children.append(sub)
        elif tokens[0] == ">":
            handling = _node({"situation": tokens[1], "name": tokens[2]}, tokens[3:])
            parent = mains[-1].children[-1] if mains[-1].children else mains[-1]
            if parent is not mains[-1] and parent.options.get("situation"):
                parent = mains[-1]
            parent.children.append(handling)
        else:
            department, type_code, name, *rest = tokens
            mains.append(_node({"department": department, "type": type_code, "name": name}, rest))
    sequences = dict.fromkeys(TYPE_DIGITS, 0)
    plan = []
    for main in mains:
        type_code = main.options["type"]
        sequences[type_code] += 1
        plan.append(_spec(main, {}, code=f"00011{TYPE_DIGITS[type_code]}{sequences[type_code]:03d}", sub=0))
    return tuple(plan)


def _spec(node: _Node, inherited: dict[str, str], *, code: str, sub: int) -> ItemSpec:
    options = {**inherited, **node.options}
    situation = node.options.get("situation", "")
    if situation and situation not in SITUATIONS:
        raise ValueError(f"事项“{options['name']}”的办理情形 {situation} 无效")
    kind = Item.HANDLING if situation else (Item.SUB if sub else Item.MAIN)
    basic_code = f"{code}{sub:02d}"
    inheritable = {key: value for key, value in options.items() if key not in {"name", "situation", "s"}}
    children, subs = [], 0
    for child in node.children:
        if child.options.get("situation"):
            children.append(_spec(child, inheritable, code=code, sub=sub))
        else:
            subs += 1
            children.append(_spec(child, inheritable, code=code, sub=subs))
    spec = _compile(options, basic_code=basic_code, kind=kind, situation=situation)
    generated = [
        _situation_child(spec, situation) for situation in options.get("s", "").split(",") if situation and not children
    ]
    return replace(spec, children=tuple(children + generated))


def _compile(options: dict[str, str], *, basic_code: str, kind: str, situation: str) -> ItemSpec:
    name, type_code = options["name"], options["type"]
    if type_code not in TYPE_DIGITS:
        raise ValueError(f"事项“{name}”的类型 {type_code} 不是依申请的事项类型")
    legal, _, promised = options["t"].partition("/")
    themes = tuple(filter(None, options.get("th", "").split(",")))
    audience = options.get("a") or ("".join(sorted({theme[0].upper() for theme in themes}, reverse=True)) or "P")
    visits, reason = VISITS[options["v"]] if options.get("v", "-") != "-" else (0, "")
    return ItemSpec(
        department=options["department"],
        type_code=type_code,
        name=name,
        basic_code=basic_code,
        kind=kind,
        situation=situation,
        legal_basis=_legal_basis(options["b"]),
        legal_days=int(legal),
        promised_days=int(promised or legal),
        materials=tuple(_materials(options.get("m", ""))),
        form="noform" not in options,
        result=_result(options.get("r", "-" if type_code in {"JF", "GG"} else ""), name),
        themes=themes,
        persons="P" in audience,
        legal_persons="L" in audience,
        keywords=" ".join(filter(None, options.get("k", "").split(","))),
        fees=tuple(fee for key in options.get("f", "-").split(",") if key != "-" for fee in FEES[key]),
        visits=visits,
        visits_reason=reason,
        online_depth=int(options.get("d") or (3 if visits else 4)),
        co_departments=tuple(filter(None, options.get("co", "").split(","))),
        inspect="insp" in options,
        faq=FAQS[options["q"]] if "q" in options else (),
        township="tw" in options,
    )


def _legal_basis(text: str) -> str:
    """ "FSL:35,FOP" → 《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》"""
    articles: dict[str, list[str]] = {}
    for reference in text.split(","):
        key, _, article = reference.partition(":")
        if key not in LAWS:
            raise ValueError(f"未知的法律法规：{key}")
        articles.setdefault(key, [])
        if article:
            articles[key].append(f"第{_chinese_number(int(article))}条")
    return "；".join(LAWS[key] + "、".join(found) for key, found in articles.items())


def _chinese_number(number: int) -> str:
    """1049 → 一千零四十九, 15 → 十五 (up to 9,999: the numbering of articles)."""
    digits, out, zero = "零一二三四五六七八九", "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        quotient, number = divmod(number, value)
        if quotient:
            out += ("零" if zero else "") + digits[quotient] + unit
            zero = False
        elif out:
            zero = True
    if number:
        out += ("零" if zero else "") + digits[number]
    return out.removeprefix("一") if out.startswith("一十") else out


def _materials(text: str) -> Iterator[tuple[str, bool]]:
    known = material_plan()
    for token in filter(None, text.split(",")):
        code = f"M{int(token.rstrip('?')):04d}"
        if code not in known:
            raise ValueError(f"未知的标准材料：{code}")
        yield code, not token.endswith("?")


def _result(text: str, name: str) -> tuple[str, str, str]:
    if not text:
        raise ValueError(f"事项“{name}”须注明审批结果（r=）")
    if text == "-":
        return ("none", "", "")
    kind, _, result_name = text.partition(":")
    if kind == "doc":
        return ("document", result_name, "")
    if kind == "ok":
        return ("approval", result_name, "")
    if not re.fullmatch(r"[A-Z]+", kind) or not result_name:
        raise ValueError(f"事项“{name}”的审批结果写法有误：{text}")
    return ("licence", result_name, kind)


def _situation_child(spec: ItemSpec, situation: str) -> ItemSpec:
    """A generated 业务办理项: 变更 and 延续 also ask for the licence held; 注销 asks for little more,
    is quicker, and ends with a notice instead of the licence."""
    label = SITUATIONS[situation][1]
    name = f"{spec.name[:-1]}，{label}）" if spec.name.endswith("）") else f"{spec.name}（{label}）"
    held = next((code for code, m in material_plan().items() if m.licence_type_code == spec.result[2] != ""), None)
    materials, promised, inspect, result = spec.materials, spec.promised_days, spec.inspect, spec.result
    if situation in {"change", "renew"} and held:
        materials = tuple(dict.fromkeys((*materials, (held, True))))
    if situation == "change":
        promised = min(promised, 5)
    if situation == "cancel":
        materials = tuple(dict.fromkeys((*materials[:1], *(((held, True),) if held else ()))))
        promised, inspect = min(promised, 3), False
        result = ("document", "准予注销决定书", "")
    return replace(
        spec,
        name=name,
        kind=Item.HANDLING,
        situation=situation,
        materials=materials,
        promised_days=promised,
        inspect=inspect,
        result=result,
        children=(),
    )


def catalogue_size(counties: int) -> int:
    """How many items catalogue_build creates for a city with `counties` county-level units."""
    return sum(len(list(spec.walk())) * (counties if spec.county_level else 1) for spec in catalogue_plan())


# --- Versions: the fields and parts of one item at one implementing department ---------------------

CONDITIONS = {
    "XK": "申请人符合{law}规定的条件，申请材料齐全、符合法定形式。",
    "JF": "申请人符合{law}规定的给付条件，经审核属实。",
    "QR": "申请人符合{law}规定的条件，申请材料齐全、真实。",
    "JL": "符合{law}规定的奖励条件，经核实属实。",
    "CJ": "申请人与争议事项有直接利害关系，有明确的请求和事实理由，属于{law}规定的受理范围。",
    "QT": "申请人符合{law}规定的条件，申请材料齐全。",
    "GG": "申请人属于本服务的对象，依据{law}提供的材料齐全、真实。",
}


@dataclass
class _Context:
    """What every version needs to know about the city, looked up once."""

    departments: dict[str, Department]
    places: dict[int, tuple[int | None, str]]  # department id -> (hall id, windows)

    def co_department_ids(self, spec: ItemSpec, key: str) -> list[int]:
        """Co-handling departments: the implementer's own county counterpart where there is one."""
        county = key.partition(".")[0] if "." in key else ""
        found = [self.departments.get(f"{county}.{co}") or self.departments[co] for co in spec.co_departments]
        return [department.pk for department in found]


def _context(departments: dict[str, Department]) -> _Context:
    """The hall of each department's region and the windows there that accept its items."""
    regions = {department.region_id for department in departments.values()}
    halls = {hall.region_id: hall for hall in ServiceHall.objects.filter(region_id__in=regions)}
    windows: dict[tuple[int, int], list[Window]] = {}
    accepting = Window.objects.filter(hall__in=list(halls.values())).exclude(kind="delivery")
    for window in accepting.prefetch_related("departments").order_by("hall_id", "id"):
        for department in window.departments.all():
            windows.setdefault((window.hall_id, department.pk), []).append(window)
    places = {}
    for department in departments.values():
        hall = halls.get(department.region_id)
        served = windows.get((hall.pk, department.pk), []) if hall else []
        names: dict[str, list[str]] = {}
        for window in served:
            names.setdefault(window.name, []).append(window.number)
        text = "；".join(f"{name}（{'、'.join(numbers)}号）" for name, numbers in names.items())
        places[department.pk] = (hall.pk if hall else None, text[:100])
    return _Context(departments=departments, places=places)


def consult_phone(department: Department) -> str:
    """A stable 7-digit local number per department (never the 12345 complaint line)."""
    return f"0550-{2_000_000 + zlib.crc32(department.uscc.encode()) % 7_000_000}"


def version_fields(spec: ItemSpec, key: str, department: Department, context: _Context) -> dict:
    """Everything item_create takes for `spec` implemented by `department` (key `key`)."""
    implementation_code = make_implementation_code(
        uscc=department.uscc, region_code=department.region_id, basic_code=spec.basic_code
    )
    result_type, result_name, licence_type = spec.result
    if result_type in {"document", "approval"}:
        licence_type = f"PW{spec.basic_code}"  # the item's own approval document (批文)
    hall_id, windows = context.places[department.pk]
    instant = "instant" if spec.promised_days == 0 else None
    law = spec.legal_basis.split("》")[0] + "》"
    return {
        "name": spec.name,
        "implementation_code": implementation_code,
        "handling_code": implementation_code + SITUATIONS[spec.situation][0] if spec.situation else "",
        "item_type_id": spec.type_code,
        "legal_basis": spec.legal_basis,
        "level": region_level(department.region_id),
        "for_persons": spec.persons,
        "for_legal_persons": spec.legal_persons,
        "keywords": spec.keywords,
        "promise_kind": instant or "promised",
        "review_kind": instant or "staged",
        "legal_limit_days": spec.legal_days,
        "promised_limit_days": spec.promised_days,
        "conditions": CONDITIONS[spec.type_code].format(law=law),
        "visits": spec.visits,
        "visits_reason": spec.visits_reason,
        "online_depth": spec.online_depth,
        "by_window": True,
        "by_online": True,
        "by_mail": spec.visits == 0,
        "charged": bool(spec.fees),
        "online_payment": bool(spec.fees),
        "result_type": result_type,
        "result_name": result_name,
        "result_licence_type": licence_type,
        "delivery_window": True,
        "delivery_mail": result_type != "none",
        "delivery_electronic": result_type != "none",
        "delivery_days": 1,
        "hall_id": hall_id,
        "windows": windows,
        "consult_phone": consult_phone(department),
        "complaint_phone": COMPLAINT_PHONE,
        "faq": [{"q": question, "a": answer} for question, answer in spec.faq],
        "themes": list(spec.themes),
        # Only when there are some: an empty relation or part still costs a query per item.
        **({"co_departments": context.co_department_ids(spec, key)} if spec.co_departments else {}),
    }


def version_parts(spec: ItemSpec) -> dict[str, list[dict]]:
    """The steps, materials and fees version_parts_replace takes for `spec`."""
    deliver = spec.result[0] == "licence" and spec.promised_days >= 5
    parts = {
        "steps": _steps(spec.promised_days, inspect=spec.inspect, deliver=deliver),
        "materials": _material_rows(spec),
    }
    if spec.fees:
        parts["fees"] = [{"name": name, "amount_fen": fen, "legal_basis": basis} for name, fen, basis in spec.fees]
    return parts


def _steps(promised: int, *, inspect: bool, deliver: bool) -> list[dict]:
    """受理 → 审核 (→ 现场核查) → 审批 → 办结 (→ 送达), budgets summing to the promise exactly: a day
    each in order of need while days last, the rest shared by review and approval."""
    steps = [("受理", "accept"), ("审核", "review")]
    steps += [("现场核查", "review")] if inspect else []
    steps += [("审批", "approve"), ("办结", "issue")]
    steps += [("送达", "deliver")] if deliver else []
    names = [name for name, _ in steps]
    budgets = dict.fromkeys(names, 0)
    left = promised
    for name in ("审核", "审批", "受理", "办结", "现场核查", "送达"):
        if name in budgets and left:
            budgets[name] += 1
            left -= 1
    budgets["审核"] += left - left // 2
    budgets["审批"] += left // 2
    return [
        {"order": order, "name": name, "post_code": post, "budget_days": budgets[name]}
        for order, (name, post) in enumerate(steps, start=1)
    ]


def _material_rows(spec: ItemSpec) -> list[dict]:
    known = material_plan()
    rows = []
    if spec.form:
        rows.append(
            {"standard_id": "M0010", "name": f"{spec.name}申请表", "original_count": 1, "copy_count": 0, "order": 1}
        )
    for code, required in spec.materials:
        material = known[code]
        if material.licence_type_code:
            source, reference = "licence", material.licence_type_code
        elif material.shared_field:
            source, reference = "shared", material.shared_field
        else:
            source, reference = "applicant", ""
        rows.append(
            {
                "standard_id": code,
                "required": required,
                "condition": "" if required else material.when or "属于该情形的",
                "original_count": 1,
                "copy_count": 0 if material.form or source != "applicant" else 1,
                "source": source,
                "source_ref": reference,
                "order": len(rows) + 1,
            }
        )
    return rows


# --- Building ---------------------------------------------------------------------------------------


def standard_materials_load() -> int:
    """The standard-material dictionary; codes already present are left as they are."""
    services.standard_materials_add(
        rows=[
            {
                "code": spec.code,
                "name": spec.name,
                "licence_type_code": spec.licence_type_code,
                "shared_field": spec.shared_field,
                "description": f"需要提交的情形：{spec.when}" if spec.when else "",
            }
            for spec in material_plan().values()
        ]
    )
    return len(material_plan())


def implementers(spec: ItemSpec, departments: dict[str, Department]) -> list[tuple[str, Department]]:
    """(key, department) of every body implementing `spec` in the demo catalogue."""
    if spec.county_level:
        key = spec.department[1:]
        return [(k, d) for k, d in departments.items() if "." in k and k.partition(".")[2] == key]
    return [(spec.department, departments[spec.department])]


def catalogue_exists(departments: dict[str, Department]) -> bool:
    return Item.objects.filter(department__in=list(departments.values())).exists()


@transaction.atomic
def catalogue_build(departments: dict[str, Department], *, say: Say) -> int:
    """Create and publish every item of the demo catalogue through the catalogue services; returns
    how many items. One transaction: on SQLite that is most of the speed."""
    unknown_themes = {t for spec in catalogue_plan() for s in spec.walk() for t in s.themes} - set(
        Theme.objects.values_list("code", flat=True)
    )
    if unknown_themes:
        raise ValueError(f"未知的主题分类：{sorted(unknown_themes)}")
    say(f"标准材料：{standard_materials_load()} 种")
    context = _context(departments)
    count = 0
    for spec in catalogue_plan():
        for key, department in implementers(spec, departments):
            count += _item_publish(spec, key, department, context, parent_id=None)
    return count


def _item_publish(spec: ItemSpec, key: str, department: Department, context: _Context, *, parent_id) -> int:
    version = services.item_create(
        actor=None,
        department_id=department.pk,
        basic_code=spec.basic_code,
        kind=spec.kind,
        parent_id=parent_id,
        situation=spec.situation,
        **version_fields(spec, key, department, context),
    )
    services.version_parts_replace(actor=None, version_id=version.pk, **version_parts(spec))
    services.version_publish(actor=None, version_id=version.pk)
    return 1 + sum(_item_publish(child, key, department, context, parent_id=version.item_id) for child in spec.children)


# --- The bulk catalogue (--scale city) --------------------------------------------------------------


# The 业务办理项 the bulk catalogue generates for items that have none: a licence is applied for,
# changed, renewed and cancelled; a filing (备案) and a benefit (给付) started, changed and stopped.
BULK_SITUATIONS = {"XK": tuple(SITUATIONS), "QT": ("new", "change", "cancel"), "JF": ("new", "change", "cancel")}


@dataclass(frozen=True)
class BulkRow:
    spec: ItemSpec
    key: str  # implementing department's key
    parent: int | None = None  # index of the parent row in the same load
    parent_id: int | None = None  # or an item that already exists


def bulk_plan(
    departments: dict[str, Department], *, counties: list[str], townships: list[str], count: int | None
) -> list[BulkRow]:
    """`count` generated items (all there are when None), parents before children: every county's implementation of the
    city's items (same basic code, the county department's own implementation code), then every
    township's implementation of the items marked `tw`, then the 业务办理项 (BULK_SITUATIONS) of
    the items that have none, at the city and in every county. Raises when the generator runs out
    first."""
    rows: list[BulkRow] = []
    mains: dict[tuple[str, str], int] = {}

    def add(spec: ItemSpec, key: str, parent: int | None = None, parent_id: int | None = None) -> None:
        index = len(rows)
        rows.append(BulkRow(spec, key, parent, parent_id))
        if parent is None and parent_id is None:
            mains[key, spec.basic_code] = index
        for child in spec.children:
            add(child, key, parent=index)

    plan = catalogue_plan()
    for county in counties:
        for spec in plan:
            if not spec.county_level and f"{county}.{spec.department}" in departments:
                add(spec, f"{county}.{spec.department}")
    for township in townships:
        for spec in plan:
            if spec.township:
                add(replace(spec, co_departments=()), township)
    existing = {
        (department_id, basic_code): pk
        for department_id, basic_code, pk in Item.objects.filter(
            department__in=list(departments.values()), situation=""
        ).values_list("department_id", "basic_code", "id")
    }
    for unit in ["", *counties]:
        for spec in plan:
            situations = BULK_SITUATIONS.get(spec.type_code)
            if not situations or spec.children or (spec.county_level and not unit):
                continue
            key = f"{unit}.{spec.department.lstrip('~')}" if unit else spec.department
            if key not in departments:
                continue
            parent_id = existing.get((departments[key].pk, spec.basic_code))
            parent = mains.get((key, spec.basic_code))
            if parent_id is None and parent is None:
                continue
            for situation in situations:
                add(_situation_child(spec, situation), key, parent=parent, parent_id=parent_id)
    if count is None:
        return rows
    if len(rows) < count:
        raise ValueError(f"批量事项最多可生成 {len(rows):,} 项，少于所需的 {count:,} 项。")
    return rows[:count]


@transaction.atomic
def catalogue_bulk_build(
    departments: dict[str, Department], *, counties: list[str], townships: list[str], count: int | None
) -> int:
    """Publish the bulk plan through item_bulk_publish, one call per level of the hierarchy;
    returns how many items."""
    rows = bulk_plan(departments, counties=counties, townships=townships, count=count)
    if not rows:
        return 0
    context = _context(departments)
    depth: list[int] = []
    for row in rows:
        depth.append(0 if row.parent is None else depth[row.parent] + 1)
    item_ids: dict[int, int] = {}
    for level in range(max(depth) + 1):
        indexes = [index for index, row in enumerate(rows) if depth[index] == level]
        batch = []
        for index in indexes:
            row = rows[index]
            department = departments[row.key]
            batch.append(
                {
                    "department_id": department.pk,
                    "basic_code": row.spec.basic_code,
                    "kind": row.spec.kind,
                    "parent_id": item_ids[row.parent] if row.parent is not None else row.parent_id,
                    "situation": row.spec.situation,
                    **version_fields(row.spec, row.key, department, context),
                    **version_parts(row.spec),
                }
            )
        versions = services.item_bulk_publish(batch)
        item_ids.update((index, version.item_id) for index, version in zip(indexes, versions, strict=True))
    return len(rows)
