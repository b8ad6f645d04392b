// page-audit.js - #/audit: the latest audit entries (GET /v1/audit/tail?n=N),
// narrowed here by action, principal and outcome.
import { call } from "./api.js";
import { h, table, ukDate, show, clear } from "./dom.js";

const COUNTS = ["20", "50", "100", "500", "1000"];

export async function render(main, { query }) {
	const n = COUNTS.includes(query.get("n")) ? query.get("n") : "50";
	const entries = await call("GET", `/v1/audit/tail?n=${n}`);
	const all = Array.isArray(entries) ? entries : (entries && entries.entries) || [];

	const count = h("select", { id: "audit-n", name: "n" }, COUNTS.map((c) => h("option", { value: c, selected: c === n }, c)));
	const action = h("input", { id: "audit-action", name: "action", type: "search", autocomplete: "off" });
	const who = h("input", { id: "audit-principal", name: "principal", type: "search", autocomplete: "off" });
	const outcome = h("select", { id: "audit-outcome", name: "outcome" },
		h("option", { value: "" }, "any"), h("option", { value: "ok" }, "ok"), h("option", { value: "denied" }, "denied"),
		h("option", { value: "error" }, "error"));
	const field = (id, label, control) => h("div", {}, h("label", { for: id }, label), control);
	const form = h("form", { class: "filters", role: "search", "aria-label": "Audit entries" },
		field("audit-n", "Latest entries", count),
		field("audit-action", "Action contains", action),
		field("audit-principal", "Principal", who),
		field("audit-outcome", "Outcome", outcome));
	const shown = h("p", { role: "status", "aria-live": "polite" });
	const results = h("div");
	main.append(h("h1", {}, "Audit log"), form, shown, results);

	const draw = () => {
		const a = action.value.trim().toLowerCase(), p = who.value.trim(), o = outcome.value;
		const rows = all.filter((e) => (!a || String(e.action || "").toLowerCase().includes(a)) &&
			(!p || e.principal === p) && (!o || e.outcome === o));
		clear(results);
		shown.textContent = `${rows.length} of the latest ${all.length} entries.`;
		if (rows.length)
			results.append(table("Audit entries, newest last", [
				{ label: "Seq", cell: (e) => show(e.seq) },
				{ label: "Time", cell: (e) => ukDate(e.time) },
				{ label: "Principal", cell: (e) => show(e.principal) },
				{ label: "Role", cell: (e) => show(e.role) },
				{ label: "Action", cell: (e) => show(e.action) },
				{ label: "Outcome", cell: (e) => show(e.outcome) },
			], rows));
	};
	for (const c of [action, who])
		c.addEventListener("input", draw);
	outcome.addEventListener("change", draw);
	count.addEventListener("change", () => location.assign(`#/audit?n=${count.value}`));
	form.addEventListener("submit", (ev) => ev.preventDefault());
	draw();
}
