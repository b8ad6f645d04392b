// page-copies.js - #/copies: the numbered-copy register (GET /v1/copies with
// the filters case, doc, state, holder; a screenful of rows at a time, with
// `limit`) and making copies of a version (POST
// /v1/docs/{doc}/versions/{v}/copies); #/copies/N: one copy, its history
// (GET /v1/copies/{copy}/history) and what can be done to it now: issue,
// return, mark lost, destroy before a witness, print (the stamped PDF
// downloads).  The service decides what is allowed; a refusal is shown.
import { call, current, send } from "./api.js";
import { witness as passkeyWitness } from "./signoff.js";
import { explain } from "./webauthn.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field, queryValue, confirmButton, message, download, today } from "./forms.js";
import { moreTable } from "./more.js";

const STEP = 200;
const STATES = ["outstanding", "overdue", "any", "in-store", "issued", "acknowledged", "returned", "lost", "destroyed",
	"transferred", "deleted"];

function facts(pairs) {
	const dl = h("dl", { class: "facts" });
	for (const [k, v] of pairs)
		dl.append(h("dt", {}, k), h("dd", {}, v));
	return dl;
}

// A form that makes copies; used here and on a case's page.
export function makeCopiesForm(status, doc, version) {
	const id = "mk" + (doc ? "-" + doc.slice(0, 8) + "-" + version : "");
	const d = doc ? null : field(id + "-doc", "Document", { required: true, maxlength: "64" }, "The document's id (its 32 hex digits). Or make copies from the case\u2019s page, beside each document.");
	const v = doc ? null : field(id + "-version", "Version", { required: true, maxlength: "12", inputmode: "numeric" }, "A version number, or \u201cmaster\u201d.");
	const n = field(id + "-count", doc ? `How many copies of version ${version}` : "How many copies", { type: "number", min: "1", max: "99", value: "1", required: true });
	const button = h("button", { type: "submit" }, "Make copies");
	const form = h("form", { novalidate: true, class: "inline-form" }, d && d.row, v && v.row, n.row, button);
	form.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const docId = doc || d.input.value.trim(), ver = version ? String(version) : v.input.value.trim();
		const count = parseInt(n.input.value, 10);
		if (!pathName(docId) || !/^([1-9][0-9]{0,9}|master)$/.test(ver) || !(count >= 1 && count <= 99)) {
			status.say("Give a document, a version (a number or \u201cmaster\u201d) and a count from 1 to 99.", "error");
			return;
		}
		button.disabled = true;
		try {
			const made = await call("POST", `/v1/docs/${docId}/versions/${ver}/copies`, { count });
			const list = Array.isArray(made) ? made : [];
			status.say(`Made ${list.length} cop${list.length === 1 ? "y" : "ies"}: ${list.map((c) => c.label).join("; ")}.`, "done");
			if (list.length)
				location.hash = "#/copies?doc=" + docId;
		} catch (e) {
			status.say(message(e), "error");
		}
		button.disabled = false;
	});
	return form;
}

export async function render(main, { params, query }) {
	if (params.length && params[0] !== undefined)
		return renderOne(main, params[0]);
	const filter = {};
	for (const k of ["case", "doc", "state", "holder"]) {
		const val = query.get(k);
		if (val && queryValue(val))
			filter[k] = val;
	}
	// With no filter at all, the copies out (a register can hold 100 000);
	// a case, document or holder shows all of theirs; "any" asks for everything.
	if (!filter.state)
		filter.state = filter.case || filter.doc || filter.holder ? "any" : "outstanding";
	const asked = { ...filter };
	if (asked.state === "any")
		delete asked.state;
	const qs = new URLSearchParams(asked).toString();
	// A screenful first (one more row says whether there are more), the next on request.
	const ask = async (n) => {
		const list = await call("GET", "/v1/copies?" + new URLSearchParams({ ...asked, limit: String(n) }));
		return Array.isArray(list) ? list : [];
	};
	const rows = await ask(STEP + 1);
	const status = statusLine();
	main.append(h("h1", {}, "Copies"), status);

	// Filters: they become the page's address, so a filtered register can be bookmarked.
	const fc = field("filter-case", "Case", { value: filter.case || "", maxlength: "64" });
	const fd = field("filter-doc", "Document", { value: filter.doc || "", maxlength: "64" });
	const fs = field("filter-state", "State", { tag: "select", options: STATES.map((s) => [s, s === "outstanding" ? "out (issued, not returned)" : s]) });
	fs.input.value = filter.state;
	const fh = field("filter-holder", "Holder", { value: filter.holder || "", maxlength: "64" });
	const ff = h("form", { class: "filters", role: "search", "aria-label": "Filter the copies" },
		fc.row, fd.row, fs.row, fh.row, h("div", { class: "form-row" }, h("button", { type: "submit" }, "Show")));
	ff.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const q = {};
		for (const [k, f] of [["case", fc], ["doc", fd], ["state", fs], ["holder", fh]]) {
			const val = f.input.value.trim();
			if (!val)
				continue;
			if (!queryValue(val)) {
				status.say(`The ${k} filter takes letters, digits and . _ @ : , - only.`, "error");
				f.input.focus();
				return;
			}
			q[k] = val;
		}
		const s = new URLSearchParams(q).toString();
		location.hash = "#/copies" + (s ? "?" + s : "");
	});
	main.append(h("h2", {}, "Filter"), ff);

	main.append(h("h2", {}, "The register"));
	main.append(rows.length ? moreTable(qs ? "Copies matching the filter" : "Every copy your role reaches", [
		{ label: "Copy", cell: (c) => /^\d+$/.test(String(c.copy)) ? h("a", { href: "#/copies/" + c.copy }, show(c.label)) : show(c.label) },
		{ label: "Document", cell: (c) => show(c.title) },
		{ label: "Case", cell: (c) => show(c.case) },
		{ label: "State", cell: (c) => show(c.state) },
		{ label: "Holder", cell: (c) => show(c.holder) },
		{ label: "Issued", cell: (c) => ukDate(c.issued_at) },
		{ label: "Due back", cell: (c) => ukDate(c.due) },
		{ label: "Acknowledged", cell: (c) => ukDate(c.acknowledged) },
	], rows, { step: STEP, load: (n) => ask(n + 1) }) : h("p", {}, qs ? "No copy matches the filter." : "There is no copy yet."));

	main.append(h("h2", {}, "Make numbered paper copies"),
		h("p", {}, "Copies are numbered within the class\u2019s limit; each is stamped with its number when printed."),
		makeCopiesForm(status));
}

