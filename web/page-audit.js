// page-audit.js - #/audit: the auditor's pages.  The audit log filtered by
// person, case, document, action, outcome and dates (GET /v1/audit/export
// with its filter keys; without a filter, the latest entries from
// GET /v1/audit/tail), a document's full history (the export for doc=ID),
// the canned questions, and the vault's verifier key (GET /v1/audit/pubkey)
// with the steps to check an export offline.  A question the log's filter
// answers downloads as the verifiable export (JSON Lines with proofs) and as
// CSV (csv=true); a question that joins the registers (GET
// /v1/audit/restricted-releases, /destructions, /readers/{doc}) names in
// each row the audit entry it rests on, and downloads as the proof set of
// those entries (POST /v1/audit/proofs, verified by scrvault audit verify
// --vkey) and as CSV (csv=true).  Entries and registers only: no page here
// asks for a document's content.
import { call, send } from "./api.js";
import { h, table, ukDate, show, clear, statusLine } from "./dom.js";

const COUNTS = ["20", "50", "100", "500", "1000"];
const KEYS = ["actor", "case", "doc", "action", "outcome", "since", "until"];
const SAFE = /^[A-Za-z0-9._@:,-]{1,64}$/;

// A version's destruction record links to its certificate (a download of the service's answer).
function certificateLink(r) {
	return r.record ? h("a", { href: `/v1/retention/certificates/${Number(r.record)}`, download: `certificate-${Number(r.record)}.json`,
		"aria-label": `Certificate of destruction record ${Number(r.record)}` }, `Record ${Number(r.record)}`) : "\u2014";
}

// The canned questions: a filter of the export each, or a question the
// service answers from its registers (api: its path; cols: its table).
const QUESTIONS = [
	{ id: "releases", label: "Releases to outside recipients, with their requests", f: { action: "doc.release" },
		note: "Each release's entry names its recipient and the access request it was made under." },
	{ id: "restricted", label: "Restricted documents released, and under which request", api: () => "/v1/audit/restricted-releases",
		note: "Every release of a version whose class the policy marks restricted, with the request it was made under, who asked, who agreed it and who released it.",
		tables: [{ caption: "Restricted documents released", cols: [
			{ label: "When", cell: (r) => ukDate(r.released_at) },
			{ label: "Document", cell: (r) => `${show(r.doc)} v${show(r.version)}` },
			{ label: "Case", cell: (r) => show(r.case) },
			{ label: "Class", cell: (r) => show(r.class) },
			{ label: "How", cell: (r) => show(r.kind) },
			{ label: "To", cell: (r) => show(r.to) },
			{ label: "Request", cell: (r) => show(r.request) },
			{ label: "Asked by", cell: (r) => show(r.requester) },
			{ label: "Agreed by", cell: (r) => show(r.authorised_by) },
			{ label: "Released by", cell: (r) => show(r.released_by) },
			{ label: "Entry", cell: (r) => show(r.seq) },
		] }] },
	{ id: "copies", label: "Copies out longer than N days", copies: true,
		note: "From the copy register (GET /v1/copies); their issue entries are the export's proof." },
	{ id: "foi", label: "FOI requests answered late", foi: true,
		note: "From the request register (GET /v1/requests); the responses' entries are the export's proof." },
	{ id: "refusals", label: "Refusals, by person", f: { outcome: "denied" }, byActor: true,
		note: "Every refused attempt, counted by the person who made it." },
	{ id: "destructions", label: "Destructions, with their certificates", api: () => "/v1/audit/destructions",
		note: "Versions destroyed under retention, each linked to its certificate of destruction, and numbered copies destroyed before a witness.",
		tables: [{ caption: "Destructions", cols: [
			{ label: "When", cell: (r) => ukDate(r.destroyed_at) },
			{ label: "What", cell: (r) => r.kind === "copy" ? `copy ${show(r.copy)}` : "version" },
			{ label: "Document", cell: (r) => `${show(r.doc)} v${show(r.version)}` },
			{ label: "Case", cell: (r) => show(r.case) },
			{ label: "Class", cell: (r) => show(r.class) },
			{ label: "Authorised by", cell: (r) => show(r.authorised_by) },
			{ label: "Witness", cell: (r) => show(r.witness) },
			{ label: "Certificate", cell: certificateLink },
			{ label: "Entry", cell: (r) => show(r.seq) },
		] }] },
	{ id: "readers", label: "Who could ever have read a document", needsDoc: true, api: (f) => `/v1/audit/readers/${encodeURIComponent(f.doc)}`,
		note: "First who did read it (each check-out, release and paper copy on record), then who could have: everyone who held a role that reads its class for its case, and when.",
		tables: [
			{ caption: "Did read (on record)", only: (r) => r.answer === "did read", cols: [
				{ label: "When", cell: (r) => ukDate(r.from) },
				{ label: "Person", cell: (r) => show(r.principal) },
				{ label: "How", cell: (r) => show(r.how) },
				{ label: "Version", cell: (r) => show(r.version) },
				{ label: "Request", cell: (r) => show(r.request) },
				{ label: "Entry", cell: (r) => show(r.seq) },
			] },
			{ caption: "Could have read (held a role that reads it)", only: (r) => r.answer === "could read", cols: [
				{ label: "Person", cell: (r) => show(r.principal) },
				{ label: "Role", cell: (r) => show(r.how) },
				{ label: "From", cell: (r) => ukDate(r.from) },
				{ label: "Until", cell: (r) => r.until ? ukDate(r.until) : "still" },
				{ label: "Entry", cell: (r) => show(r.seq) },
			] },
		] },
];

