/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle trees (see merkle.h).
 *
 * Generation follows the recursive definitions of RFC 6962 §2.1 (MTH, PATH,
 * PROOF/SUBPROOF) written over leaf ranges [lo, hi) instead of lists.  Every
 * range that the recursion asks for in a proof starts at a multiple of the
 * next power of two at or above its length, so its hash is a right fold over
 * the complete subtrees named by the set bits of its length: at most 64
 * look-ups, and a whole proof at most 128.  The recursion is unrolled into a
 * walk from the root that records the sibling ranges (at most 65 of them),
 * then the proof is filled bottom-up from those ranges.
 *
 * Verification is RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency)
 * as written there, with the expected proof length checked first so that a
 * malformed proof is reported as such rather than as a wrong root.  The
 * subtree verifiers follow C2SP tlog-proof / draft-ietf-plants-merkle-tree-
 * certs: a subtree [start, end) is valid when start is a multiple of
 * BIT_CEIL(end - start).
 *
 * The accumulator is a binary counter: stack[i] holds the complete subtree
 * for the i-th set bit of n, largest first, so a push merges the run of
 * equal-sized subtrees on top exactly like a carry.
 *
 * Hashing goes through crypto.h; this file includes no OpenSSL.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/merkle.h"
#include "crypto/crypto.h"
#include "base/common.h"

/* Sibling ranges a proof can hold: ceil(log2 n) + 1 for any 64-bit n. */
#define MAX_RANGES 66

/* Entries up to this size are leaf-hashed from a stack copy. */

typedef struct {
	uint64_t lo, hi;
} leaf_range;

/*
 * Bit helpers
 */

/* Number of bits needed for x: 0 for 0, else floor(log2 x) + 1. */
static unsigned bit_len(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
}

