/*
 * test_merkle.c - RFC 6962 / RFC 9162 Merkle trees (merkle.h).
 *
 * Known answers are the RFC 6962 §2.1.3 example and the test data of the
 * Certificate Transparency / transparency-dev reference implementations
 * (the eight standard inputs, their roots for sizes 1..8 and the published
 * proofs), then every verification vector under shared/vectors/merkle
 * (transparency-dev/merkle testdata, with the C2SP subtree proofs).
 *
 * Generation is checked against a naive model that follows the RFC's
 * recursive definitions over plain arrays and hashes with sv_sha256 and its
 * own 0x00 / 0x01 prefixes, never with merkle.c, so a mistake in the module
 * cannot hide behind the same mistake in the test.
 */
#include "unit.h"
#include "crypto/merkle.h"
#include "crypto/crypto.h"
#include "base/json.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <time.h>

/* ---- helpers ------------------------------------------------------------- */

static bool quick(void)
{
	return getenv("SCRVAULT_TEST_QUICK") != NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* splitmix64: a deterministic stream, so a failure can be replayed. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static sv_hash hex_hash(const char *hex)
{
	sv_hash h;

	assert_int_equal(strlen(hex), 2 * SV_HASH_LEN);
	assert_int_equal(sv_unhex(h.h, SV_HASH_LEN, hex), 0);
	return h;
}

static bool hash_eq(const sv_hash *a, const sv_hash *b)
{
	return memcmp(a->h, b->h, SV_HASH_LEN) == 0;
}

static void assert_hash(const sv_hash *got, const sv_hash *want, const char *what)
{
	char g[2 * SV_HASH_LEN + 1], w[2 * SV_HASH_LEN + 1];

	if (hash_eq(got, want))
		return;
	sv_hex(g, got->h, SV_HASH_LEN);
	sv_hex(w, want->h, SV_HASH_LEN);
	fail_msg("%s: got %s, want %s", what, g, w);
}

/* The model's own hashing: SHA-256 of 0x00 || data and 0x01 || l || r. */
static sv_hash model_leaf(const void *data, size_t len)
{
	unsigned char *buf = malloc(len + 1);
	sv_hash h;

	assert_non_null(buf);
	buf[0] = 0x00;
	if (len)
		memcpy(buf + 1, data, len);
	sv_sha256(h.h, buf, len + 1);
	free(buf);
	return h;
}

static sv_hash model_node(const sv_hash *l, const sv_hash *r)
{
	unsigned char buf[1 + 2 * SV_HASH_LEN];
	sv_hash h;

	buf[0] = 0x01;
	memcpy(buf + 1, l->h, SV_HASH_LEN);
	memcpy(buf + 1 + SV_HASH_LEN, r->h, SV_HASH_LEN);
	sv_sha256(h.h, buf, sizeof(buf));
	return h;
}

/* A random leaf hash (the model's hash of 8 random bytes). */
static sv_hash random_leaf(uint64_t *rng)
{
	uint64_t v = next_rand(rng);

	return model_leaf(&v, sizeof(v));
}

/* Flip bit `bit` (0..255) of h. */
static void flip(sv_hash *h, unsigned bit)
{
	h->h[(bit / 8) % SV_HASH_LEN] ^= (unsigned char)(1u << (bit % 8));
}

/* ---- the naive model ------------------------------------------------------- */

/*
 * MTH(D[lo:hi]) by the RFC 6962 definition (split at the largest power of
 * two below the length, found by doubling), memoised in an open-addressing
 * table keyed by (lo, hi) so that whole sweeps stay affordable.
 */
typedef struct {
	uint64_t key;		/* lo * (n + 1) + hi + 1; 0 = empty slot */
	sv_hash h;
} memo_slot;

typedef struct {
	size_t n;
	sv_hash *leaf;
	memo_slot *memo;
	size_t cap, used;
} model;

static void model_init(model *t, size_t n, uint64_t seed)
{
	size_t i;

	t->n = n;
	t->leaf = calloc(n, sizeof(*t->leaf));
	t->cap = (size_t)1 << 17;
	t->memo = calloc(t->cap, sizeof(*t->memo));
	t->used = 0;
	assert_non_null(t->leaf);
	assert_non_null(t->memo);
	for (i = 0; i < n; i++)
		t->leaf[i] = random_leaf(&seed);
}

static void model_free(model *t)
{
	free(t->leaf);
	free(t->memo);
}

static size_t model_split(size_t n)
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

static sv_hash model_mth(model *t, size_t lo, size_t hi)
{
	uint64_t key = (uint64_t)lo * (t->n + 1) + hi + 1;
	size_t slot = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 40) & (t->cap - 1), k;
	sv_hash l, r, h;

	assert_true(lo < hi && hi <= t->n);
	while (t->memo[slot].key != 0) {
		if (t->memo[slot].key == key)
			return t->memo[slot].h;
		slot = (slot + 1) & (t->cap - 1);
	}
	if (hi - lo == 1) {
		h = t->leaf[lo];
	} else {
		k = model_split(hi - lo);
		l = model_mth(t, lo, lo + k);
		r = model_mth(t, lo + k, hi);
		h = model_node(&l, &r);
	}
	/* The recursion may have filled the slot's chain: find a free one. */
	while (t->memo[slot].key != 0)
		slot = (slot + 1) & (t->cap - 1);
	assert_true(++t->used < t->cap / 4 * 3);
	t->memo[slot].key = key;
	t->memo[slot].h = h;
	return h;
}

/* PATH(m, D[lo:hi]) appended to out; returns the new count. */
static size_t model_path(model *t, sv_hash *out, size_t count, size_t m, size_t lo, size_t hi)
{
	size_t k;

	if (hi - lo == 1)
		return count;
	k = model_split(hi - lo);
	if (m < lo + k) {
		count = model_path(t, out, count, m, lo, lo + k);
		out[count++] = model_mth(t, lo + k, hi);
	} else {
		count = model_path(t, out, count, m, lo + k, hi);
		out[count++] = model_mth(t, lo, lo + k);
	}
	return count;
}

/* SUBPROOF(m, D[lo:hi], b) with m absolute, appended to out. */
static size_t model_subproof(model *t, sv_hash *out, size_t count, size_t m,
			     size_t lo, size_t hi, bool b)
{
	size_t k;

	if (m == hi) {
		if (!b)
			out[count++] = model_mth(t, lo, hi);
		return count;
	}
	k = model_split(hi - lo);
	if (m <= lo + k) {
		count = model_subproof(t, out, count, m, lo, lo + k, b);
		out[count++] = model_mth(t, lo + k, hi);
	} else {
		count = model_subproof(t, out, count, m, lo + k, hi, false);
		out[count++] = model_mth(t, lo, lo + k);
	}
	return count;
}

/*
 * SUBTREE_SUBPROOF(start, end, D[lo:hi], b) of the subtree consistency
 * proofs (draft-ietf-plants-merkle-tree-certs), indices absolute.
 */
static size_t model_subtree_proof(model *t, sv_hash *out, size_t count, size_t start,
				  size_t end, size_t lo, size_t hi, bool b)
{
	size_t k;

	if (start == lo && end == hi) {
		if (!b)
			out[count++] = model_mth(t, lo, hi);
		return count;
	}
	k = model_split(hi - lo);
	if (end <= lo + k) {
		count = model_subtree_proof(t, out, count, start, end, lo, lo + k, b);
		out[count++] = model_mth(t, lo + k, hi);
	} else if (start >= lo + k) {
		count = model_subtree_proof(t, out, count, start, end, lo + k, hi, b);
		out[count++] = model_mth(t, lo, lo + k);
	} else {
		/* Straddling the split: only a subtree starting at lo can. */
		assert_int_equal(start, lo);
		count = model_subtree_proof(t, out, count, lo + k, end, lo + k, hi, false);
		out[count++] = model_mth(t, lo, lo + k);
	}
	return count;
}

/*
 * A node source over the model for a tree of n leaves.  It refuses (and
 * remembers) any node that is not a complete subtree of that tree.
 */
typedef struct {
	model *t;
	uint64_t n;
	unsigned long calls;
	bool bad;
} model_source;

