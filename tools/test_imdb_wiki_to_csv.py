#!/usr/bin/env python3
"""Tests tools/imdb_wiki_to_csv.py on a small .mat written with scipy.io.savemat in the layout
of the real imdb.mat (a 1x1 struct of 1xN fields, cells for paths and face boxes).
Run: python3 tools/test_imdb_wiki_to_csv.py (part of `make test`)."""
import csv
import datetime
import os
import sys
import tempfile
import unittest

import numpy as np
import scipy.io

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imdb_wiki_to_csv  # noqa: E402


def datenum(year, month, day):
    return float(datetime.date(year, month, day).toordinal() + 366)


def cells(values):
    array = np.empty((1, len(values)), dtype=object)
    for i, value in enumerate(values):
        array[0, i] = value
    return array


class ConverterTests(unittest.TestCase):
    def convert(self):
        directory = tempfile.mkdtemp()
        mat = os.path.join(directory, "imdb.mat")
        scipy.io.savemat(mat, {"imdb": {
            "dob": np.array([[datenum(1980, 6, 30), datenum(1980, 7, 1), datenum(1990, 1, 1), 0.0]]),
            "photo_taken": np.array([[2010, 2010, 2011, 2000]]),
            "full_path": cells(["01/nm0000001_rm1_1980-6-30_2010.jpg", "02/nm0000002_rm2_1980-7-1_2010.jpg",
                                "03/nm0000003_rm3_1990-1-1_2011.jpg", "04/nm0000004_rm4_0-0-0_2000.jpg"]),
            "gender": np.array([[1.0, 0.0, np.nan, 1.0]]),
            "face_location": cells([np.array([[10.5, 20.0, 110.0, 140.0]]), np.array([[1.0, 2.0, 3.0, 4.0]]),
                                    np.array([[0.0, 0.0, 5.0, 5.0]]), np.array([[1.0, 1.0, 2.0, 2.0]])]),
            "face_score": np.array([[4.5, -np.inf, 2.0, 1.5]]),
            "second_face_score": np.array([[np.nan, np.nan, 3.25, np.nan]]),
        }})
        out = os.path.join(directory, "imdb-wiki.csv")
        imdb_wiki_to_csv.main([mat, out])
        with open(out, newline="") as handle:
            return list(csv.reader(handle))

    def test_rows_match_the_mat(self):
        rows = self.convert()
        self.assertEqual(rows[0], imdb_wiki_to_csv.COLUMNS)
        self.assertEqual(len(rows), 5)
        # Born 30 June 1980, photo 2010: 30. Born 1 July 1980: the July rule gives 29.
        self.assertEqual(rows[1], ["01/nm0000001_rm1_1980-6-30_2010.jpg", "30", "1",
                                   "10.5", "20.0", "110.0", "140.0", "4.5", ""])
        self.assertEqual(rows[2][1:3], ["29", "0"])
        self.assertEqual(rows[2][7], "-inf")
        # NaN gender is empty; a second face keeps its score.
        self.assertEqual(rows[3][2], "")
        self.assertEqual(rows[3][8], "3.25")
        # dob 0 is not a date: age empty.
        self.assertEqual(rows[4][1], "")

    def test_birth_date_of_known_datenums(self):
        # MATLAB: datenum(2000, 1, 1) = 730486; fractions of a day are the time.
        self.assertEqual(imdb_wiki_to_csv.birth_date(730486.0), datetime.date(2000, 1, 1))
        self.assertEqual(imdb_wiki_to_csv.birth_date(730486.75), datetime.date(2000, 1, 1))
        self.assertIsNone(imdb_wiki_to_csv.birth_date(float("nan")))
        self.assertIsNone(imdb_wiki_to_csv.birth_date(100.0))


if __name__ == "__main__":
    unittest.main()