/* Set bits in x. */
static unsigned ones(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

/* Trailing zero bits of x; x must not be 0. */
static unsigned tz(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}

/* x >> n, where shifting out all 64 bits (n == 64) gives 0. */
static uint64_t shr(uint64_t x, unsigned n)
{
	return n < 64 ? x >> n : 0;
}

/* Largest power of two strictly smaller than n; n must be at least 2. */
static uint64_t split_point(uint64_t n)
{
	return (uint64_t)1 << (bit_len(n - 1) - 1);
}

/*
 * Hashing
 */

/* SHA-256(0x00 || entry): the one leaf hash (RFC 6962 §2.1); cannot fail. */
void sv_merkle_leaf_hash(sv_hash *out, const void *entry, size_t len)
{
	static const unsigned char zero = 0x00;

	sv_sha256_parts(out->h, &zero, 1, entry, len);
}

/* SHA-256(0x01 || left || right); out may alias either input. */
void sv_merkle_node_hash(sv_hash *out, const sv_hash *left, const sv_hash *right)
{
	unsigned char buf[1 + 2 * SV_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left->h, SV_HASH_LEN);
	memcpy(buf + 1 + SV_HASH_LEN, right->h, SV_HASH_LEN);
	sv_sha256(out->h, buf, sizeof(buf));
}

/* MTH({}) = SHA-256 of the empty string. */
void sv_merkle_empty_root(sv_hash *out)
{
	sv_sha256(out->h, NULL, 0);
}

/* Whether two hashes are equal (they are public: no constant time needed). */
static bool hash_eq(const sv_hash *a, const sv_hash *b)
{
	return memcmp(a->h, b->h, SV_HASH_LEN) == 0;
}

/*
 * Generation
 */

/*
 * MTH(D[lo:hi]) for lo < hi, by the RFC 6962 recursion with the aligned
 * power-of-two case answered by one look-up.  When lo is a multiple of the
 * power of two at or above the length (every range a proof needs) that is
 * one look-up per set bit of the length; an unaligned range costs more, up
 * to one per leaf.  The depth is below 128 either way: the right part is at
 * most half the range, the left part a power of two that halves from there.
 */
static int range_hash(sv_hash *out, uint64_t lo, uint64_t hi,
		      sv_merkle_node_fn get, void *ctx)
{
	uint64_t n = hi - lo, k;
	sv_hash left, right;
	int error;

	if ((n & (n - 1)) == 0 && (lo & (n - 1)) == 0) {
		unsigned level = tz(n);

		return get(out, ctx, level, lo >> level);
	}
	k = split_point(n);
	if ((error = range_hash(&left, lo, lo + k, get, ctx)) < 0 ||
	    (error = range_hash(&right, lo + k, hi, get, ctx)) < 0)
		return error;
	sv_merkle_node_hash(out, &left, &right);
	return 0;
}

/* MTH(D[lo:hi]); EUSAGE for an empty range, else 0 or the source's error. */
int sv_merkle_range(sv_hash *out, uint64_t lo, uint64_t hi, sv_merkle_node_fn get, void *ctx)
{
	if (lo >= hi)
		return sv_error(SCRVAULT_EUSAGE, "merkle range [%" PRIu64 ", %" PRIu64 ") is empty",
				lo, hi);
	return range_hash(out, lo, hi, get, ctx);
}

/* MTH(D[0:n]), the empty root for n = 0; at most 64 look-ups. */
int sv_merkle_root(sv_hash *out, uint64_t n, sv_merkle_node_fn get, void *ctx)
{
	if (n == 0) {
		sv_merkle_empty_root(out);
		return 0;
	}
	return range_hash(out, 0, n, get, ctx);
}

/*
 * Turn the sibling ranges collected from the root down (`r[0]` nearest the
 * root) into a new proof array ordered from the leaves up, as RFC 6962 lists
 * it.  An empty proof is NULL.  On failure nothing is returned.
 */
static int fill_proof(sv_hash **proof, size_t *len, const leaf_range *r, size_t count,
		      sv_merkle_node_fn get, void *ctx)
{
	sv_hash *out = NULL;
	size_t i;
	int error = 0;

	if (count > 0) {
		if ((out = sv_calloc(count, sizeof(*out))) == NULL)
			return SCRVAULT_ERROR;
		for (i = 0; i < count; i++)
			if ((error = range_hash(&out[i], r[count - 1 - i].lo,
						r[count - 1 - i].hi, get, ctx)) < 0)
				goto cleanup;
	}
	*proof = out;
	*len = count;
	out = NULL;

cleanup:
	free(out);
	return error;
}

/*
 * PATH(m, D[n]), leaves up; EUSAGE unless m < n.  *proof is NULL and *len 0
 * on any failure, and for an empty proof.
 */
int sv_merkle_inclusion(sv_hash **proof, size_t *len, uint64_t m, uint64_t n,
			sv_merkle_node_fn get, void *ctx)
{
	leaf_range r[MAX_RANGES];
	uint64_t lo = 0, hi = n, k;
	size_t count = 0;

	*proof = NULL;
	*len = 0;
	if (m >= n)
		return sv_error(SCRVAULT_EUSAGE, "no leaf %" PRIu64 " in a merkle tree of size %" PRIu64,
				m, n);
	/* PATH(m, D[lo:hi]): descend towards m, keeping the other half. */
	while (hi - lo > 1) {
		k = split_point(hi - lo);
		if (m < lo + k) {
			r[count++] = (leaf_range){ lo + k, hi };
			hi = lo + k;
		} else {
			r[count++] = (leaf_range){ lo, lo + k };
			lo += k;
		}
	}
	return fill_proof(proof, len, r, count, get, ctx);
}

/*
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true); EUSAGE unless 0 < m <= n.
 * *proof is NULL and *len 0 on any failure, and for m == n.
 */
int sv_merkle_consistency(sv_hash **proof, size_t *len, uint64_t m, uint64_t n,
			  sv_merkle_node_fn get, void *ctx)
{
	leaf_range r[MAX_RANGES];
	uint64_t lo = 0, hi = n, k;
	size_t count = 0;
	bool b = true;

	*proof = NULL;
	*len = 0;
	if (m == 0 || m > n)
		return sv_error(SCRVAULT_EUSAGE, "no merkle consistency proof from size %" PRIu64
				" to size %" PRIu64, m, n);
	/*
	 * SUBPROOF(m, D[lo:hi], b), m absolute: while the old tree ends inside
	 * the range, keep the half it does not reach into; once it ends exactly
	 * at hi, that range's own hash closes the proof unless it is the whole
	 * old tree (b still true), whose root the verifier already has.
	 */
	while (m != hi) {
		k = split_point(hi - lo);
		if (m <= lo + k) {
			r[count++] = (leaf_range){ lo + k, hi };
			hi = lo + k;
		} else {
			r[count++] = (leaf_range){ lo, lo + k };
			lo += k;
			b = false;
		}
	}
	if (!b)
		r[count++] = (leaf_range){ lo, hi };
	return fill_proof(proof, len, r, count, get, ctx);
}

/*
 * Verification
 */

/* Expected length of an inclusion proof for leaf `index` < `size`. */
static size_t inclusion_len(uint64_t index, uint64_t size)
{
	unsigned inner = bit_len(index ^ (size - 1));

	return inner + ones(shr(index, inner));
}

/*
 * One step of RFC 9162's proof walks (§2.1.3.2 and §2.1.4.2) with the proof
 * hash p: a left sibling folds into r (and into `also` when not NULL: the
 * consistency proof's older root) and the indices climb past the right
 * edges; a right sibling folds into r alone.
 */
static void walk_step(sv_hash *r, sv_hash *also, uint64_t *fn, uint64_t *sn, const sv_hash *p)
{
	if ((*fn & 1) || *fn == *sn) {
		if (also)
			sv_merkle_node_hash(also, p, also);
		sv_merkle_node_hash(r, p, r);
		while (!(*fn & 1) && *fn != 0) {
			*fn >>= 1;
			*sn >>= 1;
		}
	} else {
		sv_merkle_node_hash(r, r, p);
	}
	*fn >>= 1;
	*sn >>= 1;
}

/*
 * RFC 9162 §2.1.3.2, after the caller checked index < size and the length:
 * the root that `proof` leads to from `leaf`, or false when the proof runs
 * past the top of the tree or stops short of it.
 */
static bool inclusion_root(sv_hash *out, uint64_t index, uint64_t size, const sv_hash *leaf,
			   const sv_hash *proof, size_t len)
{
	uint64_t fn = index, sn = size - 1;
	sv_hash r = *leaf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (sn == 0)
			return false;
		walk_step(&r, NULL, &fn, &sn, &proof[i]);
	}
	*out = r;
	return sn == 0;
}

