// page-case.js - #/cases/REF: one case, its timeline and clocks, its documents.
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { makeCopiesForm } from "./page-copies.js";

function facts(pairs) {
	const dl = h("dl", { class: "facts" });
	for (const [k, v] of pairs)
		dl.append(h("dt", {}, k), h("dd", {}, v));
	return dl;
}

export async function render(main, { params }) {
	const ref = params[0];
	if (!pathName(ref)) {
		main.append(h("h1", {}, "No such case"), h("p", {}, "A case reference is letters, digits and . _ @ -."),
			h("p", {}, h("a", { href: "#/cases" }, "Back to the cases")));
		return;
	}
	const [c, tl, docs] = await Promise.all([
		call("GET", `/v1/cases/${ref}`),
		call("GET", `/v1/cases/${ref}/timeline`),
		call("GET", `/v1/cases/${ref}/docs`),
	]);
	main.append(
		h("p", {}, h("a", { href: "#/cases" }, "Back to the cases")),
		h("h1", {}, `${c.ref}: ${show(c.title)}`),
		facts([
			["Type", show(c.review_type)],
			["Status", show(c.status)],
			["Opened", ukDate(c.opened_at)],
			["Referral received", ukDate(c.received_on)],
			["Decision", ukDate(c.decision_date)],
			["Documents", show(c.documents)],
		]));
	const milestones = (tl && tl.milestones) || [];
	main.append(h("h2", {}, "Timeline"), h("p", {}, `Clocks as of ${ukDate(tl && tl.as_of)}.`));
	main.append(milestones.length ? table("Clocks and milestones", [
		{ label: "Milestone", cell: (m) => show(m.label) },
		{ label: "Status", cell: (m) => show(m.status) },
		{ label: "Due", cell: (m) => ukDate(m.due) },
		{ label: "Done", cell: (m) => ukDate(m.done_on) },
		{ label: "Days late", cell: (m) => show(m.late_days) },
	], milestones) : h("p", {}, "No clock has started."));
	const events = (tl && tl.events) || [];
	if (events.length)
		main.append(table("Events", [
			{ label: "On", cell: (e) => ukDate(e.on || e.date || e.at) },
			{ label: "Event", cell: (e) => show(e.event || e.kind || e.label) },
		], events));
	// The holds are a page of their own: reading them needs hold.read, and a
	// refused read is audited, so the case page does not ask for every role.
	main.append(h("p", {}, h("a", { href: `#/holds?case=${ref}`, id: "case-holds" }, "Legal holds on this case")));
	const rows = Array.isArray(docs) ? docs : [];
	main.append(h("h2", {}, "Documents"));
	main.append(rows.length ? table("Documents your role reaches", [
		{ label: "Title", cell: (d) => show(d.title) },
		{ label: "Class", cell: (d) => show(d.class) },
		{ label: "Agency", cell: (d) => show(d.agency) },
		{ label: "Latest version", cell: (d) => show(d.latest) },
		{ label: "Master", cell: (d) => show(d.master) },
		{ label: "Updated", cell: (d) => ukDate(d.updated_at) },
	], rows) : h("p", {}, "No document of this case is open to your role."));
	// Numbered paper copies of each document's latest version (the service
	// checks the class's limit and the role).
	const copyable = rows.filter((d) => pathName(String(d.doc)) && /^\d+$/.test(String(d.latest)));
	if (copyable.length) {
		const status = statusLine();
		main.append(h("h2", {}, "Copies"), h("p", {}, h("a", { href: `#/copies?case=${ref}` }, "This case’s copies")), status);
		for (const d of copyable)
			main.append(h("h3", {}, `${show(d.title)}, version ${d.latest}`), makeCopiesForm(status, d.doc, d.latest));
	}
}