static int model_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	model_source *s = ctx;

	s->calls++;
	if (level >= 64 || index >= (s->n >> level)) {
		s->bad = true;
		return sv_error(SCRVAULT_ERROR, "node (%u, %" PRIu64 ") is not complete", level, index);
	}
	*out = model_mth(s->t, (size_t)(index << level), (size_t)((index + 1) << level));
	return 0;
}

/* ---- synthetic node sources for huge trees ---------------------------------- */

/*
 * Fabricated: the node at (level, index) is SHA-256 of the pair.  Not a
 * consistent tree (a parent is not the hash of its children), but every
 * look-up is checked for completeness and counted.
 */
typedef struct {
	uint64_t n;
	unsigned long calls;
	bool bad;
} fab_source;

static int fab_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	fab_source *s = ctx;
	unsigned char buf[12];
	int i;

	s->calls++;
	if (level >= 64 || index >= (s->n >> level)) {
		s->bad = true;
		return sv_error(SCRVAULT_ERROR, "node (%u, %" PRIu64 ") is not complete", level, index);
	}
	for (i = 0; i < 4; i++)
		buf[i] = (unsigned char)(level >> (8 * i));
	for (i = 0; i < 8; i++)
		buf[4 + i] = (unsigned char)(index >> (8 * i));
	sv_sha256(out->h, buf, sizeof(buf));
	return 0;
}

/* Free: the node is its (level, index) written out, no hashing at all. */
static int free_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	memcpy(out->h, &level, sizeof(level));
	memcpy(out->h + 8, &index, sizeof(index));
	return 0;
}

/*
 * Sparse: a real tree of up to 2^64 - 1 leaves that are all "z" except leaf
 * `special`, which is "x".  A complete subtree is either all "z" (z[level])
 * or holds the special leaf, whose hash takes `level` hashes to build.
 */
typedef struct {
	uint64_t n, special;
	sv_hash z[64], x;
	unsigned long calls;
	bool bad;
} sparse_source;

static void sparse_init(sparse_source *s, uint64_t n, uint64_t special)
{
	unsigned l;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->special = special;
	s->z[0] = model_leaf("z", 1);
	s->x = model_leaf("x", 1);
	for (l = 1; l < 64; l++)
		s->z[l] = model_node(&s->z[l - 1], &s->z[l - 1]);
}

static int sparse_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	sparse_source *s = ctx;
	sv_hash h;
	unsigned l;

	s->calls++;
	if (level >= 64 || index >= (s->n >> level)) {
		s->bad = true;
		return sv_error(SCRVAULT_ERROR, "node (%u, %" PRIu64 ") is not complete", level, index);
	}
	if ((s->special >> level) != index) {
		*out = s->z[level];
		return 0;
	}
	h = s->x;
	for (l = 0; l < level; l++)
		h = (s->special >> l) & 1 ? model_node(&s->z[l], &h) : model_node(&h, &s->z[l]);
	*out = h;
	return 0;
}

/* A node source that always fails, to see errors come back out. */
static int failing_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	(void)out; (void)ctx; (void)level; (void)index;
	return sv_error(SCRVAULT_ENOTFOUND, "no such node");
}

/* ---- 1. RFC 6962 known answers ---------------------------------------------- */

/* The eight standard inputs of the CT / transparency-dev reference tests. */
static const struct {
	const char *data;
	size_t len;
} rfc_inputs[8] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

/* MTH of the first 1..8 inputs (transparency-dev testonly/reference_test.go). */
static const char *rfc_roots[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* A node source over the standard inputs (a tree of `n` <= 8 of them). */
typedef struct {
	sv_hash leaf[8];
	uint64_t n;
	unsigned long calls;
} rfc_source;

static sv_hash rfc_mth(const rfc_source *s, uint64_t lo, uint64_t hi)
{
	uint64_t k = 1;
	sv_hash l, r;

	if (hi - lo == 1)
		return s->leaf[lo];
	while (k * 2 < hi - lo)
		k *= 2;
	l = rfc_mth(s, lo, lo + k);
	r = rfc_mth(s, lo + k, hi);
	return model_node(&l, &r);
}

static int rfc_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	rfc_source *s = ctx;

	s->calls++;
	assert_true(level < 4 && index < (s->n >> level));
	*out = rfc_mth(s, index << level, (index + 1) << level);
	return 0;
}

/*
 * Check that the proof verifies and that changing any bit of it (every
 * `step`-th bit of each hash), of the leaf or of the root breaks it.
 */
static void check_inclusion_tamper(uint64_t m, uint64_t n, const sv_hash *leaf,
				   const sv_hash *proof, size_t len, const sv_hash *root,
				   unsigned step)
{
	sv_hash copy[SV_MERKLE_MAX_PROOF + 1], bad;
	size_t i;
	unsigned bit;

	assert_true(len <= SV_MERKLE_MAX_PROOF);
	assert_int_equal(sv_merkle_verify_inclusion(m, n, leaf, proof, len, root), 0);
	if (len)
		memcpy(copy, proof, len * sizeof(*proof));
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 256; bit += step) {
			flip(&copy[i], bit);
			assert_int_equal(sv_merkle_verify_inclusion(m, n, leaf, copy, len, root),
					 SCRVAULT_EINTEGRITY);
			flip(&copy[i], bit);
		}
	bad = *leaf;
	flip(&bad, 0);
	assert_int_equal(sv_merkle_verify_inclusion(m, n, &bad, proof, len, root), SCRVAULT_EINTEGRITY);
	bad = *root;
	flip(&bad, 255);
	assert_int_equal(sv_merkle_verify_inclusion(m, n, leaf, proof, len, &bad), SCRVAULT_EINTEGRITY);
}

static void check_consistency_tamper(uint64_t m, uint64_t n, const sv_hash *root1,
				     const sv_hash *root2, const sv_hash *proof, size_t len,
				     unsigned step)
{
	sv_hash copy[SV_MERKLE_MAX_PROOF + 2], bad;
	size_t i;
	unsigned bit;

	assert_true(len <= SV_MERKLE_MAX_PROOF + 1);
	if (sv_merkle_verify_consistency(m, n, root1, root2, proof, len) != 0)
		fail_msg("PROOF(%" PRIu64 ", %" PRIu64 ") of %zu hashes: %s", m, n, len,
			 scrvault_error_message());
	if (len)
		memcpy(copy, proof, len * sizeof(*proof));
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 256; bit += step) {
			flip(&copy[i], bit);
			assert_int_equal(sv_merkle_verify_consistency(m, n, root1, root2, copy, len),
					 SCRVAULT_EINTEGRITY);
			flip(&copy[i], bit);
		}
	bad = *root1;
	flip(&bad, 3);
	assert_int_equal(sv_merkle_verify_consistency(m, n, &bad, root2, proof, len), SCRVAULT_EINTEGRITY);
	bad = *root2;
	flip(&bad, 200);
	assert_int_equal(sv_merkle_verify_consistency(m, n, root1, &bad, proof, len), SCRVAULT_EINTEGRITY);
}

