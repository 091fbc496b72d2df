"""The reader's messages about a whole file (cannot be read, skipped, not found), in the
user's language: Chinese by default, English with ``--lang en``."""

from __future__ import annotations

from typing import Any

from leadbook.core.errors import InputError

FORMATS = ".xlsx / .xlsm / .xls / .ods / .csv"

MESSAGES = {
    "zh": {
        "missing": "文件不存在",
        "not_found": "文件或文件夹不存在",
        "no_match": "没有与这个通配符匹配的文件",
        "empty_folder": f"文件夹里没有可读取的表格文件({FORMATS})",
        "empty": "文件是空的(0 字节)",
        "too_large": "文件有 {mb:.0f} MB,超过上限 {limit:.0f} MB(可在配置 validate.max_file_mb 调整)",
        "encrypted": "工作簿设置了打开密码:请用 --password-env 变量名 提供密码(密码放在环境变量里)",
        "wrong_password": "密码不对,无法打开这个加密的工作簿",
        "not_workbook": f"不是 Excel/WPS 表格文件({FORMATS})",
        "damaged": "文件已损坏,无法读取(压缩包不完整或已截断):{detail}",
        "bomb": "文件解压后有 {mb:.0f} MB,是压缩前的 {ratio:.0f} 倍,疑似压缩炸弹,已拒绝",
        "bomb_lying": "文件解压后超过 {mb:.0f} MB(压缩包目录里只写了 {declared}),"
        "是压缩前的 {ratio:.0f} 倍以上,疑似压缩炸弹,已拒绝",
        "malformed": "文件已损坏,无法读取(工作簿的内容不完整或格式不对):{detail}",
        "reader_failed": "读取时出错,可能有超出范围的值(如日期格式的单元格里填了很大的负数):{detail}",
        "no_register": "找不到线索台账:没有名为“线索台账”的工作表,也没有哪个工作表的表头能认出至少 3 个字段",
        "unreadable": "无法读取:{detail}",
        "csv_encoding": "读不出这个 CSV 文件的文字编码(不是 UTF-8,也不是 GBK/GB18030):"
        "请在 Excel 里“另存为 → CSV UTF-8”后再检查",
        "csv_binary": "不是文本格式的 CSV 文件(里面有二进制内容)",
        "csv_malformed": "CSV 文件格式不对,无法读取:{detail}",
        # Files listed but not read (one line each, never silently left out).
        "skip_lock": "Excel/WPS 打开工作簿时留下的临时锁定文件",
        "skip_hidden": "隐藏文件",
        "skip_suffix": f"不是 Excel/WPS 表格文件({{suffix}});能读取的格式:{FORMATS}",
        "skip_annotated": "leadbook 写出的校验结果副本(validate --annotate);"
        "要检查这份副本,请直接指定这个文件",
        "skip_summary": "leadbook report 写出的 Excel 汇总表,不是线索台账",
        "skip_conflicts": "leadbook merge 写出的冲突报告,不是线索台账",
        "skip_handoff": "leadbook handoff 写出的交接副本,原文件也在这个文件夹里:只统计原文件"
        "(交接确认后,请用副本替换原文件)",
        "skip_assignments": "leadbook assign 写出的分配表,不是线索台账",
    },
    "en": {
        "missing": "file not found",
        "not_found": "no such file or folder",
        "no_match": "no file matches this pattern",
        "empty_folder": f"the folder holds no file that can be read ({FORMATS})",
        "empty": "the file is empty (0 bytes)",
        "too_large": "the file is {mb:.0f} MB, over the {limit:.0f} MB limit (config validate.max_file_mb)",
        "encrypted": "the workbook is password-protected: give the password with --password-env VAR (the password in an environment variable)",
        "wrong_password": "wrong password: the encrypted workbook cannot be opened",
        "not_workbook": f"not an Excel workbook or spreadsheet ({FORMATS})",
        "damaged": "the file is damaged and cannot be read (truncated or corrupt zip): {detail}",
        "bomb": "the file unpacks to {mb:.0f} MB, {ratio:.0f} times its size: a suspected zip bomb, refused",
        "bomb_lying": "the file unpacks to over {mb:.0f} MB (its zip directory claims {declared}), "
        "over {ratio:.0f} times its size: a suspected zip bomb, refused",
        "malformed": "the file is damaged and cannot be read (parts of the workbook are missing or malformed): {detail}",
        "reader_failed": "the reader failed, maybe on a value out of range (a large negative number in a date cell): {detail}",
        "no_register": "no lead register found: no sheet named 线索台账/Leads, and no sheet whose header row names at least 3 fields",
        "unreadable": "cannot read: {detail}",
        "csv_encoding": "cannot tell this CSV file's text encoding (neither UTF-8 nor GBK/GB18030): "
        "in Excel, Save As -> CSV UTF-8, then check it again",
        "csv_binary": "not a text CSV file (it holds binary data)",
        "csv_malformed": "the CSV file is malformed and cannot be read: {detail}",
        "skip_lock": "a lock file Excel/WPS leaves while a workbook is open",
        "skip_hidden": "a hidden file",
        "skip_suffix": f"not a spreadsheet ({{suffix}}); readable formats: {FORMATS}",
        "skip_annotated": "an annotated copy written by leadbook (validate --annotate); "
        "to check the copy, name the file itself",
        "skip_summary": "an Excel summary written by leadbook report, not a lead register",
        "skip_conflicts": "a conflicts report written by leadbook merge, not a lead register",
        "skip_handoff": "a hand-off copy written by leadbook handoff, beside its original: only "
        "the original is counted (once the hand-off is agreed, replace the original with it)",
        "skip_assignments": "an assignments table written by leadbook assign, not a lead register",
    },
}


def message(lang: str, key: str, **params: Any) -> str:
    return MESSAGES.get(lang, MESSAGES["zh"])[key].format(**params)


def input_error(lang: str, key: str, **params: Any) -> InputError:
    return InputError(message(lang, key, **params))