// "?actor=x&case=y" from a filter; values the service takes in a query only.
function qs(f, extra) {
	const parts = [];
	for (const k of KEYS)
		if (f[k])
			parts.push(`${k}=${f[k]}`);
	if (extra)
		parts.push(extra);
	return parts.length ? "?" + parts.join("&") : "";
}

// The export's JSON Lines: the entries (a line with a seq), whatever else it carries.
function entriesOf(text) {
	const out = [];
	for (const line of text.split("\n")) {
		if (!line.trim())
			continue;
		let j;
		try {
			j = JSON.parse(line);
		} catch (e) {
			continue;
		}
		const e = j && j.entry && typeof j.entry === "object" ? j.entry : j;
		if (e && e.seq !== undefined && e.action)
			out.push(e);
	}
	return out;
}

function about(e) {
	const d = e.details || e.detail || {};
	const bits = [];
	for (const k of ["to", "recipient", "request", "witness", "reason", "copy", "record"])
		if (d && d[k] !== undefined && typeof d[k] !== "object")
			bits.push(`${k}: ${d[k]}`);
	return bits.join("; ") || "\u2014";
}

function entryTable(caption, rows) {
	return table(caption, [
		{ label: "Seq", cell: (e) => show(e.seq) },
		{ label: "Time", cell: (e) => ukDate(e.time || e.at) },
		{ label: "Person", cell: (e) => show(e.principal || e.actor) },
		{ label: "Role", cell: (e) => show(e.role) },
		{ label: "Action", cell: (e) => show(e.action) },
		{ label: "Outcome", cell: (e) => show(e.outcome) },
		{ label: "Case", cell: (e) => show(e.case || e.case_ref) },
		{ label: "Document", cell: (e) => show(e.doc) },
		{ label: "Details", cell: about },
	], rows);
}

// A download link for text the service answered (kept byte for byte).
function downloadLink(id, text, type, name, label) {
	const url = URL.createObjectURL(new Blob([text], { type }));
	return h("a", { id, href: url, download: name, class: "button" }, label);
}

function dayDiff(from, to) {
	const a = Date.parse(String(from).slice(0, 10) + "T00:00:00Z"), b = Date.parse(String(to).slice(0, 10) + "T00:00:00Z");
	return isNaN(a) || isNaN(b) ? null : Math.round((b - a) / 86400000);
}