static void test_rfc6962_hashes(void **state)
{
	rfc_source s;
	sv_hash h, empty = hex_hash("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	char what[64];
	int i;

	(void)state;
	memset(&s, 0, sizeof(s));
	sv_merkle_empty_root(&h);
	assert_hash(&h, &empty, "empty root");
	assert_int_equal(sv_merkle_root(&h, 0, failing_get, NULL), 0);
	assert_hash(&h, &empty, "root of size 0");

	for (i = 0; i < 8; i++) {
		s.leaf[i] = model_leaf(rfc_inputs[i].data, rfc_inputs[i].len);
		sv_merkle_leaf_hash(&h, rfc_inputs[i].data, rfc_inputs[i].len);
		snprintf(what, sizeof(what), "leaf hash %d", i);
		assert_hash(&h, &s.leaf[i], what);
	}
	/* Leaf 0 alone is the size-1 root; two leaves are one node hash. */
	h = hex_hash(rfc_roots[0]);
	assert_hash(&s.leaf[0], &h, "leaf hash of the empty input");
	sv_merkle_node_hash(&h, &s.leaf[0], &s.leaf[1]);
	{
		sv_hash want = hex_hash(rfc_roots[1]);

		assert_hash(&h, &want, "node hash of leaves 0 and 1");
	}
	for (i = 1; i <= 8; i++) {
		sv_hash want = hex_hash(rfc_roots[i - 1]), got, via_model = rfc_mth(&s, 0, (uint64_t)i);

		s.n = (uint64_t)i;
		snprintf(what, sizeof(what), "model root of size %d", i);
		assert_hash(&via_model, &want, what);
		assert_int_equal(sv_merkle_root(&got, (uint64_t)i, rfc_get, &s), 0);
		snprintf(what, sizeof(what), "root of size %d", i);
		assert_hash(&got, &want, what);
	}

	/* A large entry goes through the streaming path: same definition. */
	{
		size_t len = 100000, j;
		unsigned char *big = malloc(len);
		sv_hash want;

		assert_non_null(big);
		for (j = 0; j < len; j++)
			big[j] = (unsigned char)(j * 7 + 3);
		want = model_leaf(big, len);
		sv_merkle_leaf_hash(&h, big, len);
		assert_hash(&h, &want, "leaf hash of a 100000-byte entry");
		want = model_leaf(big, 4096);
		sv_merkle_leaf_hash(&h, big, 4096);
		assert_hash(&h, &want, "leaf hash of a 4096-byte entry");
		want = model_leaf(big, 4097);
		sv_merkle_leaf_hash(&h, big, 4097);
		assert_hash(&h, &want, "leaf hash of a 4097-byte entry");
		free(big);
	}
}

/* Compare a proof with a list of expected hashes. */
static void assert_proof(const sv_hash *got, size_t len, const sv_hash *const *want,
			 size_t wantlen, const char *what)
{
	char label[96];
	size_t i;

	if (len != wantlen)
		fail_msg("%s: %zu hashes, want %zu", what, len, wantlen);
	for (i = 0; i < len; i++) {
		snprintf(label, sizeof(label), "%s[%zu]", what, i);
		assert_hash(&got[i], want[i], label);
	}
}

/*
 * The RFC 6962 §2.1.3 example tree of seven leaves.  Named as in the issue:
 * a..g are leaves d0..d6, h = H(a,b), i = H(c,d), j = H(e,f), k = H(h,i),
 * l = H(j,g).  (The RFC's own figure letters the same nodes differently -
 * leaves a..f plus d6 as j, g = H(a,b), h = H(c,d), i = H(e,f), l = H(i,j) -
 * so its PROOF(3) = [c, d, g, l] and PROOF(6) = [i, j, k] are, in the names
 * used here, [c, d, h, l] and [j, g, k].)
 */
static void test_rfc6962_seven_leaves(void **state)
{
	rfc_source s;
	sv_hash a, b, c, d, e, f, g, h, i, j, k, l, root, want_root;
	sv_hash *proof = NULL;
	size_t len = 0;
	uint64_t m;
	char what[64];
	const sv_hash *paths[7][3] = {
		{ &b, &i, &l }, { &a, &i, &l }, { &d, &h, &l }, { &c, &h, &l },
		{ &f, &g, &k }, { &e, &g, &k }, { &j, &k, NULL },
	};
	const size_t pathlen[7] = { 3, 3, 3, 3, 3, 3, 2 };
	const sv_hash *proofs[8][4] = {
		{ NULL },
		{ &b, &i, &l },		/* PROOF(1, D[7]) */
		{ &i, &l },		/* PROOF(2, D[7]) */
		{ &c, &d, &h, &l },	/* PROOF(3, D[7]): the RFC's [c, d, g, l] */
		{ &l },			/* PROOF(4, D[7]) */
		{ &e, &f, &g, &k },	/* PROOF(5, D[7]) */
		{ &j, &g, &k },		/* PROOF(6, D[7]): the RFC's [i, j, k] */
		{ NULL },		/* PROOF(7, D[7]) is empty */
	};
	const size_t prooflen[8] = { 0, 3, 2, 4, 1, 4, 3, 0 };
	int n;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (n = 0; n < 8; n++)
		s.leaf[n] = model_leaf(rfc_inputs[n].data, rfc_inputs[n].len);
	s.n = 7;
	a = s.leaf[0]; b = s.leaf[1]; c = s.leaf[2]; d = s.leaf[3];
	e = s.leaf[4]; f = s.leaf[5]; g = s.leaf[6];
	h = model_node(&a, &b);
	i = model_node(&c, &d);
	j = model_node(&e, &f);
	k = model_node(&h, &i);
	l = model_node(&j, &g);
	want_root = hex_hash(rfc_roots[6]);
	root = model_node(&k, &l);
	assert_hash(&root, &want_root, "H(k, l)");
	assert_int_equal(sv_merkle_root(&root, 7, rfc_get, &s), 0);
	assert_hash(&root, &want_root, "root of the seven-leaf tree");

	for (m = 0; m < 7; m++) {
		assert_int_equal(sv_merkle_inclusion(&proof, &len, m, 7, rfc_get, &s), 0);
		snprintf(what, sizeof(what), "PATH(%" PRIu64 ", D[7])", m);
		assert_proof(proof, len, paths[m], pathlen[m], what);
		check_inclusion_tamper(m, 7, &s.leaf[m], proof, len, &root, 1);
		/* The right path for another leaf, or the wrong size, fails. */
		assert_int_equal(sv_merkle_verify_inclusion((m + 1) % 7, 7, &s.leaf[m], proof, len,
							    &root), SCRVAULT_EINTEGRITY);
		assert_int_equal(sv_merkle_verify_inclusion(m, 14, &s.leaf[m], proof, len, &root),
				 SCRVAULT_EINTEGRITY);
		free(proof);
	}

	for (m = 1; m <= 7; m++) {
		sv_hash old;

		s.n = 7;
		assert_int_equal(sv_merkle_consistency(&proof, &len, m, 7, rfc_get, &s), 0);
		snprintf(what, sizeof(what), "PROOF(%" PRIu64 ", D[7])", m);
		assert_proof(proof, len, proofs[m], prooflen[m], what);
		s.n = m;
		assert_int_equal(sv_merkle_root(&old, m, rfc_get, &s), 0);
		check_consistency_tamper(m, 7, &old, &root, proof, len, 1);
		if (len > 0)
			assert_int_equal(sv_merkle_verify_consistency(m, 7, &old, &root, proof, len - 1),
					 SCRVAULT_EINTEGRITY);
		free(proof);
	}
}

/* The published proofs of the reference implementations for the same data. */
static void test_reference_proofs(void **state)
{
	static const struct {
		uint64_t m, n;
		const char *hex[3];
		size_t len;
	} incl[] = {
		{ 0, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
		{ 5, 8, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
		{ 2, 3, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" }, 1 },
		{ 1, 5, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
			  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 3 },
		{ 0, 1, { NULL }, 0 },
	}, cons[] = {
		{ 1, 1, { NULL }, 0 },
		{ 1, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
		{ 6, 8, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
		{ 2, 5, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 2 },
		{ 6, 7, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
			  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
	};
	rfc_source s;
	sv_hash *proof = NULL, want[3], root1, root2;
	const sv_hash *wp[3] = { &want[0], &want[1], &want[2] };
	size_t len, i, x;
	char what[64];

	(void)state;
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 8; i++)
		s.leaf[i] = model_leaf(rfc_inputs[i].data, rfc_inputs[i].len);
	for (i = 0; i < SV_ARRAY_SIZE(incl); i++) {
		s.n = incl[i].n;
		for (x = 0; x < incl[i].len; x++)
			want[x] = hex_hash(incl[i].hex[x]);
		assert_int_equal(sv_merkle_inclusion(&proof, &len, incl[i].m, incl[i].n, rfc_get, &s), 0);
		snprintf(what, sizeof(what), "reference PATH(%" PRIu64 ", D[%" PRIu64 "])",
			 incl[i].m, incl[i].n);
		assert_proof(proof, len, wp, incl[i].len, what);
		root2 = hex_hash(rfc_roots[incl[i].n - 1]);
		check_inclusion_tamper(incl[i].m, incl[i].n, &s.leaf[incl[i].m], proof, len, &root2,
				       1);
		free(proof);
	}
	for (i = 0; i < SV_ARRAY_SIZE(cons); i++) {
		s.n = cons[i].n;
		for (x = 0; x < cons[i].len; x++)
			want[x] = hex_hash(cons[i].hex[x]);
		assert_int_equal(sv_merkle_consistency(&proof, &len, cons[i].m, cons[i].n, rfc_get, &s), 0);
		snprintf(what, sizeof(what), "reference PROOF(%" PRIu64 ", D[%" PRIu64 "])",
			 cons[i].m, cons[i].n);
		assert_proof(proof, len, wp, cons[i].len, what);
		root1 = hex_hash(rfc_roots[cons[i].m - 1]);
		root2 = hex_hash(rfc_roots[cons[i].n - 1]);
		check_consistency_tamper(cons[i].m, cons[i].n, &root1, &root2, proof, len, 1);
		free(proof);
	}
}

/* ---- 2. the shared verification vectors ------------------------------------ */

typedef struct {
	char **path;
	size_t n, cap;
} path_list;

static void list_files(path_list *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char *p;

	if (!d)
		fail_msg("cannot open '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_non_null(p = sv_printf("%s/%s", dir, de->d_name));
		assert_int_equal(lstat(p, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			list_files(l, p);
			free(p);
			continue;
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 256;
			assert_non_null(l->path = realloc(l->path, l->cap * sizeof(*l->path)));
		}
		l->path[l->n++] = p;
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		fail_msg("cannot open '%s': %s", path, strerror(errno));
	do {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			assert_non_null(buf = realloc(buf, cap + 1));
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * json.h holds integers up to INT64_MAX, but the vectors use the whole
 * uint64 range (2^64 - 1 as a leaf index).  Read the number after "key":
 * from the raw text with strtoull, then blank it to "0" so that the document
 * parses; the caller checks that the parsed member is an integer.
 */
static uint64_t take_u64(char *text, const char *key, const char *path)
{
	char pat[64], *p = text, *q, *end;
	unsigned long long v;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	while ((p = strstr(p, pat)) != NULL) {
		q = p + strlen(pat);
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q != ':') {
			p = q;
			continue;
		}
		q++;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q < '0' || *q > '9')
			fail_msg("%s: '%s' is not an unsigned integer", path, key);
		errno = 0;
		v = strtoull(q, &end, 10);
		if (errno != 0)
			fail_msg("%s: '%s' is out of range", path, key);
		*q = '0';
		memset(q + 1, ' ', (size_t)(end - q - 1));
		return (uint64_t)v;
	}
	fail_msg("%s: no '%s'", path, key);
	return 0;
}

/*
 * A hash from the vector: base64 of any length (null or absent is empty).
 * The verifiers take 32-byte hashes only, so anything else - "" or
 * "WrongRoot" in the vectors - stands in as SHA-256 of a marker and its
 * bytes: equal inputs stay equal, and it can never be a real node hash.
 * That is how the reference verifier treats roots and proof hashes (byte
 * strings compared for equality); a leaf hash of the wrong size it rejects
 * up front, and so does run_vector, as a caller must: an sv_hash cannot
 * hold one.
 */
static sv_hash vector_hash_of(const unsigned char *raw, size_t len)
{
	static const char marker[] = "not a 32-byte hash:";
	unsigned char *buf;
	sv_hash h;

	if (len == SV_HASH_LEN) {
		memcpy(h.h, raw, SV_HASH_LEN);
		return h;
	}
	assert_non_null(buf = malloc(sizeof(marker) + len));
	memcpy(buf, marker, sizeof(marker));
	if (len)
		memcpy(buf + sizeof(marker), raw, len);
	sv_sha256(h.h, buf, sizeof(marker) + len);
	free(buf);
	return h;
}

static sv_hash vector_hash(const sv_json *v, const char *what, const char *path,
			   size_t *rawlen)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	sv_hash h;

	if (v && sv_json_type_of(v) == SV_JSON_STRING) {
		if (sv_unbase64(&raw, &len, sv_json_str(v)) < 0)
			fail_msg("%s: '%s' is not base64", path, what);
	} else if (v && sv_json_type_of(v) != SV_JSON_NULL) {
		fail_msg("%s: '%s' is not a string", path, what);
	}
	h = vector_hash_of(raw, len);
	free(raw);
	if (rawlen)
		*rawlen = len;
	return h;
}

/* The proof array (null or absent is empty); caller frees. */
static sv_hash *vector_proof(const sv_json *obj, size_t *len, const char *path)
{
	const sv_json *v = sv_json_get(obj, "proof");
	sv_hash *out;
	size_t i;

	*len = 0;
	if (!v || sv_json_type_of(v) == SV_JSON_NULL)
		return calloc(1, sizeof(sv_hash));
	if (sv_json_type_of(v) != SV_JSON_ARRAY)
		fail_msg("%s: 'proof' is not an array", path);
	*len = sv_json_count(v);
	assert_non_null(out = calloc(*len + 1, sizeof(*out)));
	for (i = 0; i < *len; i++)
		out[i] = vector_hash(sv_json_at(v, i), "proof", path, NULL);
	return out;
}

enum vector_kind { V_INCLUSION, V_CONSISTENCY, V_SUBINCLUSION, V_SUBCONSISTENCY, V_KINDS };
static const char *const kind_dir[V_KINDS] = {
	"inclusion", "consistency", "subtreeinclusion", "subtreeconsistency"
};

/*
 * Run one vector; true when the answer is the expected one.  *by_size is set
 * when only the leaf-size check above rejected it (the verifier, handed the
 * stand-in, accepted).
 */
static bool run_vector(const char *path, enum vector_kind kind, char *desc, size_t desclen,
		       bool *by_size)
{
	static const char *const int_keys[V_KINDS][3] = {
		{ "leafIdx", "treeSize", NULL }, { "size1", "size2", NULL },
		{ "leafIdx", "start", "end" }, { "start", "end", "size" },
	};
	uint64_t num[3] = { 0, 0, 0 };
	size_t textlen, plen, i, leaflen = SV_HASH_LEN;
	char *text = read_text(path, &textlen);
	sv_json *j = NULL;
	const sv_json *want_v, *d;
	sv_hash *proof, a, b;
	bool want_err;
	int rc;

	for (i = 0; i < 3 && int_keys[kind][i]; i++)
		num[i] = take_u64(text, int_keys[kind][i], path);
	if (sv_json_parse(&j, text, textlen, NULL) < 0)
		fail_msg("%s: %s", path, scrvault_error_message());
	for (i = 0; i < 3 && int_keys[kind][i]; i++)
		if (sv_json_type_of(sv_json_get(j, int_keys[kind][i])) != SV_JSON_INT)
			fail_msg("%s: '%s' is not an integer", path, int_keys[kind][i]);
	want_v = sv_json_get(j, "wantErr");
	if (!want_v || sv_json_type_of(want_v) != SV_JSON_BOOL)
		fail_msg("%s: no boolean 'wantErr'", path);
	want_err = sv_json_as_bool(want_v);
	d = sv_json_get(j, "desc");
	snprintf(desc, desclen, "%s", d && sv_json_str(d) ? sv_json_str(d) : "?");
	proof = vector_proof(j, &plen, path);

	switch (kind) {
	case V_INCLUSION:
		a = vector_hash(sv_json_get(j, "leafHash"), "leafHash", path, &leaflen);
		b = vector_hash(sv_json_get(j, "root"), "root", path, NULL);
		rc = sv_merkle_verify_inclusion(num[0], num[1], &a, proof, plen, &b);
		break;
	case V_CONSISTENCY:
		a = vector_hash(sv_json_get(j, "root1"), "root1", path, NULL);
		b = vector_hash(sv_json_get(j, "root2"), "root2", path, NULL);
		rc = sv_merkle_verify_consistency(num[0], num[1], &a, &b, proof, plen);
		break;
	case V_SUBINCLUSION:
		a = vector_hash(sv_json_get(j, "leafHash"), "leafHash", path, &leaflen);
		b = vector_hash(sv_json_get(j, "root"), "root", path, NULL);
		rc = sv_merkle_verify_subtree_inclusion(num[0], num[1], num[2], &a, proof, plen, &b);
		break;
	default:
		a = vector_hash(sv_json_get(j, "root1"), "root1", path, NULL);
		b = vector_hash(sv_json_get(j, "root2"), "root2", path, NULL);
		rc = sv_merkle_verify_subtree_consistency(num[0], num[1], num[2], &a, &b, proof, plen);
		break;
	}
	if (rc != 0 && rc != SCRVAULT_EINTEGRITY)
		fail_msg("%s: verifier returned %d (%s)", path, rc, scrvault_error_message());
	if (rc != 0) {
		/* The message explains, in the project's style. */
		const char *msg = scrvault_error_message();
		size_t n = strlen(msg);

		assert_true(n > 0 && msg[n - 1] != '.' && !(msg[0] >= 'A' && msg[0] <= 'Z'));
	}
	free(proof);
	sv_json_free(j);
	free(text);
	*by_size = rc == 0 && leaflen != SV_HASH_LEN;
	return (rc != 0 || leaflen != SV_HASH_LEN) == want_err;
}

static char *vectors_dir(void)
{
	const char *v = getenv("SCRVAULT_VECTORS"), *root = getenv("SCRVAULT_ROOT");
	char *p = NULL;

	if (v && *v)
		p = sv_printf("%s/merkle", v);
	else if (root && *root)
		p = sv_printf("%s/../shared/vectors/merkle", root);
	else
		fail_msg("set SCRVAULT_ROOT (the repository) or SCRVAULT_VECTORS to find the vectors");
	assert_non_null(p);
	return p;
}

static void test_vectors(void **state)
{
	char *base = vectors_dir(), *sub, desc[256];
	size_t found[V_KINDS] = { 0 }, passed[V_KINDS] = { 0 }, total = 0, run = 0, failed = 0, i;
	size_t sized = 0;
	bool by_size;
	path_list l = { NULL, 0, 0 };
	int k;

	(void)state;
	for (k = 0; k < V_KINDS; k++) {
		size_t before = l.n;

		assert_non_null(sub = sv_printf("%s/%s", base, kind_dir[k]));
		list_files(&l, sub);
		free(sub);
		qsort(l.path + before, l.n - before, sizeof(*l.path), cmp_str);
		found[k] = l.n - before;
		total += found[k];
		for (i = before; i < l.n; i++) {
			run++;
			if (run_vector(l.path[i], (enum vector_kind)k, desc, sizeof(desc), &by_size)) {
				passed[k]++;
				sized += by_size;
			} else {
				failed++;
				print_message("vector %s (\"%s\"): wrong answer\n", l.path[i], desc);
			}
		}
	}
	print_message("merkle vectors under %s:\n", base);
	for (k = 0; k < V_KINDS; k++)
		print_message("  %-20s %zu files, %zu passed\n", kind_dir[k], found[k], passed[k]);
	print_message("  (%zu rejected only for a leaf hash that is not 32 bytes)\n", sized);
	for (i = 0; i < l.n; i++)
		free(l.path[i]);
	free(l.path);
	free(base);

	assert_true(found[V_INCLUSION] > 0 && found[V_CONSISTENCY] > 0);
	assert_true(total > 0);
	assert_int_equal(run, total);
	if (failed)
		fail_msg("%zu of %zu vectors gave the wrong answer", failed, total);
	for (k = 0; k < V_KINDS; k++)
		assert_int_equal(passed[k], found[k]);
}

/* ---- 3. generation against the model ----------------------------------------- */

/* Every size 1..300: root, every PATH(m, n), every PROOF(m, n), all verify. */
static void test_against_model(void **state)
{
	enum { N = 300 };
	model t;
	model_source src = { NULL, 0, 0, false };
	sv_hash *proof, want[SV_MERKLE_MAX_PROOF + 1], root, mroot, old;
	size_t len, wlen, n, m;
	unsigned long proofs = 0;

	(void)state;
	model_init(&t, N, 6962);
	src.t = &t;
	for (n = 1; n <= N; n++) {
		src.n = n;
		mroot = model_mth(&t, 0, n);
		assert_int_equal(sv_merkle_root(&root, n, model_get, &src), 0);
		assert_hash(&root, &mroot, "root");

		for (m = 0; m < n; m++) {
			assert_int_equal(sv_merkle_inclusion(&proof, &len, m, n, model_get, &src), 0);
			wlen = model_path(&t, want, 0, m, 0, n);
			if (len != wlen || (len && memcmp(proof, want, len * sizeof(*proof)) != 0))
				fail_msg("PATH(%zu, D[%zu]) differs from the model", m, n);
			assert_int_equal(sv_merkle_verify_inclusion(m, n, &t.leaf[m], proof, len, &root), 0);
			proofs++;
			if (n <= 32 || m % 23 == 0)
				check_inclusion_tamper(m, n, &t.leaf[m], proof, len, &root, 97);
			if (n > 64 && m % 7 != 0) {
				free(proof);
				continue;
			}
			/* Wrong index, wrong size, a hash missing or added. */
			if (m + 1 < n)
				assert_int_equal(sv_merkle_verify_inclusion(m + 1, n, &t.leaf[m], proof,
									    len, &root), SCRVAULT_EINTEGRITY);
			assert_int_equal(sv_merkle_verify_inclusion(m, 2 * n, &t.leaf[m], proof, len,
								    &root), SCRVAULT_EINTEGRITY);
			if (m < n / 2)
				assert_int_equal(sv_merkle_verify_inclusion(m, n / 2, &t.leaf[m], proof,
									    len, &root), SCRVAULT_EINTEGRITY);
			if (len)
				assert_int_equal(sv_merkle_verify_inclusion(m, n, &t.leaf[m], proof,
									    len - 1, &root), SCRVAULT_EINTEGRITY);
			want[len] = root;
			if (len)
				memcpy(want, proof, len * sizeof(*proof));
			assert_int_equal(sv_merkle_verify_inclusion(m, n, &t.leaf[m], want, len + 1,
								    &root), SCRVAULT_EINTEGRITY);
			free(proof);
		}

		for (m = 1; m <= n; m++) {
			assert_int_equal(sv_merkle_consistency(&proof, &len, m, n, model_get, &src), 0);
			wlen = model_subproof(&t, want, 0, m, 0, n, true);
			if (len != wlen || (len && memcmp(proof, want, len * sizeof(*proof)) != 0))
				fail_msg("PROOF(%zu, D[%zu]) differs from the model", m, n);
			old = model_mth(&t, 0, m);
			assert_int_equal(sv_merkle_verify_consistency(m, n, &old, &root, proof, len), 0);
			proofs++;
			if (n <= 32 || m % 23 == 0)
				check_consistency_tamper(m, n, &old, &root, proof, len, 97);
			if (n > 64 && m % 7 != 0) {
				free(proof);
				continue;
			}
			if (m < n) {
				assert_int_equal(sv_merkle_verify_consistency(m, 2 * n, &old, &root, proof,
									      len), SCRVAULT_EINTEGRITY);
				assert_int_equal(sv_merkle_verify_consistency(m + 1, n, &old, &root, proof,
									      len), SCRVAULT_EINTEGRITY);
				assert_int_equal(sv_merkle_verify_consistency(m, n, &old, &root, proof,
									      len - 1), SCRVAULT_EINTEGRITY);
				/* The same proof read as a subtree proof from 0. */
				assert_int_equal(sv_merkle_verify_subtree_consistency(0, m, n, &old, &root,
										      proof, len), 0);
			}
			want[len] = old;
			if (len)
				memcpy(want, proof, len * sizeof(*proof));
			assert_int_equal(sv_merkle_verify_consistency(m, n, &old, &root, want, len + 1),
					 SCRVAULT_EINTEGRITY);
			free(proof);
		}
	}
	assert_false(src.bad);
	print_message("%lu proofs over sizes 1..%d match the model and verify\n", proofs, N);

	/* Any range, aligned or not, is MTH(D[lo:hi]). */
	src.n = 64;
	for (n = 0; n < 64; n++)
		for (m = n + 1; m <= 64; m++) {
			assert_int_equal(sv_merkle_range(&root, n, m, model_get, &src), 0);
			mroot = model_mth(&t, n, m);
			assert_hash(&root, &mroot, "range");
		}
	assert_false(src.bad);
	model_free(&t);
}

/* Verifier input checks that do not depend on any tree. */
static void test_verifier_rejects(void **state)
{
	sv_hash x, y, p[3];
	sv_hash *proof = (sv_hash *)&x;
	size_t len = 99;

	(void)state;
	memset(&x, 0x11, sizeof(x));
	memset(&y, 0x22, sizeof(y));
	memset(p, 0x33, sizeof(p));
	/* index >= size, including the empty tree. */
	assert_int_equal(sv_merkle_verify_inclusion(0, 0, &x, NULL, 0, &x), SCRVAULT_EINTEGRITY);
	assert_string_equal(scrvault_error_message(),
			    "merkle inclusion proof for leaf 0, not in a tree of size 0");
	assert_int_equal(sv_merkle_verify_inclusion(1, 1, &x, NULL, 0, &x), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_inclusion(UINT64_MAX, 5, &x, p, 3, &x), SCRVAULT_EINTEGRITY);
	/* A one-leaf tree: the leaf is the root, the proof empty. */
	assert_int_equal(sv_merkle_verify_inclusion(0, 1, &x, NULL, 0, &x), 0);
	assert_int_equal(sv_merkle_verify_inclusion(0, 1, &x, p, 1, &x), SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), "has 1 hashes"));
	assert_int_equal(sv_merkle_verify_inclusion(0, 1, &x, NULL, 0, &y), SCRVAULT_EINTEGRITY);
	/* Consistency: backwards, from 0, equal sizes. */
	assert_int_equal(sv_merkle_verify_consistency(2, 1, &x, &y, NULL, 0), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(0, 0, &x, &x, NULL, 0), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(0, 5, &x, &y, NULL, 0), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(0, 5, &x, &y, p, 1), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(3, 3, &x, &x, NULL, 0), 0);
	assert_int_equal(sv_merkle_verify_consistency(3, 3, &x, &y, NULL, 0), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(3, 3, &x, &x, p, 1), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(3, 4, &x, &y, NULL, 0), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_consistency(UINT64_MAX - 1, UINT64_MAX, &x, &y, p, 3),
			 SCRVAULT_EINTEGRITY);
	/* Subtrees that are not subtrees. */
	assert_int_equal(sv_merkle_verify_subtree_inclusion(1, 1, 3, &x, p, 1, &y), SCRVAULT_EINTEGRITY);
	assert_non_null(strstr(scrvault_error_message(), "is not a merkle subtree"));
	assert_int_equal(sv_merkle_verify_subtree_inclusion(0, 2, 1, &x, NULL, 0, &x),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_subtree_inclusion(2, 2, 2, &x, NULL, 0, &x),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_subtree_inclusion(4, 4, 5, &x, NULL, 0, &x), 0);
	assert_int_equal(sv_merkle_verify_subtree_inclusion(1, 1, (1ULL << 63) + 2, &x, NULL, 0, &x),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_subtree_consistency(2, 6, 8, &x, &y, p, 2),
			 SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_subtree_consistency(0, 5, 4, &x, &y, p, 2),
			 SCRVAULT_EINTEGRITY);

	/* Generation arguments, and a failing node source. */
	assert_int_equal(sv_merkle_inclusion(&proof, &len, 3, 3, failing_get, NULL), SCRVAULT_EUSAGE);
	assert_null(proof);
	assert_int_equal(len, 0);
	assert_int_equal(sv_merkle_consistency(&proof, &len, 0, 3, failing_get, NULL), SCRVAULT_EUSAGE);
	assert_int_equal(sv_merkle_consistency(&proof, &len, 4, 3, failing_get, NULL), SCRVAULT_EUSAGE);
	assert_int_equal(sv_merkle_range(&x, 5, 5, failing_get, NULL), SCRVAULT_EUSAGE);
	assert_int_equal(sv_merkle_inclusion(&proof, &len, 1, 3, failing_get, NULL), SCRVAULT_ENOTFOUND);
	assert_null(proof);
	assert_int_equal(sv_merkle_consistency(&proof, &len, 1, 3, failing_get, NULL), SCRVAULT_ENOTFOUND);
	assert_null(proof);
	assert_int_equal(sv_merkle_root(&x, 3, failing_get, NULL), SCRVAULT_ENOTFOUND);
	assert_string_equal(scrvault_error_message(), "no such node");
	/* Trivial proofs need no look-up and are empty. */
	assert_int_equal(sv_merkle_inclusion(&proof, &len, 0, 1, failing_get, NULL), 0);
	assert_int_equal(len, 0);
	free(proof);
	assert_int_equal(sv_merkle_consistency(&proof, &len, 9, 9, failing_get, NULL), 0);
	assert_int_equal(len, 0);
	free(proof);
}

/* Every valid subtree of trees up to 48 leaves, against the model. */
static void test_subtree_proofs(void **state)
{
	enum { N = 48 };
	model t;
	sv_hash want[2 * SV_MERKLE_MAX_PROOF], sub, root, bad;
	size_t n, start, end, idx, len, i, bc;
	unsigned long checked = 0;

	(void)state;
	model_init(&t, N, 9162);
	for (n = 1; n <= N; n++) {
		root = model_mth(&t, 0, n);
		for (start = 0; start < n; start++)
			for (end = start + 1; end <= n; end++) {
				for (bc = 1; bc < end - start; bc *= 2)
					;
				if (start % bc != 0) {
					assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, n,
						&root, &root, NULL, 0), SCRVAULT_EINTEGRITY);
					continue;
				}
				sub = model_mth(&t, start, end);
				len = model_subtree_proof(&t, want, 0, start, end, 0, n, true);
				assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, n, &sub,
					&root, want, len), 0);
				for (i = 0; i < len; i++) {
					flip(&want[i], (unsigned)(i * 41));
					assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, n,
						&sub, &root, want, len), SCRVAULT_EINTEGRITY);
					flip(&want[i], (unsigned)(i * 41));
				}
				bad = sub;
				flip(&bad, 7);
				assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, n, &bad,
					&root, want, len), SCRVAULT_EINTEGRITY);
				if (len)
					assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, n,
						&sub, &root, want, len - 1), SCRVAULT_EINTEGRITY);
				if (end < n)
					assert_int_equal(sv_merkle_verify_subtree_consistency(start, end + 1,
						n, &sub, &root, want, len), SCRVAULT_EINTEGRITY);
				assert_int_equal(sv_merkle_verify_subtree_consistency(start, end,
					2 * n, &sub, &root, want, len), SCRVAULT_EINTEGRITY);

				/* Subtree inclusion: PATH within D[start:end]. */
				if (n != N)
					continue;
				for (idx = start; idx < end; idx++) {
					len = model_path(&t, want, 0, idx, start, end);
					assert_int_equal(sv_merkle_verify_subtree_inclusion(idx, start, end,
						&t.leaf[idx], want, len, &sub), 0);
					if (idx + 1 < end)
						assert_int_equal(sv_merkle_verify_subtree_inclusion(idx + 1,
							start, end, &t.leaf[idx], want, len, &sub),
							SCRVAULT_EINTEGRITY);
					checked++;
				}
				checked++;
			}
		/* The empty subtree: in every tree, with the empty root only. */
		sv_merkle_empty_root(&sub);
		assert_int_equal(sv_merkle_verify_subtree_consistency(n, n, n, &sub, &root, NULL, 0), 0);
		assert_int_equal(sv_merkle_verify_subtree_consistency(n, n, n, &root, &root, NULL, 0),
				 SCRVAULT_EINTEGRITY);
		assert_int_equal(sv_merkle_verify_subtree_consistency(n + 1, n + 1, n, &sub, &root,
								      NULL, 0), SCRVAULT_EINTEGRITY);
	}
	print_message("%lu subtree proofs match the model\n", checked);
	model_free(&t);
}

