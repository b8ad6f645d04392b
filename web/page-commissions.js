// page-commissions.js - #/commissions: the IMRs commissioned from the
// agencies on the cases the role reads, with their due dates and progress
// (each case's GET /v1/cases/{case}/timeline: its milestones with a
// commission, with author, stage and days), and a link to send each one.
import { call } from "./api.js";
import { h, table, ukDate, show, pathName } from "./dom.js";

export async function render(main) {
	const list = await call("GET", "/v1/cases");
	const cases = (Array.isArray(list) ? list : (list && list.cases) || []).filter((c) => pathName(c.ref));
	const lines = await Promise.all(cases.map((c) => call("GET", `/v1/cases/${c.ref}/timeline`).catch(() => null)));
	const imrs = [];
	lines.forEach((tl, i) => {
		for (const m of (tl && tl.milestones) || [])
			if (m && m.commission !== undefined)
				imrs.push(Object.assign({ case: cases[i].ref }, m));
	});
	main.append(h("h1", {}, "IMR commissions"),
		h("p", {}, "The individual management reviews asked of agencies on the cases your role reaches, with the day each is due."));
	if (!imrs.length) {
		main.append(h("p", {}, "No IMR has been commissioned on a case your role reaches."));
		return;
	}
	imrs.sort((a, b) => String(a.due || "").localeCompare(String(b.due || "")));
	const ref = (r) => r.case || r.case_ref || r.ref;
	main.append(table("IMR commissions, earliest due first", [
		{ label: "Case", cell: (r) => pathName(ref(r)) ? h("a", { href: "#/cases/" + ref(r) }, ref(r)) : show(ref(r)) },
		{ label: "Agency", cell: (r) => show(r.agency) },
		{ label: "Author", cell: (r) => show(r.author) },
		{ label: "Commissioned", cell: (r) => ukDate(r.commissioned_on) },
		{ label: "Due", cell: (r) => ukDate(r.due) },
		{ label: "Stage", cell: (r) => show(r.stage) },
		{ label: "Status", cell: (r) => h("span", { class: r.status === "overdue" || r.late_days > 0 ? "error" : null }, show(r.status)) },
		{ label: "Days late", cell: (r) => show(r.late_days) },
		{ label: "Send", cell: (r) => pathName(ref(r)) ? h("a", { href: "#/upload?case=" + ref(r) }, `Send the IMR for ${ref(r)}`) : "\u2014" },
	], imrs));
}
