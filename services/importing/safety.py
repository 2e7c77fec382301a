"""Opening an xlsx archive without trusting it: zip-bomb limits checked before anything is unpacked, every part
unpacked within its declared size (and CRC-checked), and any DTD or entity declaration refused.

The declarations are looked for in every XML part, anywhere in it (a byte search: a workbook Excel writes has
none, and a lenient parser might accept one out of place); the XML perfdash parses itself ([Content_Types].xml,
the workbook and its relationships, sheets with formulas) goes through defusedxml with DTDs forbidden as well.

An xlsx is a zip of XML parts. A zip bomb declares or hides enormous uncompressed sizes; an XML entity attack
("billion laughs") declares entities that expand exponentially. Both are refused with a clear problem before any
spreadsheet parser sees the file, and the parser only ever gets the parts read and checked here, repacked
(so a member whose header lies about its size cannot unpack further inside the parser).
"""
from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from data_access.imports.problems import Problem
from services.importing.limits import MEGABYTE, ImportLimits

WHOLE_FILE = ""  # the sheet of a problem about the whole file
DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
UTF16_STARTS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\x00", b"\x00<")
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def file_problem(message_zh: str, message_en: str, value: str = "") -> Problem:
    return Problem(WHOLE_FILE, None, None, message_zh, message_en, value)


def damaged() -> Problem:
    return file_problem("文件已损坏，无法打开：请在 Excel 中打开并重新保存为 .xlsx 后上传",
                        "The file is damaged and cannot be opened: open it in Excel, save it as .xlsx again and "
                        "upload that")


def not_a_workbook() -> Problem:
    return file_problem("这个压缩文件不是 Excel 工作簿（.xlsx）：请在 Excel 中另存为 .xlsx 后上传",
                        "This archive is not an Excel workbook (.xlsx): save it as .xlsx in Excel and upload that")


def _entity_attack(part: str) -> Problem:
    return file_problem(
        f"工作簿的部件“{part}”含有 DTD 或实体声明（XML 实体攻击的手法），为安全起见未读取；"
        "请在 Excel 中重新保存后上传",
        f"The workbook part “{part}” declares a DTD or XML entities (the XML entity attack); it was not read, "
        "for safety: save the file again in Excel and upload that", part)


def _bomb(message_zh: str, message_en: str) -> Problem:
    return file_problem(f"{message_zh}（可能是“压缩炸弹”），未读取",
                        f"{message_en} (a zip bomb?); the file was not read")


@dataclass(frozen=True)
class WorkbookArchive:
    """The parts of a checked xlsx: ``workbook`` is the main part's name (usually ``xl/workbook.xml``)."""

    parts: dict[str, bytes]
    workbook: str

    def repacked(self) -> bytes:
        """The archive the spreadsheet parser reads: only the parts read here, stored uncompressed."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name, data in self.parts.items():
                archive.writestr(name, data)
        return buffer.getvalue()


def _archive_problems(members: list[zipfile.ZipInfo], limits: ImportLimits) -> list[Problem]:
    """The zip-bomb checks on the central directory, before anything is unpacked."""
    if len(members) > limits.max_members:
        return [_bomb(f"工作簿包含 {len(members)} 个部件，超过上限 {limits.max_members} 个",
                      f"The workbook has {len(members)} parts, over the limit of {limits.max_members}")]
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        return [_bomb(f"工作簿解压后有 {unpacked / MEGABYTE:,.0f} MB，超过上限 "
                      f"{limits.max_unpacked_bytes / MEGABYTE:,.0f} MB",
                      f"The workbook unpacks to {unpacked / MEGABYTE:,.0f} MB, over the limit of "
                      f"{limits.max_unpacked_bytes / MEGABYTE:,.0f} MB")]
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_checked_from and ratio > limits.max_ratio:
            return [_bomb(f"工作簿的部件“{member.filename}”压缩比为 {ratio:,.0f}:1，超过上限 {limits.max_ratio}:1",
                          f"The workbook part “{member.filename}” is compressed {ratio:,.0f}:1, over the limit of "
                          f"{limits.max_ratio}:1")]
    return []


def _declares(part: bytes) -> bool:
    """Whether a part holds a DTD or entity declaration. Every part is searched, whatever its name (the
    relationships decide what is parsed as XML), and XML in UTF-16 (which Excel never writes) in its text."""
    if part.startswith(UTF16_STARTS):
        part = part.decode("utf-16", errors="replace").encode()
    return b"<!" in part and DECLARATION.search(part) is not None


def _main_part(content_types: bytes) -> str | None:
    """The workbook's main part named in ``[Content_Types].xml`` (parsed with defusedxml, DTDs forbidden)."""
    root = SafeET.fromstring(content_types, forbid_dtd=True)
    for override in root.iter(f"{CONTENT_TYPES_NS}Override"):
        if override.get("ContentType") in WORKBOOK_TYPES:
            return str(override.get("PartName", "")).lstrip("/")
    return None


def open_workbook_archive(content: bytes, limits: ImportLimits) -> tuple[WorkbookArchive | None, list[Problem]]:
    """The checked parts of an xlsx, or the problems that stop it being read at all."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError):
        return None, [damaged()]
    with archive:
        members = [member for member in archive.infolist() if not member.is_dir()]
        problems = _archive_problems(members, limits)
        if problems:
            return None, problems
        parts: dict[str, bytes] = {}
        for member in members:
            try:
                data = archive.read(member)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, ValueError):
                return None, [damaged()]  # a wrong CRC or size, encrypted parts, an unknown compression
            if _declares(data):
                return None, [_entity_attack(member.filename)]
            parts[member.filename] = data
    if CONTENT_TYPES not in parts:
        return None, [not_a_workbook()]
    try:
        workbook = _main_part(parts[CONTENT_TYPES])
    except (DefusedXmlException, SafeET.ParseError):
        return None, [damaged()]
    if workbook is None or workbook not in parts:
        return None, [not_a_workbook()]
    return WorkbookArchive(parts, workbook), []