/* Look-ups per proof stay O(log n): at most 2 * 64 up to n = 2^40. */
static void test_lookup_counts(void **state)
{
	fab_source s = { 0, 0, false };
	uint64_t rng = 40, sizes[400], n, ms[8], m;
	size_t ns = 0, i, j, len;
	unsigned long worst = 0, calls;
	sv_hash *proof, root;
	int k;

	(void)state;
	for (k = 0; k <= 40; k++) {
		sizes[ns++] = (uint64_t)1 << k;
		sizes[ns++] = ((uint64_t)1 << k) + 1;
		if (k > 1)
			sizes[ns++] = ((uint64_t)1 << k) - 1;
	}
	while (ns < SV_ARRAY_SIZE(sizes))
		sizes[ns++] = (next_rand(&rng) >> (24 + next_rand(&rng) % 40)) + 1;
	for (i = 0; i < ns; i++) {
		n = sizes[i];
		s.n = n;
		s.calls = 0;
		assert_int_equal(sv_merkle_root(&root, n, fab_get, &s), 0);
		assert_true(s.calls <= 64);
		ms[0] = 0; ms[1] = 1; ms[2] = n / 2; ms[3] = n - 1;
		ms[4] = next_rand(&rng) % n; ms[5] = n / 3; ms[6] = (n - 1) & ~(uint64_t)0xff;
		ms[7] = n > 2 ? n - 2 : 0;
		for (j = 0; j < SV_ARRAY_SIZE(ms); j++) {
			m = ms[j] < n ? ms[j] : n - 1;
			s.calls = 0;
			assert_int_equal(sv_merkle_inclusion(&proof, &len, m, n, fab_get, &s), 0);
			calls = s.calls;
			assert_true(len <= SV_MERKLE_MAX_PROOF);
			if (calls > 2 * 64)
				fail_msg("PATH(%" PRIu64 ", %" PRIu64 ") took %lu look-ups", m, n, calls);
			worst = calls > worst ? calls : worst;
			free(proof);

			m = m + 1;	/* 1 <= m <= n */
			s.calls = 0;
			assert_int_equal(sv_merkle_consistency(&proof, &len, m, n, fab_get, &s), 0);
			calls = s.calls;
			assert_true(len <= SV_MERKLE_MAX_PROOF);
			if (calls > 2 * 64)
				fail_msg("PROOF(%" PRIu64 ", %" PRIu64 ") took %lu look-ups", m, n, calls);
			worst = calls > worst ? calls : worst;
			free(proof);
		}
	}
	assert_false(s.bad);
	print_message("%zu sizes up to 2^40: at most %lu node look-ups per proof\n", ns, worst);
}

