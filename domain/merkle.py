"""RFC 9162 §2.1 Merkle tree hashing, inclusion and consistency proofs.

The leaves of the ledger tree are the event hashes in notification (ledger) order:
leaf data = ``bytes.fromhex(event_hash)``. Hashing is domain-separated as the RFC
requires (0x00 for leaves, 0x01 for interior nodes) so that a leaf can never be
passed off as an interior node (second-preimage attacks on the tree).

Functions taking ``leaf_hashes`` expect already-hashed leaves (``leaf_hash(data)``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    # Slicing would copy; recursing on index ranges keeps proofs O(n) in time.
    n = hi - lo
    if n == 1:
        return leaves[lo]
    k = _split(n)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over already-hashed leaves; the empty tree is SHA-256("")."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


class MerkleAccumulator:
    """Streaming MTH: keeps only the roots of the perfect subtrees (O(log n) memory).

    Appending left to right, equal-height subtrees are merged as soon as they pair up;
    the RFC tree over n leaves is exactly these perfect subtrees (one per set bit of n,
    largest first) folded right to left, so ``root()`` equals ``merkle.root(all)``.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (height, subtree root), heights descending
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def add(self, leaf: bytes) -> None:
        """Append one already-hashed leaf."""
        height, node = 0, leaf
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            node = node_hash(left, node)
            height += 1
        self._stack.append((height, node))
        self._size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.add(leaf)

    def frontier(self) -> list[bytes]:
        """The perfect-subtree roots, largest first: with ``size`` this resumes the tree."""
        return [node for _, node in self._stack]

    @classmethod
    def resume(cls, size: int, frontier: Sequence[bytes]) -> MerkleAccumulator:
        """An accumulator continuing a tree of ``size`` leaves from its frontier.

        The heights are the set bits of ``size``, largest first; a frontier that does not
        fit them is refused rather than silently producing a different tree.
        """
        heights = [h for h in range(size.bit_length() - 1, -1, -1) if size >> h & 1]
        if len(heights) != len(frontier):
            raise ValueError(f"a frontier for {size} leaves has {len(heights)} nodes, not {len(frontier)}")
        acc = cls()
        acc._stack = list(zip(heights, frontier, strict=True))
        acc._size = size
        return acc

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        result = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result


def streaming_root(leaf_hashes: Iterable[bytes]) -> tuple[int, bytes]:
    """(size, root) of a stream of already-hashed leaves, without holding them."""
    acc = MerkleAccumulator()
    acc.extend(leaf_hashes)
    return acc.size, acc.root()


def _path(m: int, leaves: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, leaves, lo, lo + k), _mth(leaves, lo + k, hi)]
    return [*_path(m - k, leaves, lo + k, hi), _mth(leaves, lo, lo + k)]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) (RFC 9162 §2.1.3.1), leaf-to-root order."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf index {index} outside a tree of {len(leaf_hashes)} leaves")
    return _path(index, leaf_hashes, 0, len(leaf_hashes))


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index < 0 or index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def _subproof(m: int, leaves: Sequence[bytes], lo: int, hi: int, whole: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if whole else [_mth(leaves, lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves, lo, lo + k, whole), _mth(leaves, lo + k, hi)]
    return [*_subproof(m - k, leaves, lo + k, hi, False), _mth(leaves, lo, lo + k)]


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(old_size, D[n]) (RFC 9162 §2.1.4.1); empty when old_size is 0 or n."""
    n = len(leaf_hashes)
    if not 0 <= old_size <= n:
        raise ValueError(f"old size {old_size} outside 0..{n}")
    if old_size in (0, n):
        return []
    return _subproof(old_size, leaf_hashes, 0, n, True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2, plus the trivial cases the RFC leaves to the caller."""
    if old_size < 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        # Every tree extends the empty one; the old root must still be the empty root.
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def _consistency_ranges(m: int, lo: int, hi: int, whole: bool) -> list[tuple[int, int]]:
    n = hi - lo
    if m == n:
        return [] if whole else [(lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_consistency_ranges(m, lo, lo + k, whole), (lo + k, hi)]
    return [*_consistency_ranges(m - k, lo + k, hi, False), (lo, lo + k)]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges [lo, hi) whose subtree roots form PROOF(old_size, D[new_size]), in proof order.

    They are pairwise disjoint, so ``streaming_consistency_proof`` can fill them in one pass
    over the leaves without holding them.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"old size {old_size} outside 0..{new_size}")
    if old_size in (0, new_size):
        return []
    return _consistency_ranges(old_size, 0, new_size, True)


def streaming_consistency_proof(
    old_size: int, new_size: int, leaf_hashes: Iterable[bytes]
) -> tuple[bytes, bytes, list[bytes]]:
    """(old root, new root, consistency proof) from one pass over the first ``new_size`` leaves."""
    ranges = consistency_ranges(old_size, new_size)
    owner = sorted(range(len(ranges)), key=lambda i: ranges[i][0])  # proof slots by leaf order
    accs = [MerkleAccumulator() for _ in ranges]
    old, new = MerkleAccumulator(), MerkleAccumulator()
    slot = 0
    for index, leaf in enumerate(leaf_hashes):
        if index >= new_size:
            break
        if index < old_size:
            old.add(leaf)
        new.add(leaf)
        while slot < len(owner) and ranges[owner[slot]][1] <= index:
            slot += 1
        if slot < len(owner) and ranges[owner[slot]][0] <= index:
            accs[owner[slot]].add(leaf)
    if new.size != new_size:
        raise ValueError(f"the ledger has {new.size} leaves, fewer than {new_size}")
    return old.root(), new.root(), [acc.root() for acc in accs]


def tree_levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """All levels of the RFC 9162 tree, leaves first: a lone last node moves up unchanged.

    Built once, so each inclusion proof is then O(log n) instead of O(n).
    """
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def path_from_levels(levels: list[list[bytes]], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1, read off the levels."""
    path = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index >>= 1
    return path


def event_leaf(event_hash_hex: str) -> bytes:
    """The leaf hash of one ledger event, from its hex event hash."""
    return leaf_hash(bytes.fromhex(event_hash_hex))
