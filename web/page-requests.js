// page-requests.js - #/requests: the access-request register (GET
// /v1/requests) with FOI requests due soon or overdue (GET /v1/requests/due),
// and recording one (POST /v1/requests); #/requests/N: one request (GET
// /v1/requests/{request}), its clock stops (POST .../clock), the decision
// (POST .../decision) and the answer sent (POST .../response).
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field, message, today } from "./forms.js";

const reload = () => setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);

export async function render(main, { params, query }) {
	if (params.length && params[0] !== undefined)
		return renderOne(main, params[0]);
	const open = query.get("open") === "false" ? "false" : "true";
	const [list, due] = await Promise.all([call("GET", "/v1/requests?open=" + open), call("GET", "/v1/requests/due?days=5")]);
	const rows = Array.isArray(list) ? list : [];
	const dues = Array.isArray(due) ? due : [];
	const status = statusLine();
	main.append(h("h1", {}, "Access requests"), status);
	const link = (r) => /^\d+$/.test(String(r.request)) ? h("a", { href: "#/requests/" + r.request }, "Request " + r.request) : show(r.request);
	main.append(h("h2", {}, "FOI due within 5 working days, or overdue"));
	main.append(dues.length ? table("FOI requests due soon or overdue", [
		{ label: "Request", cell: link },
		{ label: "Requester", cell: (r) => show(r.requester) },
		{ label: "Received", cell: (r) => ukDate(r.received) },
		{ label: "Due", cell: (r) => /^\d{4}-/.test(r.due || "") ? ukDate(r.due) : show(r.due) },
		{ label: "Overdue", cell: (r) => r.overdue ? h("strong", { class: "error" }, "overdue") : "no" },
	], dues) : h("p", {}, "No FOI request is due within 5 working days."));

	main.append(h("h2", {}, open === "true" ? "Open requests" : "Closed requests"),
		h("p", {}, h("a", { href: open === "true" ? "#/requests?open=false" : "#/requests" },
			open === "true" ? "Show the closed requests" : "Show the open requests")));
	main.append(rows.length ? table(open === "true" ? "Open access requests" : "Closed access requests", [
		{ label: "Request", cell: link },
		{ label: "Channel", cell: (r) => show(r.channel) },
		{ label: "Requester", cell: (r) => show(r.requester) },
		{ label: "Case", cell: (r) => show(r.case) },
		{ label: "Received", cell: (r) => ukDate(r.received) },
		{ label: "Due", cell: (r) => /^\d{4}-/.test(r.due || "") ? ukDate(r.due) : show(r.due) },
		{ label: "State", cell: (r) => show(r.state) + (r.overdue ? " (overdue)" : "") },
		{ label: "Answered", cell: (r) => ukDate(r.responded) },
	], rows) : h("p", {}, "None."));

	// Recording a request: the channel decides who is asking.
	const ch = field("req-channel", "Channel", { tag: "select", options: [["foi", "Freedom of information"], ["external", "External (a partner, the inspectorate)"], ["internal", "Internal (a principal)"]] });
	const by = field("req-requester", "Requester (a principal, for an internal request)", { maxlength: "64" });
	const kind = field("req-kind", "Who is asking (outside)", { tag: "select", options: [["media", "media"], ["public", "public"], ["council", "council"], ["partner", "partner"], ["inspectorate", "inspectorate"]] });
	const nm = field("req-name", "Their name (outside)", { maxlength: "120" });
	const org = field("req-org", "Their organisation (optional)", { maxlength: "120" });
	const contact = field("req-contact", "Their contact (outside)", { maxlength: "200" });
	const kase = field("req-case", "Case", { maxlength: "64", required: true });
	const reason = field("req-reason", "What is asked for, and why", { maxlength: "500", required: true });
	const rec = field("req-received", "Received on", { type: "date", value: today(), required: true });
	const b = h("button", { type: "submit", id: "record-request" }, "Record the request");
	const f = h("form", { novalidate: true }, ch.row, by.row, kind.row, nm.row, org.row, contact.row, kase.row, reason.row, rec.row, b);
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const body = { channel: ch.input.value, reason: reason.input.value.trim(), received: rec.input.value };
		if (!pathName(kase.input.value.trim()) || !body.reason) {
			status.say("Name the case and say what is asked for.", "error");
			return;
		}
		body.case = kase.input.value.trim();
		if (body.channel === "internal")
			body.requester = by.input.value.trim();
		else {
			body.ext_kind = kind.input.value;
			body.ext_name = nm.input.value.trim();
			body.ext_contact = contact.input.value.trim();
			if (org.input.value.trim())
				body.ext_org = org.input.value.trim();
		}
		b.disabled = true;
		try {
			const r = await call("POST", "/v1/requests", body);
			status.say(`Request ${show(r.request)} recorded${r.due ? ", due " + ukDate(r.due) : ""}.`, "done");
			reload();
		} catch (e) {
			status.say(message(e), "error");
		}
		b.disabled = false;
	});
	main.append(h("h2", {}, "Record a request"), f);
}

