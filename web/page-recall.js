// page-recall.js - #/recall[?subject=CASE-OR-DOC]: every copy of a case or
// document still out, with its holder's contact details as recorded at
// issue (GET /v1/recall/{subject}), to call them back; and an electronic
// copy (a release) transferred to its recipient, who keeps it under their
// own retention (POST /v1/copies/{copy}/transfer, with a confirm step).
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field, confirmButton, message } from "./forms.js";

export async function render(main, { query }) {
	const asked = query && query.get("subject");
	const subject = asked && pathName(asked) ? asked : null;
	const status = statusLine();
	main.append(h("h1", {}, subject ? `Recall: ${subject}` : "Recall and transfer"), status,
		h("p", {}, h("a", { href: "#/copies" }, "The copy register")));

	const subj = field("recall-subject", "Case reference or document", { maxlength: "64", required: true, value: subject || "" },
		"Every copy of it still out, with whom to call.");
	const sf = h("form", { novalidate: true, class: "filters" }, subj.row, h("button", { type: "submit", id: "recall-show" }, "Show who holds it"));
	sf.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const s = subj.input.value.trim();
		if (!pathName(s)) {
			status.say("Give a case reference or a document.", "error");
			subj.input.focus();
			return;
		}
		location.hash = "#/recall?subject=" + encodeURIComponent(s);
	});
	main.append(h("h2", {}, "Recall"), sf);
	if (subject) {
		const ans = await call("GET", `/v1/recall/${subject}`);
		const rows = Array.isArray(ans) ? ans : [];
		main.append(rows.length ? table(`Copies of ${subject} still out`, [
			{ label: "Copy", cell: (c) => h("a", { href: "#/copies/" + encodeURIComponent(c.copy) }, show(c.label)) },
			{ label: "Document", cell: (c) => `${show(c.title)} (${show(c.doc)} v${show(c.version)})` },
			{ label: "Kind", cell: (c) => show(c.kind) },
			{ label: "State", cell: (c) => show(c.state) },
			{ label: "Held by", cell: (c) => show(c.holder) + (c.organisation ? `, ${c.organisation}` : "") },
			{ label: "Contact", cell: (c) => show(c.contact) },
			{ label: "Purpose", cell: (c) => show(c.purpose) },
			{ label: "Issued", cell: (c) => ukDate(c.issued_at) },
			{ label: "Due back", cell: (c) => ukDate(c.due) },
		], rows) : h("p", { id: "recall-none" }, `No copy of ${subject} is out.`));
	}

	const copy = field("transfer-copy", "Copy number", { inputmode: "numeric", maxlength: "12", required: true },
		"An electronic copy (a release); a paper copy is returned and destroyed instead.");
	const org = field("transfer-org", "Organisation that keeps it", { maxlength: "200", required: true });
	const note = field("transfer-note", "Note (optional)", { maxlength: "500" });
	const tf = h("form", { novalidate: true }, copy.row, org.row, note.row);
	tf.addEventListener("submit", (ev) => ev.preventDefault());
	tf.append(h("div", { class: "form-row" }, confirmButton("Transfer", "Confirm the transfer", "Transfer the electronic copy", status, async () => {
		const n = copy.input.value.trim();
		const o = org.input.value.trim();
		if (!/^[1-9][0-9]{0,17}$/.test(n)) {
			copy.input.focus();
			throw new Error("Give the copy's number.");
		}
		if (!o) {
			org.input.focus();
			throw new Error("Name the organisation that keeps it.");
		}
		const body = { organisation: o };
		if (note.input.value.trim())
			body.note = note.input.value.trim();
		await call("POST", `/v1/copies/${n}/transfer`, body);
		status.say(`Copy ${n} transferred to ${o}, kept under their own retention.`, "done");
	})));
	main.append(h("h2", {}, "Transfer an electronic copy"),
		h("p", {}, "A release whose recipient keeps it under their own retention leaves the copies out once transferred."), tf);
}
