#!/usr/bin/env python3
"""Converts IMDB-WIKI's imdb.mat or wiki.mat into the CSV that `facelyzr import imdb-wiki` reads.

    python3 tools/imdb_wiki_to_csv.py imdb_crop/imdb.mat imdb_crop/imdb-wiki.csv

One row per picture, nothing filtered (the Swift importer applies the filters and counts every
skip). Columns:

    full_path          path relative to the .mat's folder (imdb_crop/ or wiki_crop/)
    age                photo_taken - year(dob), minus 1 if born in July or later;
                       empty when dob is not a valid Matlab datenum
    gender             1 = male, 0 = female (as in the .mat); empty when NaN
    face_x1..face_y2   face_location (pixels in the cropped picture)
    face_score         -inf when no face was found
    second_face_score  empty when there is no second face (NaN in the .mat)

The CSV is written atomically (temporary file, fsync, rename).
"""
import argparse
import csv
import datetime
import math
import os
import sys
import tempfile

import numpy as np
import scipy.io

COLUMNS = ["full_path", "age", "gender", "face_x1", "face_y1", "face_x2", "face_y2",
           "face_score", "second_face_score"]


def birth_date(datenum):
    """The date of a Matlab datenum (day 1 = 1 January of year 0), or None if invalid."""
    if not math.isfinite(datenum):
        return None
    ordinal = int(datenum) - 366  # Python's ordinal 1 = 1 January of year 1
    try:
        return datetime.date.fromordinal(ordinal)
    except (ValueError, OverflowError):
        return None


def age_at_photo(datenum, photo_taken):
    """Age in years when the photo was taken, IMDB-WIKI's convention; None if unknown."""
    born = birth_date(datenum)
    if born is None or not math.isfinite(photo_taken):
        return None
    return int(photo_taken) - born.year - (1 if born.month >= 7 else 0)


def number(value):
    """A float as CSV text: empty for NaN, -inf/inf spelled out."""
    value = float(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "-inf" if value < 0 else "inf"
    return repr(value)


def cell_string(cell):
    flat = np.ravel(cell)
    return str(flat[0]) if flat.size else ""


def rows(mat_path):
    loaded = scipy.io.loadmat(mat_path)
    keys = [key for key in ("imdb", "wiki") if key in loaded]
    if not keys:
        raise SystemExit(f"{mat_path}: no 'imdb' or 'wiki' struct")
    record = loaded[keys[0]][0, 0]
    field = {name: np.ravel(record[name]) for name in
             ("dob", "photo_taken", "full_path", "gender", "face_location",
              "face_score", "second_face_score")}
    count = len(field["full_path"])
    for name, values in field.items():
        if len(values) != count:
            raise SystemExit(f"{mat_path}: field {name} has {len(values)} entries, full_path {count}")
    for i in range(count):
        age = age_at_photo(float(field["dob"][i]), float(field["photo_taken"][i]))
        gender = float(field["gender"][i])
        box = np.ravel(field["face_location"][i]).astype(float)
        if box.size != 4:
            box = np.full(4, np.nan)
        yield [cell_string(field["full_path"][i]),
               "" if age is None else str(age),
               "" if math.isnan(gender) else str(int(gender)),
               *(number(v) for v in box),
               number(field["face_score"][i]),
               number(field["second_face_score"][i])]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mat", help="imdb.mat or wiki.mat")
    parser.add_argument("csv", help="the CSV to write")
    args = parser.parse_args(argv)
    directory = os.path.dirname(os.path.abspath(args.csv))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".imdb-wiki-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(COLUMNS)
            count = 0
            for row in rows(args.mat):
                writer.writerow(row)
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, args.csv)
    except BaseException:
        os.unlink(temporary)
        raise
    print(f"wrote {count} rows to {args.csv}")


if __name__ == "__main__":
    main(sys.argv[1:])
