#!/usr/bin/env python3
"""Writes Tests/Fixtures/images/cmyk-red-blue.jpg: a 16x8 CMYK JPEG (Adobe APP14 marker,
inverted CMYK as Photoshop writes it), left half red (C 0, M 100%, Y 100%, K 0), right half
blue (C 100%, M 100%, Y 0, K 0). The test decodes it to RGB. Needs Pillow (not a test
dependency: the fixture is committed). Run: python3 tools/make_cmyk_jpeg_fixture.py"""
import os

from PIL import Image

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
target = os.path.join(root, "Tests", "Fixtures", "images", "cmyk-red-blue.jpg")
image = Image.new("CMYK", (16, 8))
for y in range(8):
    for x in range(16):
        image.putpixel((x, y), (0, 255, 255, 0) if x < 8 else (255, 255, 0, 0))
os.makedirs(os.path.dirname(target), exist_ok=True)
image.save(target, quality=95, subsampling=0)
print(f"wrote {target}")
