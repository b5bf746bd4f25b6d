#!/usr/bin/env python3
"""Reads Tests/Fixtures/data/dataset-v1.fzds (written by the Swift DatasetWriter from
DatasetFormatTests.sample(i)) with tools/fzds.py and checks every field against the values that
test defines; writes it back with fzds.write and requires the same bytes. Run: python3 tools/test_fzds.py (part of `make test`)."""
import json
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fzds  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "Tests", "Fixtures", "data", "dataset-v1.fzds")
SMILING, EYEGLASSES, YOUNG = 31, 15, 39


class GoldenDatasetTests(unittest.TestCase):
    def test_every_field_matches_the_swift_samples(self):
        dataset = fzds.read(GOLDEN)
        self.assertEqual((dataset["width"], dataset["height"], dataset["channels"]), (5, 4, 3))
        self.assertEqual(len(dataset["attribute_names"]), 40)
        self.assertEqual(dataset["attribute_names"][20], "Male")
        for index in range(7):
            expected_pixels = (np.arange(60) * 31 + index * 7) % 256
            np.testing.assert_array_equal(dataset["pixels"][index].reshape(-1), expected_pixels)
            gender = dataset["gender"][index]
            if index % 3 == 0:
                self.assertTrue(np.isnan(gender))
            else:
                self.assertEqual(gender, index % 2)
            age = dataset["age"][index]
            if index % 4 == 0:
                self.assertTrue(np.isnan(age))
            else:
                self.assertEqual(age, index + 0.5)
            self.assertEqual(np.isnan(dataset["is_face"][index]), index % 5 != 0)
            known = dataset["attribute_known"][index]
            values = dataset["attribute_values"][index]
            if index % 2 == 1:
                self.assertEqual(sorted(np.flatnonzero(known)), sorted([SMILING, EYEGLASSES, YOUNG]))
                self.assertTrue(values[SMILING])
                self.assertEqual(values[EYEGLASSES], index % 3 == 0)
                self.assertFalse(values[YOUNG])
            else:
                self.assertFalse(known.any())
            self.assertEqual(dataset["split"][index], index % 3)
            self.assertEqual(dataset["source_id"][index], f"test/{index}.jpg")
        np.testing.assert_array_equal(dataset["split"], dataset["split_table"])

    def test_a_flipped_byte_is_caught(self):
        data = bytearray(open(GOLDEN, "rb").read())
        data[200] ^= 1
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "samples.fzds")
            with open(path, "wb") as out:
                out.write(data)
            with self.assertRaises(fzds.FormatError):
                fzds.read(path)

    def test_the_writer_reproduces_the_file_byte_for_byte(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "samples.fzds")
            fzds.write(path, fzds.read(GOLDEN))
            self.assertEqual(open(path, "rb").read(), open(GOLDEN, "rb").read())

    def test_a_written_directory_reads_back_with_its_manifest(self):
        pixels = np.arange(3 * 2 * 2, dtype=np.uint8).reshape(3, 2, 2, 1)
        with tempfile.TemporaryDirectory() as directory:
            fzds.write_directory(directory, {"pixels": pixels, "is_face": [0, 1, 0], "split": [0, 2, 1],
                                             "source_id": ["a", "b", "c"]}, "test")
            dataset = fzds.read(os.path.join(directory, "samples.fzds"))
            manifest = json.load(open(os.path.join(directory, "manifest.json")))
        self.assertEqual((manifest["count"], manifest["width"], manifest["height"], manifest["channels"]), (3, 2, 2, 1))
        self.assertEqual((manifest["labels"]["face"], manifest["labels"]["notFace"]), (1, 2))
        self.assertEqual(manifest["splits"], {"train": 1, "calibration": 1, "test": 1})
        np.testing.assert_array_equal(dataset["pixels"], pixels)
        np.testing.assert_array_equal(dataset["is_face"], [0, 1, 0])
        self.assertTrue(np.isnan(dataset["gender"]).all() and np.isnan(dataset["age"]).all())
        self.assertEqual(dataset["attribute_names"], fzds.CELEBA_ATTRIBUTES)
        self.assertEqual(dataset["source_id"], ["a", "b", "c"])
        np.testing.assert_array_equal(dataset["split_table"], [0, 2, 1])

    def test_face_box_offsets_make_a_version_2_file_and_read_back(self):
        pixels = np.zeros((2, 2, 2, 1), np.uint8)
        boxes = np.array([[0.125, -0.25, 1.0625], [np.nan, np.nan, np.nan]], np.float32)
        with tempfile.TemporaryDirectory() as directory:
            fzds.write_directory(directory, {"pixels": pixels, "is_face": [1, 0], "face_box": boxes, "split": [0, 0],
                                             "source_id": ["a", "b"]}, "test")
            dataset = fzds.read(os.path.join(directory, "samples.fzds"))
            manifest = json.load(open(os.path.join(directory, "manifest.json")))
            self.assertEqual((dataset["version"], manifest["formatVersion"]), (2, 2))
            np.testing.assert_array_equal(dataset["face_box"], boxes)
            with self.assertRaises(fzds.FormatError):
                fzds.write(os.path.join(directory, "bad.fzds"), {"pixels": pixels, "face_box": [[0, 0, 3], [0, 0, 0]],
                                                                  "split": [0, 0], "source_id": ["a", "b"]})

    def test_version_1_reads_with_unknown_face_boxes(self):
        dataset = fzds.read(GOLDEN)
        self.assertEqual(dataset["version"], 1)
        self.assertTrue(np.isnan(dataset["face_box"]).all())


if __name__ == "__main__":
    unittest.main()
