"""Parquet files put one after the other without decoding them: the record parts' row
groups are copied byte for byte under one new footer.

A Parquet file is ``PAR1``, its row groups' pages, a footer (Thrift's compact protocol)
that says where each column chunk starts, the footer's length, and ``PAR1`` again.
Concatenating files written with the same schema and options then needs only their footers:
:func:`concatenate` copies each file's pages after the ones before, moves the offsets of its
row groups by as much, renumbers them, and writes the first footer with every row group and
the rows added up. That is what a ``ParquetWriter`` writes when it is given the same row
groups again (decoded and encoded anew), byte for byte — tests/test_records_concat.py checks
it — at the cost of a file copy.

:func:`concatenate` returns ``None`` (and writes nothing) where a footer holds what this
module does not move: page indexes, bloom filters, encryption, or footers that differ
beyond their row groups. The caller then writes the rows again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["concatenate", "read_footer", "write_struct"]

_MAGIC = b"PAR1"

#: Thrift compact types: booleans (in a field header), byte, i16, i32, i64, double, binary,
#: list, set, map, struct.
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)

#: Fields of the footer's structs that this module moves or leaves as they are; any other
#: (page indexes, bloom filters, encryption) makes :func:`concatenate` decline.
_FILE_FIELDS = frozenset({1, 2, 3, 4, 5, 6, 7})  # FileMetaData
_GROUP_FIELDS = frozenset({1, 2, 3, 4, 5, 6, 7})  # RowGroup
_CHUNK_FIELDS = frozenset({2, 3})  # ColumnChunk: file_offset, meta_data
_META_FIELDS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16})  # ColumnMetaData

#: A struct as read: its fields in file order, each ``[field id, type, value]``.
Struct = list[list[Any]]


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _read(buf: bytes, pos: int, kind: int) -> tuple[Any, int]:
    """The value of Thrift compact type *kind* at *pos*, and the position after it."""
    if kind <= _BYTE:  # a boolean inside a list, or a byte
        return buf[pos], pos + 1
    if kind <= _I64:  # zigzag varints
        value, pos = _varint(buf, pos)
        return (value >> 1) ^ -(value & 1), pos
    if kind == _DOUBLE:
        return buf[pos:pos + 8], pos + 8
    if kind == _BINARY:
        size, pos = _varint(buf, pos)
        return buf[pos:pos + size], pos + size
    if kind in (_LIST, _SET):
        size, item = buf[pos] >> 4, buf[pos] & 0x0F
        pos += 1
        if size == 15:
            size, pos = _varint(buf, pos)
        items = []
        for _ in range(size):
            value, pos = _read(buf, pos, item)
            items.append(value)
        return (item, items), pos
    if kind == _MAP:
        size, pos = _varint(buf, pos)
        types, pairs = 0, []
        if size:
            types, pos = buf[pos], pos + 1
            for _ in range(size):
                key, pos = _read(buf, pos, types >> 4)
                value, pos = _read(buf, pos, types & 0x0F)
                pairs.append((key, value))
        return (types, pairs), pos
    if kind == _STRUCT:
        return _read_struct(buf, pos)
    raise ValueError(f"unknown Thrift compact type {kind}")


def _read_struct(buf: bytes, pos: int) -> tuple[Struct, int]:
    fields: Struct = []
    fid = 0
    while buf[pos]:
        header = buf[pos]
        pos += 1
        kind, delta = header & 0x0F, header >> 4
        if delta:
            fid += delta
        else:
            zigzag, pos = _varint(buf, pos)
            fid = (zigzag >> 1) ^ -(zigzag & 1)
        value: Any = None  # a boolean field's value is its type
        if kind > _FALSE:
            value, pos = _read(buf, pos, kind)
        fields.append([fid, kind, value])
    return fields, pos + 1


def _write_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _write(out: bytearray, kind: int, value: Any) -> None:
    """Append *value* of Thrift compact type *kind* to *out*, as the Thrift library does."""
    if kind <= _BYTE:
        out.append(value)
    elif kind <= _I64:
        _write_varint(out, (value << 1) ^ (value >> 63))
    elif kind == _DOUBLE:
        out += value
    elif kind == _BINARY:
        _write_varint(out, len(value))
        out += value
    elif kind in (_LIST, _SET):
        item, items = value
        if len(items) < 15:
            out.append(len(items) << 4 | item)
        else:
            out.append(0xF0 | item)
            _write_varint(out, len(items))
        for element in items:
            _write(out, item, element)
    elif kind == _MAP:
        types, pairs = value
        _write_varint(out, len(pairs))
        if pairs:
            out.append(types)
            for key, element in pairs:
                _write(out, types >> 4, key)
                _write(out, types & 0x0F, element)
    else:
        write_struct(out, value)


def write_struct(out: bytearray, fields: Struct) -> None:
    """Append the struct *fields* (as :func:`read_footer` gives them) to *out*."""
    last = 0
    for fid, kind, value in fields:
        if 0 < fid - last <= 15:
            out.append((fid - last) << 4 | kind)
        else:
            out.append(kind)
            _write_varint(out, (fid << 1) ^ (fid >> 63))
        last = fid
        if kind > _FALSE:
            _write(out, kind, value)
    out.append(0)


def read_footer(path: Path) -> tuple[Struct, int]:
    """The footer (FileMetaData) of the Parquet file *path*, and where its pages end.

    Raises :class:`ValueError` if *path* is not a Parquet file.
    """
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(size - 8)
        tail = f.read(8)
        length = int.from_bytes(tail[:4], "little")
        end = size - 8 - length
        if tail[4:] != _MAGIC or end < 4:
            raise ValueError(f"{path}: not a Parquet file")
        f.seek(end)
        footer, used = _read_struct(f.read(length), 0)
    if used != length:
        raise ValueError(f"{path}: a footer of {length} bytes holds {used}")
    return footer, end


def _field(fields: Struct, fid: int) -> list[Any]:
    """The field *fid* of the struct *fields* (``[fid, type, value]``).

    Raises :class:`ValueError` if it has none.
    """
    for field in fields:
        if field[0] == fid:
            return field
    raise ValueError(f"a Parquet footer without its field {fid}")


def _movable(footer: Struct, first: Struct) -> bool:
    """Whether *footer*'s row groups can be moved as they are, under *first*'s footer."""
    if {f[0] for f in footer} - _FILE_FIELDS:
        return False
    if [f for f in footer if f[0] not in (3, 4)] != [f for f in first if f[0] not in (3, 4)]:
        return False
    for group in _field(footer, 4)[2][1]:
        if {f[0] for f in group} - _GROUP_FIELDS:
            return False
        for chunk in _field(group, 1)[2][1]:
            if {f[0] for f in chunk} - _CHUNK_FIELDS:
                return False
            if {f[0] for f in _field(chunk, 3)[2]} - _META_FIELDS:
                return False
    return True


def _move(group: Struct, shift: int, ordinal: int) -> None:
    """Move the offsets of the row group *group* by *shift* bytes; number it *ordinal*."""
    for fid, _, value in group:
        if fid == 1:
            for chunk in value[1]:
                for field in chunk:
                    if field[0] == 2 and field[2]:  # file_offset, where it is set
                        field[2] += shift
                    elif field[0] == 3:
                        for meta in field[2]:
                            if meta[0] in (9, 10, 11):  # data, index, dictionary pages
                                meta[2] += shift
    for field in group:
        if field[0] == 5:  # file_offset
            field[2] += shift
        elif field[0] == 7:  # ordinal
            field[2] = ordinal


def concatenate(paths: Sequence[Path], out: Path, created_by: bytes,
                metadata: dict[bytes, bytes] | None = None) -> int | None:
    """Write the Parquet files *paths* one after the other into *out*: the number of rows.

    ``None`` (and nothing written) unless there is a file and every footer is one this
    module can move, all alike but for their row groups, written by *created_by*. The
    values of *metadata* replace those of the same keys in the footer's key-value
    metadata (``ARROW:schema``, where the parts were written with another Arrow schema
    that makes the same pages).
    """
    if not paths:
        return None
    footers = [read_footer(p) for p in paths]
    first = footers[0][0]
    try:
        if _field(first, 6)[2] != created_by or not all(_movable(f, first) for f, _ in footers):
            return None
    except ValueError:  # a field it cannot do without is missing
        return None
    groups: list[Struct] = []
    rows, at = 0, len(_MAGIC)
    with open(out, "wb") as f:
        f.write(_MAGIC)
        for path, (footer, end) in zip(paths, footers, strict=True):
            for group in _field(footer, 4)[2][1]:
                _move(group, at - len(_MAGIC), len(groups))
                groups.append(group)
            rows += _field(footer, 3)[2]
            with open(path, "rb") as part:
                part.seek(len(_MAGIC))
                at += _copy(part, f, end - len(_MAGIC))
        head = [[fid, kind, value] for fid, kind, value in first]
        _field(head, 3)[2] = rows
        _field(head, 4)[2] = (_STRUCT, groups)
        if metadata:
            _replace_values(head, metadata)
        footer_bytes = bytearray()
        write_struct(footer_bytes, head)
        f.write(footer_bytes + len(footer_bytes).to_bytes(4, "little") + _MAGIC)
    return rows


def _replace_values(footer: Struct, metadata: dict[bytes, bytes]) -> None:
    """Set the values of the keys of *metadata* that *footer*'s key-value metadata holds
    (its field 5, a list of KeyValue structs: key 1, value 2)."""
    for field in footer:
        if field[0] == 5:
            item, pairs = field[2]
            field[2] = (item, [_with_value(pair, metadata) for pair in pairs])


def _with_value(pair: Struct, metadata: dict[bytes, bytes]) -> Struct:
    """The KeyValue struct *pair*, its value replaced where *metadata* holds its key."""
    key = _field(pair, 1)[2]
    if key not in metadata:
        return pair
    return [[fid, kind, metadata[key] if fid == 2 else value] for fid, kind, value in pair]


def _copy(source: Any, target: Any, size: int) -> int:
    """Copy *size* bytes from the file *source* to *target*, a block at a time."""
    left = size
    while left:
        block = source.read(min(left, 1 << 20))
        if not block:
            raise ValueError(f"{source.name}: ends before its footer says")
        target.write(block)
        left -= len(block)
    return size