async function renderOne(main, copy) {
	if (!/^[1-9][0-9]{0,17}$/.test(copy)) {
		main.append(h("h1", {}, "No such copy"), h("p", {}, h("a", { href: "#/copies" }, "Back to the copies")));
		return;
	}
	const hist = await call("GET", `/v1/copies/${copy}/history`);
	const c = (hist && hist.copy) || {};
	const events = (hist && hist.events) || [];
	const status = statusLine();
	const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
	main.append(h("p", {}, h("a", { href: "#/copies" }, "Back to the copies")),
		h("h1", {}, `Copy ${show(c.label)}`), status,
		facts([
			["Document", show(c.title)],
			["Case", show(c.case)],
			["Version", show(c.version)],
			["Kind", show(c.kind)],
			["State", show(c.state)],
			["Holder", show(c.holder || c.organisation)],
			["Contact", show(c.contact)],
			["Purpose", show(c.purpose)],
			["Issued", ukDate(c.issued_at)],
			["Due back", ukDate(c.due)],
			["Acknowledged", ukDate(c.acknowledged)],
			["Witness", c.state === "destroyed" ? (c.witness_signature === "signed" ? "confirmed (signed)" : "not yet confirmed") : "\u2014"],
		]));

	const act = async (path, body, done) => {
		await call("POST", `/v1/copies/${copy}/${path}`, body);
		status.say(done, "done");
		setTimeout(reload, 600);
	};
	const state = c.state;
	main.append(h("h2", {}, "Actions"));
	const actions = h("div", { class: "copy-actions" });
	main.append(actions);

	if (state === "in-store" || state === "returned") {
		const to = field("issue-to", "Issue to (a principal)", { maxlength: "64", required: true });
		const purpose = field("issue-purpose", "Purpose", { maxlength: "200", required: true });
		const due = field("issue-due", "Due back", { type: "date", required: true, min: today() });
		const b = h("button", { type: "submit", id: "issue-copy" }, "Issue the copy");
		const f = h("form", { novalidate: true }, h("h3", {}, "Issue"), to.row, purpose.row, due.row, b);
		f.addEventListener("submit", async (ev) => {
			ev.preventDefault();
			if (!to.input.value.trim() || !purpose.input.value.trim() || !due.input.value) {
				status.say("Name who receives it, the purpose and the date it is due back.", "error");
				return;
			}
			b.disabled = true;
			try {
				await act("issue", { to: to.input.value.trim(), purpose: purpose.input.value.trim(), due: due.input.value },
					`Copy issued to ${to.input.value.trim()}.`);
			} catch (e) {
				status.say(message(e), "error");
				b.disabled = false;
			}
		});
		actions.append(f);
	}
	if (state === "issued" || state === "acknowledged") {
		const cond = field("return-condition", "Condition on return (optional)", { maxlength: "200" });
		const b = h("button", { type: "submit", id: "return-copy" }, "Record the return");
		const f = h("form", { novalidate: true }, h("h3", {}, "Return"), cond.row, b);
		f.addEventListener("submit", async (ev) => {
			ev.preventDefault();
			b.disabled = true;
			try {
				await act("return", cond.input.value.trim() ? { condition: cond.input.value.trim() } : {}, "Copy returned.");
			} catch (e) {
				status.say(message(e), "error");
				b.disabled = false;
			}
		});
		actions.append(f);
		if (state === "issued") {
			const ab = h("button", { type: "button", id: "paper-receipt" }, "Record the holder\u2019s signed paper receipt");
			ab.addEventListener("click", async () => {
				ab.disabled = true;
				try {
					await act("acknowledge", { paper: true }, "The paper receipt is recorded.");
				} catch (e) {
					status.say(message(e), "error");
					ab.disabled = false;
				}
			});
			actions.append(h("div", {}, h("h3", {}, "Receipt"),
				h("p", {}, "The holder acknowledges the copy with their own key, or signs a paper receipt that you record here."), ab));
		}
		const why = field("lost-reason", "Why it is lost", { maxlength: "200" });
		const lf = h("form", { novalidate: true }, h("h3", {}, "Mark lost"), why.row);
		lf.append(confirmButton("Mark lost", "Confirm: mark lost", `Mark copy ${show(c.label)} lost`, status, async () => {
			if (!why.input.value.trim())
				throw new Error("Say why the copy is lost.");
			await act("lost", { reason: why.input.value.trim() }, "Copy marked lost.");
		}));
		lf.addEventListener("submit", (ev) => ev.preventDefault());
		actions.append(lf);
	}
	if (state === "in-store" || state === "returned") {
		const wit = field("destroy-witness", "Witness (a principal)", { maxlength: "64" },
			"The witness confirms the destruction afterwards, in their own session.");
		const note = field("destroy-note", "Note (optional)", { maxlength: "200" });
		const df = h("form", { novalidate: true }, h("h3", {}, "Destroy before a witness"), wit.row, note.row);
		df.append(confirmButton("Destroy", "Confirm: destroy", `Destroy copy ${show(c.label)}`, status, async () => {
			if (!pathName(wit.input.value.trim()))
				throw new Error("Name the witness (a principal).");
			const body = { witness: wit.input.value.trim() };
			if (note.input.value.trim())
				body.note = note.input.value.trim();
			await act("destroy", body, `Copy destroyed; waiting for ${body.witness} to confirm as witness.`);
		}));
		df.addEventListener("submit", (ev) => ev.preventDefault());
		actions.append(df);
	}
	if (c.kind === "paper" && state !== "destroyed" && state !== "lost") {
		const pb = h("button", { type: "button", id: "print-copy" }, "Print (download the stamped PDF)");
		pb.addEventListener("click", async () => {
			pb.disabled = true;
			status.say("Stamping the copy\u2026", "");
			try {
				const res = await send("POST", `/v1/copies/${copy}/print`, { accept: "application/pdf" });
				download(await res.blob(), `copy-${copy}.pdf`);
				status.say(`The stamped PDF of ${show(c.label)} is downloading (copy-${copy}.pdf).`, "done");
			} catch (e) {
				status.say(message(e), "error");
			}
			pb.disabled = false;
		});
		actions.append(h("div", {}, h("h3", {}, "Print"), pb));
	}
	if (state === "destroyed") {
		const sec = h("div", {}, h("h3", {}, "Witness"));
		const last = events.filter((e) => e.event === "destroy").pop();
		const witness = last && last.witness;
		if (c.witness_signature === "signed")
			sec.append(h("p", {}, `${show(witness)} confirmed the destruction.`));
		else
			sec.append(h("p", { class: "pending", id: "witness-pending" }, `Pending: ${show(witness)} has not yet confirmed the destruction. ` +
				"The witness confirms it in their own session, with their passkey."));
		const me = current() ? current().principal : null;
		if (c.witness_signature !== "signed" && me && witness === me) {
			// The witness, in their own session: the exact statement they confirm.
			try {
				const res = await send("GET", `/v1/copies/${copy}/witness-statement`, { accept: "application/json" });
				const statement = await res.text();
				const wb = h("button", { type: "button", id: "witness-confirm" }, "Confirm the destruction with your passkey");
				wb.addEventListener("click", async () => {
					wb.disabled = true;
					status.say("Waiting for your passkey\u2026", "");
					try {
						await passkeyWitness(copy, statement);
						status.say("You confirmed the destruction as its witness.", "done");
						setTimeout(reload, 600);
					} catch (e) {
						status.say(e && e.name ? explain(e) : message(e), "error");
						wb.disabled = false;
					}
				});
				sec.append(h("h4", {}, "You are the witness"),
					h("p", {}, "This is the statement you confirm; your passkey signs it:"),
					h("pre", { class: "statement", id: "witness-statement", tabindex: "0", "aria-label": "The witness statement" }, statement),
					wb);
			} catch (e) {
				sec.append(h("p", { class: "error" }, message(e)));
			}
		}
		actions.append(sec);
	}
	if (!actions.firstChild)
		actions.append(h("p", {}, "Nothing more can be done with this copy."));

	main.append(h("h2", {}, "History"), events.length ? table("The copy's history", [
		{ label: "When", cell: (e) => ukDate(e.at) },
		{ label: "Event", cell: (e) => show(e.event) },
		{ label: "From", cell: (e) => show(e.from) },
		{ label: "To", cell: (e) => show(e.to) },
		{ label: "By", cell: (e) => show(e.by) },
		{ label: "Holder", cell: (e) => show(e.holder) },
		{ label: "Witness", cell: (e) => show(e.witness) },
		{ label: "Note", cell: (e) => show(e.note) },
		{ label: "Audit entry", cell: (e) => show(e.audit_seq) },
	], events) : h("p", {}, "No history."));
}
