/*
 * svd_load - a load client for scrvaultd (tests/cli/daemon-load.sh,
 * daemon-kill.sh, bench/server), through libcurl over the Unix socket or
 * HTTPS, one thread and one connection per client.  People sign in with
 * their own key files through the public API (scrvault_key_load,
 * scrvault_key_sign, scrvault_session_statement), never as the daemon.
 *
 *   svd_load run    OPTIONS   the mix, for --seconds or --ops per client
 *   svd_load verify OPTIONS   after a run (and restarts): every acknowledged
 *                             upload checks out exact; every upload whose
 *                             finish was never sent is absent
 *   svd_load fetch OPTIONS --list FILE --into DIR
 *                             the documents of FILE ("DOC VERSION NAME"
 *                             lines), one GET each, shared out among
 *                             --clients signed in beforehand (bench/server)
 *   svd_load gen SEED SIZE    the bytes of upload SEED (stdout)
 *
 * OPTIONS
 *   --socket PATH | --url https://HOST:PORT [--cacert PEM]
 *   --pass FILE                 the passphrase of every key file
 *   --user NAME:KEY:CASE:CLASS[:AGENCY]   (repeat) who signs in and where
 *                               their uploads go; client i is user i % n
 *   --admin NAME                a user who also makes register changes
 *                               (a legal hold placed and lifted on their
 *                               case, a numbered copy issued and returned)
 *   --copies N                  copies 1..N exist for the admin to issue
 *   --clients N --seconds S --ops N (per client; 0 = no limit)
 *   --mix list=W,checkout=W,checkin=W,register=W
 *   --min-size B --max-size B   check-in sizes, log-uniform (1 KiB..50 MiB)
 *   --chunk B                   the largest chunk sent (8 MiB); chunks are
 *                               1 KiB..B at random, or B with --fixed-chunks
 *   --doc DOC:VERSION           a document every client may check out
 *   --out DIR                   journal.tsv and receipts/ (run and verify)
 *   --until-down                a lost connection ends a client quietly
 *                               (the daemon was killed), not an error
 *   --tag T                     names this run's uploads (load-T-...)
 *   --revoke-stale              first, the admin revokes every other live
 *                               session (those of clients killed with a
 *                               daemon would otherwise hold their slots)
 *                               and returns every copy left issued
 *
 * run prints one line per operation kind: "op N errors E rps R p50 MS p99 MS"
 * and exits 1 when any request failed (2 for usage).  journal.tsv has
 * "begin FILE SHA SIZE SEED USER", "finish FILE" (the finish request about
 * to be sent) and "ack FILE DOC VERSION SHA SIZE USER" (the receipt in hand).
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "scrvault/scrvault.h"
#include "scrvault/session.h"
#include "scrvault/keyfile.h"
#include "scrvault/json.h"

enum { OP_LIST, OP_CHECKOUT, OP_CHECKIN, OP_REGISTER, OP_SIGNIN, OP_N };
static const char *const op_name[OP_N] = { "list", "checkout", "checkin", "register", "signin" };

typedef struct { char doc[80]; unsigned ver; char sha[65]; uint64_t size; } docref;

typedef struct {
	char *name, *keyfile, *case_ref, *class, *agency;
	scrvault_key *key;
	bool admin;
	docref *docs;
	size_t ndocs, cap;
} user;

static struct {
	const char *sock, *url, *cacert, *pass, *out, *tag;
	user users[64];
	size_t nusers;
	unsigned clients, copies;
	double seconds;
	unsigned long ops;
	unsigned weight[OP_N];
	uint64_t min_size, max_size, chunk;
	bool until_down, fixed_chunks;
	const char *list, *into;
	docref common[16];
	size_t ncommon;
} cfg = { .clients = 1, .min_size = 1024, .max_size = 50u << 20, .chunk = 8u << 20,
	  .weight = { 4, 3, 2, 1 }, .tag = "0" };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *journal;
static atomic_bool stop;
static atomic_uint printed;
static bool *copy_busy;
static struct timespec t_start;

typedef struct {
	double *v;
	size_t n, cap;
	unsigned long errors;
} series;

typedef struct {
	unsigned id;
	user *u;
	CURL *h;
	char token[128], session[80];
	uint64_t rng;
	series s[OP_N];
	unsigned long n_up;
	bool down;
} client;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t_start.tv_sec) + (double)(t.tv_nsec - t_start.tv_nsec) / 1e9;
}

static uint64_t rnd(uint64_t *s)		/* xorshift64* */
{
	*s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* The bytes of upload `seed`, from offset 0 onward, `len` at a time. */
static void gen(uint64_t *state, unsigned char *buf, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t x = rnd(state);
		memcpy(buf + i, &x, 8);
	}
	if (i < len) {
		uint64_t x = rnd(state);
		memcpy(buf + i, &x, len - i);
	}
}
static uint64_t gen_seed(uint64_t seed) { return seed * 0x9E3779B97F4A7C15ULL | 1; }

static void hexdig(char out[65], const unsigned char d[32])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	if (atomic_fetch_add(&printed, 1) >= 30)
		return;
	va_start(ap, fmt);
	fputs("svd_load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void add(series *s, double secs)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	s->v[s->n++] = secs;
}

