/*
 * routes.c - the route table and the pure reading of a request's target.
 *
 * The table is the service's surface: `scrvaultd --routes` prints it and
 * tests/cli/api-doc.sh holds docs/API.md to it.  This file must never
 * decode a path, touch the vault or see a secret (router.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "router.h"
#include "handlers.h"

/* The fuzz target links the table without the handlers. */
#ifdef SVD_ROUTES_ONLY
#define H(f) NULL
#else
#define H(f) f
#endif

#define KiB 1024u
#define MiB (1024u * 1024u)
#define UPLOAD_CHUNK_BODY (8u * MiB)

const svd_route svd_routes[] = {
	/* the service */
	{ "GET", "/v1/status", H(svd_h_status), SVD_SEALED, 0, "sealed or not, the vault id and verifier key, the version" },
	{ "POST", "/v1/unseal/offer", H(svd_h_unseal_offer), SVD_SEALED, 0, "a one-time offer for a custodian to answer" },
	{ "POST", "/v1/unseal", H(svd_h_unseal), SVD_SEALED | SVD_JSON, 16 * KiB, "unseal with a custodian's signed answer" },
	{ "POST", "/v1/seal", H(svd_h_seal), SVD_AUTH, 0, "seal now (a custodian)" },
	{ "GET", "/v1/tls/ca", H(svd_h_tls_ca), SVD_SEALED, 0, "the vault CA's certificate (PEM), to pin" },
	/* the pages, built in (pages.c) */
	{ "GET", "/", H(svd_h_page_index), SVD_SEALED, 0, "the pages: index.html" },
	{ "GET", "/app/{file}", H(svd_h_page_file), SVD_SEALED, 0, "a file of the pages, by its exact name" },
	/* sessions */
	{ "POST", "/v1/session/challenge", H(svd_h_challenge), SVD_JSON, 1 * KiB, "a challenge for a principal to sign" },
	{ "POST", "/v1/session", H(svd_h_login), SVD_JSON, 2 * KiB, "sign in with a signed challenge: a session token" },
	{ "DELETE", "/v1/session", H(svd_h_logout), SVD_AUTH, 0, "sign out" },
	{ "GET", "/v1/sessions", H(svd_h_sessions), SVD_AUTH, 0, "live sessions" },
	{ "DELETE", "/v1/sessions/{session}", H(svd_h_session_revoke), SVD_AUTH, 0, "revoke a session" },
	{ "GET", "/v1/whoami", H(svd_h_whoami), SVD_AUTH, 0, "the principal and role of this session" },
	/* passkeys: the web pages' sign-in */
	{ "POST", "/v1/passkeys/challenge", H(svd_h_passkey_challenge), SVD_JSON, 1 * KiB,
	  "a challenge for a passkey sign-in" },
	{ "POST", "/v1/session/passkey", H(svd_h_passkey_login), SVD_JSON, 16 * KiB,
	  "sign in with a passkey: the pages' session cookie and anti-forgery token" },
	{ "POST", "/v1/passkeys/registration", H(svd_h_passkey_registration), SVD_JSON, 1 * KiB,
	  "options to register a passkey (a link's holder, or a session)" },
	{ "POST", "/v1/passkeys", H(svd_h_passkey_register), SVD_JSON, 64 * KiB,
	  "register the passkey the browser made" },
	{ "GET", "/v1/passkeys", H(svd_h_passkeys), SVD_AUTH, 0, "the session's passkeys (or a principal's)" },
	{ "DELETE", "/v1/passkeys/{passkey}", H(svd_h_passkey_remove), SVD_AUTH, 0,
	  "remove a passkey: its sessions end" },
	{ "POST", "/v1/principals/{principal}/passkey-link", H(svd_h_passkey_link), SVD_AUTH, 0,
	  "a one-time link for a principal to register a passkey" },
	/* cases and documents */
	{ "GET", "/v1/cases", H(svd_h_cases), SVD_AUTH, 0, "the cases the role reaches" },
	{ "POST", "/v1/cases", H(svd_h_case_open), SVD_AUTH | SVD_JSON, 8 * KiB, "open a case" },
	{ "GET", "/v1/cases/{case}", H(svd_h_case), SVD_AUTH, 0, "one case" },
	{ "POST", "/v1/cases/{case}/conclude", H(svd_h_case_conclude), SVD_AUTH | SVD_JSON, 4 * KiB, "conclude a case" },
	{ "POST", "/v1/cases/{case}/reopen", H(svd_h_case_reopen), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "reopen a concluded case (a custodian)" },
	{ "POST", "/v1/cases/{case}/publish", H(svd_h_case_publish), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "the executive summary was published" },
	{ "GET", "/v1/cases/{case}/timeline", H(svd_h_case_timeline), SVD_AUTH, 0, "a case's timeline and clocks" },
	{ "POST", "/v1/cases/{case}/commissions", H(svd_h_case_commission), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "commission an agency's IMR" },
	{ "POST", "/v1/cases/{case}/extension", H(svd_h_case_extend), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "extend the completion clock" },
	{ "POST", "/v1/cases/{case}/evaluation", H(svd_h_case_evaluation), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "Ofsted's evaluation received" },
	{ "POST", "/v1/cases/{case}/milestones", H(svd_h_case_milestone), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "a clock's milestone happened" },
	{ "GET", "/v1/clocks", H(svd_h_clocks), SVD_AUTH, 0, "every case's clocks, filtered" },
	{ "GET", "/v1/commissions", H(svd_h_commissions), SVD_AUTH, 0, "every IMR commission the role sees, with its progress" },
	{ "GET", "/v1/cases/{case}/docs", H(svd_h_case_docs), SVD_AUTH, 0, "a case's documents" },
	{ "GET", "/v1/docs", H(svd_h_docs), SVD_AUTH, 0, "every document the role reaches" },
	{ "GET", "/v1/sent", H(svd_h_sent), SVD_AUTH, 0, "the IMRs and chronologies sent, the most recent first" },
	{ "GET", "/v1/docs/{doc}", H(svd_h_doc), SVD_AUTH, 0, "one document" },
	{ "GET", "/v1/docs/{doc}/log", H(svd_h_doc_log), SVD_AUTH, 0, "a document's versions" },
	{ "GET", "/v1/docs/{doc}/versions/{version}/content", H(svd_h_doc_content), SVD_AUTH, 0,
	  "check out a version: its bytes" },
	{ "GET", "/v1/docs/{doc}/versions/{version}/signoff-statement", H(svd_h_signoff_statement), SVD_AUTH, 0,
	  "the statement an authorising manager signs" },
	{ "POST", "/v1/docs/{doc}/versions/{version}/copies", H(svd_h_copy_create), SVD_AUTH | SVD_JSON, 1 * KiB,
	  "make numbered paper copies" },
	{ "POST", "/v1/docs/{doc}/versions/{version}/release", H(svd_h_release), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "release a version to a reader: the age bundle" },
	{ "POST", "/v1/docs/{doc}/versions/{version}/declare", H(svd_h_doc_declare), SVD_AUTH, 0,
	  "declare a version the document's master" },
	{ "GET", "/v1/docs/{doc}/versions/{version}/receipt", H(svd_h_doc_receipt), SVD_AUTH, 0,
	  "the vault's signed receipt of a version's check-in" },
	{ "POST", "/v1/docs/{doc}/versions/{version}/signoff", H(svd_h_signoff), SVD_AUTH | SVD_JSON, 8 * KiB,
	  "record a sign-off signed on the signer's machine" },
	/* registers */
	{ "GET", "/v1/agenda", H(svd_h_agenda), SVD_AUTH, 0, "what is due" },
	{ "GET", "/v1/principals", H(svd_h_principals), SVD_AUTH, 0, "the principals" },
	{ "POST", "/v1/principals", H(svd_h_principal_enrol), SVD_AUTH | SVD_JSON, 32 * KiB,
	  "register a holder from their enrolment request" },
	{ "GET", "/v1/principals/{principal}", H(svd_h_principal), SVD_AUTH, 0, "one principal" },
	{ "POST", "/v1/principals/{principal}/roles", H(svd_h_principal_grant), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "grant a role" },
	{ "POST", "/v1/principals/{principal}/roles/revoke", H(svd_h_principal_ungrant), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "take a role away" },
	{ "GET", "/v1/principals/{principal}/impact", H(svd_h_principal_impact), SVD_AUTH, 0,
	  "every version released to a principal" },
	{ "POST", "/v1/principals/{principal}/revoke", H(svd_h_principal_revoke), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "revoke a principal (their sessions end)" },
	{ "GET", "/v1/copies", H(svd_h_copies), SVD_AUTH, 0, "the numbered-copy register" },
	{ "GET", "/v1/copies/{copy}/history", H(svd_h_copy_history), SVD_AUTH, 0, "one copy's history" },
	{ "POST", "/v1/copies/{copy}/issue", H(svd_h_copy_issue), SVD_AUTH | SVD_JSON, 8 * KiB, "issue a numbered copy" },
	{ "GET", "/v1/copies/{copy}/receipt-statement", H(svd_h_copy_ack_statement), SVD_AUTH, 0,
	  "the receipt statement a holder signs" },
	{ "POST", "/v1/copies/{copy}/acknowledge", H(svd_h_copy_acknowledge), SVD_AUTH | SVD_JSON, 8 * KiB,
	  "the holder's signed receipt (or a paper one)" },
	{ "POST", "/v1/copies/{copy}/destroy", H(svd_h_copy_destroy), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "a copy destroyed, with a witness" },
	{ "POST", "/v1/copies/{copy}/lost", H(svd_h_copy_lost), SVD_AUTH | SVD_JSON, 4 * KiB, "a copy lost" },
	{ "POST", "/v1/copies/{copy}/print", H(svd_h_copy_print), SVD_AUTH, 0, "the stamped PDF of a paper copy" },
	{ "POST", "/v1/copies/{copy}/return", H(svd_h_copy_return), SVD_AUTH | SVD_JSON, 4 * KiB, "a copy returned" },
	{ "POST", "/v1/copies/{copy}/transfer", H(svd_h_copy_transfer), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "an electronic copy kept by its recipient" },
	{ "GET", "/v1/copies/{copy}/witness-statement", H(svd_h_copy_witness_statement), SVD_AUTH, 0,
	  "the statement a destruction's witness signs" },
	{ "POST", "/v1/copies/{copy}/witness", H(svd_h_copy_witness), SVD_AUTH | SVD_JSON, 8 * KiB,
	  "the witness's signed statement" },
	{ "GET", "/v1/recall/{subject}", H(svd_h_copy_recall), SVD_AUTH, 0, "every copy of a case or document still out" },
	{ "GET", "/v1/requests", H(svd_h_requests), SVD_AUTH, 0, "the access-request register" },
	{ "POST", "/v1/requests", H(svd_h_request_new), SVD_AUTH | SVD_JSON, 16 * KiB, "record an access request" },
	{ "GET", "/v1/requests/due", H(svd_h_requests_due), SVD_AUTH, 0, "FOI requests due soon, and overdue ones" },
	{ "GET", "/v1/requests/{request}", H(svd_h_request), SVD_AUTH, 0, "one access request" },
	{ "POST", "/v1/requests/{request}/decision", H(svd_h_request_decide), SVD_AUTH | SVD_JSON, 8 * KiB,
	  "agree or refuse an access request" },
	{ "POST", "/v1/requests/{request}/response", H(svd_h_request_respond), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "the answer was sent" },
	{ "POST", "/v1/requests/{request}/clock", H(svd_h_request_clock), SVD_AUTH | SVD_JSON, 8 * KiB,
	  "stop or restart an FOI request's clock" },
	{ "GET", "/v1/holds", H(svd_h_holds), SVD_AUTH, 0, "legal holds" },
	{ "POST", "/v1/holds", H(svd_h_hold_place), SVD_AUTH | SVD_JSON, 8 * KiB, "place a legal hold" },
	{ "POST", "/v1/holds/{hold}/lift", H(svd_h_hold_lift), SVD_AUTH | SVD_JSON, 8 * KiB, "lift a legal hold" },
	{ "GET", "/v1/retention/plan", H(svd_h_retention_plan), SVD_AUTH, 0, "what retention makes due" },
	{ "POST", "/v1/retention/confirm", H(svd_h_retention_confirm), SVD_AUTH, 0,
	  "the board confirms the current policy's retention rules" },
	{ "POST", "/v1/retention/reviews", H(svd_h_retention_review), SVD_AUTH | SVD_JSON, 8 * KiB,
	  "a version's review outcome: kept until a date, or to be destroyed" },
	{ "GET", "/v1/retention/batches", H(svd_h_retention_batches), SVD_AUTH, 0,
	  "the disposal batches with their state and destruction records" },
	{ "POST", "/v1/retention/batches", H(svd_h_retention_propose), SVD_AUTH, 0,
	  "propose a disposal batch of the masters due" },
	{ "POST", "/v1/retention/batches/{batch}/approve", H(svd_h_retention_approve), SVD_AUTH, 0,
	  "a records manager approves a disposal batch" },
	{ "POST", "/v1/retention/batches/{batch}/refuse", H(svd_h_retention_refuse), SVD_AUTH, 0,
	  "refuse a disposal batch" },
	{ "GET", "/v1/retention/certificates/{record}", H(svd_h_retention_certificate), SVD_AUTH, 0,
	  "a destruction record with its audit entry's inclusion proof" },
	{ "GET", "/v1/mirrors", H(svd_h_mirrors), SVD_AUTH, 0, "the mirrors" },
	{ "POST", "/v1/mirrors", H(svd_h_mirror_add), SVD_AUTH | SVD_JSON, 4 * KiB, "register a mirror" },
	/* the jobs */
	{ "POST", "/v1/retention/purge", H(svd_h_retention_purge), SVD_AUTH | SVD_JSON, 1 * KiB,
	  "destroy what is due and allowed ({\"dry_run\"})" },
	{ "POST", "/v1/backups", H(svd_h_backup), SVD_AUTH, 0, "an encrypted backup into the operator's --backup-dir" },
	{ "POST", "/v1/mirrors/push", H(svd_h_mirror_push), SVD_AUTH | SVD_JSON, 1 * KiB,
	  "push the store to one mirror ({\"name\"}) or all" },
	/* policy */
	{ "GET", "/v1/policy", H(svd_h_policy_show), SVD_AUTH, 0, "a policy version (?version=N)" },
	{ "POST", "/v1/policy", H(svd_h_policy_load), SVD_AUTH | SVD_JSON, 256 * KiB,
	  "load a policy (dual control: a second custodian approves)" },
	/* operations under dual control */
	{ "GET", "/v1/ops", H(svd_h_ops), SVD_AUTH, 0, "pending and decided operations" },
	{ "GET", "/v1/ops/status", H(svd_h_ops_status), SVD_AUTH, 0, "whether dual control is in force" },
	{ "POST", "/v1/ops/{op}/approve", H(svd_h_op_approve), SVD_AUTH, 0, "a second custodian approves" },
	{ "POST", "/v1/ops/{op}/refuse", H(svd_h_op_refuse), SVD_AUTH, 0, "a second custodian refuses" },
	/* referrals */
	{ "GET", "/v1/referrals", H(svd_h_referrals), SVD_AUTH, 0, "the referrals" },
	{ "POST", "/v1/referrals", H(svd_h_referral_new), SVD_AUTH | SVD_JSON, 8 * MiB, "record a referral" },
	{ "GET", "/v1/referrals/{case}", H(svd_h_referral), SVD_AUTH, 0, "one referral" },
	{ "POST", "/v1/referrals/{case}/recommendation", H(svd_h_referral_recommend), SVD_AUTH | SVD_JSON, 8 * MiB,
	  "the sub-committee's recommendation, its rationale's text" },
	{ "POST", "/v1/referrals/{case}/decision", H(svd_h_referral_decide), SVD_AUTH | SVD_JSON, 8 * MiB,
	  "the chair's decision, its rationale's text" },
	{ "POST", "/v1/referrals/{case}/notices", H(svd_h_referral_notify), SVD_AUTH | SVD_JSON, 4 * KiB,
	  "a notification sent" },
	/* audit */
	{ "GET", "/v1/audit/tail", H(svd_h_audit_tail), SVD_AUTH, 0, "the latest audit entries" },
	{ "GET", "/v1/audit/entries/{seq}", H(svd_h_audit_show), SVD_AUTH, 0, "one audit entry" },
	{ "GET", "/v1/audit/export", H(svd_h_audit_export), SVD_AUTH, 0, "a verifiable export (JSON Lines)" },
	{ "GET", "/v1/audit/proof/{seq}", H(svd_h_audit_prove), SVD_AUTH, 0, "an entry's inclusion proof" },
	{ "POST", "/v1/audit/proofs", H(svd_h_audit_prove_set), SVD_AUTH | SVD_JSON, 16 * KiB,
	  "a signed proof file of chosen entries" },
	{ "POST", "/v1/audit/checkpoint", H(svd_h_audit_checkpoint), SVD_AUTH, 0,
	  "sign a checkpoint if the log grew: the latest signed checkpoint" },
	{ "GET", "/v1/audit/pubkey", H(svd_h_audit_pubkey), SVD_AUTH, 0, "the audit verifier key" },
	{ "GET", "/v1/audit/restricted-releases", H(svd_h_audit_restricted), SVD_AUTH, 0,
	  "restricted documents released, and under which request" },
	{ "GET", "/v1/audit/destructions", H(svd_h_audit_destructions), SVD_AUTH, 0,
	  "versions and copies destroyed, with their certificates and witnesses" },
	{ "GET", "/v1/audit/readers/{doc}", H(svd_h_audit_readers), SVD_AUTH, 0,
	  "who did read a document, and who could have" },
	/* bundles and reports */
	{ "POST", "/v1/intake", H(svd_h_intake), SVD_AUTH | SVD_BYTES, UPLOAD_CHUNK_BODY,
	  "import a sealed bundle posted as it is: its receipt" },
	{ "POST", "/v1/reports/board", H(svd_h_report_board), SVD_AUTH | SVD_JSON, 1 * KiB,
	  "the Board's report for a period: the signed PDF" },
	{ "POST", "/v1/cases/{case}/report", H(svd_h_report_case), SVD_AUTH | SVD_JSON, 1 * KiB,
	  "a case's report: the signed PDF" },
	/* uploads */
	{ "POST", "/v1/uploads", H(svd_h_upload_begin), SVD_AUTH | SVD_JSON, 8 * KiB, "start a resumable upload" },
	{ "PUT", "/v1/uploads/{upload}", H(svd_h_upload_chunk), SVD_AUTH | SVD_BYTES, UPLOAD_CHUNK_BODY,
	  "one chunk at ?offset=N" },
	{ "GET", "/v1/uploads/{upload}", H(svd_h_upload_status), SVD_AUTH, 0, "how much has arrived" },
	{ "POST", "/v1/uploads/{upload}/finish", H(svd_h_upload_finish), SVD_AUTH, 0, "check it in: a signed receipt" },
	{ "DELETE", "/v1/uploads/{upload}", H(svd_h_upload_abort), SVD_AUTH, 0, "abandon an upload" },
	{ NULL, NULL, NULL, 0, 0, NULL }
};