/* Real proofs in trees far too big to build: they verify, and only there. */
static void test_huge_trees(void **state)
{
	static const uint64_t sizes[] = {
		1, 2, 3, 5, 8, 1000, 10000000, (1ULL << 40) - 1, 1ULL << 40, (1ULL << 40) + 12345,
		(1ULL << 62) + 3, (1ULL << 63) - 1, 1ULL << 63, UINT64_MAX - 1, UINT64_MAX,
	};
	sparse_source s;
	uint64_t rng = 63, n, special, specials[4], olds[6], m;
	sv_hash *proof = NULL, root, old;
	size_t i, j, x, len;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(sizes); i++) {
		n = sizes[i];
		specials[0] = 0; specials[1] = n - 1; specials[2] = n / 2;
		specials[3] = next_rand(&rng) % n;
		for (j = 0; j < SV_ARRAY_SIZE(specials); j++) {
			special = specials[j];
			sparse_init(&s, n, special);
			assert_int_equal(sv_merkle_root(&root, n, sparse_get, &s), 0);
			assert_int_equal(sv_merkle_inclusion(&proof, &len, special, n, sparse_get, &s), 0);
			check_inclusion_tamper(special, n, &s.x, proof, len, &root, 256);
			if (n > 1)
				assert_int_equal(sv_merkle_verify_inclusion((special ^ 1) < n ?
					special ^ 1 : special - 1, n, &s.x, proof, len, &root),
					SCRVAULT_EINTEGRITY);
			assert_int_equal(sv_merkle_verify_inclusion(special, n, &s.z[0], proof, len, &root),
					 SCRVAULT_EINTEGRITY);
			free(proof);

			olds[0] = 1; olds[1] = special + 1; olds[2] = n / 2 ? n / 2 : 1;
			olds[3] = n - 1 ? n - 1 : 1; olds[4] = next_rand(&rng) % n + 1;
			olds[5] = (uint64_t)1 << (next_rand(&rng) % 64);
			for (x = 0; x < SV_ARRAY_SIZE(olds); x++) {
				m = olds[x] <= n ? olds[x] : n;
				assert_int_equal(sv_merkle_root(&old, m, sparse_get, &s), 0);
				assert_int_equal(sv_merkle_consistency(&proof, &len, m, n, sparse_get, &s), 0);
				check_consistency_tamper(m, n, &old, &root, proof, len, 256);
				free(proof);
			}
		}
	}
	assert_false(s.bad);
}

