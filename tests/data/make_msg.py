#!/usr/bin/env python3
"""make_msg.py OUT CLASS: the smallest Outlook .msg that hopscope reads, a
Compound File (version 3, 512-byte sectors) whose one stream is the message
class (PR_MESSAGE_CLASS, __substg1.0_001A001F, UTF-16LE) and which has no
transport headers. The stream is padded to the 4,096-byte mini-stream cutoff
so it lives in ordinary sectors and no mini stream is needed."""
import struct
import sys

SECTOR = 512
END, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def entry(name, kind, child, start, size):
    raw = (name + "\0").encode("utf-16-le") if name else b""
    return raw.ljust(64, b"\0") + struct.pack("<HBB3I16sIQQIQ", len(raw), kind, 1, NO_STREAM, NO_STREAM, child,
                                              b"\0" * 16, 0, 0, 0, start, size)


def compound_file(stream_name, body):
    body = body.ljust(4096, b"\0")
    count = len(body) // SECTOR
    # Sector 0 is the FAT, sector 1 the directory, the stream from sector 2 on.
    fat = [FAT_SECTOR, END] + [3 + i if i < count - 1 else END for i in range(count)]
    fat += [FREE] * (SECTOR // 4 - len(fat))
    directory = entry("Root Entry", 5, 1, END, 0) + entry(stream_name, 2, NO_STREAM, 2, len(body))
    directory += entry("", 0, NO_STREAM, 0, 0) * 2
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, END, 0, END, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    return header + struct.pack("<128I", *fat) + directory + body


with open(sys.argv[1], "wb") as out:
    out.write(compound_file("__substg1.0_001A001F", sys.argv[2].encode("utf-16-le")))
