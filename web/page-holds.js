// page-holds.js - #/holds[?case=REF]: the legal holds in force (GET
// /v1/holds: those placed, and the automatic holds of FOI requests), placing
// one on a case, a document or the whole board with its kind and reason
// (POST /v1/holds) and lifting one with a reason (POST /v1/holds/{hold}/lift,
// with a confirm step).  With ?case=REF, the holds that keep something of
// that case (the case page links here).
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field, confirmButton, message } from "./forms.js";

const KINDS = [["criminal-proceedings", "Criminal proceedings"], ["coroner", "Coroner's inquest"],
	["inquiry", "Public inquiry"], ["foi-appeal", "FOI appeal"], ["other", "Other"]];

function scopeText(x) {
	if (x.scope === "board")
		return "Everything the board holds" + (x.class ? ` (class ${x.class})` : "");
	if (x.scope === "doc")
		return `Document ${show(x.doc)}` + (x.case ? ` (${x.case})` : "");
	return `Case ${show(x.case)}` + (x.automatic && x.documents ? ` (${x.documents} document(s))` : "");
}

// Does the hold keep something of case `ref`?
function onCase(x, ref) {
	return x.scope === "board" || x.case === ref;
}

function holdsTable(caption, rows, status) {
	return table(caption, [
		{ label: "Hold", cell: (x) => x.automatic ? `FOI request ${show(x.request)}` : show(x.hold) },
		{ label: "Keeps", cell: scopeText },
		{ label: "Kind", cell: (x) => show(x.kind) },
		{ label: "Reason", cell: (x) => show(x.reason) },
		{ label: "Placed", cell: (x) => x.automatic ? (x.until ? `until ${ukDate(x.until)}` : "while the request is open") :
			`${ukDate(x.placed_at)} by ${show(x.placed_by)}` },
		{ label: "Lift", cell: (x) => x.automatic ? "Ends by itself" : liftForm(x, status) },
	], rows);
}

function liftForm(x, status) {
	const id = `lift-${x.hold}-reason`;
	// labelled by aria-label: a visually hidden label, absolutely placed,
	// would widen the page past a scrolled table
	const reason = h("input", { id, type: "text", maxlength: "200", autocomplete: "off", "aria-label": `Reason for lifting hold ${x.hold}` });
	const f = h("form", { novalidate: true }, reason, " ",
		confirmButton("Lift", "Confirm lifting", `Lift hold ${x.hold}`, status, async () => {
			const why = reason.value.trim();
			if (!why) {
				reason.focus();
				throw new Error("Give the reason for lifting the hold.");
			}
			await call("POST", `/v1/holds/${x.hold}/lift`, { reason: why });
			status.say(`Hold ${x.hold} lifted.`, "done");
			setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);
		}));
	f.addEventListener("submit", (ev) => ev.preventDefault());
	return f;
}

export async function render(main, { query }) {
	const only = query && query.get("case");
	const ref = only && pathName(only) ? only : null;
	const all = await call("GET", "/v1/holds");
	const rows = (Array.isArray(all) ? all : []).filter((x) => !ref || onCase(x, ref));
	const status = statusLine();
	main.append(h("h1", {}, ref ? `Legal holds on ${ref}` : "Legal holds"), status,
		h("p", {}, "Nothing a hold keeps is destroyed, whatever its retention rule, until the hold is lifted."));
	if (ref)
		main.append(h("p", {}, h("a", { href: "#/holds" }, "Every hold"), " \u00b7 ", h("a", { href: "#/cases/" + ref }, `Back to ${ref}`)));
	main.append(rows.length ? holdsTable(ref ? `Holds on ${ref}` : "Holds in force", rows, status) : h("p", {}, "No hold is in force."));

	const target = field("hold-target", "Case reference or document", { maxlength: "64", value: ref || "" },
		"Leave empty and tick the box below to hold everything the board holds.");
	const board = h("input", { id: "hold-board", type: "checkbox" });
	const cls = field("hold-class", "Only this class (with everything)", { maxlength: "48" }, "For example imr; empty: every class.");
	const kind = field("hold-kind", "Kind of hold", { tag: "select", required: true, options: [["", "Choose\u2026"], ...KINDS] });
	const reason = field("hold-reason", "Reason", { tag: "textarea", maxlength: "500", required: true, rows: "3" });
	const b = h("button", { type: "submit", id: "place-hold" }, "Place the hold");
	const f = h("form", { novalidate: true }, h("h2", {}, "Place a hold"), target.row,
		h("div", { class: "form-row" }, board, " ", h("label", { for: "hold-board" }, "Hold everything the board holds")),
		cls.row, kind.row, reason.row, b);
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const body = { kind: kind.input.value, reason: reason.input.value.trim() };
		const t = target.input.value.trim();
		if (board.checked) {
			body.board = true;
			if (cls.input.value.trim())
				body.class = cls.input.value.trim();
		} else
			body.target = t;
		const bad = !board.checked && !pathName(t) ? [target.input, "Give a case reference or a document, or hold everything."] :
			board.checked && t ? [target.input, "Hold everything or one case or document, not both."] :
				!body.kind ? [kind.input, "Choose the kind of hold."] :
					!body.reason ? [reason.input, "Give the reason for the hold."] : null;
		if (bad) {
			status.say(bad[1], "error");
			bad[0].focus();
			return;
		}
		b.disabled = true;
		try {
			const ans = await call("POST", "/v1/holds", body);
			status.say(`Hold ${show(ans && ans.hold)} placed.`, "done");
			setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);
		} catch (e) {
			status.say(message(e), "error");
		}
		b.disabled = false;
	});
	main.append(f);
}