/*
 * The same recursions as model_path and model_subtree_proof, for trees too
 * big to model: ranges are hashed by sv_merkle_range over a node source.
 */
static uint64_t big_split(uint64_t n)
{
	uint64_t k = 1;

	while (k <= (n - 1) / 2)
		k *= 2;
	return k;
}

static sv_hash big_mth(sparse_source *s, uint64_t lo, uint64_t hi)
{
	sv_hash h;

	assert_int_equal(sv_merkle_range(&h, lo, hi, sparse_get, s), 0);
	return h;
}

static size_t big_path(sparse_source *s, sv_hash *out, size_t count, uint64_t m,
		       uint64_t lo, uint64_t hi)
{
	uint64_t k;

	if (hi - lo == 1)
		return count;
	k = big_split(hi - lo);
	if (m < lo + k) {
		count = big_path(s, out, count, m, lo, lo + k);
		out[count++] = big_mth(s, lo + k, hi);
	} else {
		count = big_path(s, out, count, m, lo + k, hi);
		out[count++] = big_mth(s, lo, lo + k);
	}
	return count;
}

static size_t big_subtree_proof(sparse_source *s, sv_hash *out, size_t count, uint64_t start,
				uint64_t end, uint64_t lo, uint64_t hi, bool b)
{
	uint64_t k;

	if (start == lo && end == hi) {
		if (!b)
			out[count++] = big_mth(s, lo, hi);
		return count;
	}
	k = big_split(hi - lo);
	if (end <= lo + k) {
		count = big_subtree_proof(s, out, count, start, end, lo, lo + k, b);
		out[count++] = big_mth(s, lo + k, hi);
	} else if (start >= lo + k) {
		count = big_subtree_proof(s, out, count, start, end, lo + k, hi, b);
		out[count++] = big_mth(s, lo, lo + k);
	} else {
		assert_int_equal(start, lo);
		count = big_subtree_proof(s, out, count, lo + k, end, lo + k, hi, false);
		out[count++] = big_mth(s, lo, lo + k);
	}
	return count;
}