/* RFC 9162 §2.1.3.2: 0, or EINTEGRITY for any out-of-range, malformed or wrong proof. */
int sv_merkle_verify_inclusion(uint64_t index, uint64_t size, const sv_hash *leaf,
			       const sv_hash *proof, size_t len, const sv_hash *root)
{
	sv_hash r;
	size_t want;

	if (index >= size)
		return sv_error(SCRVAULT_EINTEGRITY, "merkle inclusion proof for leaf %" PRIu64
				", not in a tree of size %" PRIu64, index, size);
	if (len != (want = inclusion_len(index, size)))
		return sv_error(SCRVAULT_EINTEGRITY, "merkle inclusion proof has %zu hashes, "
				"leaf %" PRIu64 " of size %" PRIu64 " needs %zu",
				len, index, size, want);
	if (!inclusion_root(&r, index, size, leaf, proof, len) || !hash_eq(&r, root))
		return sv_error(SCRVAULT_EINTEGRITY, "merkle inclusion proof for leaf %" PRIu64
				" does not lead to the root of size %" PRIu64, index, size);
	return 0;
}

/* Expected length of a consistency proof for 0 < size1 < size2. */
static size_t consistency_len(uint64_t size1, uint64_t size2)
{
	unsigned inner = bit_len((size1 - 1) ^ (size2 - 1)), shift = tz(size1);
	unsigned border = ones(shr(size1 - 1, inner));

	return (size1 == (uint64_t)1 << shift ? 0 : 1) + (inner - shift) + border;
}

/*
 * RFC 9162 §2.1.4.2: 0, or EINTEGRITY.  size1 == 0 is refused (a proof
 * from the empty tree proves nothing); equal sizes need an empty proof and
 * equal roots.
 */
int sv_merkle_verify_consistency(uint64_t size1, uint64_t size2,
				 const sv_hash *root1, const sv_hash *root2,
				 const sv_hash *proof, size_t len)
{
	uint64_t fn, sn;
	sv_hash fr, sr;
	size_t i = 0, want;

	if (size1 > size2)
		return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof from size %" PRIu64
				" back to size %" PRIu64, size1, size2);
	if (size1 == 0)
		return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof from the empty tree "
				"proves nothing");
	if (size1 == size2) {
		if (len != 0)
			return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof between equal "
					"sizes must be empty, has %zu hashes", len);
		if (!hash_eq(root1, root2))
			return sv_error(SCRVAULT_EINTEGRITY, "merkle roots differ at the same size %"
					PRIu64, size1);
		return 0;
	}
	if (len != (want = consistency_len(size1, size2)))
		return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof has %zu hashes, size %"
				PRIu64 " to %" PRIu64 " needs %zu", len, size1, size2, want);

	/* RFC 9162 §2.1.4.2; a power-of-two size1 means root1 is prepended. */
	if ((size1 & (size1 - 1)) == 0) {
		fr = *root1;
	} else {
		fr = proof[0];
		i = 1;
	}
	sr = fr;
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0)
			break;
		walk_step(&sr, &fr, &fn, &sn, &proof[i]);
	}
	if (i != len || sn != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof from size %" PRIu64
				" to %" PRIu64 " does not fit the tree", size1, size2);
	if (!hash_eq(&fr, root1))
		return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof does not lead to the "
				"root of size %" PRIu64, size1);
	if (!hash_eq(&sr, root2))
		return sv_error(SCRVAULT_EINTEGRITY, "merkle consistency proof does not lead to the "
				"root of size %" PRIu64, size2);
	return 0;
}

