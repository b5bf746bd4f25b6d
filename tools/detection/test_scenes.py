#!/usr/bin/env python3
"""The Python scene tools frame faces as the Swift code does (docs/detection.md "Framing"):
scenes.py's FACE_SIDE and FACE_CENTRE_* are the literals of Sources/FacelyzrImaging/FaceFraming.swift,
and picture_of_face gives SyntheticScenes.picture(ofFace:)'s pictures. Run: python3
tools/detection/test_scenes.py (part of `make test`; numpy only)."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scenes  # noqa: E402

SWIFT = os.path.join(HERE, "..", "..", "Sources", "FacelyzrImaging", "FaceFraming.swift")


class FramingTests(unittest.TestCase):
    def test_constants_are_the_swift_ones(self):
        with open(SWIFT) as f:
            source = f.read()
        swift = {name: float(value) for name, value in
                 re.findall(r"public static let (\w+): Float = ([0-9.]+)", source)}
        self.assertEqual(swift, {"faceSide": scenes.FACE_SIDE, "centreX": scenes.FACE_CENTRE_X,
                                 "centreY": scenes.FACE_CENTRE_Y})

    def test_picture_of_face(self):
        # As Tests/FacelyzrDataTests/SyntheticScenesTests.swift: a 57-pixel face at (100, 50) is
        # the face square of the 100-pixel picture at (78.5, 34.5), rounded.
        self.assertEqual(scenes.picture_of_face(100, 50, 57), (79, 35, 100))
        # The picture's face square is the face again, within rounding, for every face size.
        for side in range(scenes.FACE_SIZES[0], scenes.FACE_SIZES[1] + 1):
            x, y, picture = scenes.picture_of_face(40, 30, side)
            self.assertLessEqual(abs(picture * scenes.FACE_SIDE - side), 0.6)
            self.assertLessEqual(abs(x + scenes.FACE_CENTRE_X * picture - (40 + side / 2)), 1)
            self.assertLessEqual(abs(y + scenes.FACE_CENTRE_Y * picture - (30 + side / 2)), 1)

    def test_place_keeps_faces_out_of_other_pictures(self):
        import numpy as np
        rng = np.random.Generator(np.random.PCG64(7))
        for _ in range(50):
            boxes, pictures = [], []
            for _ in range(3):
                placed = scenes.place(rng, boxes, pictures)
                if placed is None:
                    continue
                x, y, side = placed
                self.assertTrue(0 <= x and 0 <= y and x + side <= scenes.WIDTH and y + side <= scenes.HEIGHT)
                picture = scenes.picture_of_face(x, y, side)
                for b, p in zip(boxes, pictures):
                    self.assertFalse(scenes.overlaps((x, y, side), p))
                    self.assertFalse(scenes.overlaps(picture, (b["x"], b["y"], b["width"])))
                boxes.append({"x": x, "y": y, "width": side, "height": side})
                pictures.append(picture)


if __name__ == "__main__":
    unittest.main()
