// forms.js - small pieces the coordinator's pages share: a labelled field,
// a two-step (confirm) button, a query value the service accepts, and a
// Blob (a stamped PDF) handed to the browser as a download (<a download>).
import { ApiError } from "./api.js";
import { h } from "./dom.js";

// A labelled input (or select/textarea when attrs.tag says so) in a form row.
// field("copy-to", "Issue to (a principal)", {required: true}, "hint") -> {row, input}
export function field(id, label, attrs, hint) {
	const a = Object.assign({ id, name: id, type: "text", autocomplete: "off" }, attrs || {});
	const tag = a.tag || "input";
	delete a.tag;
	const options = a.options;
	delete a.options;
	if (tag !== "input")
		delete a.type;
	if (hint)
		a["aria-describedby"] = id + "-hint";
	const input = h(tag, a, (options || []).map(([v, t]) => h("option", { value: v }, t)));
	const row = h("div", { class: "form-row" }, h("label", { for: id }, label),
		hint ? h("p", { class: "hint", id: id + "-hint" }, hint) : null, input);
	return { row, input };
}

// A value the service takes in a query: [A-Za-z0-9._@:,-], at most 64.
export function queryValue(s) {
	return typeof s === "string" && /^[A-Za-z0-9._@:,-]{1,64}$/.test(s);
}

// "YYYY-MM-DD" today (UTC), for date inputs' defaults.
export function today() {
	return new Date().toISOString().slice(0, 10);
}

// A button that needs two presses: the first arms it ("Confirm ..."), the
// second runs act(); a stray click does nothing.  act may throw: the
// button is re-enabled and the error goes to status.
export function confirmButton(label, confirmLabel, aria, status, act) {
	const b = h("button", { type: "button", class: "secondary", "aria-label": aria }, label);
	let armed = false;
	b.addEventListener("click", async () => {
		if (!armed) {
			armed = true;
			b.className = "danger";
			b.textContent = confirmLabel;
			b.setAttribute("aria-label", confirmLabel + ": " + aria);
			status.say(`Press \u201c${confirmLabel}\u201d again to go ahead.`, "");
			return;
		}
		b.disabled = true;
		try {
			await act();
		} catch (e) {
			status.say(message(e), "error");
			b.disabled = false;
		}
	});
	return b;
}

// The service's message for a failure, with its status for a refusal.
export function message(e) {
	if (e instanceof ApiError && e.status === 403)
		return "Refused (403): " + e.message;
	return (e && e.message) || "Something went wrong. Try again.";
}

// Hand a Blob to the browser as a download named `name`.
export function download(blob, name) {
	const url = URL.createObjectURL(blob);
	const a = h("a", { href: url, download: name, class: "visually-hidden" }, "download");
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Copy text to the clipboard; true when it worked.
export async function toClipboard(text) {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch (e) {
		return false;
	}
}
