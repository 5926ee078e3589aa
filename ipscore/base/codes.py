"""Every problem code ipscore reports, with its level and a Chinese description: the one list.

Loading, rule checking, ``validate`` and ``merge`` all report problems by these codes; a test
checks that every code the source uses is listed here and that nothing listed is unused.
``ipscore validate --codes`` prints the list, and ``docs/codes.md`` is generated from it
(``python -m ipscore.base.codes > docs/codes.md``; a test checks the file is current).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A problem code: its level (error stops ``rank``; warning does not) and what it means."""

    code: str
    level: str
    topic: str
    text: str


_LIST: tuple[tuple[str, str, str, str], ...] = (
    # (code, level, topic, description)
    ("file-missing", "error", "文件", "文件不存在"),
    ("file-unreadable", "error", "文件", "文件无法读取（权限等）"),
    ("file-empty", "error", "文件", "文件为空"),
    ("file-not-spreadsheet", "error", "文件", "不是支持的表格文件（.xlsx .xlsm .xls .ods .csv）"),
    ("file-damaged", "error", "文件", "文件已损坏，无法作为工作簿或 CSV 读取"),
    ("file-encoding", "error", "文件", "CSV 文本编码无法识别（应为 UTF-8 或 GB18030/GBK）"),
    (
        "file-too-large",
        "error",
        "文件",
        "文件大小、解压后大小、压缩比、行数、列数或单元格数超过上限（疑似炸弹），读取前即拒绝",
    ),
    (
        "file-hostile",
        "error",
        "文件",
        "工作簿内含 DTD/实体声明，或成员解压后超过声明的大小（疑似炸弹），读取前即拒绝",
    ),
    (
        "file-not-regular",
        "error",
        "文件",
        "不是普通文件（命名管道、设备、目录或符号链接），不读取",
    ),
    ("sheet-missing", "error", "工作表", "--sheet 指定的工作表不存在"),
    ("sheet-empty", "error", "工作表", "工作表为空"),
    ("sheet-none", "error", "工作表", "没有哪个工作表带有所需的表头"),
    ("sheet-ambiguous", "error", "工作表", "多个工作表都像统计表，需用 --sheet 指定"),
    ("header-missing", "error", "表头", "找不到表头行"),
    ("column-missing", "error", "表头", "缺少必需的列"),
    ("header-duplicate", "error", "表头", "两列的表头都对应同一字段，无法确定用哪一列"),
    ("county-blank", "error", "区县", "该行有数据但区县名称为空"),
    ("county-unknown", "error", "区县", "区县名称不在单位表中（可在单位表中添加别名）"),
    ("county-duplicate", "error", "区县", "同一区县出现两次"),
    ("county-missing", "error", "区县", "缺少区县（可加 --allow-missing）"),
    ("county-absent", "warning", "区县", "已允许缺少的区县未参加排名"),
    ("no-data", "error", "区县", "表头下方没有任何区县数据"),
    ("value-blank", "error", "数值", "必填单元格为空或为横线（没有数据请填 0）"),
    ("value-negative", "error", "数值", "数值为负数"),
    ("value-fraction", "error", "数值", "件数应为整数"),
    ("value-text", "error", "数值", "单元格内容不是数字"),
    ("value-too-large", "error", "数值", "数值超过 10^12（不可能的数字，多为录入错误）"),
    ("value-not-positive", "error", "数值", "年度目标等应大于 0"),
    ("cumulative-below-month", "error", "数值", "累计数小于本月数"),
    ("month-unknown", "error", "月份", "无法确定数据月份（可加 --month）"),
    ("month-conflict", "error", "月份", "表格标题与文件名的月份不一致"),
    ("year-unknown", "error", "月份", "无法确定年度考核数据的年份（可加 --year）"),
    ("month-override", "warning", "月份", "--month 与表格标题或文件名的月份不同"),
    ("scheme-year", "warning", "月份", "数据年份与规则方案的年份不同，仍按此方案计算"),
    ("prev-not-earlier", "error", "上月", "--prev 文件的月份不早于本月"),
    ("prev-gap", "warning", "上月", "--prev 文件不是紧挨着的上一个月"),
    ("formula-no-value", "warning", "公式", "公式单元格没有保存计算结果（保存文件的程序没有计算）"),
    ("reported-unreadable", "warning", "核对", "表中自带的同比增长/完成率/排名单元格不是数字"),
    ("growth-mismatch", "warning", "核对", "表中的同比增长与重新计算的结果相差超过 0.011"),
    ("completion-mismatch", "warning", "核对", "表中的完成率与重新计算的结果相差超过 0.011"),
    ("rank-mismatch", "warning", "核对", "表中的排名与按月度方案重新计算的排名不同"),
    ("total-mismatch", "warning", "核对", "合计行与各区县之和不一致"),
    (
        "subtotal-mismatch",
        "warning",
        "核对",
        "小计行（区县小计、功能区小计）与其上方各区县之和不一致",
    ),
    ("month-apps-mismatch", "warning", "核对", "本月数不等于本月累计减上月累计"),
    ("cumulative-fell", "warning", "核对", "累计数比上月还少"),
    ("month-jump", "warning", "核对", "本月数超过上月的 3 倍"),
    ("scheme-unknown", "error", "规则", "表头既不像月度统计表也不像年度考核表，需用 --rules 指定"),
    (
        "history-unavailable",
        "warning",
        "历史",
        "历史库无法使用：rank 的结果未记入历史，validate 未与历史库中的上月核对",
    ),
    ("no-previous-month", "warning", "历史", "历史库中没有上月排名，位次变化为 —"),
    ("trend-year", "error", "历史", "历史库中没有 --year 指定年份的排名"),
    (
        "store-refused",
        "error",
        "历史",
        "历史库不是 ipscore 的、已损坏、不是普通文件或是符号链接：拒绝打开，不写入",
    ),
    (
        "store-unavailable",
        "error",
        "历史",
        "历史库无法打开、读取或写入（目录不存在、权限、只读、磁盘已满、被占用超时）",
    ),
    ("notice-date", "error", "通报", "成文日期早于数据月份结束"),
    ("notice-exists", "error", "通报", "通报文件已存在（加 --force 才覆盖）"),
    (
        "notice-earlier-changed",
        "warning",
        "通报",
        "--force 重新生成时，上次有、这次不再生成的文件在生成后被改动过，未删除",
    ),
    ("notice-number-taken", "error", "通报", "--number 指定的文号序号已登记给另一份通报"),
    (
        "notice-pages",
        "warning",
        "通报",
        "正文末页接近页面底部，Word 与 LibreOffice 的分页可能不同（核对版记是否在偶数页）",
    ),
    (
        "notice-figure-skipped",
        "warning",
        "通报",
        "通报设置要求附完成率图，但本月各区县都没有年度目标：略去此图",
    ),
    ("pdf-unavailable", "error", "通报", "生成 PDF 需要 LibreOffice（soffice），本机未安装"),
    ("pdf-failed", "error", "通报", "LibreOffice 未能把通报转换为 PDF"),
    ("inbox-missing", "error", "通报", "收件箱目录不存在"),
    ("prev-unreadable", "warning", "通报", "收件箱中上月的统计表无法读取，位次变化为 —"),
    (
        "file-not-table",
        "error",
        "明细",
        "申请明细不是可读取的表格（.xlsx .xls .ods .csv .parquet）",
    ),
    ("file-html", "error", "明细", "扩展名是 .xls/.xlsx，内容却是网页（HTML）表格"),
    ("no-records", "error", "明细", "申请明细中没有本期的发明专利申请记录"),
    ("no-last-year", "error", "明细", "没有去年同期的发明专利申请记录（可用 --last-year 指定）"),
    ("date-invalid", "error", "明细", "申请日为空或不是日期"),
    ("type-invalid", "error", "明细", "专利类型为空或不是已知的写法"),
    (
        "number-invalid",
        "error",
        "明细",
        "申请号格式不对或校验位不符（无专利类型列时由申请号定类型）",
    ),
    ("number-repeated", "warning", "明细", "申请号重复，每件申请只按第一次出现计一次"),
    ("targets-missing", "error", "规则", "没有该年的年度目标文件（可用 --targets 指定）"),
    ("targets-blank", "warning", "规则", "部分单位尚未填写年度目标，统计表的年度目标列留空"),
    ("division-unknown", "error", "初始化", "全国行政区划中没有此市/省，或名称有歧义（列出候选）"),
    (
        "init-refused",
        "error",
        "初始化",
        "工作目录不能建立（非空、是文件、其中有符号链接、上级目录不存在、无法在该处建立）",
    ),
    ("init-options", "error", "初始化", "--city 与 --province 只能给一个"),
    ("targets-year", "error", "规则", "年度目标文件的年份与数据年份不同"),
    ("rules-unknown", "error", "规则", "归属规则中的单位不在单位表中"),
    ("merge-duplicate", "error", "汇总", "两个文件填报了同一区县"),
    ("merge-missing", "error", "汇总", "汇总后仍缺少区县（可加 --allow-missing）"),
    ("merge-month-conflict", "error", "汇总", "各报送文件的月份不一致"),
    ("merge-nothing", "error", "汇总", "文件中没有填报任何区县的数据"),
    ("rules-missing", "error", "规则", "规则文件不存在"),
    ("rules-unreadable", "error", "规则", "规则文件无法读取"),
    ("rules-too-large", "error", "规则", "规则文件过大"),
    ("rules-encoding", "error", "规则", "规则文件不是 UTF-8 编码"),
    ("rules-syntax", "error", "规则", "TOML 语法错误"),
    ("rules-invalid", "error", "规则", "规则文件内容不合要求"),
    ("rules-missing-key", "error", "规则", "缺少必需的设置项"),
    ("rules-type", "error", "规则", "设置项的类型不对"),
    ("rules-range", "error", "规则", "设置项的数值超出范围"),
    ("rules-duplicate", "error", "规则", "名称重复"),
    ("rules-unknown-key", "error", "规则", "未知的设置项（拼写错误？）"),
    ("rules-unknown-field", "error", "规则", "引用了未定义的字段"),
    ("rules-unknown-method", "error", "规则", "未知的计分方法"),
    ("rules-no-alias", "error", "规则", "字段没有任何表头写法"),
    ("rules-points-sum", "error", "规则", "各指标分值之和与方案总分不符"),
    ("rules-tiers-order", "error", "规则", "分档门槛顺序不对"),
    ("rules-kind", "error", "规则", "方案类型不符（月度方案不能用于年度考核，反之亦然）"),
    ("rules-placeholder", "error", "规则", "通报文字设置中有未知的占位符"),
    (
        "output-refused",
        "error",
        "输出",
        "输出路径或它所在的目录是符号链接，或输出路径是目录、设备、管道，拒绝写入"
        "（从不经符号链接写文件）",
    ),
    ("output-failed", "error", "输出", "输出文件无法写入（权限、磁盘空间、只读文件系统等）"),
    (
        "office-unavailable",
        "error",
        "输出",
        "生成 PDF/PNG 需要 LibreOffice（soffice），找不到或转换失败",
    ),
    (
        "font-missing",
        "warning",
        "输出",
        "本机没有找到中文字体，简报图表或通报附图中的中文会显示为方框",
    ),
    ("font-unusable", "error", "输出", "--font 指定的字体找不到或不含中文字形"),
    ("folder-busy", "error", "输出", "另一个 ipscore 进程正在写入同一输出目录"),
    ("robust-runs", "error", "稳健性", "模拟次数 --runs 不在 1 到 1000000 之间"),
    ("robust-spread", "error", "稳健性", "权重变动幅度 --spread 不在 [0, 1) 之内"),
    (
        "robust-indicators",
        "error",
        "稳健性",
        "方案中有分值的指标不足两个（或有稳健性分析不支持的计分方法），权重无从变动",
    ),
)

CODES: dict[str, Code] = {c: Code(c, level, topic, text) for c, level, topic, text in _LIST}


def codes_markdown() -> str:
    """The list as a Markdown document (what docs/codes.md holds)."""
    lines = [
        "# 问题代码一览 (problem codes)",
        "",
        "由 `ipscore/base/codes.py` 生成"
        "（`python -m ipscore.base.codes > docs/codes.md`），请勿手工编辑。",
        "error 使 `rank` 拒绝计算、`validate` 以状态 2 退出；warning 使 `validate` 以状态 1 退出。",
        "",
        "| 代码 | 级别 | 类别 | 含义 |",
        "| --- | --- | --- | --- |",
    ]
    for code in CODES.values():
        level = "错误" if code.level == "error" else "警告"
        lines.append(f"| `{code.code}` | {level} | {code.topic} | {code.text} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(codes_markdown())
