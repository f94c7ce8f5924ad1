"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verification algorithms.

Proofs are generated from a ``RangeHash`` (the hash of leaves ``[lo, hi)``), so a store that keeps
complete subtrees answers them in O(log n) node reads; ``inclusion_proof`` and
``consistency_proof`` over a plain leaf list are the reference for tests and small bundles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the hash of an empty tree."""

RangeHash = Callable[[int, int], bytes]
"""The Merkle tree hash of the leaves ``[lo, hi)``."""


class ProofError(ValueError):
    """A proof does not verify, or was asked for sizes that cannot have one."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(lo: int, hi: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` as the complete subtrees (level, index) RFC 9162's shape builds it from.

    Valid for the ranges the RFC recursion produces (``lo`` aligned to the first block).
    """
    blocks: list[tuple[int, int]] = []
    while lo < hi:
        size = 1 << ((hi - lo).bit_length() - 1)
        level = size.bit_length() - 1
        blocks.append((level, lo >> level))
        lo += size
    return blocks


def fold_subtrees(hashes: Sequence[bytes]) -> bytes:
    """Combine decreasing complete-subtree hashes, left to right, into their range's hash."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make PATH(index, D[size]), in proof order (leaf upwards)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make PROOF(old, D[new]) (RFC 9162 §2.1.4.1), in order."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    suffix: list[tuple[int, int]] = []
    lo, hi, whole = 0, new, True
    while old != hi:
        k = split(hi - lo)
        if old <= lo + k:
            suffix.append((lo + k, hi))
            hi = lo + k
        else:
            suffix.append((lo, lo + k))
            lo += k
            whole = False
    prefix = [] if whole else [(lo, hi)]
    return prefix + suffix[::-1]


def list_range_hash(leaves: Sequence[bytes]) -> RangeHash:
    """A RangeHash over an in-memory list of leaf hashes (recomputes: for tests and bundles)."""

    def mth(lo: int, hi: int) -> bytes:
        if hi - lo == 0:
            return EMPTY_ROOT
        if hi - lo == 1:
            return leaves[lo]
        k = split(hi - lo)
        return node_hash(mth(lo, lo + k), mth(lo + k, hi))

    return mth


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of a list of leaf hashes."""
    return list_range_hash(leaves)(0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of all ``leaves``."""
    mth = list_range_hash(leaves)
    return [mth(lo, hi) for lo, hi in inclusion_ranges(index, len(leaves))]


def consistency_proof(leaves: Sequence[bytes], old: int) -> list[bytes]:
    """The consistency proof from size ``old`` to the tree of all ``leaves``."""
    mth = list_range_hash(leaves)
    return [mth(lo, hi) for lo, hi in consistency_ranges(old, len(leaves))]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: raise ProofError unless ``leaf`` is at ``index`` under ``root``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2: raise ProofError unless the tree ``old_root`` is a prefix of ``new_root``."""
    if old > new:
        raise ProofError(f"size {old} is larger than size {new}")
    if old == new:
        if proof or old_root != new_root:
            raise ProofError("same size but a different root (a fork) or a needless proof")
        return
    if old == 0:
        if proof:
            raise ProofError("consistency from an empty tree takes an empty proof")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than needed")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root (the log was rewritten)")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root")


Node = tuple[int, int, bytes]
"""A complete subtree: (level, index, hash), covering leaves [index * 2**level, (index + 1) * 2**level)."""


def extend_frontier(frontier: Sequence[Node], leaves: Sequence[bytes]) -> tuple[list[Node], list[Node]]:
    """Append leaf hashes to a tree given by its frontier (``subtrees(0, size)`` with hashes).

    Returns the new frontier and every complete subtree the appends created (leaves included),
    which is all a store must write to answer any later proof without recomputation.
    """
    stack = list(frontier)
    size = sum(1 << level for level, _, _ in stack)
    created: list[Node] = []
    for offset, leaf in enumerate(leaves):
        node: Node = (0, size + offset, leaf)
        created.append(node)
        while stack and stack[-1][0] == node[0]:
            left = stack.pop()
            node = (node[0] + 1, left[1] >> 1, node_hash(left[2], node[2]))
            created.append(node)
        stack.append(node)
    return stack, created
