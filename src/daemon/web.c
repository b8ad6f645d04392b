/*
 * web.c - what the web pages need beyond the API the command line uses:
 * passkey sign-in and registration, the session cookie and its
 * anti-forgery token.
 *
 * The pages' session is the same library session a signed challenge opens
 * (scrvault/passkey.h), carried in a cookie the pages' scripts cannot read:
 *   __Host-scrvault=TOKEN; Path=/; Secure; HttpOnly; SameSite=Strict
 * A request that changes anything and is authenticated by that cookie must
 * also carry X-CSRF-Token, an HMAC of the session token under a key this
 * run of the service made (the pages keep it in memory only and get it
 * again from GET /v1/whoami), and an Origin, when the browser sends one,
 * equal to the pages' own.  A bearer token is never sent by a browser on
 * its own, so it needs neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include "daemon.h"
#include "handlers.h"
#include "scrvault/passkey.h"

#define COOKIE		"__Host-scrvault"
#define CSRF_HEADER	"X-CSRF-Token"

int svd_web_origin(svd_daemon *d, const char *origin, const char *host, int port)
{
	if (RAND_bytes(d->csrf_key, sizeof(d->csrf_key)) != 1)
		return -1;
	d->origin[0] = '\0';
	if (origin) {
		if (strncmp(origin, "https://", 8) != 0 || strlen(origin) >= sizeof(d->origin) ||
		    strcspn(origin + 8, "/?#") != strlen(origin + 8))
			return -1;
		snprintf(d->origin, sizeof(d->origin), "%s", origin);
		return 0;
	}
	if (!host)
		return 0;
	/* A passkey's site is a name, never an address: loopback is "localhost". */
	if (!strcmp(host, "127.0.0.1") || !strcmp(host, "::1") || !strcmp(host, "[::1]") || !*host)
		host = "localhost";
	if (strspn(host, "0123456789.:[]") == strlen(host))
		return 0;	/* an address: no pages' origin unless --origin names one */
	snprintf(d->origin, sizeof(d->origin), "https://%s:%d", host, port);
	return 0;
}

void svd_web_csrf(const svd_req *r, char out[64])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t j = 0;

	out[0] = '\0';
	if (!HMAC(EVP_sha256(), r->d->csrf_key, sizeof(r->d->csrf_key), (const unsigned char *)r->token,
		  strlen(r->token), mac, &n) || n < 32)
		return;
	/* 32 bytes, base64url without padding: 43 characters. */
	for (size_t i = 0; i < 30; i += 3) {
		unsigned v = (unsigned)mac[i] << 16 | (unsigned)mac[i + 1] << 8 | mac[i + 2];
		out[j++] = b64u[v >> 18 & 63];
		out[j++] = b64u[v >> 12 & 63];
		out[j++] = b64u[v >> 6 & 63];
		out[j++] = b64u[v & 63];
	}
	unsigned v = (unsigned)mac[30] << 8 | mac[31];
	out[j++] = b64u[v >> 10 & 63];
	out[j++] = b64u[v >> 4 & 63];
	out[j++] = b64u[v << 2 & 63];
	out[j] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
}

/* The value of cookie `name` in a Cookie header into out[len]: 1, 0 none, -1 twice. */
static int cookie_value(char *out, size_t len, const char *header, const char *name)
{
	size_t n = strlen(name);
	int found = 0;

	for (const char *p = header; p && *p;) {
		p += strspn(p, " \t");
		const char *end = strchr(p, ';');
		size_t plen = end ? (size_t)(end - p) : strlen(p);

		if (plen > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			if (found || plen - n - 1 >= len)
				return -1;
			memcpy(out, p + n + 1, plen - n - 1);
			out[plen - n - 1] = '\0';
			found = 1;
		}
		p = end ? end + 1 : NULL;
	}
	return found;
}

