"""What the demo history is made of: how many requests, which share is a calibration or fails, the reasons
people give for returning, rejecting, withdrawing, correcting and revoking."""

from __future__ import annotations

from jiliang.core.models import Organization

Category = Organization.Category

# About one request per 125 instruments, between these bounds (the default 50,000-instrument city: 320, about
# 430 certificates: some 30 s of the services' work on an idle machine).
REQUESTS_PER_INSTRUMENTS = 125
MIN_REQUESTS = 48
MAX_REQUESTS = 320
HISTORY_DAYS = 365
# The past window of a city whose plan has ended (Fuxin 2015–2020): requests a year and their sizes, kept few so
# that the six years cost a few seconds (past.py).
PAST_REQUESTS_PER_YEAR = 6
PAST_SIZES = (1, 1, 2)
PAST_ATTEMPTS = 40
SHARE_CALIBRATION = 0.08
SHARE_FAIL = 0.05
PROGRESS_EVERY = 50
# Instruments tried for one request before giving it up.
ATTEMPTS = 8
# Kinds verified where they are installed.
ON_SITE_ITEMS = {"03", "05", "06", "08", "09", "10", "11", "12", "13", "16", "19", "20", "21"}
WAIVED = (Category.MARKET_FAIR, Category.TOWNSHIP_CLINIC, Category.COMMUNITY_CLINIC)

RETURN_REASONS = (
    "申请中器具出厂编号与铭牌不符，请核对后重新提交",
    "请补充器具安装地点和现场联系人电话",
    "所附器具清单缺少型号规格，请补正",
)
REJECT_REASONS = (
    "申请器具不在本机构授权项目范围内（本机构该项目计量标准正在复查），请向市计量测试所申请",
    "该批器具已委托其他检定机构检定，本次申请重复",
    "器具已停用待报废，不属于强制检定范围",
)
WITHDRAW_REASONS = ("器具已送厂家维修，稍后再申请", "单位搬迁，暂缓检定", "")
CORRECTIONS = (
    ("temperature", "原始记录环境温度誊写错误，更正证书"),
    ("humidity", "原始记录相对湿度誊写错误，更正证书"),
    ("place", "检定地点填写有误，更正证书"),
)
REVOKE_REASONS = (
    "所用计量标准器的溯源证书经核查有误，本证书撤销，请重新申请检定",
    "检定时器具铭牌编号与实物不符，本证书撤销",
)