/* Subtree proofs at the top of the 64-bit range, where BIT_CEIL nears 2^64. */
static void test_huge_subtrees(void **state)
{
	static const struct {
		uint64_t start, end, size;
	} cases[] = {
		{ 1ULL << 63, UINT64_MAX, UINT64_MAX },
		{ 1ULL << 63, (1ULL << 63) + (1ULL << 62) + 5, UINT64_MAX },
		{ 1ULL << 63, (1ULL << 63) + 1, UINT64_MAX - 7 },
		{ 0, (1ULL << 63) - 1, UINT64_MAX },
		{ 0, (1ULL << 63) + 3, UINT64_MAX - 1 },
		{ 1ULL << 40, 1ULL << 41, (1ULL << 41) + 999 },
		{ 3ULL << 61, (3ULL << 61) + (1ULL << 60) + 1, (1ULL << 63) + (1ULL << 62) + 12 },
	};
	sparse_source s;
	sv_hash proof[2 * SV_MERKLE_MAX_PROOF + 2], sub, root;
	uint64_t rng = 9, start, end, size, special;
	size_t i, len, x;

	(void)state;
	for (i = 0; i < SV_ARRAY_SIZE(cases); i++) {
		start = cases[i].start;
		end = cases[i].end;
		size = cases[i].size;
		special = start + next_rand(&rng) % (end - start);
		sparse_init(&s, size, special);
		sub = big_mth(&s, start, end);
		assert_int_equal(sv_merkle_root(&root, size, sparse_get, &s), 0);

		len = big_path(&s, proof, 0, special, start, end);
		assert_int_equal(sv_merkle_verify_subtree_inclusion(special, start, end, &s.x, proof,
								    len, &sub), 0);
		assert_int_equal(sv_merkle_verify_subtree_inclusion(special, start, end, &s.z[0],
								    proof, len, &sub), SCRVAULT_EINTEGRITY);

		len = big_subtree_proof(&s, proof, 0, start, end, 0, size, true);
		assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, size, &sub, &root,
								      proof, len), 0);
		for (x = 0; x < len; x++) {
			flip(&proof[x], 100);
			assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, size, &sub,
				&root, proof, len), SCRVAULT_EINTEGRITY);
			flip(&proof[x], 100);
		}
		flip(&sub, 1);
		assert_int_equal(sv_merkle_verify_subtree_consistency(start, end, size, &sub, &root,
								      proof, len), SCRVAULT_EINTEGRITY);
	}
	/* Lengths above 2^63 can only start at 0; 2^62 + 1 needs a multiple of 2^63. */
	assert_int_equal(sv_merkle_verify_subtree_inclusion(1ULL << 63, 1ULL << 62,
		(1ULL << 63) + 1, &s.x, NULL, 0, &s.x), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_subtree_inclusion(1ULL << 62, 1ULL << 62,
		(1ULL << 63) + 1, &s.x, NULL, 0, &s.x), SCRVAULT_EINTEGRITY);
	assert_int_equal(sv_merkle_verify_subtree_inclusion(UINT64_MAX - 1, 1, UINT64_MAX, &s.x,
		NULL, 0, &s.x), SCRVAULT_EINTEGRITY);
	assert_false(s.bad);
}

