// page-agenda.js - #/agenda: what is due (GET /v1/agenda).
import { call } from "./api.js";
import { h, table, ukDate, show, pathName } from "./dom.js";

function caseLink(ref) {
	return ref && pathName(ref) ? h("a", { href: "#/cases/" + ref }, ref) : show(ref);
}

export async function render(main) {
	const a = await call("GET", "/v1/agenda");
	const items = Array.isArray(a.items) ? a.items : [];
	main.append(
		h("h1", {}, "Agenda"),
		h("p", {}, `What is due from ${ukDate(a.as_of)} to ${ukDate(a.until)}: ${a.due ?? items.length} due, ${a.overdue ?? 0} overdue.`));
	if (!items.length) {
		main.append(h("p", {}, "Nothing is due."));
		return;
	}
	main.append(table("Items due", [
		{ label: "Due", cell: (i) => ukDate(i.due) },
		{ label: "When", cell: (i) => show(i.when) },
		{ label: "Kind", cell: (i) => show(i.kind) },
		{ label: "Case", cell: (i) => caseLink(i.case) },
		{ label: "What", cell: (i) => show(i.what) },
	], items));
}
