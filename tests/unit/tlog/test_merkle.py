"""RFC 9162 Merkle hashing and proofs against the published RFC 6962 / CT test vectors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.tlog import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from events.tlog.merkle import fold_subtrees, list_range_hash, split, subtrees

pytestmark = pytest.mark.unit

# The Certificate Transparency reference leaves and tree heads (RFC 6962 test data).
DATA = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
LEAVES = [leaf_hash(d) for d in DATA]
INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
CONSISTENCY = [
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def test_roots_match_the_published_tree_heads_for_every_size() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    for n in range(len(LEAVES) + 1):
        assert root_hash(LEAVES[:n]).hex() == ROOTS[n]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_published_paths_and_verify(index: int, size: int,
                                                                path: list[str]) -> None:
    proof = inclusion_proof(LEAVES[:size], index)
    assert [p.hex() for p in proof] == path
    verify_inclusion(LEAVES[index], index, size, proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_published_paths_and_verify(old: int, new: int,
                                                                 path: list[str]) -> None:
    proof = consistency_proof(LEAVES[:new], old)
    assert [p.hex() for p in proof] == path
    verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


def test_split_is_the_largest_power_of_two_below_n() -> None:
    assert [split(n) for n in (2, 3, 4, 5, 8, 9, 1000)] == [1, 2, 2, 4, 4, 8, 512]


many = [leaf_hash(bytes([i, i * 7 % 256])) for i in range(40)]


@given(st.integers(1, 40), st.data())
def test_every_inclusion_proof_verifies_and_a_wrong_leaf_or_index_does_not(n: int,
                                                                          data: st.DataObject) -> None:
    index = data.draw(st.integers(0, n - 1))
    tree = many[:n]
    root = root_hash(tree)
    proof = inclusion_proof(tree, index)
    verify_inclusion(tree[index], index, n, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(b"forged"), index, n, proof, root)
    if n > 1:
        with pytest.raises(ProofError):
            verify_inclusion(tree[index], (index + 1) % n, n, proof, root)
        with pytest.raises(ProofError):
            verify_inclusion(tree[index], index, n, proof[:-1], root)


@given(st.integers(1, 40), st.data())
def test_every_consistency_proof_verifies_and_a_rewritten_prefix_does_not(
        n: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(1, n))
    tree = many[:n]
    proof = consistency_proof(tree, old)
    verify_consistency(old, n, root_hash(tree[:old]), root_hash(tree), proof)
    rewritten = [leaf_hash(b"rewritten"), *tree[1:]]
    with pytest.raises(ProofError):
        verify_consistency(old, n, root_hash(tree[:old]), root_hash(rewritten),
                           consistency_proof(rewritten, old))


@given(st.integers(0, 300), st.integers(0, 300))
def test_a_range_folds_from_its_complete_subtrees(a: int, b: int) -> None:
    """The decomposition the tree store relies on gives RFC 9162's hash for prefix ranges."""
    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(max(a, b))]
    n = max(a, b)
    mth = list_range_hash(leaves)
    blocks = subtrees(0, n)
    hashes = [mth(i << lvl, (i + 1) << lvl) for lvl, i in blocks]
    assert fold_subtrees(hashes) == mth(0, n)


@given(st.integers(0, 70), st.integers(0, 70))
def test_extending_the_frontier_in_batches_writes_every_complete_subtree(first: int, second: int) -> None:
    """The tree store's incremental append: roots and stored subtrees equal the recomputed ones."""
    from events.tlog.merkle import extend_frontier

    leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(first + second)]
    frontier, created = extend_frontier([], leaves[:first])
    frontier, more = extend_frontier(frontier, leaves[first:])
    assert fold_subtrees([h for _, _, h in frontier]) == root_hash(leaves)
    mth = list_range_hash(leaves)
    for level, index, h in created + more:
        assert h == mth(index << level, (index + 1) << level)
    assert len(created + more) == sum(len(leaves) >> lvl for lvl in range(8))
