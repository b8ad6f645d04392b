/*
 * cmd_doc.c - scrvault doc checkin|upload|receipt|checkout|list|log|show|signoff|declare|release.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "cli.h"
#include "remote.h"

/* Write a receipt to `path` (created 0600, never replacing a file). */
static int write_receipt(const char *path, const scrvault_json *r)
{
	char *text = scrvault_json_text(r);
	FILE *f = NULL;
	int fd, e;

	if (!text) {
		fprintf(stderr, "scrvault: out of memory\n");
		return 1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    !(f = fdopen(fd, "w"))) {
		e = errno;
		if (fd >= 0)
			close(fd);
		free(text);
		fprintf(stderr, "scrvault: cannot create '%s': %s\n", path, strerror(e));
		return e == EEXIST ? 6 : 1;
	}
	fprintf(f, "%s\n", text);
	free(text);
	if (fclose(f) != 0) {
		fprintf(stderr, "scrvault: cannot write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(stderr, "wrote the receipt %s\n", path);
	return 0;
}

static const cli_col checkin_cols[] = {
	{ "doc", "DOCUMENT" }, { "version", "VER" }, { "size", "BYTES" },
	{ "sha256", "SHA-256" }, { "filename", "FILE" }, { NULL, NULL }
};

static int check_checkin(cli_args *a)
{
	const char *doc = cli_opt(a, "doc");

	if (doc && (cli_opt(a, "case") || cli_opt(a, "class") || cli_opt(a, "agency")))
		return cli_usage(a, "--doc (a new version) takes no --case, --class or --agency");
	if (!doc && (!cli_opt(a, "case") || !cli_opt(a, "class")))
		return cli_usage(a, "a new document needs --case REF and --class CLASS (or --doc ID for a new version)");
	if ((cli_opt(a, "title") || cli_opt(a, "filename") || cli_opt(a, "receipt")) && a->nargs != 1)
		return cli_usage(a, "--title, --filename and --receipt apply to a single file");
	return 0;
}

static int cmd_checkin(cli_args *a, scrvault *v)
{
	scrvault_checkin_spec s = SCRVAULT_CHECKIN_SPEC_INIT;
	scrvault_checkin_file *files;
	scrvault_json *j = NULL;
	int error;

	s.case_ref = cli_opt(a, "case");
	s.doc_class = cli_opt(a, "class");
	s.agency = cli_opt(a, "agency");
	s.doc = cli_opt(a, "doc");
	s.note = cli_opt(a, "note");
	if (!(files = calloc((size_t)a->nargs, sizeof(*files)))) {
		fprintf(stderr, "scrvault: out of memory\n");
		return 1;
	}
	for (int i = 0; i < a->nargs; i++) {
		files[i].path = a->args[i];
		files[i].title = cli_opt(a, "title");
		files[i].filename = cli_opt(a, "filename");
	}
	error = scrvault_doc_checkin(&j, v, &s, files, (size_t)a->nargs);
	free(files);
	if (error < 0)
		return cli_fail(error);
	if (!a->json)
		printf("checked in %zu version%s\n", scrvault_json_count(j), scrvault_json_count(j) == 1 ? "" : "s");
	if (cli_opt(a, "receipt")) {
		const scrvault_json *row = scrvault_json_at(j, 0);
		scrvault_json *r = NULL;

		if ((error = scrvault_receipt_make(&r, v, cli_str(row, "doc"), (unsigned)cli_int(row, "version"))) < 0) {
			cli_print_list(a, j, checkin_cols);
			fprintf(stderr, "scrvault: checked in, but no receipt was made\n");
			return cli_fail(error);
		}
		error = write_receipt(cli_opt(a, "receipt"), r);
		scrvault_json_free(r);
		if (error) {
			cli_print_list(a, j, checkin_cols);
			return error;
		}
	}
	return cli_print_list(a, j, checkin_cols);
}

/* ---- receipts, and uploads run in this process ---------------------------------- */

static int check_receipt(cli_args *a)
{
	if (cli_doc_version(a->args[0], NULL, 0) <= 0)
		return cli_usage(a, "give the exact version: DOC@VERSION");
	return 0;
}

/* A receipt to -o FILE, else on stdout; r freed here.  The exit status. */
static int print_receipt(const cli_args *a, scrvault_json *r)
{
	int error;

	if (cli_opt(a, "output")) {
		error = write_receipt(cli_opt(a, "output"), r);
	} else {
		char *text = scrvault_json_text(r);

		error = text ? (printf("%s\n", text), 0) : 1;
		free(text);
	}
	scrvault_json_free(r);
	return error;
}

static int cmd_receipt(cli_args *a, scrvault *v)
{
	scrvault_json *r = NULL;
	char doc[96];
	unsigned long ver = (unsigned long)cli_doc_version(a->args[0], doc, sizeof(doc));
	int error;

	if ((error = scrvault_receipt_make(&r, v, doc, (unsigned)ver)) < 0)
		return cli_fail(error);
	return print_receipt(a, r);
}

static int check_upload(cli_args *a)
{
	long long n;

	if (cli_opt(a, "chunk") && !cli_number(&n, cli_opt(a, "chunk"), 1, 1LL << 30))
		return cli_usage(a, "--chunk is a number of bytes");
	if (cli_opt(a, "stop-after") && !cli_number(&n, cli_opt(a, "stop-after"), 1, 1000000000))
		return cli_usage(a, "--stop-after is a number of chunks");
	if (!cli_opt(a, "resume"))
		return check_checkin(a);
	return 0;
}

static int cmd_upload(cli_args *a, scrvault *v)
{
	scrvault_checkin_spec cs = SCRVAULT_CHECKIN_SPEC_INIT;
	scrvault_upload_spec s = SCRVAULT_UPLOAD_SPEC_INIT;
	scrvault_json *j = NULL, *r = NULL;
	const char *path = a->args[0], *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char sha[65], id[40];
	long long chunk = 1 << 20, stop = 0, sent = 0;
	unsigned char *buf = NULL;
	uint64_t off;
	int fd = -1, error, rc = 0;

	if (cli_opt(a, "chunk"))
		(void)cli_number(&chunk, cli_opt(a, "chunk"), 1, 1LL << 30);
	if (cli_opt(a, "stop-after"))
		(void)cli_number(&stop, cli_opt(a, "stop-after"), 1, 1000000000);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		fprintf(stderr, "scrvault: cannot open '%s': %s\n", path, strerror(errno));
		return errno == ENOENT ? 4 : 1;
	}
	if (cli_opt(a, "resume")) {
		snprintf(id, sizeof(id), "%s", cli_opt(a, "resume"));
		error = scrvault_upload_status(&j, v, id);
	} else {
		off_t size = lseek(fd, 0, SEEK_END);

		if (size < 0 || lseek(fd, 0, SEEK_SET) < 0) {
			fprintf(stderr, "scrvault: cannot read '%s': %s\n", path, strerror(errno));
			close(fd);
			return 1;
		}
		if ((error = scrvault_file_sha256(sha, path)) < 0) {
			close(fd);
			return cli_fail(error);
		}
		cs.case_ref = cli_opt(a, "case");
		cs.doc_class = cli_opt(a, "class");
		cs.agency = cli_opt(a, "agency");
		cs.doc = cli_opt(a, "doc");
		cs.note = cli_opt(a, "note");
		s.checkin = &cs;
		s.filename = cli_opt(a, "filename") ? cli_opt(a, "filename") : base;
		s.title = cli_opt(a, "title");
		s.size = (uint64_t)size;
		s.sha256 = sha;
		if ((error = scrvault_upload_begin(&j, v, &s)) == 0)
			snprintf(id, sizeof(id), "%s", cli_str(j, "upload"));
	}
	if (error < 0) {
		close(fd);
		return cli_fail(error);
	}
	off = (uint64_t)cli_int(j, "received");
	scrvault_json_free(j);
	j = NULL;
	if (!(buf = malloc((size_t)chunk))) {
		close(fd);
		fprintf(stderr, "scrvault: out of memory\n");
		return 1;
	}
	for (;;) {
		ssize_t got = pread(fd, buf, (size_t)chunk, (off_t)off);

		if (got < 0) {
			fprintf(stderr, "scrvault: cannot read '%s': %s\n", path, strerror(errno));
			rc = 1;
			goto done;
		}
		if (got == 0)
			break;
		if (stop && sent == stop) {
			fprintf(stderr, "stopped after %lld chunk%s: upload %s has %llu bytes\n", sent,
				sent == 1 ? "" : "s", id, (unsigned long long)off);
			if (a->json)
				printf("{\"upload\":\"%s\",\"received\":%llu}\n", id, (unsigned long long)off);
			goto done;
		}
		if ((error = scrvault_upload_chunk(&j, v, id, off, buf, (size_t)got)) < 0) {
			rc = cli_fail(error);
			goto done;
		}
		off = (uint64_t)cli_int(j, "received");
		scrvault_json_free(j);
		j = NULL;
		sent++;
	}
	if ((error = scrvault_upload_finish(&r, v, id)) < 0) {
		rc = cli_fail(error);
		goto done;
	}
	if (cli_opt(a, "receipt") && (rc = write_receipt(cli_opt(a, "receipt"), r)) != 0)
		goto done;
	rc = cli_result(a, r, "uploaded %s in %lld chunk%s: %s version %lld (sha256 %s, audit entry %lld)\n", path,
			sent, sent == 1 ? "" : "s", cli_str(r, "doc"), cli_int(r, "version"), cli_str(r, "sha256"),
			cli_int(r, "seq"));
	r = NULL;
done:
	scrvault_json_free(r);
	scrvault_json_free(j);
	free(buf);
	close(fd);
	return rc;
}

/* --version N: 0 when not given, -1 when not a positive number. */
static long version_opt(const cli_args *a)
{
	long long n = 0;

	return cli_opt(a, "version") && !cli_number(&n, cli_opt(a, "version"), 1, 1000000) ? -1 : (long)n;
}

static const cli_col checkout_cols[] = {
	{ "doc", "DOCUMENT" }, { "version", "VER" }, { "file", "FILE" }, { NULL, NULL }
};

/* Several documents, or a whole case, into a directory. */
static bool checkout_dir(const cli_args *a)
{
	return cli_opt(a, "case") || a->nargs > 1;
}

static int check_checkout(cli_args *a)
{
	if (checkout_dir(a)) {
		if (cli_opt(a, "case") && a->nargs > 0)
			return cli_usage(a, "give --case REF or document ids, not both");
		if (!cli_opt(a, "output"))
			return cli_usage(a, "several documents need -o DIR (an existing directory)");
		return 0;
	}
	if (a->nargs == 0)
		return cli_usage(a, "which document? give DOC[@VERSION], several, or --case REF");
	if (cli_doc_version(a->args[0], NULL, 0) < 0)
		return cli_usage(a, "version must be a positive number: DOC@VERSION");
	if (version_opt(a) < 0)
		return cli_usage(a, "--version takes a positive number");
	if (!cli_opt(a, "output") && isatty(1))
		return cli_usage(a, "refusing to write a document to a terminal: give -o FILE or redirect");
	return 0;
}

static int cmd_checkout(cli_args *a, scrvault *v)
{
	const char *out = cli_opt(a, "output");
	unsigned flags = cli_flag(a, "force") ? SCRVAULT_CHECKOUT_FORCE : 0;
	unsigned version;
	char *at;
	int error;

	if (checkout_dir(a)) {
		scrvault_json *j = NULL;

		error = scrvault_doc_checkout_dir(&j, v, (const char *const *)a->args, (size_t)a->nargs,
						  cli_opt(a, "case"), out, flags);
		if (j) {
			if (!a->json)
				printf("checked out %zu document%s into %s\n", scrvault_json_count(j),
				       scrvault_json_count(j) == 1 ? "" : "s", out);
			cli_print_list(a, j, checkout_cols);
		}
		return error < 0 ? cli_fail(error) : 0;
	}
	version = (unsigned)(version_opt(a) ? version_opt(a) : cli_doc_version(a->args[0], NULL, 0));
	if ((at = strchr(a->args[0], '@')))
		*at = '\0';
	if ((error = scrvault_doc_checkout(v, a->args[0], version, out, flags)) < 0)
		return cli_fail(error);
	if (out)
		fprintf(stderr, "wrote %s\n", out);
	return 0;
}

static const cli_col doc_cols[] = {
	{ "doc", "DOCUMENT" }, { "case", "CASE" }, { "class", "CLASS" }, { "agency", "AGENCY" },
	{ "latest", "VER" }, { "master", "MASTER" }, { "updated_at", "UPDATED" }, { "title", "TITLE" }, { NULL, NULL }
};

static int cmd_list(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_doc_list(&j, v, cli_opt(a, "case")), &j, doc_cols);
}

