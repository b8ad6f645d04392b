// page-retention.js - #/retention[?days=N|all]: what retention makes due
// within a horizon (GET /v1/retention/plan?days=N, 90 by default; the whole
// plan on request), the board's confirmation of the rules (POST
// /v1/retention/confirm), a review's outcome (POST /v1/retention/reviews),
// the disposal batches with their state and certificates (GET
// /v1/retention/batches, GET /v1/retention/certificates/{record}),
// proposing a batch of the masters due (POST /v1/retention/batches) and
// approving or refusing one (POST /v1/retention/batches/{batch}/approve|refuse:
// not by its proposer).
import { call } from "./api.js";
import { h, table, ukDate, show, statusLine } from "./dom.js";
import { field, confirmButton, message, download } from "./forms.js";

const reload = () => setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);
const HORIZONS = [["30", "30 days"], ["90", "90 days"], ["365", "a year"], ["1825", "five years"], ["all", "everything (the whole plan)"]];
const STATES = { proposed: "proposed, awaiting a decision", approved: "approved, for the next purge",
	refused: "refused", done: "destroyed" };

export async function render(main, { query }) {
	const want = query && query.get("days");
	const days = HORIZONS.some(([v]) => v === want) ? want : "90";
	const [plan, batchList] = await Promise.all([
		call("GET", days === "all" ? "/v1/retention/plan" : `/v1/retention/plan?days=${days}`),
		call("GET", "/v1/retention/batches"),
	]);
	const versions = (plan && plan.versions) || [];
	const pubs = (plan && plan.publications) || [];
	const status = statusLine();
	main.append(h("h1", {}, "Retention and disposal"), status,
		h("p", {}, `The plan as of ${ukDate(plan && plan.as_of)}. `,
			plan && plan.confirmed ? "The board has confirmed the current retention rules." :
				h("strong", {}, "The board has not confirmed the current retention rules: nothing is destroyed until it does.")));
	if (plan && !plan.confirmed) {
		const cb = h("button", { type: "button", id: "confirm-rules" }, "Confirm the retention rules");
		cb.addEventListener("click", async () => {
			cb.disabled = true;
			try {
				await call("POST", "/v1/retention/confirm");
				status.say("The retention rules are confirmed.", "done");
				reload();
			} catch (e) {
				status.say(message(e), "error");
				cb.disabled = false;
			}
		});
		main.append(cb);
	}
	const hz = field("plan-days", "Show what falls due within", { tag: "select", options: HORIZONS });
	hz.input.value = days;
	const hf = h("form", { novalidate: true, class: "filters" }, hz.row, h("button", { type: "submit", id: "plan-show" }, "Show"));
	hf.addEventListener("submit", (ev) => {
		ev.preventDefault();
		location.hash = "#/retention?days=" + hz.input.value;
	});
	main.append(h("h2", {}, days === "all" ? "Versions under retention" : `Due by ${ukDate(plan && plan.due_by)}`), hf);
	main.append(versions.length ? table(days === "all" ? "Retention of each version" : "Versions due for review or destruction", [
		{ label: "Case", cell: (r) => show(r.case) },
		{ label: "Document", cell: (r) => show(r.title) },
		{ label: "Class", cell: (r) => show(r.class) },
		{ label: "Version", cell: (r) => show(r.version) + (r.master ? " (master)" : "") },
		{ label: "Rule", cell: (r) => show(r.rule) },
		{ label: "Status", cell: (r) => show(r.status) },
		{ label: "Due on", cell: (r) => ukDate(r.due_on) },
		{ label: "Held", cell: (r) => show(r.held) },
		{ label: "Action", cell: (r) => /^review/.test(r.status || "") ? reviewButton(r) : show(r.action) },
	], versions) : h("p", {}, days === "all" ? "Nothing is under retention." : "Nothing falls due within that time."));
	if (pubs.length)
		main.append(h("h2", {}, "Publications"), table("Published reports", [
			{ label: "Case", cell: (r) => show(r.case) },
			{ label: "Status", cell: (r) => show(r.status) },
			{ label: "Due on", cell: (r) => ukDate(r.due_on) },
		], pubs));

	const out = h("div", {});
	const pb = h("button", { type: "button", id: "propose-batch" }, "Propose a disposal batch");
	pb.addEventListener("click", async () => {
		pb.disabled = true;
		try {
			const b = await call("POST", "/v1/retention/batches");
			const vs = (b && b.versions) || [];
			status.say(`Batch ${show(b && b.batch)} proposed with ${vs.length} version(s); another records manager approves it.`, "done");
			out.replaceChildren(table(`Batch ${show(b && b.batch)}`, [
				{ label: "Document", cell: (r) => show(r.title || r.doc) },
				{ label: "Version", cell: (r) => show(r.version) },
			], vs));
		} catch (e) {
			status.say(message(e), "error");
		}
		pb.disabled = false;
	});
	const batches = Array.isArray(batchList) ? batchList : [];
	main.append(h("h2", {}, "Disposal batches"),
		h("p", {}, "A batch of the masters now due is proposed by one person and approved by another; the next purge carries it out."),
		batches.length ? table("Disposal batches, newest first", [
			{ label: "Batch", cell: (b) => show(b.batch) },
			{ label: "State", cell: (b) => STATES[b.state] || show(b.state) },
			{ label: "Versions", cell: (b) => show(b.versions) },
			{ label: "Proposed", cell: (b) => `${ukDate(b.proposed_at)} by ${show(b.proposed_by)}` },
			{ label: "Decided", cell: (b) => b.decided_at ? `${ukDate(b.decided_at)} by ${show(b.decided_by)}` : "\u2014" },
			{ label: "Certificates", cell: (b) => certificates(b, status) },
		], batches) : h("p", {}, "No disposal batch yet."),
		pb, out);

	const num = field("batch-number", "Batch number", { inputmode: "numeric", maxlength: "12" }, "The number given when the batch was proposed.");
	const f = h("form", { novalidate: true, class: "filters" }, num.row);
	f.addEventListener("submit", (ev) => ev.preventDefault());
	const decide = (verb) => async () => {
		const n = num.input.value.trim();
		if (!/^[1-9][0-9]{0,17}$/.test(n))
			throw new Error("Give the batch's number.");
		await call("POST", `/v1/retention/batches/${n}/${verb}`);
		status.say(`Batch ${n} ${verb === "approve" ? "approved" : "refused"}.`, "done");
		reload();
	};
	f.append(h("div", { class: "form-row" }, confirmButton("Approve", "Confirm approval", "Approve the batch", status, decide("approve")), " ",
		confirmButton("Refuse", "Confirm refusal", "Refuse the batch", status, decide("refuse"))));
	main.append(h("h3", {}, "Decide a batch"), f);

	main.append(reviewForm(status));
}