async function renderOne(main, id) {
	if (!/^[1-9][0-9]{0,17}$/.test(id)) {
		main.append(h("h1", {}, "No such request"), h("p", {}, h("a", { href: "#/requests" }, "Back to the requests")));
		return;
	}
	const r = await call("GET", `/v1/requests/${id}`);
	const status = statusLine();
	main.append(h("p", {}, h("a", { href: "#/requests" }, "Back to the requests")), h("h1", {}, `Request ${id}`), status);
	const dl = h("dl", { class: "facts" });
	for (const [k, v] of [["Channel", show(r.channel)], ["Requester", show(r.requester)], ["Contact", show(r.contact)],
		["Case", show(r.case)], ["Reason", show(r.reason)], ["Received", ukDate(r.received)],
		["Due", /^\d{4}-/.test(r.due || "") ? ukDate(r.due) : show(r.due)], ["Overdue", r.overdue ? "yes" : "no"],
		["State", show(r.state)], ["Decided", `${ukDate(r.decided_at)} ${r.decided_by ? "by " + r.decided_by : ""}`],
		["Decision's reason", show(r.decision_reason)], ["Exemption", show(r.exemption)], ["Answered", ukDate(r.responded)]])
		dl.append(h("dt", {}, k), h("dd", {}, v));
	main.append(dl);
	const clock = Array.isArray(r.clock) ? r.clock : [];
	main.append(h("h2", {}, "Clock stops"), clock.length ? table("The FOI clock's stops", [
		{ label: "For", cell: (c) => show(c.for) },
		{ label: "Stopped", cell: (c) => ukDate(c.stopped) },
		{ label: "Restarted", cell: (c) => ukDate(c.restarted) },
		{ label: "Note", cell: (c) => show(c.note) },
	], clock) : h("p", {}, "The clock has not been stopped."));
	const docs = Array.isArray(r.documents_covered) ? r.documents_covered : [];
	main.append(h("h2", {}, "Documents covered"), docs.length ? table("Documents the request covers", [
		{ label: "Title", cell: (d) => show(d.title) }, { label: "Class", cell: (d) => show(d.class) },
	], docs) : h("p", {}, "None."));

	const post = (path, body, done, btn) => async (ev) => {
		ev.preventDefault();
		btn.disabled = true;
		try {
			await call("POST", `/v1/requests/${id}/${path}`, body());
			status.say(done, "done");
			reload();
		} catch (e) {
			status.say(message(e), "error");
		}
		btn.disabled = false;
	};
	// The clock: stop for a fee or clarification, or restart.
	const ck = field("clock-kind", "Clock", { tag: "select", options: [["fee", "Stop: waiting for a fee"], ["clarification", "Stop: waiting for clarification"], ["", "Restart"]] });
	const con = field("clock-on", "On", { type: "date", value: today() });
	const cnote = field("clock-note", "Note (optional)", { maxlength: "200" });
	const cb = h("button", { type: "submit" }, "Record");
	const cf = h("form", { novalidate: true }, ck.row, con.row, cnote.row, cb);
	cf.addEventListener("submit", post("clock", () => {
		const b = { on: con.input.value };
		if (ck.input.value) b.kind = ck.input.value;
		if (cnote.input.value.trim()) b.note = cnote.input.value.trim();
		return b;
	}, "The clock is recorded.", cb));
	main.append(h("h2", {}, "Stop or restart the clock"), cf);

	const agree = field("decide-agree", "Decision", { tag: "select", options: [["true", "Agree"], ["false", "Refuse"]] });
	const dr = field("decide-reason", "Reason", { maxlength: "500", required: true });
	const dex = field("decide-exemption", "Exemption (when refused, optional)", { maxlength: "64" });
	const dcon = field("decide-consulted", "Consulted (optional)", { maxlength: "200" });
	const db = h("button", { type: "submit" }, "Record the decision");
	const df = h("form", { novalidate: true }, agree.row, dr.row, dex.row, dcon.row, db);
	df.addEventListener("submit", post("decision", () => {
		const b = { agree: agree.input.value === "true", reason: dr.input.value.trim() };
		if (dex.input.value.trim()) b.exemption = dex.input.value.trim();
		if (dcon.input.value.trim()) b.consulted = dcon.input.value.trim();
		return b;
	}, "The decision is recorded.", db));
	main.append(h("h2", {}, "Decide"), h("p", { class: "hint" }, "Whoever recorded or made the request cannot decide it: the service refuses."), df);

	const ron = field("respond-on", "The answer was sent on", { type: "date", value: today() });
	const rb = h("button", { type: "submit" }, "Record the answer");
	const rf = h("form", { novalidate: true }, ron.row, rb);
	rf.addEventListener("submit", post("response", () => ({ on: ron.input.value }), "The answer is recorded.", rb));
	main.append(h("h2", {}, "Respond"), rf);
}
