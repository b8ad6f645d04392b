/*
 * merkle.h - RFC 6962 / RFC 9162 Merkle trees over the audit log.
 *
 * Leaf hash  = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || l || r),
 * MTH(D[n]) splits at k, the largest power of two smaller than n.
 *
 * Generation works over a node source: a callback that returns the hash of
 * the complete, aligned subtree at (level, index), i.e. MTH of leaves
 * [index * 2^level, (index + 1) * 2^level).  Level 0 is the leaf hashes.
 * Any range's MTH is then a combination of O(log n) such nodes, so proofs
 * and roots cost O(log n) look-ups whatever the size of the log.
 *
 * Verification is pure: it needs only hashes.  The verifiers follow RFC 9162
 * §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) and reject every malformed
 * proof (wrong length, wrong sizes, index out of range) as well as a wrong
 * one.  Nothing here allocates except the proof arrays it returns.
 */
#ifndef SV_MERKLE_H
#define SV_MERKLE_H

#include "base/common.h"



#define SV_HASH_LEN 32
#define SV_MERKLE_MAX_PROOF 64		/* hashes in any proof for n < 2^63 */

typedef struct {
	unsigned char h[SV_HASH_LEN];
} sv_hash;

/* Hash of a complete aligned subtree; 0 or a negative error. */
typedef int (*sv_merkle_node_fn)(sv_hash *out, void *ctx, unsigned level, uint64_t index);

void sv_merkle_leaf_hash(sv_hash *out, const void *entry, size_t len);
void sv_merkle_node_hash(sv_hash *out, const sv_hash *left, const sv_hash *right);
/* The root of the empty tree: SHA-256 of the empty string. */
void sv_merkle_empty_root(sv_hash *out);

/* MTH(D[lo:hi]) (lo < hi) from the node source. */
int sv_merkle_range(sv_hash *out, uint64_t lo, uint64_t hi, sv_merkle_node_fn get, void *ctx);
/* Root of the first n leaves (n = 0: the empty root). */
int sv_merkle_root(sv_hash *out, uint64_t n, sv_merkle_node_fn get, void *ctx);

/*
 * Inclusion proof PATH(m, D[n]) for leaf m < n, and consistency proof
 * PROOF(m, D[n]) for 0 < m <= n (empty when m == n).  *proof is set to a new
 * array of *len hashes (caller frees).
 */
int sv_merkle_inclusion(sv_hash **proof, size_t *len, uint64_t m, uint64_t n,
			sv_merkle_node_fn get, void *ctx);
int sv_merkle_consistency(sv_hash **proof, size_t *len, uint64_t m, uint64_t n,
			  sv_merkle_node_fn get, void *ctx);

/* 0 when valid; SCRVAULT_EINTEGRITY otherwise (message says why). */
int sv_merkle_verify_inclusion(uint64_t index, uint64_t size, const sv_hash *leaf,
			       const sv_hash *proof, size_t len, const sv_hash *root);
int sv_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				 const sv_hash *root1, const sv_hash *root2,
				 const sv_hash *proof, size_t len);

/*
 * Subtree proofs (C2SP tlog-proof, draft-ietf-plants-merkle-tree-certs): a
 * subtree [start, end) needs start a multiple of BIT_CEIL(end - start); its
 * hash is MTH(D[start:end]).  Inclusion of leaf `index` (start <= index <
 * end) in the subtree hash `root`; consistency of the subtree hash `subroot`
 * with the `root` of the tree of `size` >= end leaves (an empty subtree needs
 * an empty proof and the empty root).  0 or SCRVAULT_EINTEGRITY.
 */
int sv_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
				       const sv_hash *leaf, const sv_hash *proof,
				       size_t len, const sv_hash *root);
int sv_merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
					 const sv_hash *subroot, const sv_hash *root,
					 const sv_hash *proof, size_t len);

/*
 * Streaming root computation for verifying a whole log: push leaf hashes in
 * order; the root of everything pushed so far is available at any time.
 * Memory is O(log n).
 */
typedef struct {
	sv_hash stack[64];
	uint64_t n;
} sv_merkle_acc;

void sv_merkle_acc_init(sv_merkle_acc *a);
void sv_merkle_acc_push(sv_merkle_acc *a, const sv_hash *leaf);
void sv_merkle_acc_root(const sv_merkle_acc *a, sv_hash *out);
/* *dst = *src, copying only the part of the stack in use (O(log n)). */
void sv_merkle_acc_copy(sv_merkle_acc *dst, const sv_merkle_acc *src);
/*
 * The complete subtrees the accumulator holds: after pushing leaf n-1, the
 * nodes that became complete (level, index, hash), so a log can store
 * interior nodes as it grows.  Calls `emit` for each new node, level >= 1.
 */
void sv_merkle_acc_push_emit(sv_merkle_acc *a, const sv_hash *leaf,
			     void (*emit)(void *ctx, unsigned level, uint64_t index,
					  const sv_hash *h), void *ctx);

#endif