/* A client's timings, freed (the rest of it is the caller's). */
static void series_free(series *s, int n)
{
	for (int i = 0; i < n; i++) {
		free(s[i].v);
		s[i].v = NULL;
		s[i].n = s[i].cap = 0;
	}
}

/* ---- HTTP ---------------------------------------------------------------------------- */

typedef struct {
	char *buf;		/* the answer, when kept */
	size_t len, cap;
	EVP_MD_CTX *md;		/* or its SHA-256 only */
	FILE *f;		/* or written to a file */
	uint64_t total;
} sink;

static size_t on_data(char *p, size_t sz, size_t n, void *arg)
{
	sink *k = arg;
	size_t len = sz * n;

	k->total += len;
	if (k->f)
		return fwrite(p, 1, len, k->f);
	if (k->md)
		return EVP_DigestUpdate(k->md, p, len) == 1 ? len : 0;
	if (k->len + len + 1 > k->cap) {
		size_t cap = (k->len + len + 1) * 2;
		char *b;
		if (cap > (64u << 20) || !(b = realloc(k->buf, cap)))
			return 0;
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, len);
	k->len += len;
	k->buf[k->len] = '\0';
	return len;
}

/*
 * One request; the status, or -1 when the connection failed (c->down set,
 * quietly under --until-down).  The answer in *k.
 */