static const cli_col log_cols[] = {
	{ "version", "VER" }, { "checked_in_at", "CHECKED IN" }, { "checked_in_by", "BY" },
	{ "size", "BYTES" }, { "state", "STATE" }, { "master", "MASTER" }, { "filename", "FILE" }, { "provenance", "PROVENANCE" },
	{ "note", "NOTE" }, { NULL, NULL }
};

static int cmd_log(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_listing(a, scrvault_doc_log(&j, v, a->args[0]), &j, log_cols);
}

static const cli_col show_fields[] = {
	{ "doc", "document" }, { "case", "case" }, { "class", "class" }, { "agency", "agency" },
	{ "title", "title" }, { "latest", "latest version" }, { "created_at", "created" },
	{ NULL, NULL }
};

static const cli_col signoff_cols[] = {
	{ "version", "VER" }, { "signer", "SIGNER" }, { "signed_at", "SIGNED" },
	{ "verification", "VERIFICATION" }, { NULL, NULL }
};

/* After a document's fields: its versions, sign-offs and master. */
static int show_versions(const scrvault_json *j)
{
	printf("\n");
	cli_table(scrvault_json_get(j, "versions"), log_cols);
	cli_table_if(scrvault_json_get(j, "signoffs"), "\nsign-offs:\n", signoff_cols);
	static const struct { const char *basis, *why; } whys[] = {
		{ "declared", "declared by the coordinator" }, { "concluded", "fixed when the case concluded" },
		{ "signed-off", "the newest with a valid sign-off" }, { "latest", "the latest: none declared or signed off" },
	};
	const char *basis = cli_str(j, "master_basis"), *why = basis;

	for (size_t i = 0; basis && i < sizeof(whys) / sizeof(whys[0]); i++)
		if (!strcmp(basis, whys[i].basis))
			why = whys[i].why;
	if (scrvault_json_get(j, "master_version") && !scrvault_json_is_null(scrvault_json_get(j, "master_version")))
		printf("\nmaster: version %lld (%s); every other version is a draft\n", cli_int(j, "master_version"),
		       why ? why : "");
	return 0;
}

