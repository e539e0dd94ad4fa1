"""Tiny test images the emulator serves at `/_emulator/media/{name}`.

Instagram and Facebook fetch media from public URLs; nothing is fetched from the internet here,
so URLs pointing at these assets count as fetchable and are sniffed for their real format.
"""

import struct
import zlib


def tiny_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (52, 120, 200)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def tiny_jpeg() -> bytes:
    """A valid 8x8 mid-grey baseline JPEG.

    A flat block at level 128 has only zero DCT coefficients, so the entropy-coded data is one
    DC "category 0" code and one end-of-block code; one-symbol Huffman tables make both a
    single 0 bit.
    """
    quant = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes([1] * 64)
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00"
    dc_table = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    ac_table = b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    scan = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    entropy = b"\x3f"  # bits 0 (DC) and 0 (EOB), padded with ones
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + jfif + quant + frame + dc_table + ac_table + scan + entropy + b"\xff\xd9"


def sniff_format(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[4:8] == b"ftyp":
        return "mp4"
    return "unknown"


def default_assets() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, content type)."""
    jpeg, png = tiny_jpeg(), tiny_png()
    return {
        "sample.jpg": (jpeg, "image/jpeg"),
        "sample.jpeg": (jpeg, "image/jpeg"),
        "sample.png": (png, "image/png"),
        "not-really-a.jpg": (png, "image/jpeg"),  # a PNG behind a .jpg name, to test format sniffing
    }
