// page-commissions.js - #/commissions: the IMRs commissioned from the
// agencies, with their due dates and progress, in one call
// (GET /v1/commissions: the service gives an agency's author its agency's
// commissions only), and a link to send each one.
import { call } from "./api.js";
import { h, ukDate, show, pathName } from "./dom.js";
import { moreTable } from "./more.js";

const STEP = 200;

export async function render(main) {
	const list = await call("GET", "/v1/commissions");
	const imrs = Array.isArray(list) ? list : [];
	main.append(h("h1", {}, "IMR commissions"),
		h("p", {}, "The individual management reviews asked of agencies on the cases your role reaches, with the day each is due."));
	if (!imrs.length) {
		main.append(h("p", {}, "No IMR has been commissioned on a case your role reaches."));
		return;
	}
	imrs.sort((a, b) => String(a.due || "").localeCompare(String(b.due || "")));
	const ref = (r) => r.case;
	main.append(moreTable("IMR commissions, earliest due first", [
		{ label: "Case", cell: (r) => pathName(ref(r)) ? h("a", { href: "#/cases/" + ref(r) }, ref(r)) : show(ref(r)) },
		{ label: "Agency", cell: (r) => show(r.agency) },
		{ label: "Author", cell: (r) => show(r.author) },
		{ label: "Commissioned", cell: (r) => ukDate(r.commissioned_on) },
		{ label: "Due", cell: (r) => ukDate(r.due) },
		{ label: "Stage", cell: (r) => show(r.stage) },
		{ label: "Status", cell: (r) => h("span", { class: r.status === "overdue" || r.late_days > 0 ? "error" : null }, show(r.status)) },
		{ label: "Days late", cell: (r) => show(r.late_days) },
		{ label: "Send", cell: (r) => pathName(ref(r)) ? h("a", { href: "#/upload?case=" + ref(r) }, `Send the IMR for ${ref(r)}`) : "\u2014" },
	], imrs.slice(0, STEP + 1), { step: STEP, total: imrs.length, load: (n) => imrs.slice(0, n + 1) }));
}
