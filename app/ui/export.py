"""Write a table to CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl) in a temp folder."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

LEAD_FILL = PatternFill("solid", fgColor="F4C7C3")
PART_FILL = PatternFill("solid", fgColor="FCE8E6")


def write_csv(path: Path, headers: list[str], rows: list[list]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list], sheet: str = "责任分工",
               notes: list[str] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                # text stays text: openpyxl would otherwise store "=1+2*3" (a unit name, a title) as a formula
                cell.data_type = "s"
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.alignment = Alignment(horizontal="center")
            if cell.value == "牵头":
                cell.fill, cell.font = LEAD_FILL, Font(bold=True)
            elif cell.value == "参与":
                cell.fill = PART_FILL
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 30
    for col in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 7 if col < len(headers) else 9
    if notes:
        info = wb.create_sheet("说明")
        for line in notes:
            info.append([line])
            info.cell(row=info.max_row, column=1).data_type = "s"
        info.column_dimensions["A"].width = 100
    wb.save(path)
    return path


def prune(base_dir: Path, keep: int) -> None:
    """Remove all but the newest `keep` export folders (Gradio has already copied older ones to its cache)."""
    folders = sorted(base_dir.glob("export-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def export_table(base_dir: Path, stem: str, headers: list[str], rows: list[list],
                 notes: list[str] | None = None, keep: int = 32) -> tuple[Path, Path]:
    """Both files in a fresh subfolder of `base_dir` (sessions never overwrite each other's downloads)."""
    base_dir.mkdir(parents=True, exist_ok=True)
    prune(base_dir, keep - 1)
    folder = Path(tempfile.mkdtemp(prefix="export-", dir=base_dir))
    return (write_csv(folder / f"{stem}.csv", headers, rows),
            write_xlsx(folder / f"{stem}.xlsx", headers, rows, notes=notes))


class DownloadFolder:
    """The folder a panel offers its downloads from: the given one, else a private temp folder made on first
    download (not when the page is built)."""

    def __init__(self, prefix: str, folder: Path | None = None):
        self.prefix = prefix
        self._folder = folder

    @property
    def path(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix=self.prefix))
        return self._folder

