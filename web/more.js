// more.js - a long list drawn a screenful at a time: the first rows at
// once, then a button that adds the next ones (a page with thousands of
// rows is on screen at once, and the person widens it as they need).
import { h, table, statusLine } from "./dom.js";

// table()'s caption and columns; `rows` the first rows, with one more
// than `step` when there are more; load(n) -> (a promise of) the first n
// rows, with one more when there are more than n; `total` the count when
// the service gives it.
export function moreTable(caption, columns, rows, { step, load, total = null }) {
	let shown = Math.min(step, rows.length);
	let more = rows.length > shown;
	const wrap = table(caption, columns, rows.slice(0, shown));
	const body = wrap.querySelector("tbody");
	const status = statusLine();
	const button = h("button", { type: "button", class: "secondary" });
	const count = () => {
		status.say(`Showing ${shown}${total !== null ? " of " + total : ""}.`);
		button.textContent = `Show ${total !== null ? Math.min(step, total - shown) : step} more`;
		button.hidden = !more;
	};
	button.addEventListener("click", async () => {
		button.disabled = true;
		try {
			const next = await load(shown + step);
			const upto = Math.min(shown + step, next.length);
			for (const r of next.slice(shown, upto))
				body.append(h("tr", {}, columns.map((c) => h("td", {}, c.cell(r)))));
			shown = Math.max(shown, upto);
			more = next.length > upto;
			count();
		} catch (e) {
			status.say((e && e.message) || "The next rows could not be fetched.", "error");
		}
		button.disabled = false;
	});
	count();
	return h("div", {}, wrap, status, button);
}