static int cmd_show(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;

	return cli_show(a, scrvault_doc_show(&j, v, a->args[0]), &j, show_fields, show_versions);
}

static const cli_optdef signoff_opts[] = {
	{ "statement-out", 1, NULL, "FILE" }, { "statement", 1, "statement", "FILE" },
	{ "signature", 1, "signature", "FILE" }, { NULL, 0, NULL, NULL }
};

/* What signing off, declaring the master or releasing did (j freed here),
 * directly or through the service. */
static int print_signed_off(const cli_args *a, scrvault_json *j, unsigned ver)
{
	return cli_result(a, j, "signed off %s version %u as %s (sha256 %s)\n", cli_str(j, "doc"), ver,
			  cli_str(j, "signer"), cli_str(j, "sha256"));
}

static int print_declared(const cli_args *a, scrvault_json *j, unsigned ver)
{
	return cli_result(a, j, "declared version %u the master of %s (it was version %lld, %s); every other "
			  "version is a draft\n", ver, cli_str(j, "doc"), cli_int(j, "previous_master"),
			  cli_str(j, "previous_basis"));
}

static int print_released(const cli_args *a, scrvault_json *j)
{
	return cli_result(a, j, "release %lld: %s version %lld to %s in '%s' (only they can open it)\n",
			  cli_int(j, "release"), cli_str(j, "doc"), cli_int(j, "version"), cli_opt(a, "to"),
			  cli_opt(a, "output"));
}