int svd_web_cookie(svd_req *r)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->ev);
	const char *cookie = evhttp_find_header(h, "Cookie");
	enum evhttp_cmd_type m = evhttp_request_get_command(r->ev);
	char want[64];
	int rc;

	if (!cookie || (rc = cookie_value(r->token, sizeof(r->token), cookie, COOKIE)) == 0)
		return 0;
	if (rc < 0 || !svd_token_ok(r->token)) {
		explicit_bzero(r->token, sizeof(r->token));
		svd_reply_error(r, 401, 3, "the session cookie is malformed: sign in again", NULL);
		return -1;
	}
	r->by_cookie = true;
	if (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD)
		return 1;
	/* A state-changing request: from the pages themselves, or nothing. */
	const char *origin = evhttp_find_header(h, "Origin");
	const char *site = evhttp_find_header(h, "Sec-Fetch-Site");
	const char *csrf = evhttp_find_header(h, CSRF_HEADER);

	if ((origin && (!r->d->origin[0] || strcmp(origin, r->d->origin) != 0)) ||
	    (site && strcmp(site, "same-origin") != 0)) {
		svd_reply_error(r, 403, 3, "this request came from another site: the vault's pages make their own "
				"requests", "origin");
		return -1;
	}
	svd_web_csrf(r, want);
	if (!csrf || !want[0] || strlen(csrf) != strlen(want) || CRYPTO_memcmp(csrf, want, strlen(want)) != 0) {
		svd_reply_error(r, 403, 3, "the request carries no valid anti-forgery token (" CSRF_HEADER "): "
				"reload the page and try again", "csrf");
		return -1;
	}
	return 1;
}

/* ---- passkeys ---------------------------------------------------------------------- */

/* The pages' origin, or a 404 saying how to give the service one. */
static bool have_origin(svd_req *r)
{
	if (r->d->origin[0])
		return true;
	svd_reply_error(r, 404, 4, "this service has no web pages: start it with --listen HOST:PORT (and --origin "
			"https://NAME:PORT when HOST is an address)", NULL);
	return false;
}

static bool no_query(svd_req *r)
{
	if (!r->query)
		return true;
	svd_reply_error(r, 400, 2, "this route takes no query", NULL);
	return false;
}

int svd_h_passkey_challenge(svd_req *r)
{
	scrvault_json *out = NULL;

	if (!no_query(r) || !have_origin(r))
		return 0;
	return svd_reply_result(r, scrvault_passkey_challenge(&out, r->d->v, r->d->origin), &out);
}

int svd_h_passkey_login(svd_req *r)
{
	scrvault_passkey_login_spec s = SCRVAULT_PASSKEY_LOGIN_SPEC_INIT;
	scrvault_json *out = NULL;
	char csrf[64], cookie[200], *text = NULL;
	const char *token;
	int rc, n;

	if (!no_query(r) || !have_origin(r))
		return 0;
	if (svd_addr_blocked(r->d, r->client)) {
		svd_reply_error(r, 429, 3, "too many failed sign-ins from this address: wait 15 minutes", NULL);
		return 0;
	}
	s.origin = r->d->origin;
	s.challenge = svd_str(r, "challenge");
	s.credential = svd_str(r, "credential");
	s.client_data = svd_str(r, "client_data");
	s.authenticator_data = svd_str(r, "authenticator_data");
	s.signature = svd_str(r, "signature");
	s.client = r->client;
	if ((rc = scrvault_passkey_login(&out, r->d->v, &s)) == SCRVAULT_EDENIED) {
		const char *f = scrvault_error_field();

		if (f && (!strcmp(f, "sessions") || !strcmp(f, "failures"))) {
			svd_reply_error(r, 429, 3, scrvault_error_message(), f);
			return 0;
		}
		svd_addr_failed(r->d, r->client);
		svd_reply_error(r, 401, 3, scrvault_error_message(), f);
		return 0;
	}
	if (rc < 0)
		return rc;
	r->d->last_auth = time(NULL);
	token = scrvault_json_str(scrvault_json_get(out, "token"));
	snprintf(r->token, sizeof(r->token), "%s", token ? token : "");
	svd_web_csrf(r, csrf);
	/* The token goes in the cookie only: the pages' scripts never hold it. */
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", r->token);
	char *who = scrvault_json_quote(scrvault_json_str(scrvault_json_get(out, "principal")));
	char *sid = scrvault_json_quote(scrvault_json_str(scrvault_json_get(out, "session")));

	n = who && sid ? asprintf(&text, "{\"principal\":%s,\"session\":%s,\"csrf\":\"%s\",\"expires\":%lld,"
				  "\"idle_expires\":%lld}", who, sid, csrf,
				  (long long)scrvault_json_int(scrvault_json_get(out, "expires")),
				  (long long)scrvault_json_int(scrvault_json_get(out, "idle_expires"))) : -1;
	free(who);
	free(sid);
	scrvault_json_free(out);
	if (n < 0) {
		explicit_bzero(cookie, sizeof(cookie));
		return SCRVAULT_ERROR;
	}
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Set-Cookie", cookie);
	explicit_bzero(cookie, sizeof(cookie));
	svd_reply_text(r, 200, "application/json", text, (size_t)n);
	free(text);
	return 0;
}