// The review form, filled in from a row's "Record the review" button.
function reviewButton(r) {
	const b = h("button", { type: "button", class: "secondary", "aria-label": `Record the review of ${show(r.title)} version ${show(r.version)}` },
		"Record the review");
	b.addEventListener("click", () => {
		document.getElementById("review-doc").value = r.doc || "";
		document.getElementById("review-version").value = String(r.version || "");
		document.getElementById("review-doc").focus();
	});
	return b;
}

function reviewForm(status) {
	const doc = field("review-doc", "Document", { maxlength: "64", required: true });
	const ver = field("review-version", "Version (empty: the master)", { inputmode: "numeric", maxlength: "6" });
	const outcome = field("review-outcome", "Outcome", { tag: "select", options: [["keep", "Keep it until a date"], ["destroy", "Destroy it"]] });
	const until = field("review-until", "Keep until", { type: "date" }, "Reviewed again then.");
	const why = field("review-reason", "Reason (to destroy)", { maxlength: "200" });
	const b = h("button", { type: "submit", id: "record-review" }, "Record the review");
	const f = h("form", { novalidate: true }, h("h2", {}, "Record a review"),
		h("p", {}, "A version whose rule is a review is kept until a later date or released for destruction (a master still needs a disposal batch)."),
		doc.row, ver.row, outcome.row, until.row, why.row, b);
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const body = { doc: doc.input.value.trim() };
		const v = ver.input.value.trim();
		if (v)
			body.version = Number(v);
		if (outcome.input.value === "destroy") {
			body.destroy = true;
			body.reason = why.input.value.trim();
		} else
			body.keep_until = until.input.value;
		const bad = !body.doc ? [doc.input, "Name the document."] :
			v && !/^[1-9][0-9]{0,5}$/.test(v) ? [ver.input, "A version is a number from 1."] :
				body.destroy && !body.reason ? [why.input, "Give the reason for destroying it."] :
					!body.destroy && !/^\d{4}-\d{2}-\d{2}$/.test(body.keep_until) ? [until.input, "Give the date to keep it until."] : null;
		if (bad) {
			status.say(bad[1], "error");
			bad[0].focus();
			return;
		}
		b.disabled = true;
		try {
			const ans = await call("POST", "/v1/retention/reviews", body);
			status.say(`Review recorded for ${show(ans && ans.doc)} version ${show(ans && ans.version)}: ` +
				(ans && ans.keep_until ? `kept until ${ukDate(ans.keep_until)}.` : "to be destroyed."), "done");
			reload();
		} catch (e) {
			status.say(message(e), "error");
		}
		b.disabled = false;
	});
	return f;
}

// A button per destruction record: its certificate (the record and its
// audit entry's inclusion proof) downloaded as JSON.
function certificates(b, status) {
	const ds = Array.isArray(b.destructions) ? b.destructions : [];
	if (!ds.length)
		return "\u2014";
	return h("ul", {}, ds.map((d) => {
		const btn = h("button", { type: "button", class: "secondary", "data-record": d.record,
			"aria-label": `Download the certificate of destruction ${d.record} (${show(d.doc)} version ${show(d.version)})` },
		`Certificate ${d.record}`);
		btn.addEventListener("click", async () => {
			btn.disabled = true;
			try {
				const c = await call("GET", `/v1/retention/certificates/${d.record}`);
				download(new Blob([JSON.stringify(c, null, 2) + "\n"], { type: "application/json" }), `certificate-${d.record}.json`);
				status.say(`Certificate ${d.record} is downloading.`, "done");
			} catch (e) {
				status.say(message(e), "error");
			}
			btn.disabled = false;
		});
		return h("li", {}, btn);
	}));
}