static int check_signoff(cli_args *a)
{
	char doc[96];

	if (cli_doc_version(a->args[0], doc, sizeof(doc)) <= 0)
		return cli_usage(a, "give the exact version to sign off: DOC@VERSION");
	if (cli_opt(a, "statement-out") && (cli_opt(a, "statement") || cli_opt(a, "signature")))
		return cli_usage(a, "--statement-out asks for the statement; --statement and --signature give it signed: not both");
	if (!cli_opt(a, "statement") != !cli_opt(a, "signature"))
		return cli_usage(a, "give the signed statement with its signature: --statement FILE --signature FILE");
	return 0;
}

static int cmd_signoff(cli_args *a, scrvault *v)
{
	const char *out = cli_opt(a, "statement-out"), *stf = cli_opt(a, "statement"), *sgf = cli_opt(a, "signature");
	scrvault_json *j = NULL;
	char doc[96], *text = NULL, *sig = NULL;
	unsigned long ver = (unsigned long)cli_doc_version(a->args[0], doc, sizeof(doc));
	int error, rc;

	if (out) {
		/* The statement to sign elsewhere (with 'scrvault agent sign'). */
		if ((error = scrvault_doc_signoff_statement(&text, v, doc, (unsigned)ver)) < 0)
			return cli_fail(error);
		rc = cli_write_new(out, text);
		free(text);
		if (rc == 0)
			printf("the statement to sign for %s version %lu is in %s (valid for 5 minutes)\n", doc, ver, out);
		return rc;
	}
	if (stf) {
		if (!(text = cli_read_text(stf, 8192)) || !(sig = cli_read_text(sgf, 1024))) {
			free(text);
			return 1;
		}
		error = scrvault_doc_signoff_signed(&j, v, doc, (unsigned)ver, text, sig);
		free(text);
		free(sig);
	} else {
		error = scrvault_doc_signoff(&j, v, doc, (unsigned)ver);
	}
	if (error < 0)
		return cli_fail(error);
	return print_signed_off(a, j, (unsigned)ver);
}

static int check_declare(cli_args *a)
{
	if (cli_doc_version(a->args[0], NULL, 0) <= 0)
		return cli_usage(a, "give the version to declare the master: DOC@VERSION");
	return 0;
}

static int cmd_declare(cli_args *a, scrvault *v)
{
	scrvault_json *j = NULL;
	char doc[96];
	unsigned long ver = (unsigned long)cli_doc_version(a->args[0], doc, sizeof(doc));
	int error;

	if ((error = scrvault_doc_declare(&j, v, doc, (unsigned)ver)) < 0)
		return cli_fail(error);
	return print_declared(a, j, (unsigned)ver);
}

static int check_release(cli_args *a)
{
	if (cli_doc_version(a->args[0], NULL, 0) < 0)
		return cli_usage(a, "version must be a positive number: DOC@VERSION");
	if (!cli_opt(a, "to"))
		return cli_usage(a, "give the reader: --to PRINCIPAL or --to age1...");
	if (!cli_opt(a, "output"))
		return cli_usage(a, "give the bundle file to write (-o FILE)");
	return 0;
}