/*
 * Subtree proofs
 */

/*
 * Whether [start, end) is a subtree: start <= end and start a multiple of
 * BIT_CEIL(end - start) (any start for an empty range, which the callers
 * treat on their own).  Lengths above 2^63 have no 64-bit BIT_CEIL and are
 * only valid from 0.
 */
static int check_subtree(uint64_t start, uint64_t end)
{
	uint64_t n = end - start;

	if (start > end)
		return sv_error(SCRVAULT_EINTEGRITY, "merkle subtree [%" PRIu64 ", %" PRIu64
				") ends before it starts", start, end);
	if (start == 0 || n == 0)
		return 0;
	if (n > (uint64_t)1 << 63 || (start & (((uint64_t)1 << bit_len(n - 1)) - 1)) != 0)
		return sv_error(SCRVAULT_EINTEGRITY, "[%" PRIu64 ", %" PRIu64 ") is not a merkle "
				"subtree", start, end);
	return 0;
}

/* PATH(index - start, D[start:end]) against the subtree hash: 0 or EINTEGRITY. */
int sv_merkle_verify_subtree_inclusion(uint64_t index, uint64_t start, uint64_t end,
				       const sv_hash *leaf, const sv_hash *proof,
				       size_t len, const sv_hash *root)
{
	int error;

	if ((error = check_subtree(start, end)) < 0)
		return error;
	if (index < start || index >= end)
		return sv_error(SCRVAULT_EINTEGRITY, "leaf %" PRIu64 " is outside merkle subtree [%"
				PRIu64 ", %" PRIu64 ")", index, start, end);
	if ((error = sv_merkle_verify_inclusion(index - start, end - start, leaf, proof, len,
						root)) < 0)
		return sv_error_wrap(error, "merkle subtree [%" PRIu64 ", %" PRIu64 ")", start, end);
	return 0;
}

/*
 * The root of the tree of `size` that `proof` leads to from the hash of the
 * subtree [start, end), for a valid non-empty subtree with end <= size that
 * is not the whole tree.  Fails on a wrong length, and when the proof's
 * nodes inside the subtree do not rebuild `subroot`.
 */
static int subtree_grown_root(sv_hash *out, uint64_t start, uint64_t end, uint64_t size,
			      const sv_hash *subroot, const sv_hash *proof, size_t len)
{
	unsigned fork, border, shift, inner, height, top, sub_inner, sub_border, i;
	uint64_t mask;
	sv_hash seed, r;
	size_t want, first;

	height = bit_len((end - 1) ^ start);	/* level of the subtree's top */
	if (end == size) {
		/* On the right edge: only the left siblings above the subtree. */
		if (len != (want = ones(shr(start, height))))
			goto bad_len;
		r = *subroot;
		for (i = 0; i < len; i++)
			sv_merkle_node_hash(&r, &proof[i], &r);
		*out = r;
		return 0;
	}

	/*
	 * The proof is the subtree's rightmost complete node (unless that is
	 * the subtree itself) then the inclusion path of that node in the tree
	 * of `size`: `inner` hashes below the level where the paths to end-1
	 * and size-1 fork, `border` left siblings above it.  Those of them that
	 * lie inside the subtree rebuild `subroot`; all of them rebuild the root.
	 */
	fork = bit_len((end - 1) ^ (size - 1));
	border = ones(shr(end - 1, fork));
	shift = tz(end - start);
	inner = fork - shift;
	first = (end - start) == (uint64_t)1 << shift ? 0 : 1;
	if (len != (want = first + inner + border))
		goto bad_len;
	seed = first ? proof[0] : *subroot;
	proof += first;
	mask = (end - 1) >> shift;

	if (first) {
		top = ones(shr(end - 1, height));
		sub_inner = (height < fork ? height : fork) - shift;
		sub_border = border > top ? border - top : 0;
		r = seed;
		for (i = 0; i < sub_inner; i++)
			if ((mask >> i) & 1)
				sv_merkle_node_hash(&r, &proof[i], &r);
		for (i = 0; i < sub_border; i++)
			sv_merkle_node_hash(&r, &proof[inner + i], &r);
		if (!hash_eq(&r, subroot))
			return sv_error(SCRVAULT_EINTEGRITY, "merkle subtree proof does not lead to "
					"the root of [%" PRIu64 ", %" PRIu64 ")", start, end);
	}
	r = seed;
	for (i = 0; i < inner; i++) {
		if ((mask >> i) & 1)
			sv_merkle_node_hash(&r, &proof[i], &r);
		else
			sv_merkle_node_hash(&r, &r, &proof[i]);
	}
	for (; i < inner + border; i++)
		sv_merkle_node_hash(&r, &proof[i], &r);
	*out = r;
	return 0;

bad_len:
	return sv_error(SCRVAULT_EINTEGRITY, "merkle subtree proof has %zu hashes, [%" PRIu64
			", %" PRIu64 ") in size %" PRIu64 " needs %zu", len, start, end, size, want);
}

