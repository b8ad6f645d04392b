// page-cases.js - #/cases: the cases the role reaches (GET /v1/cases).
import { call } from "./api.js";
import { h, table, ukDate, show, pathName } from "./dom.js";

export async function render(main) {
	const list = await call("GET", "/v1/cases");
	const rows = Array.isArray(list) ? list : (list && list.cases) || [];
	main.append(h("h1", {}, "Cases"));
	if (!rows.length) {
		main.append(h("p", {}, "No case is open to your role."));
		return;
	}
	main.append(table("Cases your role reaches", [
		{ label: "Reference", cell: (c) => pathName(c.ref) ? h("a", { href: "#/cases/" + c.ref }, c.ref) : show(c.ref) },
		{ label: "Title", cell: (c) => show(c.title) },
		{ label: "Type", cell: (c) => show(c.review_type) },
		{ label: "Status", cell: (c) => show(c.status) },
		{ label: "Opened", cell: (c) => ukDate(c.opened_at) },
		{ label: "Documents", cell: (c) => show(c.documents) },
	], rows));
}
