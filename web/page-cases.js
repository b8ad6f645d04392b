// page-cases.js - #/cases: the cases the role reaches (GET /v1/cases).
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field, message } from "./forms.js";

// Open a case (POST /v1/cases); the service checks the reference and the role.
function openCaseForm() {
	const status = statusLine();
	const ref = field("case-ref", "Reference", { maxlength: "64", required: true }, "Letters, digits and . _ @ -, for example SCR-2026-07.");
	const title = field("case-title", "Title", { maxlength: "200", required: true });
	const type = field("case-type", "Review type", { tag: "select", options: [["scr", "Serious case review (scr)"], ["sir", "Serious incident review (sir)"], ["interagency", "Interagency review (interagency)"]] });
	const b = h("button", { type: "submit", id: "open-case" }, "Open the case");
	const f = h("form", { novalidate: true }, ref.row, title.row, type.row, b, status);
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const body = { case: ref.input.value.trim(), title: title.input.value.trim() };
		if (!pathName(body.case) || !body.title) {
			status.say("Give a reference (letters, digits and . _ @ -) and a title.", "error");
			return;
		}
		body.review_type = type.input.value;
		b.disabled = true;
		try {
			await call("POST", "/v1/cases", body);
			status.say(`Case ${body.case} opened.`, "done");
			location.hash = "#/cases/" + body.case;
		} catch (e) {
			status.say(message(e), "error");
			b.disabled = false;
		}
	});
	return [h("h2", {}, "Open a case"), f];
}

export async function render(main) {
	const list = await call("GET", "/v1/cases");
	const rows = Array.isArray(list) ? list : (list && list.cases) || [];
	main.append(h("h1", {}, "Cases"));
	if (!rows.length) {
		main.append(h("p", {}, "No case is open to your role."), ...openCaseForm());
		return;
	}
	main.append(table("Cases your role reaches", [
		{ label: "Reference", cell: (c) => pathName(c.ref) ? h("a", { href: "#/cases/" + c.ref }, c.ref) : show(c.ref) },
		{ label: "Title", cell: (c) => show(c.title) },
		{ label: "Type", cell: (c) => show(c.review_type) },
		{ label: "Status", cell: (c) => show(c.status) },
		{ label: "Opened", cell: (c) => ukDate(c.opened_at) },
		{ label: "Documents", cell: (c) => show(c.documents) },
	], rows), ...openCaseForm());
}