static long http(client *c, const char *method, const char *path, const char *ctype,
		 const void *body, size_t blen, sink *k)
{
	char url[1024], auth[200], ct[100];
	struct curl_slist *hd = NULL;
	long status = 0;
	CURLcode e;

	snprintf(url, sizeof(url), "%s%s", cfg.sock ? "http://scrvault" : cfg.url, path);
	curl_easy_reset(c->h);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 300L);
	if (cfg.sock)
		curl_easy_setopt(c->h, CURLOPT_UNIX_SOCKET_PATH, cfg.sock);
	else {
		curl_easy_setopt(c->h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
		if (cfg.cacert)
			curl_easy_setopt(c->h, CURLOPT_CAINFO, cfg.cacert);
	}
	curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
	if (c->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
		hd = curl_slist_append(hd, auth);
	}
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		hd = curl_slist_append(hd, ct);
	}
	hd = curl_slist_append(hd, "Expect:");
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hd);
	if (body) {
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
	} else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, k);
	e = curl_easy_perform(c->h);
	curl_slist_free_all(hd);
	if (e != CURLE_OK) {
		c->down = true;
		if (!cfg.until_down)
			note("client %u: %s %s: %s", c->id, method, path, curl_easy_strerror(e));
		return -1;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static void sink_free(sink *k);
static void sign_out(client *c)
{
	sink k = { 0 };
	http(c, "DELETE", "/v1/session", NULL, NULL, 0, &k);
	sink_free(&k);
}

static void sink_free(sink *k)
{
	free(k->buf);
	if (k->md)
		EVP_MD_CTX_free(k->md);
	memset(k, 0, sizeof(*k));
}

/* A JSON answer with status 200, parsed; NULL (counted, noted) otherwise. */
static scrvault_json *call(client *c, int op, const char *method, const char *path, const char *json)
{
	sink k = { 0 };
	scrvault_json *j = NULL;
	long st = http(c, method, path, json ? "application/json" : NULL, json, json ? strlen(json) : 0, &k);

	if (st == 200 && scrvault_json_parse(&j, k.buf ? k.buf : "", k.len) == 0) {
		sink_free(&k);
		return j;
	}
	if (st > 0 || !cfg.until_down) {
		c->s[op].errors++;
		note("client %u (%s): %s %s: %ld %.200s", c->id, c->u->name, method, path, st, k.buf ? k.buf : "");
	}
	sink_free(&k);
	return NULL;
}

/* ---- sessions -------------------------------------------------------------------------- */

static int sign_in(client *c)
{
	scrvault_json *ch, *r;
	char *stmt = NULL, *sig = NULL, *body = NULL, *qn = NULL, *qc = NULL, *qs = NULL;
	const char *chal, *tok;
	double t0 = now();
	int rc = -1;

	c->token[0] = '\0';
	if (!(qn = scrvault_json_quote(c->u->name)))
		return -1;
	if (asprintf(&body, "{\"principal\":%s}", qn) < 0)
		body = NULL;
	ch = body ? call(c, OP_SIGNIN, "POST", "/v1/session/challenge", body) : NULL;
	free(body);
	body = NULL;
	if (!ch)
		goto done;
	chal = scrvault_json_str(scrvault_json_get(ch, "challenge"));
	/* the statement is rebuilt here from the vault id the key is pinned to,
	 * and must be the one the service asked for: a client signs only that */
	stmt = scrvault_session_statement(scrvault_key_vault(c->u->key), c->u->name, chal ? chal : "");
	if (!stmt || strcmp(stmt, scrvault_json_str(scrvault_json_get(ch, "statement")) ?: "") != 0) {
		note("client %u: the sign-in statement is not the one expected", c->id);
		c->s[OP_SIGNIN].errors++;
		goto done;
	}
	pthread_mutex_lock(&mu);
	rc = scrvault_key_sign(&sig, c->u->key, stmt);
	pthread_mutex_unlock(&mu);
	if (rc < 0 || !(qc = scrvault_json_quote(chal)) || !(qs = scrvault_json_quote(sig)) ||
	    asprintf(&body, "{\"principal\":%s,\"challenge\":%s,\"signature\":%s}", qn, qc, qs) < 0) {
		body = NULL;
		rc = -1;
		goto done;
	}
	rc = -1;
	if (!(r = call(c, OP_SIGNIN, "POST", "/v1/session", body)))
		goto done;
	if ((tok = scrvault_json_str(scrvault_json_get(r, "token"))) && strlen(tok) < sizeof(c->token)) {
		strcpy(c->token, tok);
		snprintf(c->session, sizeof(c->session), "%s", scrvault_json_str(scrvault_json_get(r, "session")) ?: "");
		rc = 0;
		add(&c->s[OP_SIGNIN], now() - t0);
	}
	scrvault_json_free(r);
done:
	scrvault_json_free(ch);
	free(stmt); free(sig); free(body); free(qn); free(qc); free(qs);
	return rc;
}

/* ---- operations ---------------------------------------------------------------------- */

static void do_list(client *c)
{
	char path[300];
	double t0 = now();
	scrvault_json *j;

	switch (rnd(&c->rng) % 3) {
	case 0: snprintf(path, sizeof(path), "/v1/cases/%s/docs", c->u->case_ref); break;
	case 1: snprintf(path, sizeof(path), "/v1/cases"); break;
	default: snprintf(path, sizeof(path), c->u->admin ? "/v1/copies" : "/v1/cases/%s", c->u->case_ref); break;
	}
	if ((j = call(c, OP_LIST, "GET", path, NULL)))
		add(&c->s[OP_LIST], now() - t0);
	scrvault_json_free(j);
}

/* Check out d; its bytes must be the ones recorded. */
static int checkout(client *c, const docref *d, int op)
{
	char path[300], hex[65];
	unsigned char md[32];
	sink k = { 0 };
	long st;

	snprintf(path, sizeof(path), "/v1/docs/%s/versions/%u/content", d->doc, d->ver);
	if (!(k.md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(k.md, EVP_sha256(), NULL) != 1)
		abort();
	st = http(c, "GET", path, NULL, NULL, 0, &k);
	if (st == 200) {
		EVP_DigestFinal_ex(k.md, md, NULL);
		hexdig(hex, md);
		if (strcmp(hex, d->sha) == 0 && k.total == d->size) {
			sink_free(&k);
			return 0;
		}
		note("client %u: %s@%u checked out %" PRIu64 " bytes, sha256 %s; expected %" PRIu64 ", %s",
		     c->id, d->doc, d->ver, k.total, hex, d->size, d->sha);
	} else if (st > 0 || !cfg.until_down)
		note("client %u: GET %s: %ld", c->id, path, st);
	if (st > 0 || !cfg.until_down)
		c->s[op].errors++;
	sink_free(&k);
	return -1;
}

static void do_checkout(client *c)
{
	docref d;
	size_t n;
	double t0 = now();

	pthread_mutex_lock(&mu);
	n = c->u->ndocs + cfg.ncommon;
	if (n) {
		size_t i = rnd(&c->rng) % n;
		d = i < cfg.ncommon ? cfg.common[i] : c->u->docs[i - cfg.ncommon];
	}
	pthread_mutex_unlock(&mu);
	if (!n)
		return;
	if (checkout(c, &d, OP_CHECKOUT) == 0)
		add(&c->s[OP_CHECKOUT], now() - t0);
}

static void jline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void jline(const char *fmt, ...)
{
	va_list ap;
	if (!journal)
		return;
	va_start(ap, fmt);
	vfprintf(journal, fmt, ap);
	va_end(ap);
	fflush(journal);
}

static void do_checkin(client *c)
{
	uint64_t lo = cfg.min_size, hi = cfg.max_size, size, seed, st, off = 0;
	double t0 = now(), x = (double)(rnd(&c->rng) >> 11) / 9007199254740992.0;
	char fname[128], sha[65], path[300], *body = NULL, *qf = NULL;
	unsigned char md[32], *buf = NULL;
	scrvault_json *j;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	const char *up, *doc;
	int rc;

	size = hi > lo ? (uint64_t)exp(log((double)lo) + x * (log((double)hi) - log((double)lo))) : lo;
	if (size < lo) size = lo;
	if (size > hi) size = hi;
	seed = ((uint64_t)getpid() << 40) ^ ((uint64_t)c->id << 28) ^ ++c->n_up ^ (rnd(&c->rng) & 0xfff0000000ULL);
	snprintf(fname, sizeof(fname), "load-%s-%u-%lu-%016" PRIx64 ".bin", cfg.tag, c->id, c->n_up, seed);
	if (!m || !(buf = malloc(cfg.chunk)))
		abort();
	st = gen_seed(seed);
	EVP_DigestInit_ex(m, EVP_sha256(), NULL);
	for (uint64_t left = size; left; ) {
		size_t n = left < cfg.chunk ? (size_t)left : (size_t)cfg.chunk;
		gen(&st, buf, n);
		EVP_DigestUpdate(m, buf, n);
		left -= n;
	}
	EVP_DigestFinal_ex(m, md, NULL);
	EVP_MD_CTX_free(m);
	hexdig(sha, md);
	qf = scrvault_json_quote(fname);
	if (c->u->agency && *c->u->agency)
		rc = asprintf(&body, "{\"case\":\"%s\",\"class\":\"%s\",\"agency\":\"%s\",\"filename\":%s,"
			"\"size\":%" PRIu64 ",\"sha256\":\"%s\"}", c->u->case_ref, c->u->class, c->u->agency, qf, size, sha);
	else
		rc = asprintf(&body, "{\"case\":\"%s\",\"class\":\"%s\",\"filename\":%s,\"size\":%" PRIu64 ",\"sha256\":\"%s\"}",
			 c->u->case_ref, c->u->class, qf, size, sha);
	free(qf);
	if (rc < 0)
		goto done;
	pthread_mutex_lock(&mu);
	jline("begin\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s\n", fname, sha, size, seed, c->u->name);
	pthread_mutex_unlock(&mu);
	j = call(c, OP_CHECKIN, "POST", "/v1/uploads", body);
	free(body);
	if (!j)
		goto done;
	up = scrvault_json_str(scrvault_json_get(j, "upload"));
	snprintf(path, sizeof(path), "/v1/uploads/%s", up ? up : "-");
	scrvault_json_free(j);
	st = gen_seed(seed);
	while (off < size && !c->down) {
		/* chunks of 1 KiB up to --chunk, each acknowledged */
		uint64_t want = cfg.fixed_chunks ? cfg.chunk : 1024ull << (rnd(&c->rng) % 14), n = size - off;
		char p2[340];
		if (want > cfg.chunk) want = cfg.chunk;
		if (n > want) n = want;
		gen(&st, buf, (size_t)n);
		snprintf(p2, sizeof(p2), "%s?offset=%" PRIu64, path, off);
		sink k = { 0 };
		long s = http(c, "PUT", p2, "application/octet-stream", buf, (size_t)n, &k);
		if (s != 200) {
			if (s > 0 || !cfg.until_down) {
				c->s[OP_CHECKIN].errors++;
				note("client %u: PUT %s: %ld %.200s", c->id, p2, s, k.buf ? k.buf : "");
			}
			sink_free(&k);
			goto done;
		}
		sink_free(&k);
		off += n;
	}
	if (c->down)
		goto done;
	pthread_mutex_lock(&mu);
	jline("finish\t%s\n", fname);
	pthread_mutex_unlock(&mu);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/finish");
	{
		sink k = { 0 };
		long s = http(c, "POST", path, NULL, NULL, 0, &k);
		scrvault_json *r = NULL;
		if (s != 200 || scrvault_json_parse(&r, k.buf ? k.buf : "", k.len) < 0 ||
		    !(doc = scrvault_json_str(scrvault_json_get(r, "doc"))) ||
		    strcmp(scrvault_json_str(scrvault_json_get(r, "sha256")) ?: "", sha) != 0) {
			if (s > 0 || !cfg.until_down) {
				c->s[OP_CHECKIN].errors++;
				note("client %u: finish %s: %ld %.200s", c->id, fname, s, k.buf ? k.buf : "");
			}
			scrvault_json_free(r);
			sink_free(&k);
			goto done;
		}
		docref d = { .ver = (unsigned)scrvault_json_int(scrvault_json_get(r, "version")), .size = size };
		snprintf(d.doc, sizeof(d.doc), "%s", doc);
		memcpy(d.sha, sha, sizeof(d.sha));
		pthread_mutex_lock(&mu);
		if (cfg.out) {
			char rp[512];
			FILE *f;
			snprintf(rp, sizeof(rp), "%s/receipts/%s.json", cfg.out, fname);
			if ((f = fopen(rp, "w"))) {
				fwrite(k.buf, 1, k.len, f);
				fclose(f);
			}
		}
		jline("ack\t%s\t%s\t%u\t%s\t%" PRIu64 "\t%s\n", fname, d.doc, d.ver, sha, size, c->u->name);
		if (c->u->ndocs == c->u->cap) {
			c->u->cap = c->u->cap ? 2 * c->u->cap : 64;
			if (!(c->u->docs = realloc(c->u->docs, c->u->cap * sizeof(docref))))
				abort();
		}
		c->u->docs[c->u->ndocs++] = d;
		pthread_mutex_unlock(&mu);
		scrvault_json_free(r);
		sink_free(&k);
		add(&c->s[OP_CHECKIN], now() - t0);
	}
done:
	free(buf);
}

/* A legal hold placed on the admin's case and lifted; a copy issued and returned. */
static void do_register(client *c)
{
	char path[200], *body = NULL;
	double t0 = now();
	scrvault_json *j;
	int ok = 0;

	if (!c->u->admin)
		return do_list(c);
	if (rnd(&c->rng) % 2 || !cfg.copies) {
		if (asprintf(&body, "{\"target\":\"%s\",\"kind\":\"criminal-proceedings\",\"reason\":\"load %u\"}",
			     c->u->case_ref, c->id) < 0)
			return;
		j = call(c, OP_REGISTER, "POST", "/v1/holds", body);
		free(body);
		if (!j)
			return;
		snprintf(path, sizeof(path), "/v1/holds/%" PRId64 "/lift", scrvault_json_int(scrvault_json_get(j, "hold")));
		scrvault_json_free(j);
		if ((j = call(c, OP_REGISTER, "POST", path, "{\"reason\":\"proceedings ended\"}")))
			ok = 1;
		scrvault_json_free(j);
	} else {
		unsigned n = 0;
		pthread_mutex_lock(&mu);
		for (unsigned i = 0, k = (unsigned)(rnd(&c->rng) % cfg.copies); i < cfg.copies; i++)
			if (!copy_busy[(k + i) % cfg.copies]) {
				n = (k + i) % cfg.copies + 1;
				copy_busy[n - 1] = true;
				break;
			}
		pthread_mutex_unlock(&mu);
		if (!n)
			return do_list(c);
		snprintf(path, sizeof(path), "/v1/copies/%u/issue", n);
		j = call(c, OP_REGISTER, "POST", path, "{\"ext_name\":\"Ida Inspector\",\"ext_org\":\"Ofsted\","
			 "\"contact\":\"ida@ofsted.example\",\"purpose\":\"inspection\",\"due\":\"2099-01-31\"}");
		if (j) {
			scrvault_json_free(j);
			snprintf(path, sizeof(path), "/v1/copies/%u/return", n);
			if ((j = call(c, OP_REGISTER, "POST", path, "{\"condition\":\"intact\"}")))
				ok = 1;
			scrvault_json_free(j);
		}
		pthread_mutex_lock(&mu);
		copy_busy[n - 1] = false;
		pthread_mutex_unlock(&mu);
	}
	if (ok)
		add(&c->s[OP_REGISTER], now() - t0);
}

static void *run_client(void *arg)
{
	client *c = arg;
	unsigned total = 0;

	for (int i = 0; i < OP_N - 1; i++)
		total += cfg.weight[i];
	if (sign_in(c) < 0 || !total)
		return NULL;
	for (unsigned long n = 0; !atomic_load(&stop) && !c->down && (!cfg.ops || n < cfg.ops); n++) {
		unsigned w = (unsigned)(rnd(&c->rng) % total), op = 0;
		while (w >= cfg.weight[op]) w -= cfg.weight[op++];
		switch (op) {
		case OP_LIST: do_list(c); break;
		case OP_CHECKOUT: do_checkout(c); break;
		case OP_CHECKIN: do_checkin(c); break;
		default: do_register(c); break;
		}
		if (cfg.seconds > 0 && now() >= cfg.seconds)
			break;
	}
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* ---- verify ---------------------------------------------------------------------------- */

static user *find_user(const char *name)
{
	for (size_t i = 0; i < cfg.nusers; i++)
		if (strcmp(cfg.users[i].name, name) == 0)
			return &cfg.users[i];
	return NULL;
}

/* Does the user's case hold a document titled `fname`?  1, 0, or -1. */
static int present(client *c, const char *fname, docref *d)
{
	char path[300];
	scrvault_json *j;
	int found = 0;

	snprintf(path, sizeof(path), "/v1/cases/%s/docs", c->u->case_ref);
	if (!(j = call(c, OP_LIST, "GET", path, NULL)))
		return -1;
	for (size_t i = 0; i < scrvault_json_count(j); i++) {
		const scrvault_json *e = scrvault_json_at(j, i);
		if (strcmp(scrvault_json_str(scrvault_json_get(e, "title")) ?: "", fname) == 0) {
			snprintf(d->doc, sizeof(d->doc), "%s", scrvault_json_str(scrvault_json_get(e, "doc")));
			d->ver = (unsigned)scrvault_json_int(scrvault_json_get(e, "latest"));
			found = 1;
		}
	}
	scrvault_json_free(j);
	return found;
}

static int verify(void)
{
	char path[512], line[1024];
	client cs[64];
	FILE *f;
	unsigned long acked = 0, absent = 0, doubt = 0, doubt_present = 0, bad = 0;
	struct rec { char f[128], sha[65], user[64]; uint64_t size; int state; } *r = NULL;
	size_t nr = 0, cap = 0;

	memset(cs, 0, sizeof(cs));
	for (size_t i = 0; i < cfg.nusers; i++) {
		cs[i].id = (unsigned)i;
		cs[i].u = &cfg.users[i];
		if (!(cs[i].h = curl_easy_init()) || sign_in(&cs[i]) < 0)
			return 1;
	}
	snprintf(path, sizeof(path), "%s/journal.tsv", cfg.out);
	if (!(f = fopen(path, "r")))
		return fprintf(stderr, "svd_load: %s: %s\n", path, strerror(errno)), 1;
	while (fgets(line, sizeof(line), f)) {
		char *fld[8] = { 0 }, *save = NULL, *p = line;
		int n = 0;
		line[strcspn(line, "\n")] = '\0';
		while (n < 8 && (fld[n] = strtok_r(p, "\t", &save))) { p = NULL; n++; }
		if (n < 2)
			continue;
		if (strcmp(fld[0], "begin") == 0 && n >= 6) {
			if (nr == cap && !(r = realloc(r, (cap = cap ? 2 * cap : 256) * sizeof(*r))))
				abort();
			memset(&r[nr], 0, sizeof(*r));
			snprintf(r[nr].f, sizeof(r[nr].f), "%s", fld[1]);
			snprintf(r[nr].sha, sizeof(r[nr].sha), "%s", fld[2]);
			r[nr].size = strtoull(fld[3], NULL, 10);
			snprintf(r[nr].user, sizeof(r[nr].user), "%s", fld[5]);
			nr++;
			continue;
		}
		for (size_t i = nr; i-- > 0; )
			if (strcmp(r[i].f, fld[1]) == 0) {
				if (strcmp(fld[0], "finish") == 0 && r[i].state < 1)
					r[i].state = 1;
				else if (strcmp(fld[0], "ack") == 0 && n >= 7) {
					user *u = find_user(r[i].user);
					docref d = { .size = r[i].size };
					r[i].state = 2;
					snprintf(d.doc, sizeof(d.doc), "%s", fld[2]);
					d.ver = (unsigned)strtoul(fld[3], NULL, 10);
					memcpy(d.sha, r[i].sha, 65);
					if (!u || checkout(&cs[u - cfg.users], &d, OP_CHECKOUT) < 0) {
						note("acknowledged upload %s (%s@%u) is not there exact", r[i].f, d.doc, d.ver);
						bad++;
					} else
						acked++;
				}
				break;
			}
	}
	fclose(f);
	for (size_t i = 0; i < nr; i++) {
		user *u = find_user(r[i].user);
		docref d = { .size = r[i].size };
		int p;
		if (r[i].state == 2 || !u)
			continue;
		memcpy(d.sha, r[i].sha, 65);
		if ((p = present(&cs[u - cfg.users], r[i].f, &d)) < 0)
			bad++;
		else if (r[i].state == 0) {
			/* its finish was never sent: it must not be there */
			if (p) {
				note("unacknowledged upload %s (never finished) is in the vault as %s", r[i].f, d.doc);
				bad++;
			} else
				absent++;
		} else {
			/* finish sent, no receipt back (the daemon died around it):
			 * either absent, or present and exact */
			doubt++;
			if (p) {
				doubt_present++;
				if (checkout(&cs[u - cfg.users], &d, OP_CHECKOUT) < 0)
					bad++;
			}
		}
	}
	printf("verify: %lu acknowledged exact, %lu unacknowledged absent, %lu finished without a receipt "
	       "(%lu present and exact), %lu wrong\n", acked, absent, doubt, doubt_present, bad);
	for (size_t i = 0; i < cfg.nusers; i++) {
		sign_out(&cs[i]);
		curl_easy_cleanup(cs[i].h);
		series_free(cs[i].s, OP_N);
	}
	free(r);
	return bad ? 1 : 0;
}

/*
 * fetch: every clients signs in, then they share out the documents of
 * --list ("DOC VERSION NAME" a line) and write each to --into/NAME, one GET
 * each; the time from the last sign-in to the last file written.
 */
static struct { char doc[80], name[200]; unsigned ver; } *fl;
static size_t nfl;
static atomic_size_t fnext;
static atomic_ulong ferr;

static void *fetch_client(void *arg)
{
	client *c = arg;
	size_t i;

	while ((i = atomic_fetch_add(&fnext, 1)) < nfl) {
		char path[300], out[600];
		sink k = { 0 };
		snprintf(path, sizeof(path), "/v1/docs/%s/versions/%u/content", fl[i].doc, fl[i].ver);
		snprintf(out, sizeof(out), "%s/%s", cfg.into, fl[i].name);
		if (!(k.f = fopen(out, "wx")) || http(c, "GET", path, NULL, NULL, 0, &k) != 200) {
			atomic_fetch_add(&ferr, 1);
			note("client %u: %s: not fetched", c->id, fl[i].name);
		}
		if (k.f && fclose(k.f) != 0)
			atomic_fetch_add(&ferr, 1);
	}
	return NULL;
}

static int fetch(void)
{
	FILE *f = fopen(cfg.list, "r");
	char line[512];
	client *cs = calloc(cfg.clients, sizeof(*cs));
	pthread_t *th = calloc(cfg.clients, sizeof(*th));
	size_t cap = 0;
	double t0;

	if (!f || !cs || !th)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		if (nfl == cap && !(fl = realloc(fl, (cap = cap ? 2 * cap : 256) * sizeof(*fl))))
			return 1;
		if (sscanf(line, "%79s %u %199s", fl[nfl].doc, &fl[nfl].ver, fl[nfl].name) == 3)
			nfl++;
	}
	fclose(f);
	for (unsigned i = 0; i < cfg.clients; i++) {
		cs[i].id = i;
		cs[i].u = &cfg.users[i % cfg.nusers];
		if (!(cs[i].h = curl_easy_init()) || sign_in(&cs[i]) < 0)
			return 1;
	}
	t0 = now();
	for (unsigned i = 0; i < cfg.clients; i++)
		if (pthread_create(&th[i], NULL, fetch_client, &cs[i]) != 0)
			return 1;
	for (unsigned i = 0; i < cfg.clients; i++)
		pthread_join(th[i], NULL);
	printf("fetched %zu documents with %u clients in %.3f s, %lu errors\n", nfl, cfg.clients, now() - t0,
	       atomic_load(&ferr));
	for (unsigned i = 0; i < cfg.clients; i++) {
		sign_out(&cs[i]);
		curl_easy_cleanup(cs[i].h);
		series_free(cs[i].s, OP_N);
	}
	free(cs);
	free(th);
	return atomic_load(&ferr) ? 1 : 0;
}

/*
 * --revoke-stale: the admin (a custodian or coordinator) revokes every live
 * session but the one it signs in with, and returns every copy left issued:
 * what an operator does after a crash, when the clients that held those
 * tokens (and meant to return those copies) are gone with it.
 */
static int revoke_stale(void)
{
	client c = { .id = 999 };
	scrvault_json *j;
	unsigned n = 0;

	for (size_t i = 0; i < cfg.nusers; i++)
		if (cfg.users[i].admin)
			c.u = &cfg.users[i];
	if (!c.u || !(c.h = curl_easy_init()) || sign_in(&c) < 0 || !(j = call(&c, OP_LIST, "GET", "/v1/sessions", NULL)))
		return -1;
	for (size_t i = 0; i < scrvault_json_count(j); i++) {
		const char *id = scrvault_json_str(scrvault_json_get(scrvault_json_at(j, i), "session"));
		char path[200];
		scrvault_json *r;
		if (!id || strcmp(id, c.session) == 0)
			continue;
		snprintf(path, sizeof(path), "/v1/sessions/%s", id);
		if (!(r = call(&c, OP_LIST, "DELETE", path, NULL)))
			return -1;
		scrvault_json_free(r);
		n++;
	}
	scrvault_json_free(j);
	/* A copy whose issue was committed when the daemon was killed, and
	 * whose return never came, is still out: bring it back in. */
	if (cfg.copies) {
		unsigned back = 0;
		if (!(j = call(&c, OP_LIST, "GET", "/v1/copies", NULL)))
			return -1;
		for (size_t i = 0; i < scrvault_json_count(j); i++) {
			const scrvault_json *row = scrvault_json_at(j, i);
			scrvault_json *r;
			const char *st = scrvault_json_str(scrvault_json_get(row, "state"));
			char path[200];
			if (!st || (strcmp(st, "issued") && strcmp(st, "overdue")))
				continue;
			snprintf(path, sizeof(path), "/v1/copies/%" PRId64 "/return",
				 scrvault_json_int(scrvault_json_get(row, "copy")));
			if (!(r = call(&c, OP_LIST, "POST", path, "{\"condition\":\"intact\"}")))
				return -1;
			scrvault_json_free(r);
			back++;
		}
		scrvault_json_free(j);
		printf("returned %u copies left out\n", back);
	}
	sign_out(&c);
	curl_easy_cleanup(c.h);
	series_free(c.s, OP_N);
	printf("revoked %u stale sessions\n", n);
	return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: svd_load run|verify --socket PATH|--url URL --pass FILE --user NAME:KEY:CASE:CLASS[:AGENCY]... "
		"[--clients N] [--seconds S] [--ops N] [--mix ...] [--out DIR]\n       svd_load gen SEED SIZE\n");
	return 2;
}

static int parse_mix(const char *s)
{
	char *copy = strdup(s), *save = NULL, *p = copy, *t;
	memset(cfg.weight, 0, sizeof(cfg.weight));
	while ((t = strtok_r(p, ",", &save))) {
		char *eq = strchr(t, '=');
		int i;
		p = NULL;
		if (!eq)
			return free(copy), -1;
		*eq = '\0';
		for (i = 0; i < OP_SIGNIN && strcmp(op_name[i], t); i++) ;
		if (i == OP_SIGNIN)
			return free(copy), -1;
		cfg.weight[i] = (unsigned)atoi(eq + 1);
	}
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	scrvault_secret *pass = NULL;
	const char *mode;
	char *admin = NULL;
	bool stale = false;
	client *cs;
	pthread_t *th;
	unsigned long errors = 0;
	double elapsed;

	if (argc < 2)
		return usage();
	mode = argv[1];
	if (strcmp(mode, "gen") == 0) {
		uint64_t st, size;
		unsigned char buf[65536];
		if (argc != 4)
			return usage();
		st = gen_seed(strtoull(argv[2], NULL, 10));
		size = strtoull(argv[3], NULL, 10);
		while (size) {
			size_t n = size < sizeof(buf) ? (size_t)size : sizeof(buf);
			gen(&st, buf, n);
			if (fwrite(buf, 1, n, stdout) != n)
				return 1;
			size -= n;
		}
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--until-down") == 0) { cfg.until_down = true; continue; }
		if (strcmp(o, "--revoke-stale") == 0) { stale = true; continue; }
		if (strcmp(o, "--fixed-chunks") == 0) { cfg.fixed_chunks = true; continue; }
		if (!a)
			return usage();
		i++;
		if (!strcmp(o, "--socket")) cfg.sock = a;
		else if (!strcmp(o, "--url")) cfg.url = a;
		else if (!strcmp(o, "--cacert")) cfg.cacert = a;
		else if (!strcmp(o, "--pass")) cfg.pass = a;
		else if (!strcmp(o, "--out")) cfg.out = a;
		else if (!strcmp(o, "--tag")) cfg.tag = a;
		else if (!strcmp(o, "--list")) cfg.list = a;
		else if (!strcmp(o, "--into")) cfg.into = a;
		else if (!strcmp(o, "--admin")) admin = (char *)a;
		else if (!strcmp(o, "--clients")) cfg.clients = (unsigned)atoi(a);
		else if (!strcmp(o, "--copies")) cfg.copies = (unsigned)atoi(a);
		else if (!strcmp(o, "--seconds")) cfg.seconds = atof(a);
		else if (!strcmp(o, "--ops")) cfg.ops = strtoul(a, NULL, 10);
		else if (!strcmp(o, "--min-size")) cfg.min_size = strtoull(a, NULL, 10);
		else if (!strcmp(o, "--max-size")) cfg.max_size = strtoull(a, NULL, 10);
		else if (!strcmp(o, "--chunk")) cfg.chunk = strtoull(a, NULL, 10);
		else if (!strcmp(o, "--mix")) { if (parse_mix(a) < 0) return usage(); }
		else if (!strcmp(o, "--doc") && cfg.ncommon < 16) {
			docref *d = &cfg.common[cfg.ncommon++];
			if (sscanf(a, "%79[^:]:%u:%64[0-9a-f]:%" SCNu64, d->doc, &d->ver, d->sha, &d->size) != 4)
				return usage();
		} else if (!strcmp(o, "--user") && cfg.nusers < 64) {
			user *u = &cfg.users[cfg.nusers++];
			char *s = strdup(a), *save = NULL;
			u->name = strtok_r(s, ":", &save);
			u->keyfile = strtok_r(NULL, ":", &save);
			u->case_ref = strtok_r(NULL, ":", &save);
			u->class = strtok_r(NULL, ":", &save);
			u->agency = strtok_r(NULL, ":", &save);
			if (!u->class)
				return usage();
		} else
			return usage();
	}
	if ((!cfg.sock == !cfg.url) || !cfg.pass || !cfg.nusers || !cfg.clients || cfg.clients > 1000 ||
	    !cfg.chunk || cfg.chunk > (8u << 20) || cfg.min_size > cfg.max_size || !cfg.min_size)
		return usage();
	if (scrvault_global_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    scrvault_secret_read_file(&pass, cfg.pass) < 0) {
		fprintf(stderr, "svd_load: %s\n", scrvault_error_message());
		return 1;
	}
	for (size_t i = 0; i < cfg.nusers; i++) {
		if (scrvault_key_load(&cfg.users[i].key, cfg.users[i].keyfile, pass) < 0) {
			fprintf(stderr, "svd_load: %s: %s\n", cfg.users[i].keyfile, scrvault_error_message());
			return 1;
		}
		cfg.users[i].admin = admin && strcmp(admin, cfg.users[i].name) == 0;
	}
	scrvault_secret_free(pass);
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	if (strcmp(mode, "verify") == 0)
		return cfg.out ? verify() : usage();
	if (strcmp(mode, "fetch") == 0)
		return cfg.list && cfg.into ? fetch() : usage();
	if (strcmp(mode, "run"))
		return usage();
	if (cfg.out) {
		char p[512];
		mkdir(cfg.out, 0700);
		snprintf(p, sizeof(p), "%s/receipts", cfg.out);
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/journal.tsv", cfg.out);
		if (!(journal = fopen(p, "a")))
			return fprintf(stderr, "svd_load: %s: %s\n", p, strerror(errno)), 1;
	}
	if (stale && revoke_stale() < 0)
		return 1;
	if (cfg.copies && !(copy_busy = calloc(cfg.copies, 1)))
		return 1;
	cs = calloc(cfg.clients, sizeof(*cs));
	th = calloc(cfg.clients, sizeof(*th));
	if (!cs || !th)
		return 1;
	for (unsigned i = 0; i < cfg.clients; i++) {
		cs[i].id = i;
		cs[i].u = &cfg.users[i % cfg.nusers];
		cs[i].rng = gen_seed(((uint64_t)getpid() << 20) + i + 1);
		if (!(cs[i].h = curl_easy_init()) || pthread_create(&th[i], NULL, run_client, &cs[i]) != 0)
			return 1;
	}
	for (unsigned i = 0; i < cfg.clients; i++)
		pthread_join(th[i], NULL);
	elapsed = now();
	for (int op = 0; op < OP_N; op++) {
		series all = { 0 };
		for (unsigned i = 0; i < cfg.clients; i++) {
			for (size_t k = 0; k < cs[i].s[op].n; k++)
				add(&all, cs[i].s[op].v[k]);
			all.errors += cs[i].s[op].errors;
		}
		errors += all.errors;
		if (!all.n && !all.errors)
			continue;
		if (all.n)
			qsort(all.v, all.n, sizeof(double), cmp_d);
		printf("%s %zu errors %lu rps %.1f p50 %.2f p99 %.2f\n", op_name[op], all.n, all.errors,
		       (double)all.n / elapsed, all.n ? 1000 * all.v[(all.n - 1) / 2] : 0,
		       all.n ? 1000 * all.v[(size_t)((double)(all.n - 1) * 0.99)] : 0);
		free(all.v);
	}
	{
		unsigned down = 0;
		for (unsigned i = 0; i < cfg.clients; i++) {
			if (cs[i].token[0] && !cs[i].down)
				sign_out(&cs[i]);
			down += cs[i].down;
			curl_easy_cleanup(cs[i].h);
			series_free(cs[i].s, OP_N);
		}
		printf("elapsed %.1f s, clients %u, lost connections %u\n", elapsed, cfg.clients, down);
	}
	if (journal)
		fclose(journal);
	free(cs);
	free(th);
	free(copy_busy);
	return errors ? 1 : 0;
}