/* ---- 4. the accumulator ---------------------------------------------------- */

typedef struct {
	unsigned level[64];
	uint64_t index[64];
	sv_hash h[64];
	size_t n;
} emitted;

static void record(void *ctx, unsigned level, uint64_t index, const sv_hash *h)
{
	emitted *e = ctx;

	assert_true(e->n < 64);
	e->level[e->n] = level;
	e->index[e->n] = index;
	e->h[e->n] = *h;
	e->n++;
}

/* Stored nodes, as a log would keep them: level 0 leaves, the rest emitted. */
typedef struct {
	sv_hash *node[12];
	unsigned char *have[12];
	uint64_t n;
} node_store;

static int store_get(sv_hash *out, void *ctx, unsigned level, uint64_t index)
{
	node_store *st = ctx;

	assert_true(level < 12 && index < (st->n >> level));
	assert_true(st->have[level][index]);
	*out = st->node[level][index];
	return 0;
}

static void test_accumulator(void **state)
{
	enum { N = 1100 };
	model t;
	sv_merkle_acc a, b;
	emitted e;
	node_store st;
	sv_hash root, want, empty;
	size_t n, x, total = 0;
	unsigned level;

	(void)state;
	model_init(&t, N, 1);
	memset(&st, 0, sizeof(st));
	for (level = 0; level < 12; level++) {
		assert_non_null(st.node[level] = calloc((N >> level) + 1, sizeof(sv_hash)));
		assert_non_null(st.have[level] = calloc((N >> level) + 1, 1));
	}
	sv_merkle_acc_init(&a);
	sv_merkle_acc_init(&b);
	sv_merkle_empty_root(&empty);
	sv_merkle_acc_root(&a, &root);
	assert_hash(&root, &empty, "accumulator root with nothing pushed");

	for (n = 1; n <= N; n++) {
		e.n = 0;
		sv_merkle_acc_push_emit(&a, &t.leaf[n - 1], record, &e);
		sv_merkle_acc_push(&b, &t.leaf[n - 1]);
		assert_int_equal(a.n, n);
		want = model_mth(&t, 0, n);
		sv_merkle_acc_root(&a, &root);
		assert_hash(&root, &want, "accumulator root");
		sv_merkle_acc_root(&b, &root);
		assert_hash(&root, &want, "accumulator root without emit");

		/* Exactly the nodes that leaf n-1 completed: levels 1.. while 2^level | n. */
		for (level = 1, x = 0; n % ((size_t)1 << level) == 0; level++, x++) {
			if (x >= e.n)
				fail_msg("push %zu: node at level %u not emitted", n, level);
			assert_int_equal(e.level[x], level);
			assert_int_equal(e.index[x], (n >> level) - 1);
			want = model_mth(&t, n - ((size_t)1 << level), n);
			assert_hash(&e.h[x], &want, "emitted node");
		}
		assert_int_equal(e.n, x);
		total += e.n;

		st.node[0][n - 1] = t.leaf[n - 1];
		st.have[0][n - 1] = 1;
		for (x = 0; x < e.n; x++) {
			assert_false(st.have[e.level[x]][e.index[x]]);
			st.node[e.level[x]][e.index[x]] = e.h[x];
			st.have[e.level[x]][e.index[x]] = 1;
		}
		st.n = n;
		assert_int_equal(sv_merkle_root(&want, n, store_get, &st), 0);
		assert_hash(&root, &want, "root from the emitted nodes");
	}
	/* Every complete node of level >= 1 was emitted once: n - popcount(n). */
	assert_int_equal(total, N - (size_t)__builtin_popcountll(N));
	for (level = 0; level < 12; level++) {
		free(st.node[level]);
		free(st.have[level]);
	}
	model_free(&t);
}

/* ---- 5. timings (printed, not asserted) ------------------------------------ */

static void test_timings(void **state)
{
	const uint64_t n = 10000000;
	const unsigned long rounds = quick() ? 2000 : 20000, pushes = quick() ? 100000 : 1000000;
	fab_source s = { n, 0, false };
	sparse_source sp;
	sv_merkle_acc a;
	sv_hash *proof, root, leaf;
	uint64_t rng = 5, m;
	size_t len, total = 0;
	unsigned long i;
	double t0, t_incl, t_cons, t_free, t_ver, t_acc;

	(void)state;
	t0 = now();
	for (i = 0; i < rounds; i++) {
		assert_int_equal(sv_merkle_inclusion(&proof, &len, next_rand(&rng) % n, n, fab_get, &s), 0);
		total += len;
		free(proof);
	}
	t_incl = (now() - t0) / (double)rounds;
	t0 = now();
	for (i = 0; i < rounds; i++) {
		assert_int_equal(sv_merkle_consistency(&proof, &len, next_rand(&rng) % n + 1, n,
						       fab_get, &s), 0);
		total += len;
		free(proof);
	}
	t_cons = (now() - t0) / (double)rounds;
	assert_false(s.bad);
	t0 = now();
	for (i = 0; i < rounds; i++) {
		assert_int_equal(sv_merkle_inclusion(&proof, &len, next_rand(&rng) % n, n, free_get,
						     NULL), 0);
		free(proof);
		assert_int_equal(sv_merkle_consistency(&proof, &len, next_rand(&rng) % n + 1, n,
						       free_get, NULL), 0);
		free(proof);
	}
	t_free = (now() - t0) / (double)(2 * rounds);

	m = n / 3 + 7;
	sparse_init(&sp, n, m);
	assert_int_equal(sv_merkle_root(&root, n, sparse_get, &sp), 0);
	assert_int_equal(sv_merkle_inclusion(&proof, &len, m, n, sparse_get, &sp), 0);
	t0 = now();
	for (i = 0; i < rounds; i++)
		assert_int_equal(sv_merkle_verify_inclusion(m, n, &sp.x, proof, len, &root), 0);
	t_ver = (now() - t0) / (double)rounds;
	free(proof);

	sv_merkle_acc_init(&a);
	memset(&leaf, 0x5a, sizeof(leaf));
	t0 = now();
	for (i = 0; i < pushes; i++) {
		memcpy(leaf.h, &i, sizeof(i));
		sv_merkle_acc_push(&a, &leaf);
	}
	sv_merkle_acc_root(&a, &root);
	t_acc = now() - t0;

	print_message("timing at n = %" PRIu64 " (fabricated node source, %lu each, %zu hashes):\n",
		      n, rounds, total);
	print_message("  inclusion proof    %8.2f us\n", t_incl * 1e6);
	print_message("  consistency proof  %8.2f us\n", t_cons * 1e6);
	print_message("  either, from a source that does not hash  %8.2f us\n", t_free * 1e6);
	print_message("  verify inclusion   %8.2f us (%zu hashes)\n", t_ver * 1e6, len);
	print_message("accumulator: %lu pushes in %.3f s = %.0f leaves/s\n", pushes, t_acc,
		      (double)pushes / t_acc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6962_hashes),
		cmocka_unit_test(test_rfc6962_seven_leaves),
		cmocka_unit_test(test_reference_proofs),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_verifier_rejects),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_subtree_proofs),
		cmocka_unit_test(test_lookup_counts),
		cmocka_unit_test(test_huge_trees),
		cmocka_unit_test(test_huge_subtrees),
		cmocka_unit_test(test_accumulator),
		cmocka_unit_test(test_timings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
