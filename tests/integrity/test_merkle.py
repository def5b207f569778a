"""RFC 9162 Merkle tree: published vectors, pymerkle as an oracle, and proof properties."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import merkle

# The RFC 6962 reference test data (certificate-transparency's merkle tests): eight leaves.
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
)]  # fmt: skip
ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
HASHED = [merkle.leaf_hash(leaf) for leaf in LEAVES]
INCLUSION_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
CONSISTENCY_6_TO_8 = [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
]


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_roots_match_the_published_vectors(size: int) -> None:
    assert merkle.root(HASHED[:size]).hex() == ROOTS[size]
    assert merkle.streaming_root(HASHED[:size]) == (size, bytes.fromhex(ROOTS[size]))


def test_proofs_match_the_published_vectors() -> None:
    assert [p.hex() for p in merkle.inclusion_proof(0, HASHED)] == INCLUSION_0_OF_8
    assert merkle.verify_inclusion(HASHED[0], 0, 8, [bytes.fromhex(p) for p in INCLUSION_0_OF_8],
                                   bytes.fromhex(ROOTS[8]))  # fmt: skip
    assert [p.hex() for p in merkle.consistency_proof(6, HASHED)] == CONSISTENCY_6_TO_8
    # 1 → 8 is the inclusion path of leaf 0 (the old tree is that one leaf).
    assert [p.hex() for p in merkle.consistency_proof(1, HASHED)] == INCLUSION_0_OF_8


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    # A two-leaf tree's root is not the leaf hash of the concatenated children.
    assert merkle.root([a, b]) != merkle.leaf_hash(a + b)


def test_pymerkle_agrees_on_roots_and_inclusion_paths() -> None:
    import pymerkle  # the test oracle: a maintained RFC 9162 implementation

    tree = pymerkle.InmemoryTree(algorithm="sha256")  # RFC 9162 hashing (0x00 / 0x01 prefixes)
    hashed: list[bytes] = []
    for n in range(1, 70):
        data = n.to_bytes(4, "big")
        tree.append_entry(data)
        hashed.append(merkle.leaf_hash(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert tree.get_root(n) == merkle.root(hashed)
        for index in range(0, n, max(1, n // 7)):
            # pymerkle's path starts with the leaf itself, then the RFC audit path.
            path = tree.prove_inclusion(index + 1, n).serialize()["path"]
            assert path == [hashed[index].hex()] + [p.hex() for p in merkle.inclusion_proof(index, hashed)]
        for old in range(1, n, max(1, n // 5)):
            # pymerkle's consistency proofs use their own layout: check ours against its roots.
            proof = merkle.consistency_proof(old, hashed)
            assert merkle.verify_consistency(old, n, tree.get_root(old), tree.get_root(n), proof)


def leaves(max_size: int = 300) -> st.SearchStrategy[list[bytes]]:
    return st.integers(1, max_size).map(lambda n: [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)])


@settings(max_examples=150, deadline=None)
@given(leaves(), st.data())
def test_every_inclusion_proof_verifies_and_only_for_its_leaf(
    hashed: list[bytes], data: st.DataObject
) -> None:
    n = len(hashed)
    index = data.draw(st.integers(0, n - 1))
    root = merkle.root(hashed)
    proof = merkle.inclusion_proof(index, hashed)
    assert merkle.verify_inclusion(hashed[index], index, n, proof, root)
    other = data.draw(st.integers(0, n - 1))
    if other != index:
        assert not merkle.verify_inclusion(hashed[other], index, n, proof, root)
        assert not merkle.verify_inclusion(hashed[index], other, n, proof, root)
    if proof:
        broken = [*proof]
        broken[data.draw(st.integers(0, len(proof) - 1))] = b"\x00" * 32
        assert not merkle.verify_inclusion(hashed[index], index, n, broken, root)
        assert not merkle.verify_inclusion(hashed[index], index, n, proof[:-1], root)


@settings(max_examples=150, deadline=None)
@given(leaves(), st.data())
def test_every_consistency_proof_verifies_and_a_changed_history_does_not(
    hashed: list[bytes], data: st.DataObject
) -> None:
    n = len(hashed)
    old = data.draw(st.integers(0, n))
    proof = merkle.consistency_proof(old, hashed)
    old_root, new_root = merkle.root(hashed[:old]), merkle.root(hashed)
    assert merkle.verify_consistency(old, n, old_root, new_root, proof)
    assert merkle.streaming_consistency_proof(old, n, iter(hashed)) == (old_root, new_root, proof)
    if 0 < old < n:
        changed = [*hashed]
        changed[data.draw(st.integers(0, old - 1))] = merkle.leaf_hash(b"rewritten")
        assert not merkle.verify_consistency(old, n, old_root, merkle.root(changed), proof)
        assert not merkle.verify_consistency(old, n, merkle.root(changed[:old]), new_root, proof)
        assert not merkle.verify_consistency(old, n, old_root, new_root, proof[:-1])


@settings(max_examples=100, deadline=None)
@given(leaves(), st.data())
def test_the_streaming_tree_resumes_from_its_frontier(hashed: list[bytes], data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(hashed)))
    first = merkle.MerkleAccumulator()
    first.extend(hashed[:cut])
    assert first.root() == merkle.root(hashed[:cut])
    resumed = merkle.MerkleAccumulator.resume(cut, first.frontier())
    resumed.extend(hashed[cut:])
    assert resumed.root() == merkle.root(hashed)
    assert len(first.frontier()) == bin(cut).count("1")  # O(log n) memory


def test_a_frontier_that_does_not_fit_the_size_is_refused() -> None:
    with pytest.raises(ValueError, match="frontier"):
        merkle.MerkleAccumulator.resume(3, [b"x" * 32])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_proof(3, HASHED[:3])
    with pytest.raises(ValueError):
        merkle.consistency_proof(4, HASHED[:3])
    assert not merkle.verify_inclusion(HASHED[0], 0, 0, [], merkle.EMPTY_ROOT)
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, merkle.root(HASHED[:5]), [])
    assert not merkle.verify_consistency(3, 2, merkle.root(HASHED[:3]), merkle.root(HASHED[:2]), [])
    assert not merkle.verify_consistency(3, 5, merkle.root(HASHED[:3]), merkle.root(HASHED[:5]), [])
