/*
 * schema.c - the database schema, versioned.  Version N of the schema is the
 * result of applying migrations[0..N-1] in order to an empty database; a new
 * database is made the same way, so there is one definition of each table.
 *
 * What lives here is sensitive (titles, names, contact details, wrapped
 * keys): the whole file is encrypted by SQLCipher and secure_delete is on.
 */
#include <stdio.h>
#include "storage/schema.h"
#include "storage/db.h"
#include "base/common.h"

static const char *const migrations[] = {
	/* 1: the vault core */
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE vault_keys("
	"  name TEXT PRIMARY KEY, public BLOB, wrapped BLOB NOT NULL);"
	"CREATE TABLE principals("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('person', 'agency', 'service')),"
	"  agency TEXT, contact TEXT,"
	"  custodian INTEGER NOT NULL DEFAULT 0,"
	"  ed25519_pub BLOB NOT NULL, x25519_pub BLOB NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'active',"
	"  created_at TEXT NOT NULL, created_by INTEGER, revoked_at TEXT);"
	"CREATE TABLE cases("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  review_type TEXT NOT NULL,"
	"  subject_dob TEXT, decision_date TEXT,"
	"  status TEXT NOT NULL DEFAULT 'open',"
	"  opened_at TEXT NOT NULL,"
	"  opened_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE TABLE documents("
	"  id TEXT PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  class TEXT NOT NULL, agency TEXT, title TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  created_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE INDEX documents_case ON documents(case_id);"
	"CREATE TABLE versions("
	"  doc_id TEXT NOT NULL REFERENCES documents(id),"
	"  version INTEGER NOT NULL,"
	"  filename TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  sha256 BLOB NOT NULL,"
	"  ct_sha256 BLOB NOT NULL,"
	"  blob_oid TEXT NOT NULL,"
	"  commit_oid TEXT NOT NULL,"
	"  wrapped_dek BLOB,"
	"  note TEXT,"
	"  state TEXT NOT NULL DEFAULT 'live',"
	"  checked_in_at TEXT NOT NULL,"
	"  checked_in_by INTEGER NOT NULL REFERENCES principals(id),"
	"  PRIMARY KEY (doc_id, version));"
	"CREATE TABLE audit("
	"  seq INTEGER PRIMARY KEY,"
	"  entry TEXT NOT NULL,"
	"  leaf BLOB NOT NULL);",

	/* 2: the audit Merkle tree and its signed checkpoints */
	"CREATE TABLE audit_nodes("
	"  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,"
	"  PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE checkpoints("
	"  size INTEGER PRIMARY KEY,"
	"  root BLOB NOT NULL,"
	"  note TEXT NOT NULL,"
	"  commit_oid TEXT NOT NULL,"
	"  signed_at TEXT NOT NULL);",

	/* 3: checkpoints are signed in the command's transaction and copied to
	 * the store later: commit_oid is NULL until then */
	"CREATE TABLE checkpoints_new("
	"  size INTEGER PRIMARY KEY,"
	"  root BLOB NOT NULL,"
	"  note TEXT NOT NULL,"
	"  commit_oid TEXT,"
	"  signed_at TEXT NOT NULL);"
	"INSERT INTO checkpoints_new SELECT size, root, note, commit_oid, signed_at FROM checkpoints;"
	"DROP TABLE checkpoints;"
	"ALTER TABLE checkpoints_new RENAME TO checkpoints;",

	/* 4: policy, scoped roles, the release ledger, sign-offs, dual control */
	"CREATE TABLE policy_versions("
	"  version INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  sha256 BLOB NOT NULL,"
	"  blob_oid TEXT NOT NULL,"
	"  wrapped_dek BLOB,"
	"  loaded_at TEXT NOT NULL,"
	"  loaded_by INTEGER REFERENCES principals(id),"
	"  approved_by INTEGER REFERENCES principals(id));"
	"CREATE TABLE policy_roles("
	"  role TEXT PRIMARY KEY,"
	"  scope TEXT NOT NULL CHECK (scope IN ('board', 'case', 'case-agency')));"
	"CREATE TABLE policy_allow("
	"  role TEXT NOT NULL, action TEXT NOT NULL, class TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (role, action, class)) WITHOUT ROWID;"
	"CREATE TABLE policy_classes("
	"  class TEXT PRIMARY KEY, title TEXT NOT NULL,"
	"  restricted INTEGER NOT NULL DEFAULT 0, agency INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE policy_dual(action TEXT PRIMARY KEY);"
	"CREATE TABLE grants("
	"  id INTEGER PRIMARY KEY,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  role TEXT NOT NULL,"
	"  case_ref TEXT NOT NULL DEFAULT '',"
	"  agency TEXT NOT NULL DEFAULT '',"
	"  granted_at TEXT NOT NULL,"
	"  granted_by INTEGER REFERENCES principals(id),"
	"  UNIQUE (principal_id, role, case_ref, agency));"
	"INSERT INTO grants(principal_id, role, granted_at)"
	"  SELECT id, 'coordinator', created_at FROM principals WHERE custodian = 1 AND status = 'active';"
	"CREATE TABLE releases("
	"  id INTEGER PRIMARY KEY,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  role TEXT NOT NULL,"
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  released_at TEXT NOT NULL,"
	"  request TEXT NOT NULL,"
	"  audit_seq INTEGER NOT NULL);"
	"CREATE INDEX releases_principal ON releases(principal_id);"
	"CREATE TABLE signoffs("
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  statement TEXT NOT NULL,"
	"  signature BLOB NOT NULL,"
	"  signed_at TEXT NOT NULL,"
	"  PRIMARY KEY (doc_id, version, principal_id));"
	"CREATE TABLE pending_ops("
	"  id TEXT PRIMARY KEY,"
	"  action TEXT NOT NULL,"
	"  params TEXT NOT NULL,"
	"  requested_by INTEGER NOT NULL REFERENCES principals(id),"
	"  requested_at TEXT NOT NULL,"
	"  expires_at TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  decided_by INTEGER REFERENCES principals(id),"
	"  decided_at TEXT);",

	/* 5: bundles: intake (agency -> vault) and releases (vault -> reader) */
	"CREATE TABLE intakes("
	"  id INTEGER PRIMARY KEY,"
	"  bundle_id TEXT UNIQUE,"			/* the signed manifest's id; NULL unsigned */
	"  file_sha256 BLOB NOT NULL UNIQUE,"		/* the bundle file as received */
	"  principal_id INTEGER REFERENCES principals(id),"	/* the signer; NULL unsigned */
	"  received_from TEXT,"				/* unsigned: who, as the importer says */
	"  authenticated INTEGER NOT NULL,"
	"  manifest TEXT, signature BLOB,"
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  imported_at TEXT NOT NULL,"
	"  imported_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE TABLE bundle_releases("
	"  id INTEGER PRIMARY KEY,"
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  to_principal INTEGER REFERENCES principals(id),"	/* NULL: an outside reader */
	"  to_recipient TEXT NOT NULL,"			/* age1... */
	"  reason TEXT,"
	"  manifest TEXT NOT NULL, signature BLOB NOT NULL,"
	"  released_at TEXT NOT NULL,"
	"  released_by INTEGER NOT NULL REFERENCES principals(id),"
	"  request TEXT NOT NULL,"
	"  audit_seq INTEGER NOT NULL);"
	"CREATE INDEX bundle_releases_doc ON bundle_releases(doc_id, version);",

	/* 6: the numbered-copy register */
	"ALTER TABLE policy_classes ADD COLUMN max_copies INTEGER NOT NULL DEFAULT 10;"
	"ALTER TABLE policy_classes ADD COLUMN marking TEXT NOT NULL DEFAULT 'OFFICIAL-SENSITIVE';"
	"CREATE TABLE copies("
	"  id INTEGER PRIMARY KEY,"
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('paper', 'electronic')),"
	"  number INTEGER NOT NULL,"			/* #n of that version and kind */
	"  state TEXT NOT NULL CHECK (state IN ('in-store', 'issued', 'returned', 'lost', 'destroyed')),"
	"  holder_id INTEGER REFERENCES principals(id),"	/* while issued (or last issued) */
	"  ext_name TEXT, ext_org TEXT,"			/* an outside holder */
	"  contact TEXT, purpose TEXT, due TEXT,"	/* recorded at issue */
	"  issued_at TEXT, issued_by INTEGER REFERENCES principals(id),"
	"  ack_at TEXT, ack_kind TEXT, ack_statement TEXT, ack_signature BLOB,"
	"  release_id INTEGER,"				/* electronic: bundle_releases.id */
	"  created_at TEXT NOT NULL,"
	"  created_by INTEGER NOT NULL REFERENCES principals(id),"
	"  UNIQUE (doc_id, version, kind, number));"
	"CREATE INDEX copies_state_due ON copies(state, due);"
	"CREATE INDEX copies_holder ON copies(holder_id, state);"
	"CREATE TABLE copy_events("
	"  id INTEGER PRIMARY KEY,"
	"  copy_id INTEGER NOT NULL REFERENCES copies(id),"
	"  event TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL,"
	"  at TEXT NOT NULL, by_id INTEGER NOT NULL REFERENCES principals(id),"
	"  holder_id INTEGER, witness_id INTEGER, note TEXT,"
	"  audit_seq INTEGER NOT NULL);"
	"CREATE INDEX copy_events_copy ON copy_events(copy_id);",

	/* 7: access requests, FOI deadlines, the working-day calendar */
	"CREATE TABLE policy_holidays(day TEXT PRIMARY KEY, name TEXT NOT NULL);"
	"CREATE TABLE requests("
	"  id INTEGER PRIMARY KEY,"
	"  channel TEXT NOT NULL CHECK (channel IN ('internal', 'external', 'foi')),"
	"  requester_id INTEGER REFERENCES principals(id),"	/* a principal, or */
	"  ext_kind TEXT CHECK (ext_kind IS NULL OR ext_kind IN"
	"    ('media', 'public', 'council', 'partner', 'inspectorate')),"
	"  ext_name TEXT, ext_org TEXT, ext_contact TEXT,"	/* an outside requester */
	"  case_id INTEGER REFERENCES cases(id),"		/* the whole case, or request_docs */
	"  reason TEXT NOT NULL,"
	"  received_on TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'agreed', 'refused')),"
	"  decided_at TEXT, decided_by INTEGER REFERENCES principals(id),"
	"  decision_reason TEXT, exemption TEXT,"
	"  consulted_id INTEGER REFERENCES principals(id),"
	"  valid_until TEXT, max_releases INTEGER,"
	"  releases_used INTEGER NOT NULL DEFAULT 0,"
	"  responded_on TEXT,"
	"  created_at TEXT NOT NULL,"
	"  created_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE INDEX requests_open ON requests(responded_on, channel);"
	"CREATE TABLE request_docs("
	"  request_id INTEGER NOT NULL REFERENCES requests(id),"
	"  doc_id TEXT NOT NULL REFERENCES documents(id),"
	"  PRIMARY KEY (request_id, doc_id)) WITHOUT ROWID;"
	"CREATE INDEX request_docs_doc ON request_docs(doc_id);"
	"CREATE TABLE request_clock("
	"  id INTEGER PRIMARY KEY,"
	"  request_id INTEGER NOT NULL REFERENCES requests(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('fee', 'clarification')),"
	"  stopped_on TEXT NOT NULL, resumed_on TEXT, note TEXT);"
	"ALTER TABLE releases ADD COLUMN access_request INTEGER;"
	"ALTER TABLE bundle_releases ADD COLUMN access_request INTEGER;"
	"ALTER TABLE copies ADD COLUMN access_request INTEGER;",

	/* 8: retention: rules, case conclusion, holds, disposal batches, destruction records */
	"CREATE TABLE policy_retention("
	"  class TEXT NOT NULL,"			/* '*': classes without their own rules */
	"  action TEXT NOT NULL CHECK (action IN ('destroy', 'review', 'keep')),"
	"  amount INTEGER NOT NULL, unit TEXT, trigger TEXT);"
	"ALTER TABLE cases ADD COLUMN concluded_on TEXT;"
	"ALTER TABLE cases ADD COLUMN action_plan_approved_on TEXT;"
	"ALTER TABLE cases ADD COLUMN ofsted_approved_on TEXT;"
	"ALTER TABLE cases ADD COLUMN published_on TEXT;"
	"CREATE TABLE holds("
	"  id INTEGER PRIMARY KEY,"
	"  scope TEXT NOT NULL CHECK (scope IN ('board', 'case', 'doc')),"
	"  case_id INTEGER REFERENCES cases(id), doc_id TEXT REFERENCES documents(id),"
	"  class TEXT,"					/* a board-wide hold may name one class */
	"  reason TEXT NOT NULL,"
	"  placed_at TEXT NOT NULL, placed_by INTEGER NOT NULL REFERENCES principals(id),"
	"  released_at TEXT, released_by INTEGER REFERENCES principals(id), release_reason TEXT);"
	"CREATE TABLE disposal_batches("
	"  id INTEGER PRIMARY KEY,"
	"  state TEXT NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'approved', 'refused', 'done')),"
	"  proposed_at TEXT NOT NULL, proposed_by INTEGER NOT NULL REFERENCES principals(id),"
	"  decided_at TEXT, decided_by INTEGER REFERENCES principals(id));"
	"CREATE TABLE disposal_items("
	"  batch_id INTEGER NOT NULL REFERENCES disposal_batches(id),"
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  PRIMARY KEY (batch_id, doc_id, version)) WITHOUT ROWID;"
	"CREATE TABLE destructions("
	"  id INTEGER PRIMARY KEY,"
	"  doc_id TEXT NOT NULL, version INTEGER NOT NULL,"
	"  class TEXT NOT NULL, case_ref TEXT NOT NULL,"
	"  rule TEXT NOT NULL, trigger_on TEXT, due_on TEXT NOT NULL,"
	"  destroyed_at TEXT NOT NULL,"
	"  sha256 BLOB NOT NULL, ct_sha256 BLOB NOT NULL,"
	"  authorised_by TEXT NOT NULL,"		/* 'rule' or 'batch N approved by NAME' */
	"  job_principal INTEGER NOT NULL REFERENCES principals(id),"
	"  audit_seq INTEGER NOT NULL,"
	"  UNIQUE (doc_id, version));",

	/* 9: the copies still out listed from one partial covering index; a paper copy's N stored with it */
	"ALTER TABLE copies ADD COLUMN paper_total INTEGER;"	/* paper: copies of the version */
	"UPDATE copies SET paper_total = (SELECT count(*) FROM copies x WHERE x.doc_id = copies.doc_id"
	"  AND x.version = copies.version AND x.kind = 'paper') WHERE kind = 'paper';"
	"CREATE INDEX copies_out ON copies(state, due, id, doc_id, version, kind, number, paper_total,"
	"  holder_id, ext_name, issued_at, ack_kind) WHERE state IN ('issued', 'lost');",

	/*
	 * 10: an outside requester's age recipient (a restricted release goes
	 * outside only to the key the request names); the release ledgers' audit
	 * entry numbers, which pointed one entry early (read before the release's
	 * own entry was appended, in the same transaction, so always + 1).
	 */
	"ALTER TABLE requests ADD COLUMN ext_recipient TEXT;"
	"UPDATE bundle_releases SET audit_seq = audit_seq + 1;"
	"UPDATE releases SET audit_seq = audit_seq + 1 WHERE role = 'recipient';",

	/*
	 * 11: every key each principal ever had (a release is never addressed
	 * to one that ended; `principal impact` finds releases to any of
	 * them), and a copy destruction's witness statement and signature.
	 */
	"CREATE TABLE principal_keys("
	"  id INTEGER PRIMARY KEY,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  ed25519_pub BLOB NOT NULL, x25519_pub BLOB NOT NULL,"
	"  from_at TEXT NOT NULL, until_at TEXT,"		/* until: NULL while current */
	"  ended_by TEXT);"					/* rotated, revoked */
	"CREATE INDEX principal_keys_x ON principal_keys(x25519_pub);"
	"CREATE INDEX principal_keys_principal ON principal_keys(principal_id, until_at);"
	"INSERT INTO principal_keys(principal_id, ed25519_pub, x25519_pub, from_at, until_at, ended_by)"
	"  SELECT id, ed25519_pub, x25519_pub, created_at, CASE WHEN status = 'active' THEN NULL"
	"  ELSE coalesce(revoked_at, created_at) END, CASE WHEN status = 'active' THEN NULL ELSE 'revoked' END"
	"  FROM principals ORDER BY id;"
	"ALTER TABLE copy_events ADD COLUMN witness_name TEXT;"
	"ALTER TABLE copy_events ADD COLUMN witness_statement TEXT;"
	"ALTER TABLE copy_events ADD COLUMN witness_signature BLOB;",

	/*
	 * 12: dual control counts people, separation of duties.  A pending
	 * operation names whom it concerns (target), the log's length when it
	 * was asked for (request_seq) and the key fingerprints of who asked and
	 * who decided.  Triggers note the log's length whenever a principal is
	 * made, gets new keys or is granted a role, whichever code does it, so
	 * that a decision can tell what happened during the pending window
	 * (changed after request_seq).  The policy's [separation] conflicts.
	 */
	"ALTER TABLE pending_ops ADD COLUMN target TEXT;"
	"ALTER TABLE pending_ops ADD COLUMN request_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE pending_ops ADD COLUMN requested_fpr TEXT;"
	"ALTER TABLE pending_ops ADD COLUMN decided_fpr TEXT;"
	"ALTER TABLE principals ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE principals ADD COLUMN keys_changed_at TEXT;"
	"ALTER TABLE principals ADD COLUMN keys_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN granted_seq INTEGER NOT NULL DEFAULT 0;"
	"UPDATE principals SET keys_changed_at = created_at;"
	"CREATE TRIGGER principals_made AFTER INSERT ON principals BEGIN"
	"  UPDATE principals SET created_seq = (SELECT coalesce(max(seq), 0) FROM audit),"
	"    keys_seq = (SELECT coalesce(max(seq), 0) FROM audit), keys_changed_at = NEW.created_at"
	"  WHERE id = NEW.id; END;"
	"CREATE TRIGGER principals_rekeyed AFTER UPDATE OF ed25519_pub, x25519_pub ON principals"
	"  WHEN NEW.ed25519_pub IS NOT OLD.ed25519_pub OR NEW.x25519_pub IS NOT OLD.x25519_pub BEGIN"
	"  UPDATE principals SET keys_seq = (SELECT coalesce(max(seq), 0) FROM audit),"
	"    keys_changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = NEW.id; END;"
	"CREATE TRIGGER grants_made AFTER INSERT ON grants BEGIN"
	"  UPDATE grants SET granted_seq = (SELECT coalesce(max(seq), 0) FROM audit) WHERE id = NEW.id; END;"
	"CREATE TABLE policy_conflicts("
	"  conflict INTEGER NOT NULL, role TEXT NOT NULL,"
	"  PRIMARY KEY (conflict, role)) WITHOUT ROWID;",

	/*
	 * 13: electronic copies end honestly, publication gated.  A copy may be
	 * 'transferred' (an electronic release kept by the recipient under its
	 * own retention; the organisation in transferred_to, never in the log).
	 * SQLite cannot alter a CHECK: the table's text gains the state (its
	 * documented writable_schema way, for a constraint that only widens),
	 * and renaming the table there and back makes this connection read the
	 * new text too (the references to it follow each rename).  A hold has a
	 * kind (criminal-proceedings and coroner holds stop publication); the
	 * holds placed before have theirs read from their reason, once.  A
	 * publication against its gates records the override's reason.
	 */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_master SET sql = replace(sql, '''lost'', ''destroyed'')',"
	"  '''lost'', ''destroyed'', ''transferred'')') WHERE type = 'table' AND name = 'copies';"
	"PRAGMA writable_schema = OFF;"
	"ALTER TABLE copies RENAME TO copies_13;"
	"ALTER TABLE copies_13 RENAME TO copies;"
	"ALTER TABLE copies ADD COLUMN transferred_to TEXT;"
	"ALTER TABLE holds ADD COLUMN kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN"
	"  ('criminal-proceedings', 'coroner', 'inquiry', 'foi-appeal', 'other'));"
	"UPDATE holds SET kind = CASE"
	"  WHEN lower(reason) LIKE '%criminal%' OR lower(reason) LIKE '%prosecution%' OR lower(reason) LIKE '%trial%'"
	"    THEN 'criminal-proceedings'"
	"  WHEN lower(reason) LIKE '%coroner%' OR lower(reason) LIKE '%inquest%' THEN 'coroner'"
	"  WHEN lower(reason) LIKE '%inquiry%' THEN 'inquiry'"
	"  WHEN lower(reason) LIKE '%foi%' OR lower(reason) LIKE '%freedom of information%' THEN 'foi-appeal'"
	"  ELSE 'other' END;"
	"ALTER TABLE cases ADD COLUMN publish_override TEXT;",

	/*
	 * 14: declared masters (records/master.c): the version a coordinator
	 * declared, or the one fixed when the case concluded; the outcomes of
	 * retention reviews (a `review` rule: kept until a date, or destroyed
	 * through the normal purge).
	 */
	"ALTER TABLE documents ADD COLUMN master_version INTEGER;"
	"ALTER TABLE documents ADD COLUMN master_basis TEXT;"		/* declared, concluded */
	"ALTER TABLE documents ADD COLUMN master_at TEXT;"
	"ALTER TABLE documents ADD COLUMN master_by INTEGER REFERENCES principals(id);"
	"CREATE TABLE retention_reviews("
	"  id INTEGER PRIMARY KEY,"
	"  doc_id TEXT NOT NULL REFERENCES documents(id), version INTEGER NOT NULL,"
	"  decision TEXT NOT NULL CHECK (decision IN ('keep', 'destroy')),"
	"  keep_until TEXT, reason TEXT,"
	"  decided_at TEXT NOT NULL, decided_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE INDEX retention_reviews_version ON retention_reviews(doc_id, version);",

	/*
	 * 15: the review's timeline (issue 19): the day the case came to the
	 * Board's attention (a referral received; 000 §5.7), which starts the
	 * clock on the decision to hold a review.
	 */
	"ALTER TABLE cases ADD COLUMN received_on TEXT;",

	/*
	 * 16: referrals and decisions (records/referral.c).  A referral is the
	 * first stage of its case (cases.status 'referred', review_type
	 * 'undecided' until the decision; 'no-review' and 'none' after a
	 * decision not to review): who notified the Board and what they said
	 * (kept here, never in the log), the sub-committee's recommendation and
	 * the chair's decision with their rationale documents, and each
	 * notification sent, once per recipient.
	 */
	"CREATE TABLE referrals("
	"  case_id INTEGER PRIMARY KEY REFERENCES cases(id),"
	"  notifier TEXT NOT NULL, notifier_agency TEXT NOT NULL, summary TEXT,"
	"  form_doc TEXT REFERENCES documents(id),"
	"  recorded_at TEXT NOT NULL, recorded_by INTEGER NOT NULL REFERENCES principals(id),"
	"  recommended TEXT CHECK (recommended IN ('scr', 'sir', 'interagency', 'none')),"
	"  recommended_on TEXT, recommendation_doc TEXT REFERENCES documents(id),"
	"  recommended_by INTEGER REFERENCES principals(id),"
	"  decision TEXT CHECK (decision IN ('scr', 'sir', 'interagency', 'none')),"
	"  decided_on TEXT, decision_doc TEXT REFERENCES documents(id),"
	"  decided_by INTEGER REFERENCES principals(id));"
	"CREATE TABLE referral_notices("
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  recipient TEXT NOT NULL CHECK (recipient IN ('ofsted', 'dfe', 'national-panel', 'notifier')),"
	"  sent_on TEXT NOT NULL,"
	"  recorded_at TEXT NOT NULL, recorded_by INTEGER NOT NULL REFERENCES principals(id),"
	"  PRIMARY KEY (case_id, recipient)) WITHOUT ROWID;",

	/*
	 * 17: the statutory clocks (issue 19).  policy_timescales: the installed
	 * policy's [timescales], one row per clock and review type (resolved, so
	 * no fallback is needed when reading).  commissions: an IMR asked of an
	 * agency (its progress is derived from versions and sign-offs, never
	 * stored).  case_events: the milestones a coordinator records
	 * (extension, evaluation, completed, summary-sent, plan-sent,
	 * plan-review, plan-closed), each with the audit entry that recorded it.
	 * An extension's reason stays here, never in the audit log.
	 */
	"CREATE TABLE policy_timescales("
	"  clock TEXT NOT NULL, review_type TEXT NOT NULL,"
	"  amount INTEGER NOT NULL, unit TEXT NOT NULL, anchor TEXT NOT NULL,"
	"  PRIMARY KEY (clock, review_type));"
	"CREATE TABLE commissions("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  agency TEXT NOT NULL, author TEXT NOT NULL,"
	"  commissioned_on TEXT NOT NULL, due_on TEXT,"
	"  audit_seq INTEGER,"
	"  created_at TEXT NOT NULL, created_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE INDEX commissions_case ON commissions(case_id);"
	"CREATE TABLE case_events("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('extension', 'evaluation', 'completed', 'summary-sent',"
	"    'plan-sent', 'plan-review', 'plan-closed')),"
	"  on_day TEXT NOT NULL,"		/* the day it happened (an extension: the new due date) */
	"  told_on TEXT, rating TEXT, reason TEXT,"
	"  audit_seq INTEGER,"
	"  created_at TEXT NOT NULL, created_by INTEGER NOT NULL REFERENCES principals(id));"
	"CREATE INDEX case_events_case ON case_events(case_id, kind);",

	/*
	 * 18: the Board's report (services/report.c) counts the copies issued
	 * and returned in a period from this index alone, not a scan of every
	 * copy's history.
	 */
	"CREATE INDEX copy_events_moves ON copy_events(to_state, at);",

	/*
	 * 19: the Board's report counts the copies out at the end of a period
	 * (issued and lost, by kind, and those past their due date) as ranges
	 * of this index, not by reading every entry of the wide copies_out.
	 */
	"CREATE INDEX copies_state_kind ON copies(state, kind, due);",

	/*
	 * 20: a service's sessions (records/signin.c): a token is kept only as
	 * its SHA-256; times are unix seconds; failed sign-ins are counted per
	 * name (the limit looks back 15 minutes).
	 */
	"CREATE TABLE sessions("
	"  id TEXT PRIMARY KEY,"
	"  token_sha256 BLOB NOT NULL UNIQUE,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  client TEXT,"
	"  created INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires INTEGER NOT NULL,"
	"  ended_at INTEGER, end_reason TEXT);"
	"CREATE INDEX sessions_principal ON sessions(principal_id) WHERE ended_at IS NULL;"
	"CREATE TABLE login_failures("
	"  id INTEGER PRIMARY KEY,"
	"  principal TEXT NOT NULL, client TEXT, at INTEGER NOT NULL);"
	"CREATE INDEX login_failures_principal ON login_failures(principal, at);",

	/*
	 * 21: passkeys (records/passkey.c).  A session keeps its own idle time
	 * and how it was opened ("key", "passkey"; NULL: before 21, a key), and
	 * the passkey it was opened with (removing one ends them).  A
	 * passkey is a WebAuthn credential of one principal for one site (rp_id):
	 * its public key (DER SubjectPublicKeyInfo) and signature counter; a
	 * link to register one is kept only as its token's SHA-256, answers once
	 * and expires.
	 */
	"ALTER TABLE sessions ADD COLUMN idle_seconds INTEGER;"
	"ALTER TABLE sessions ADD COLUMN method TEXT;"
	"ALTER TABLE sessions ADD COLUMN passkey TEXT;"
	"CREATE TABLE passkeys("
	"  id TEXT PRIMARY KEY,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  credential BLOB NOT NULL,"
	"  rp_id TEXT NOT NULL,"
	"  spki BLOB NOT NULL, alg INTEGER NOT NULL,"
	"  sign_count INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  created INTEGER NOT NULL, last_used INTEGER,"
	"  removed_at INTEGER,"
	"  UNIQUE(rp_id, credential));"
	"CREATE INDEX passkeys_principal ON passkeys(principal_id) WHERE removed_at IS NULL;"
	"CREATE TABLE passkey_links("
	"  token_sha256 BLOB PRIMARY KEY,"
	"  principal_id INTEGER NOT NULL REFERENCES principals(id),"
	"  created INTEGER NOT NULL, created_by INTEGER NOT NULL REFERENCES principals(id),"
	"  expires INTEGER NOT NULL, used_at INTEGER);",

	/*
	 * 22: a sign-off, or a destruction's witnessing, made in the browser
	 * keeps its passkey's assertion (records/passkey.c: the record
	 * scrvault_passkey_proof_check reads) as its proof, and an empty
	 * signature.
	 */
	("ALTER TABLE signoffs ADD COLUMN proof TEXT;"
	 "ALTER TABLE copy_events ADD COLUMN witness_proof TEXT;"),

	/*
	 * 23: the statutory clocks (records/timeline.c: load_facts, for the
	 * agenda, the timelines and the Board's report) read every IMR's
	 * versions with their check-in day.  Two covering indexes answer that
	 * from small pages, not from the documents' and versions' rows (every
	 * page read is decrypted and authenticated).
	 */
	("CREATE INDEX documents_imr ON documents(class, agency, case_id, id);"
	 "CREATE INDEX versions_checkin ON versions(doc_id, version, checked_in_at);"),
};