/* A {param}: [A-Za-z0-9._@-], 1..SVD_PARAM_MAX bytes, not starting with '.'. */
static bool param_ok(const char *s, size_t n)
{
	if (n == 0 || n > SVD_PARAM_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

/*
 * The path as a whole: absolute, printable ASCII, no '%', no empty, "." or
 * ".." segment; "/" alone is the one path of no segment (the pages' index).
 */
static bool path_ok(const char *p, size_t len)
{
	if (len == 1 && p[0] == '/')
		return true;
	if (len < 2 || len > SVD_PATH_MAX || p[0] != '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c >= 0x7f || c == '%' || c == '\\')
			return false;
	}
	for (size_t i = 0; i < len; ) {
		size_t j = i + 1, n;
		while (j < len && p[j] != '/')
			j++;
		n = j - i - 1;
		if (n == 0 || (n == 1 && p[i + 1] == '.') || (n == 2 && p[i + 1] == '.' && p[i + 2] == '.'))
			return false;
		i = j;
	}
	return true;
}

/* Match one pattern against the path's segments; params into m. */
static bool pattern_match(svd_match *m, const char *pat, const char *p, size_t len)
{
	size_t i = 0, k = 0;

	m->nparams = 0;
	while (pat[k] == '/' && i < len && p[i] == '/') {
		size_t pe = k + 1, e = i + 1;
		while (pat[pe] && pat[pe] != '/')
			pe++;
		while (e < len && p[e] != '/')
			e++;
		if (pat[k + 1] == '{') {
			if (m->nparams >= SVD_PARAMS_MAX || !param_ok(p + i + 1, e - i - 1))
				return false;
			memcpy(m->params[m->nparams], p + i + 1, e - i - 1);
			m->params[m->nparams][e - i - 1] = '\0';
			m->nparams++;
		} else if (pe - k != e - i || memcmp(pat + k, p + i, e - i) != 0) {
			return false;
		}
		k = pe;
		i = e;
	}
	return pat[k] == '\0' && i == len;
}

int svd_route_match(svd_match *m, const char *method, const char *path, size_t len)
{
	bool other_method = false;

	memset(m, 0, sizeof(*m));
	if (!method || !path || !path_ok(path, len) || memchr(path, '\0', len))
		return SVD_MATCH_BAD;
	for (const svd_route *r = svd_routes; r->method; r++) {
		if (!pattern_match(m, r->pattern, path, len))
			continue;
		if (strcmp(r->method, method) != 0) {
			other_method = true;
			continue;
		}
		m->route = r;
		return SVD_MATCH_OK;
	}
	memset(m, 0, sizeof(*m));
	return other_method ? SVD_MATCH_METHOD : SVD_MATCH_NONE;
}

static bool qchar_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '@' || c == ':' || c == ',' || c == '-';
}

/*
 * Walk the query's "key=value" pairs; give each to `fn`.  -1 when malformed.
 */
typedef int (*pair_fn)(void *ctx, const char *k, size_t kn, const char *val, size_t vn);
static int query_walk(const char *q, pair_fn fn, void *ctx)
{
	size_t len;

	if (!q || !*q)
		return 0;
	if ((len = strlen(q)) > SVD_QUERY_MAX)
		return -1;
	for (size_t i = 0; i <= len; ) {
		size_t e = i, eq = SIZE_MAX;
		int rc;
		while (e < len && q[e] != '&') {
			if (q[e] == '=' && eq == SIZE_MAX)
				eq = e;
			else if (!qchar_ok((unsigned char)q[e]))
				return -1;
			e++;
		}
		if (eq == SIZE_MAX || eq == i)
			return -1;
		if ((rc = fn(ctx, q + i, eq - i, q + eq + 1, e - eq - 1)) != 0)
			return rc;
		i = e + 1;
	}
	return 0;
}

typedef struct {
	const char *key;
	char *out;
	size_t len;
	int found;
} get_ctx;

static int get_pair(void *ctx, const char *k, size_t kn, const char *val, size_t vn)
{
	get_ctx *g = ctx;

	if (strlen(g->key) != kn || memcmp(g->key, k, kn) != 0)
		return 0;
	if (g->found || vn + 1 > g->len)
		return -1;
	memcpy(g->out, val, vn);
	g->out[vn] = '\0';
	g->found = 1;
	return 0;
}

int svd_query_get(char *out, size_t len, const char *query, const char *key)
{
	get_ctx g = { key, out, len, 0 };

	if (len)
		out[0] = '\0';
	if (query_walk(query, get_pair, &g) < 0)
		return -1;
	return g.found;
}

static int known_pair(void *ctx, const char *k, size_t kn, const char *val, size_t vn)
{
	const char *const *keys = ctx;
	(void)val;
	(void)vn;

	for (size_t i = 0; keys && keys[i]; i++)
		if (strlen(keys[i]) == kn && memcmp(keys[i], k, kn) == 0)
			return 0;
	return -1;
}

int svd_query_check(const char *query, const char *const *keys)
{
	return query_walk(query, known_pair, (void *)keys) < 0 ? -1 : 0;
}

int svd_token_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 16 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}