export async function render(main, { query }) {
	const f = {};
	for (const k of KEYS) {
		const v = query.get(k);
		if (v && SAFE.test(v))
			f[k] = v;
	}
	const q = QUESTIONS.find((x) => x.id === query.get("q")) || null;
	if (q && q.f)
		for (const [k, v] of Object.entries(q.f))
			if (!f[k])
				f[k] = v;
	const n = COUNTS.includes(query.get("n")) ? query.get("n") : "50";
	const days = /^\d{1,4}$/.test(query.get("days") || "") ? query.get("days") : "28";

	main.append(h("h1", {}, "Audit log"),
		h("p", {}, "The vault's signed audit log: filter it, ask one of the usual questions, and download the result with its proofs."));

	// ---- the filter ----
	const input = (k, label, type, hint) => {
		const id = "audit-" + k;
		const el = type === "outcome" ?
			h("select", { id, name: k }, ["", "ok", "denied", "error"].map((o) => h("option", { value: o, selected: f[k] === o }, o || "any"))) :
			h("input", { id, name: k, type, value: f[k] || "", autocomplete: "off", pattern: type === "date" ? null : "[A-Za-z0-9._@:,\\-]{1,64}",
				"aria-describedby": hint ? id + "-hint" : null });
		return h("div", { class: "form-row" }, h("label", { for: id }, label), hint ? h("p", { class: "hint", id: id + "-hint" }, hint) : null, el);
	};
	const form = h("form", { class: "filters", role: "search", "aria-label": "Filter the audit log" },
		input("actor", "Person", "text"), input("case", "Case", "text"), input("doc", "Document", "text", "Its id: its full history."),
		input("action", "Action", "text", "e.g. doc.release"), input("outcome", "Outcome", "outcome"),
		input("since", "From", "date"), input("until", "To", "date"),
		h("div", { class: "form-row" }, h("button", { type: "submit", id: "audit-go" }, "Show entries")));
	main.append(h("h2", {}, "Filter the log"), form);
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const parts = [];
		for (const k of KEYS) {
			const v = form.elements[k].value.trim();
			if (v)
				parts.push(`${k}=${v}`);
		}
		location.assign("#/audit" + (parts.length ? "?" + parts.join("&") : ""));
	});

	// ---- the canned questions ----
	const qlist = h("ul", { class: "questions" });
	for (const x of QUESTIONS)
		qlist.append(h("li", {}, h("a", { href: `#/audit?q=${x.id}${x.needsDoc && f.doc ? "&doc=" + f.doc : ""}`,
			"aria-current": q && q.id === x.id ? "page" : null }, x.label)));
	main.append(h("h2", {}, "Questions"), qlist);

	const say = statusLine();
	const results = h("section", { "aria-labelledby": "audit-results-h" });
	main.append(results, say);
	const filtered = Object.keys(f).length > 0;
	results.append(h("h2", { id: "audit-results-h" }, q ? q.label : filtered ? "Entries matching the filter" : "Latest entries"));
	if (q)
		results.append(h("p", { class: "hint" }, q.note));
	if (q && q.needsDoc && !f.doc)
		results.append(h("p", { role: "alert", class: "error" }, "Name the document in the filter (its id) first."));

	// The register-based questions (no proofs of their own: their entries are the export's).
	if (q && q.copies) {
		const dform = h("form", { class: "filters", "aria-label": "Days out" },
			h("div", { class: "form-row" }, h("label", { for: "audit-days" }, "Out longer than (days)"),
				h("input", { id: "audit-days", name: "days", type: "number", min: "0", max: "9999", value: days })),
			h("div", { class: "form-row" }, h("button", { type: "submit" }, "Ask")));
		dform.addEventListener("submit", (ev) => {
			ev.preventDefault();
			location.assign(`#/audit?q=copies&days=${Number(dform.elements.days.value) || 0}`);
		});
		results.append(dform);
		const copies = await call("GET", "/v1/copies?state=issued").catch((e) => ({ error: e }));
		const today = new Date().toISOString().slice(0, 10);
		const rows = (Array.isArray(copies) ? copies : []).filter((c) => {
			const out = dayDiff(c.issued_at, today);
			return out !== null && out > Number(days);
		});
		results.append(copies && copies.error ? h("p", { class: "error", role: "alert" }, copies.error.message) : rows.length ?
			table(`Copies out longer than ${days} days`, [
				{ label: "Copy", cell: (c) => show(c.copy || c.id) },
				{ label: "Document", cell: (c) => show(c.doc) },
				{ label: "Holder", cell: (c) => show(c.holder || c.ext_name) },
				{ label: "Issued", cell: (c) => ukDate(c.issued_at) },
				{ label: "Due back", cell: (c) => ukDate(c.due) },
			], rows) : h("p", {}, `No copy has been out longer than ${days} days.`));
		f.action = "copy.issue";
	}
	if (q && q.foi) {
		const reqs = await call("GET", "/v1/requests?channel=foi").catch((e) => ({ error: e }));
		const late = (Array.isArray(reqs) ? reqs : []).filter((r) => {
			// "due" is a date, or "clock stopped" while the clock is stopped (not late).
			const due = /^\d{4}-\d{2}-\d{2}/.test(r.due || "") ? r.due.slice(0, 10) : null, done = r.responded;
			return due && (done ? String(done).slice(0, 10) > due : new Date().toISOString().slice(0, 10) > due);
		});
		results.append(reqs && reqs.error ? h("p", { class: "error", role: "alert" }, reqs.error.message) : late.length ?
			table("FOI requests answered late (or not yet answered, past due)", [
				{ label: "Request", cell: (r) => show(r.request || r.id) },
				{ label: "Received", cell: (r) => ukDate(r.received) },
				{ label: "Due", cell: (r) => ukDate(r.due) },
				{ label: "Answered", cell: (r) => ukDate(r.responded) },
			], late) : h("p", {}, "No FOI request was answered late."));
		f.action = "request.respond";
	}

	// A question the service answers from its registers: its rows, each
	// naming the audit entry it rests on (the proof set's entries).
	let answer = null;
	if (q && q.api && !(q.needsDoc && !f.doc)) {
		answer = await call("GET", q.api(f)).catch((e) => {
			results.append(h("p", { class: "error", role: "alert" }, e.message));
			return [];
		});
		if (!Array.isArray(answer))
			answer = [];
		for (const t of q.tables) {
			const part = t.only ? answer.filter(t.only) : answer;
			results.append(h("h3", {}, t.caption), part.length ? table(t.caption, t.cols, part) : h("p", {}, "None."));
		}
		say.say(`${answer.length} ${answer.length === 1 ? "row" : "rows"}.`);
	}

	// The entries: the export for a filter (or a question), else the latest.
	let text = null, rows = [];
	if (!(q && q.needsDoc && !f.doc) && !(q && q.api)) {
		if (filtered || q) {
			const res = await send("GET", "/v1/audit/export" + qs(f), { accept: "application/jsonl" });
			text = await res.text();
			rows = entriesOf(text);
		} else {
			const tail = await call("GET", `/v1/audit/tail?n=${n}`);
			rows = Array.isArray(tail) ? tail : (tail && tail.entries) || [];
			const count = h("select", { id: "audit-n", name: "n" }, COUNTS.map((c) => h("option", { value: c, selected: c === n }, c)));
			count.addEventListener("change", () => location.assign(`#/audit?n=${count.value}`));
			results.append(h("div", { class: "form-row" }, h("label", { for: "audit-n" }, "Latest entries"), count));
		}
		say.say(`${rows.length} ${rows.length === 1 ? "entry" : "entries"}${filtered || q ? " match" : ", the latest"}.`);
		if (q && q.byActor) {
			const by = new Map();
			for (const e of rows)
				by.set(e.principal || e.actor || "(no one signed in)", (by.get(e.principal || e.actor || "(no one signed in)") || 0) + 1);
			results.append(table("Refusals by person", [
				{ label: "Person", cell: (r) => r[0] },
				{ label: "Refusals", cell: (r) => String(r[1]) },
			], [...by.entries()].sort((a, b) => b[1] - a[1])));
		}
		if (rows.length)
			results.append(entryTable(filtered || q ? "Matching entries, oldest first" : "Latest entries, newest last", rows));
	}

	// ---- downloads: the verifiable export (JSONL with proofs) and CSV ----
	const dl = h("div", { class: "downloads" });
	const jsonlBtn = h("button", { type: "button", id: "audit-dl-jsonl" }, "Prepare the JSON Lines export (with proofs)");
	const csvBtn = h("button", { type: "button", id: "audit-dl-csv", class: "secondary" }, "Prepare the CSV");
	const links = h("p", { id: "audit-links" });
	dl.append(h("h2", {}, "Download"), answer ? h("p", {}, "The answer above: with proofs, the audit entries its rows rest on.") :
		h("p", {}, "What the filter above matches",
			Object.keys(f).length ? ` (${qs(f).slice(1).replace(/&/g, ", ")})` : " (every entry)", "."),
	h("p", { class: "actions" }, jsonlBtn, " ", csvBtn), links);
	if (!(q && q.needsDoc && !f.doc))
		main.append(dl);
	const stamp = new Date().toISOString().slice(0, 10);
	// The proof set of an answer's entries (at most 1024 at once, as the service takes them).
	const proofSet = async () => {
		const seqs = [...new Set(answer.map((r) => r.seq).filter((x) => Number.isInteger(x) && x > 0))];
		if (!seqs.length)
			throw new Error("The answer rests on no audit entry: there is nothing to prove.");
		if (seqs.length > 1024)
			throw new Error(`The answer rests on ${seqs.length} entries; a proof set holds at most 1024: narrow the question.`);
		const res = await send("POST", "/v1/audit/proofs", { body: JSON.stringify({ seqs, title: q.label }),
			type: "application/json", accept: "application/octet-stream" });
		return res.text();
	};
	jsonlBtn.addEventListener("click", async () => {
		try {
			const body = answer ? await proofSet() : text !== null ? text :
				await (await send("GET", "/v1/audit/export" + qs(f), { accept: "application/jsonl" })).text();
			clear(links);
			links.append(downloadLink("audit-jsonl", body, "application/jsonl", `audit-${answer ? q.id : "export"}-${stamp}.jsonl`,
				"Download the export (JSON Lines)"));
			say.say("The export is ready to download.", "done");
			links.querySelector("a").focus();
		} catch (e) {
			say.say(e.message, "error");
		}
	});
	csvBtn.addEventListener("click", async () => {
		try {
			const body = await (await send("GET", answer ? q.api(f) + "?csv=true" : "/v1/audit/export" + qs(f, "csv=true"),
				{ accept: "text/csv" })).text();
			clear(links);
			links.append(downloadLink("audit-csv", body, "text/csv", `audit-${answer ? q.id : "export"}-${stamp}.csv`, "Download the CSV"));
			say.say("The CSV is ready to download.", "done");
			links.querySelector("a").focus();
		} catch (e) {
			say.say(e.message, "error");
		}
	});

	// ---- the verifier key and the offline check ----
	const key = await call("GET", "/v1/audit/pubkey").catch(() => null);
	main.append(h("h2", {}, "Check an export offline"),
		h("p", {}, "The vault's audit verifier key:"),
		h("p", {}, h("code", { id: "audit-vkey", class: "hash" }, key && key.vkey ? key.vkey : "\u2014")),
		h("ol", {},
			h("li", {}, "Keep the key above where the vault cannot change it (print it, or copy it into your own records once)."),
			h("li", {}, "Download the export (JSON Lines) above."),
			h("li", {}, "On any machine with scrvault installed, run ", h("code", {}, "scrvault audit verify --vkey KEY audit-export.jsonl"),
				" with KEY the verifier key: it checks every entry's proof against the signed checkpoint, offline.",
				" A question's answer downloads as the proof set of its entries, checked the same way.")),
		h("p", { class: "hint" }, "The CSV is for spreadsheets: it carries no proofs and cannot be verified."));
}
