"""Parquet outputs read with pyarrow and pandas hold the same values as the CSVs (issue 16).

Usage: python ci/parquet_check.py FOLDER...   (folders written with --format both)

Every `X.parquet` under each folder is compared with `X.csv` beside it: same columns in the
same order, same number of rows, numbers equal bit for bit (NaN where the CSV has NaN, null
where it is empty), dates equal, text equal. The manifest must sit in the file's key-value
metadata under `chokepoint.manifest` and name the plan's hash. Exit 1 on any difference.
"""

import json
import math
import pathlib
import sys

import pandas as pd
import pyarrow.parquet as pq


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


def check(pq_path: pathlib.Path) -> list[str]:
    problems = []
    csv_path = pq_path.with_suffix(".csv")
    table = pq.read_table(pq_path)
    # The file's own key-value metadata (pyarrow keeps it apart from the Arrow schema's).
    meta = pq.read_metadata(pq_path).metadata or {}
    manifest = meta.get(b"chokepoint.manifest")
    if manifest is None:
        problems.append(f"{pq_path}: no chokepoint.manifest in the metadata")
    elif len(json.loads(manifest).get("plan_sha256", "")) != 64:
        problems.append(f"{pq_path}: the manifest has no plan_sha256")
    frame = table.to_pandas()
    # keep_default_na=False: an empty cell stays "", so nulls can be told from text.
    csv = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    if list(frame.columns) != list(csv.columns):
        return problems + [f"{pq_path}: columns {list(frame.columns)} != {list(csv.columns)}"]
    if len(frame) != len(csv):
        return problems + [f"{pq_path}: {len(frame)} rows, the CSV has {len(csv)}"]
    for col in csv.columns:
        kind = str(table.schema.field(col).type)
        got = frame[col].tolist()
        for i, (value, text) in enumerate(zip(got, csv[col].tolist())):
            if text == "":
                ok = value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
            elif kind == "double":
                ok = same(float(value), float(text))
            elif kind in ("int64", "uint64"):
                ok = int(value) == int(text)
            elif kind.startswith("date32"):
                ok = str(value)[:10] == text
            elif kind == "bool":
                ok = str(bool(value)).lower() == text
            else:
                ok = str(value) == text
            if not ok:
                problems.append(f"{pq_path}: row {i} column {col} ({kind}): {value!r} != CSV {text!r}")
                break
    return problems


def main(folders: list[str]) -> int:
    problems, files = [], 0
    for folder in folders:
        for path in sorted(pathlib.Path(folder).rglob("*.parquet")):
            files += 1
            problems += check(path)
    if files == 0:
        problems.append(f"no .parquet file under {folders}")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"parquet_check: {files} Parquet files compared with their CSVs, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