static int set_version(sv_db *db, int version)
{
	return sv_db_run(db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
			 "i", (int64_t)version);
}

static int apply(sv_db *db, int from)
{
	int n = (int)SV_ARRAY_SIZE(migrations), error;

	for (int i = from; i < n; i++) {
		if ((error = sv_db_begin(db)) < 0)
			return error;
		if ((error = sv_db_exec(db, migrations[i])) < 0 ||
		    (error = set_version(db, i + 1)) < 0 ||
		    (error = sv_db_commit(db)) < 0) {
			sv_db_rollback(db);
			return sv_error_wrap(error, "schema migration %d", i + 1);
		}
	}
	return 0;
}

int sv_schema_create(sv_db *db)
{
	return apply(db, 0);
}

int sv_schema_migrate(sv_db *db)
{
	int64_t have = 0;
	int n = (int)SV_ARRAY_SIZE(migrations), error;

	if ((error = sv_db_int(&have, db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'", "")) < 0)
		return error;
	if (error == 0)
		return sv_error(SCRVAULT_EINTEGRITY, "database has no schema version");
	if (have > n)
		return sv_error(SCRVAULT_ECONFLICT,
				"database schema %lld is newer than this program (%d): upgrade scrvault",
				(long long)have, n);
	return have < n ? apply(db, (int)have) : 0;
}