/* A registration acts for the link's holder, or for the session that asks. */
static int registrant(svd_req *r, const char **link)
{
	*link = svd_str(r, "link");
	if (*link) {
		if (strlen(*link) != 43 || !svd_token_ok(*link)) {
			svd_reply_error(r, 422, 2, "the link is the 43 characters after link= in what the coordinator "
					"sent", "link");
			return -1;
		}
		return 0;
	}
	return svd_authenticate(r);
}

int svd_h_passkey_registration(svd_req *r)
{
	scrvault_passkey_begin b = SCRVAULT_PASSKEY_BEGIN_INIT;
	scrvault_json *out = NULL;

	if (!no_query(r) || !have_origin(r) || registrant(r, &b.link) < 0)
		return 0;
	b.origin = r->d->origin;
	return svd_reply_result(r, scrvault_passkey_registration(&out, r->d->v, &b), &out);
}

int svd_h_passkey_register(svd_req *r)
{
	scrvault_passkey_reg_spec s = SCRVAULT_PASSKEY_REG_SPEC_INIT;
	scrvault_json *out = NULL;

	if (!no_query(r) || !have_origin(r) || registrant(r, &s.link) < 0)
		return 0;
	s.origin = r->d->origin;
	s.challenge = svd_str(r, "challenge");
	s.client_data = svd_str(r, "client_data");
	s.attestation_object = svd_str(r, "attestation_object");
	s.name = svd_str(r, "name");
	s.client = r->client;
	return svd_reply_result(r, scrvault_passkey_register(&out, r->d->v, &s), &out);
}

int svd_h_passkeys(svd_req *r)
{
	scrvault_json *out = NULL;
	char who[65];
	int rc = svd_query_get(who, sizeof(who), r->query, "principal");
	static const char *const keys[] = { "principal", NULL };

	if (rc < 0 || svd_query_check(r->query, keys) < 0) {
		svd_reply_error(r, 400, 2, "the query takes principal=NAME only", NULL);
		return 0;
	}
	return svd_reply_result(r, scrvault_passkey_list(&out, r->d->v, rc == 1 ? who : NULL), &out);
}

int svd_h_passkey_remove(svd_req *r)
{
	scrvault_json *out = NULL;

	if (!no_query(r))
		return 0;
	return svd_reply_result(r, scrvault_passkey_remove(&out, r->d->v, r->m.params[0]), &out);
}

int svd_h_passkey_link(svd_req *r)
{
	scrvault_json *out = NULL;
	char *url = NULL;
	int rc;

	if (!no_query(r))
		return 0;
	if ((rc = scrvault_passkey_link(&out, r->d->v, r->m.params[0])) < 0)
		return rc;
	/* Where the holder opens it, when the service has pages. */
	if (r->d->origin[0] &&
	    asprintf(&url, "%s/#/register?link=%s", r->d->origin, scrvault_json_str(scrvault_json_get(out, "link"))) > 0) {
		scrvault_json_set_str(out, "url", url);
		explicit_bzero(url, strlen(url));
		free(url);
	}
	return svd_reply_result(r, 0, &out);
}
