// page-agenda.js - #/agenda: what is due (GET /v1/agenda), a screenful at a
// time: the most urgent items first (`limit`), the next ones on request;
// #/agenda?days=N&kinds=K widens or narrows it (the service's own options).
import { call } from "./api.js";
import { h, ukDate, show, pathName } from "./dom.js";
import { field } from "./forms.js";
import { moreTable } from "./more.js";

const STEP = 200;
const KINDS = ["decision", "referral", "imr", "completion", "ofsted", "plan-review", "copy", "foi", "request",
	"operation", "disposal", "retention", "take-down"];

function caseLink(ref) {
	return ref && pathName(ref) ? h("a", { href: "#/cases/" + ref }, ref) : show(ref);
}

const columns = [
	{ label: "Due", cell: (i) => ukDate(i.due) },
	{ label: "When", cell: (i) => show(i.when) },
	{ label: "Kind", cell: (i) => show(i.kind) },
	{ label: "Case", cell: (i) => caseLink(i.case) },
	{ label: "What", cell: (i) => show(i.what) },
];

// How far ahead and which kind: the address carries them, so a widened agenda can be kept.
function optionsForm(days, kind) {
	const d = field("agenda-days", "Days ahead", { type: "number", min: "0", max: "3660", value: String(days) });
	const k = field("agenda-kind", "Kind", { tag: "select", options: [["", "Every kind"], ...KINDS.map((x) => [x, x])] });
	k.input.value = kind;
	const form = h("form", { class: "row-actions" }, d.row, k.row, h("button", { type: "submit" }, "Show"));
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const q = new URLSearchParams();
		const n = Number(d.input.value);
		if (Number.isInteger(n) && n >= 0 && n <= 3660)
			q.set("days", String(n));
		if (KINDS.includes(k.input.value))
			q.set("kinds", k.input.value);
		location.hash = "#/agenda" + (q.toString() ? "?" + q : "");
	});
	return form;
}

export async function render(main, { query }) {
	const q = new URLSearchParams();
	const days = query && /^\d{1,4}$/.test(query.get("days") || "") ? Math.min(Number(query.get("days")), 3660) : 14;
	const kind = query && KINDS.includes(query.get("kinds")) ? query.get("kinds") : "";
	q.set("days", String(days));
	if (kind)
		q.set("kinds", kind);
	const ask = (limit) => call("GET", `/v1/agenda?${q}&limit=${limit}`);
	const a = await ask(STEP + 1);
	const items = Array.isArray(a.items) ? a.items : [];
	const total = (a.due ?? 0) + (a.overdue ?? 0);
	main.append(
		h("h1", {}, "Agenda"),
		h("p", {}, `What is due from ${ukDate(a.as_of)} to ${ukDate(a.until)}: ${a.due ?? items.length} due, ${a.overdue ?? 0} overdue.`),
		optionsForm(days, kind));
	if (!items.length) {
		main.append(h("p", {}, "Nothing is due."));
		return;
	}
	// The next rows: the agenda again with a larger limit (one more, to know whether there are more).
	main.append(moreTable("Items due, the most urgent first", columns, items, {
		step: STEP, total, load: async (n) => (await ask(n + 1)).items || [],
	}));
}
