// dom.js - building the page with DOM calls only: text goes in as text
// (textContent, text nodes), never as HTML, so no answer of the service can
// become markup or script.  No inline style or handler attribute is made.

// h("a", {href: "#/cases"}, "Cases", child...): an element.
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (/^on/i.test(k) || k === "style")
			throw new Error("no handler or style attribute: use addEventListener and app.css");
		el.setAttribute(k, v === true ? "" : String(v));
	}
	for (const c of children.flat()) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

// Empty an element.
export function clear(el) {
	while (el.firstChild)
		el.firstChild.remove();
}

const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" });
const timeFormat = new Intl.DateTimeFormat("en-GB", {
	day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
	timeZone: "Europe/London",
});

// "2026-12-07" -> "07/12/2026"; "2026-12-07T19:45:00Z" -> "07/12/2026, 19:45"
// (UK time); anything else (null, "") -> "—".
export function ukDate(s) {
	if (!s)
		return "\u2014";
	if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
		const d = new Date(s + "T00:00:00Z");
		return isNaN(d) ? s : dayFormat.format(d);
	}
	const d = new Date(s);
	return isNaN(d) ? String(s) : timeFormat.format(d);
}

// A value for a cell: null -> "—".
export function show(v) {
	return v === null || v === undefined || v === "" ? "\u2014" : String(v);
}

// A table in a scrollable region that a keyboard can reach:
// columns [{label, cell: row -> Node|string}].
export function table(caption, columns, rows) {
	const wrap = h("div", { class: "table-wrap", role: "region", "aria-label": caption, tabindex: "0" });
	const t = h("table", {}, h("caption", {}, caption));
	t.append(h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.label)))));
	const body = h("tbody");
	for (const r of rows)
		body.append(h("tr", {}, columns.map((c) => h("td", {}, c.cell(r)))));
	t.append(body);
	wrap.append(t);
	return wrap;
}

// A live status line for a page: say(text, kind) with kind "error"/"done"/"".
export function statusLine() {
	const el = h("p", { class: "status", role: "status", "aria-live": "polite" });
	el.say = (text, kind) => {
		el.className = "status" + (kind ? " " + kind : "");
		el.textContent = text || "";
	};
	return el;
}

// A name the service takes in a path: [A-Za-z0-9._@-], 1-64, not starting with '.'.
export function pathName(s) {
	return typeof s === "string" && /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}$/.test(s);
}