/*
 * C2SP subtree consistency: the subtree hash, grown by the proof, must give
 * `root`, and the proof's nodes inside the subtree must give `subroot`.
 */
int sv_merkle_verify_subtree_consistency(uint64_t start, uint64_t end, uint64_t size,
					 const sv_hash *subroot, const sv_hash *root,
					 const sv_hash *proof, size_t len)
{
	sv_hash r;
	int error;

	if ((error = check_subtree(start, end)) < 0)
		return error;
	if (end > size)
		return sv_error(SCRVAULT_EINTEGRITY, "merkle subtree [%" PRIu64 ", %" PRIu64
				") is not in a tree of size %" PRIu64, start, end, size);
	if (start == end) {
		/* An empty subtree is in every tree; only its own hash is checked. */
		sv_merkle_empty_root(&r);
		if (len != 0 || !hash_eq(subroot, &r))
			return sv_error(SCRVAULT_EINTEGRITY, "empty merkle subtree needs an empty "
					"proof and the empty root");
		return 0;
	}
	if (start == 0 && end == size) {
		if (len != 0)
			return sv_error(SCRVAULT_EINTEGRITY, "merkle subtree proof for the whole tree "
					"must be empty, has %zu hashes", len);
		r = *subroot;
	} else if ((error = subtree_grown_root(&r, start, end, size, subroot, proof, len)) < 0) {
		return error;
	}
	if (!hash_eq(&r, root))
		return sv_error(SCRVAULT_EINTEGRITY, "merkle subtree proof does not lead to the root "
				"of size %" PRIu64, size);
	return 0;
}

/*
 * Accumulator
 */

/* The accumulator of the empty log. */
void sv_merkle_acc_init(sv_merkle_acc *a)
{
	memset(a, 0, sizeof(*a));
}

/*
 * Push leaf n (n = a->n before the call; at most 2^64 - 1 leaves in all)
 * and report the subtrees it completes, lowest level first: the node at
 * (level, n >> level) for level = 1, 2, ... while bit level-1 of n is set.
 */
void sv_merkle_acc_push_emit(sv_merkle_acc *a, const sv_hash *leaf,
			     void (*emit)(void *ctx, unsigned level, uint64_t index,
					  const sv_hash *h), void *ctx)
{
	unsigned top = ones(a->n), level = 0;
	sv_hash h = *leaf;

	/* Each trailing one bit of n is a complete subtree of that level. */
	while (level < 64 && ((a->n >> level) & 1)) {
		sv_merkle_node_hash(&h, &a->stack[--top], &h);
		level++;
		if (emit)
			emit(ctx, level, shr(a->n, level), &h);
	}
	a->stack[top] = h;
	a->n++;
}

void sv_merkle_acc_copy(sv_merkle_acc *dst, const sv_merkle_acc *src)
{
	/* Only the stack's used part: one subtree per one bit of n. */
	memcpy(dst->stack, src->stack, ones(src->n) * sizeof(src->stack[0]));
	dst->n = src->n;
}

/* sv_merkle_acc_push_emit without reporting. */
void sv_merkle_acc_push(sv_merkle_acc *a, const sv_hash *leaf)
{
	sv_merkle_acc_push_emit(a, leaf, NULL, NULL);
}

/* The root of everything pushed: the stack folded from the smallest subtree. */
void sv_merkle_acc_root(const sv_merkle_acc *a, sv_hash *out)
{
	unsigned top = ones(a->n);
	sv_hash r;

	if (top == 0) {
		sv_merkle_empty_root(out);
		return;
	}
	r = a->stack[--top];
	while (top > 0)
		sv_merkle_node_hash(&r, &a->stack[--top], &r);
	*out = r;
}