static int cmd_release(cli_args *a, scrvault *v)
{
	scrvault_release_spec s = SCRVAULT_RELEASE_SPEC_INIT;
	scrvault_json *j = NULL;
	char doc[96];

	s.doc_version = (unsigned)cli_doc_version(a->args[0], doc, sizeof(doc));
	s.doc = doc;
	s.to = cli_opt(a, "to");
	s.reason = cli_opt(a, "reason");
	s.output = cli_opt(a, "output");
	return cli_outcome(a, scrvault_doc_release(&j, v, &s), &j, print_released);
}

static const cli_optdef release_opts[] = {
	{ "to", 1, "to", "PRINCIPAL|age1..." }, { "reason", 1, "reason", "TEXT" }, { "output", 1, "output", "FILE" },
	CLI_OPT_REQUEST, { NULL, 0, NULL, NULL }
};
static const cli_optdef checkin_opts[] = {
	{ "case", 1, "case_ref", "REF" }, { "class", 1, "doc_class", "CLASS" }, { "agency", 1, "agency", "NAME" },
	{ "doc", 1, "doc", "ID" }, { "title", 1, "title", "TEXT" }, { "filename", 1, "filename", "NAME" },
	{ "note", 1, "note", "TEXT" }, { "receipt", 1, NULL, "FILE" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef upload_opts[] = {
	{ "case", 1, "case_ref", "REF" }, { "class", 1, "doc_class", "CLASS" }, { "agency", 1, "agency", "NAME" },
	{ "doc", 1, "doc", "ID" }, { "title", 1, "title", "TEXT" }, { "filename", 1, "filename", "NAME" },
	{ "note", 1, "note", "TEXT" }, { "receipt", 1, NULL, "FILE" }, { "chunk", 1, "chunk", "BYTES" },
	{ "stop-after", 1, NULL, "N" }, { "resume", 1, "upload", "ID" }, { NULL, 0, NULL, NULL }
};
static const cli_optdef receipt_opts[] = { { "output", 1, NULL, "FILE" }, { NULL, 0, NULL, NULL } };
static const cli_optdef checkout_opts[] = {
	{ "output", 1, "output,outpath,outdir", "FILE|DIR" }, { "version", 1, "version", "N" },
	{ "force", 0, "force", NULL }, { "case", 1, "case_ref", "REF" }, CLI_OPT_REQUEST, { NULL, 0, NULL, NULL }
};
static const cli_optdef list_opts[] = { { "case", 1, "case_ref", "REF" }, { NULL, 0, NULL, NULL } };

const cli_cmd cli_doc_commands[] = {
	{ "doc", "checkin", cmd_checkin, CLI_VAULT, check_checkin,
	  "scrvault doc checkin (--case REF --class CLASS [--agency NAME] | --doc ID) [options] FILE...",
	  "Check files in as new documents of a case (one commit for all), or one file as\n"
	  "a new version of document ID.\n\n"
	  "options:\n"
	  "  --case REF        the case of the new documents\n"
	  "  --class CLASS     imr, overview-report, executive-summary, action-plan,\n"
	  "                    combined-chronology, single-agency-chronology,\n"
	  "                    terms-of-reference, interview-record, panel-minutes,\n"
	  "                    notification-form, anonymised-submission, other\n"
	  "  --agency NAME     the authoring agency\n"
	  "  --doc ID          check in a new version of this document instead\n"
	  "  --title TEXT      title (one file only; default: the file name)\n"
	  "  --filename NAME   recorded file name (one file only; default: its base name)\n"
	  "  --note TEXT       a note on this version\n"
	  "  --receipt FILE    write the vault's signed receipt of the check-in (one file)\n",
	  checkin_opts, 1, -1 },
	{ "doc", "upload", cmd_upload, CLI_VAULT, check_upload,
	  "scrvault doc upload (--case REF --class CLASS [--agency NAME] | --doc ID) [--chunk BYTES] "
	  "[--stop-after N] [--resume ID] [--receipt FILE] [options] FILE",
	  "Check a file in as a resumable upload, in this process: announced with its size\n"
	  "and SHA-256, sent in chunks, each sealed into the vault's spool before it is\n"
	  "acknowledged, then checked in (as 'doc checkin') with a signed receipt. The\n"
	  "upload's key lives only in this process: an upload left unfinished is wiped\n"
	  "when the process ends (and by the next unlock). The service resumes uploads.\n\n"
	  "options:\n"
	  "  --case, --class, --agency, --doc, --title, --filename, --note  as 'doc checkin'\n"
	  "  --chunk BYTES     the chunk size (default 1 MiB; at most 8 MiB)\n"
	  "  --stop-after N    send N chunks, then stop without finishing (a dropped upload)\n"
	  "  --resume ID       continue upload ID (of this process only)\n"
	  "  --receipt FILE    write the signed receipt\n",
	  upload_opts, 1, 1 },
	{ "doc", "receipt", cmd_receipt, CLI_VAULT, check_receipt, "scrvault doc receipt DOC@VERSION [-o FILE]",
	  "The vault's signed receipt of a version's check-in: document, version, SHA-256,\n"
	  "size, time, the check-in's audit entry and its inclusion proof in a signed\n"
	  "checkpoint, signed by the audit key. 'scrvault-seal receipt verify' checks it\n"
	  "offline. No child's or family's details are in it.\n\n"
	  "options:\n"
	  "  -o, --output FILE the receipt to write (never replaces a file; default: print it)\n",
	  receipt_opts, 1, 1 },
	{ "doc", "checkout", cmd_checkout, CLI_VAULT, check_checkout,
	  "scrvault doc checkout [-o FILE|DIR] [--force] (DOC[@VERSION]... | --case REF)",
	  "Write the latest (or the given) version of a document to FILE, or to standard\n"
	  "output. The file appears only once the whole document has been verified.\n"
	  "Several documents, or every document of a case (--case), go into the existing\n"
	  "directory DIR under their recorded file names, with one unlock and one\n"
	  "transaction recording every release.\n\n"
	  "options:\n"
	  "  -o, --output FILE|DIR  where to write (files created 0600)\n"
	  "  --version N            the version (same as DOC@N; one document only)\n"
	  "  --case REF             every document of the case, latest versions\n"
	  "  --force                replace files that exist\n"
	  "  --request ID           the agreed access request a restricted document needs\n",
	  checkout_opts, 0, -1 },
	{ "doc", "list", cmd_list, CLI_VAULT, NULL, "scrvault doc list [--case REF] [--json]",
	  "List documents, of one case or all.\n", list_opts, 0, 0 },
	{ "doc", "log", cmd_log, CLI_VAULT, NULL, "scrvault doc log [--json] DOC",
	  "List the versions of a document.\n", NULL, 1, 1 },
	{ "doc", "show", cmd_show, CLI_VAULT, NULL, "scrvault doc show [--json] DOC",
	  "Show a document, its versions and its sign-offs (each verified again).\n", NULL, 1, 1 },
	{ "doc", "signoff", cmd_signoff, CLI_VAULT, check_signoff,
	  "scrvault doc signoff [--statement-out FILE | --statement FILE --signature FILE] DOC@VERSION",
	  "Sign off one exact version of an IMR as its agency's authorising manager\n"
	  "(an Ed25519 signature with your own key over its id, version and SHA-256).\n"
	  "To sign on your own machine instead: --statement-out writes the statement to\n"
	  "sign, 'scrvault agent sign' signs it, and --statement with --signature records\n"
	  "it (within 5 minutes; it must be that statement, signed by your registered key).\n\n"
	  "options:\n"
	  "  --statement-out FILE  write the statement to sign (created 0600)\n"
	  "  --statement FILE      the statement, signed elsewhere\n"
	  "  --signature FILE      its signature (base64)\n",
	  signoff_opts, 1, 1 },
	{ "doc", "declare", cmd_declare, CLI_VAULT, check_declare, "scrvault doc declare DOC@VERSION",
	  "Declare which version of a document is its master (the coordinator): the\n"
	  "master follows its class's retention rules and is destroyed only through a\n"
	  "disposal batch; every other version is a draft. Without a declaration the\n"
	  "master is an IMR's newest signed-off version, else the latest; concluding the\n"
	  "case fixes it. Refused (exit 6) once the case has concluded.\n",
	  NULL, 1, 1 },
	{ "doc", "release", cmd_release, CLI_VAULT, check_release,
	  "scrvault doc release DOC[@VERSION] --to PRINCIPAL|age1... -o FILE [--reason TEXT]",
	  "Encrypt one version to a reader (age format) with a manifest signed by the\n"
	  "vault: a principal, who must be allowed to read it, opens it with 'scrvault\n"
	  "open'; a reader outside the vault, given by an age recipient, with 'age -d'.\n"
	  "Each release is numbered and recorded (ledger and audit) before the document\n"
	  "key is used.\n\n"
	  "options:\n"
	  "  --to PRINCIPAL|age1...  the reader\n"
	  "  -o, --output FILE       the bundle to write (never replaces a file)\n"
	  "  --reason TEXT           why (required for a reader outside the vault)\n"
	  "  --request ID            the agreed access request a restricted document needs\n"
	  "                          (made by the reader)\n",
	  release_opts, 1, 1 },
	CLI_CMDS_END
};

/* ---- through the service ---------------------------------------------------------- */

/* DOC or DOC@VERSION: the document into doc, the version (0: none given). */
static int doc_arg(cli_args *a, const char *arg, char *doc, size_t len, unsigned *version)
{
	long v = cli_doc_version(arg, doc, len);

	if (v < 0 || !cli_remote_seg(a, "the document", doc))
		return v < 0 ? cli_usage(a, "give the document as DOC or DOC@VERSION") : 2;
	*version = (unsigned)v;
	return 0;
}

/* The latest version of doc, asked of the service. */
static int latest_of(cli_remote *r, const char *doc, unsigned *version)
{
	scrvault_json *j = NULL;
	char path[128];
	int st;

	snprintf(path, sizeof(path), "/v1/docs/%s", doc);
	if ((st = cli_remote_json(&j, r, "GET", path, NULL)) != 0)
		return st;
	*version = (unsigned)cli_int(j, "latest");
	scrvault_json_free(j);
	return *version ? 0 : cli_fail_message(4, "the document has no version", NULL);
}

static int remote_list(cli_args *a, cli_remote *r)
{
	char path[128];

	if (!cli_opt(a, "case"))
		snprintf(path, sizeof(path), "/v1/docs");	/* every case's */
	else if (!cli_remote_seg(a, "the case", cli_opt(a, "case")))
		return 2;
	else
		snprintf(path, sizeof(path), "/v1/cases/%s/docs", cli_opt(a, "case"));
	return cli_remote_get_list(a, r, path, doc_cols);
}

static int remote_log(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;

	return cli_remote_listing(a, cli_remote_arg_call(&j, a, r, "GET", "the document", "/v1/docs", "log", NULL), &j,
				  log_cols);
}

static int remote_show(cli_args *a, cli_remote *r)
{
	return cli_remote_show_arg(a, r, "the document", "/v1/docs", show_fields, show_versions);
}

static int remote_checkout(cli_args *a, cli_remote *r)
{
	const char *out = cli_opt(a, "output");
	char doc[96], path[200];
	unsigned version = 0;
	int st;

	if (checkout_dir(a) || a->nargs != 1)
		return cli_usage(a, "through the service, check out one document at a time (DOC[@VERSION] -o FILE)");
	if ((st = doc_arg(a, a->args[0], doc, sizeof(doc), &version)) != 0)
		return st;
	if (version_opt(a))
		version = (unsigned)version_opt(a);
	if (!version && (st = latest_of(r, doc, &version)) != 0)
		return st;
	snprintf(path, sizeof(path), "/v1/docs/%s/versions/%u/content", doc, version);
	if ((st = cli_remote_download(r, path, out, cli_flag(a, "force"))) != 0)
		return st;
	if (out)
		fprintf(stderr, "wrote %s\n", out);
	return 0;
}

/* Append text to the growing *buf (*len bytes so far); false out of memory. */
static bool append(char **buf, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *p = realloc(*buf, *len + n + 1);

	if (!p)
		return false;
	memcpy(p + *len, text, n + 1);
	*buf = p;
	*len += n;
	return true;
}

static int remote_checkin(cli_args *a, cli_remote *r)
{
	scrvault_json *rows = NULL;
	char *list = NULL;
	size_t len = 0;
	bool ok = append(&list, &len, "[");
	int st = 0;

	for (int i = 0; i < a->nargs && ok; i++) {
		scrvault_json *rc = NULL;
		cli_jb f = { 0 }, row = { 0 };
		const char *name = cli_opt(a, "filename"), *slash = strrchr(a->args[i], '/');
		char *t;

		cli_jb_str(&f, "case", cli_opt(a, "case"));
		cli_jb_str(&f, "class", cli_opt(a, "class"));
		cli_jb_str(&f, "agency", cli_opt(a, "agency"));
		cli_jb_str(&f, "doc", cli_opt(a, "doc"));
		cli_jb_str(&f, "note", cli_opt(a, "note"));
		cli_jb_str(&f, "filename", name ? name : slash ? slash + 1 : a->args[i]);
		cli_jb_str(&f, "title", cli_opt(a, "title"));
		if ((st = cli_remote_upload(&rc, r, &f, a->args[i])) != 0)
			break;
		if (cli_opt(a, "receipt") && (st = write_receipt(cli_opt(a, "receipt"), rc)) != 0) {
			scrvault_json_free(rc);
			break;
		}
		/* The row the local check-in prints. */
		cli_jb_str(&row, "doc", cli_str(rc, "doc"));
		cli_jb_int(&row, "version", cli_int(rc, "version"));
		cli_jb_str(&row, "sha256", cli_str(rc, "sha256"));
		cli_jb_int(&row, "size", cli_int(rc, "size"));
		cli_jb_str(&row, "filename", cli_str(rc, "filename") ? cli_str(rc, "filename") : name ? name :
			   slash ? slash + 1 : a->args[i]);
		scrvault_json_free(rc);
		ok = (t = cli_jb_end(&row)) && (i == 0 || append(&list, &len, ",")) && append(&list, &len, t);
		free(t);
	}
	if (ok && len > 1 && append(&list, &len, "]") && scrvault_json_parse(&rows, list, len) == 0) {
		if (!a->json)
			printf("checked in %zu version%s\n", scrvault_json_count(rows),
			       scrvault_json_count(rows) == 1 ? "" : "s");
		if (cli_print_list(a, rows, checkin_cols) != 0 && !st)
			st = 1;
	} else {
		scrvault_json_free(rows);
	}
	free(list);
	if (!ok && !st)
		st = cli_fail(SCRVAULT_ERROR);
	return st;
}

static int remote_signoff(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL, *st_j = NULL;
	char doc[96], path[200], *sig = NULL, *body = NULL, *statement = NULL;
	unsigned version = 0;
	cli_jb b = { 0 };
	int st;

	if (cli_opt(a, "statement-out") || cli_opt(a, "statement"))
		return cli_usage(a, "through the service the statement is signed here, with your key: leave out "
				 "--statement-out, --statement and --signature");
	if ((st = doc_arg(a, a->args[0], doc, sizeof(doc), &version)) != 0)
		return st;
	snprintf(path, sizeof(path), "/v1/docs/%s/versions/%u/signoff-statement", doc, version);
	if ((st = cli_remote_json(&st_j, r, "GET", path, NULL)) != 0)
		return st;
	/* The statement is canonical JSON: its canonical text is its bytes. */
	if (!(statement = scrvault_json_text(st_j))) {
		scrvault_json_free(st_j);
		return cli_fail(SCRVAULT_ERROR);
	}
	if ((st = cli_remote_sign(r, statement, &sig)) != 0)
		goto done;
	cli_jb_str(&b, "statement", statement);
	cli_jb_str(&b, "signature", sig);
	if (!(body = cli_jb_end(&b))) {
		st = cli_fail(SCRVAULT_ERROR);
		goto done;
	}
	snprintf(path, sizeof(path), "/v1/docs/%s/versions/%u/signoff", doc, version);
	if ((st = cli_remote_json(&j, r, "POST", path, body)) != 0)
		goto done;
	st = print_signed_off(a, j, version);
done:
	free(body);
	free(sig);
	free(statement);
	scrvault_json_free(st_j);
	return st;
}

/* The version DOC@VERSION (the first argument) names, into *ver, and its route
 * "/v1/docs/DOC/versions/VERSION/what" into path: 0 or the usage error's status. */
static int version_route(cli_args *a, char *path, size_t len, unsigned *ver, const char *what)
{
	char doc[96];
	int st;

	if ((st = doc_arg(a, a->args[0], doc, sizeof(doc), ver)) != 0)
		return st;
	snprintf(path, len, "/v1/docs/%s/versions/%u/%s", doc, *ver, what);
	return 0;
}

static int remote_declare(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[200];
	unsigned ver = 0;
	int st;

	if ((st = version_route(a, path, sizeof(path), &ver, "declare")) != 0 ||
	    (st = cli_remote_json(&j, r, "POST", path, NULL)) != 0)
		return st;
	return print_declared(a, j, ver);
}

/* The bundle is the answer, written here to -o FILE; never a path on the service's host. */
static int remote_release(cli_args *a, cli_remote *r)
{
	const char *out = cli_opt(a, "output"), *to = cli_opt(a, "to");
	scrvault_json *j = NULL;
	char doc[96], path[200], *body = NULL;
	unsigned ver = 0;
	cli_jb b = { 0 };
	int st;

	if ((st = doc_arg(a, a->args[0], doc, sizeof(doc), &ver)) != 0 || (st = cli_remote_outfile_free(out, NULL)) != 0)
		return st;
	if (!ver && (st = latest_of(r, doc, &ver)) != 0)
		return st;
	cli_jb_str(&b, "to", to);
	cli_jb_str(&b, "reason", cli_opt(a, "reason"));
	if (!(body = cli_jb_end(&b)))
		return cli_fail(SCRVAULT_ERROR);
	snprintf(path, sizeof(path), "/v1/docs/%s/versions/%u/release", doc, ver);
	st = cli_remote_download_call(&j, r, "POST", path, body, out, false);
	free(body);
	if (st)
		return st;
	if (scrvault_json_set_str(j, "output", out) < 0) {
		scrvault_json_free(j);
		return cli_fail(SCRVAULT_ERROR);
	}
	return print_released(a, j);
}

static int remote_receipt(cli_args *a, cli_remote *r)
{
	scrvault_json *j = NULL;
	char path[200];
	unsigned ver = 0;
	int st;

	if ((st = version_route(a, path, sizeof(path), &ver, "receipt")) != 0)
		return st;
	return cli_remote_outcome(a, cli_remote_json(&j, r, "GET", path, NULL), &j, print_receipt);
}

/* DOC[@VERSION] checked before the sign-in. */
static int seg_doc(const cli_args *a)
{
	char doc[96];
	long v = cli_doc_version(a->args[0], doc, sizeof(doc));

	if (v < 0)
		return cli_usage(a, "give the document as DOC or DOC@VERSION");
	return cli_remote_seg(a, "the document", doc) ? 0 : 2;
}

const cli_remote_cmd cli_doc_remote[] = {
	{ "doc", "list", remote_list }, { "doc", "show", remote_show }, { "doc", "log", remote_log },
	{ "doc", "checkout", remote_checkout }, { "doc", "checkin", remote_checkin },
	{ "doc", "signoff", remote_signoff }, { "doc", "declare", remote_declare, seg_doc },
	{ "doc", "release", remote_release, seg_doc }, { "doc", "receipt", remote_receipt, seg_doc },
	CLI_REMOTE_END
};
