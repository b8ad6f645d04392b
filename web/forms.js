// forms.js - small pieces the coordinator's pages share: a labelled field,
// a two-step (confirm) button, a query value the service accepts, and a
// file answer (a PDF) downloaded through a Blob and an <a download>.
import { call, ApiError } from "./api.js";
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

// POST a request whose answer is a file (not JSON): the CSRF token is asked
// for again from GET /v1/whoami (it is held in api.js only) and sent as
// X-CSRF-Token.  Returns {blob, headers}; throws ApiError.
export async function postForFile(path) {
	const me = await call("GET", "/v1/whoami");
	const headers = { Accept: "application/pdf, application/octet-stream, application/json" };
	if (me && typeof me.csrf === "string")
		headers["X-CSRF-Token"] = me.csrf;
	let res;
	try {
		res = await fetch(path, { method: "POST", headers, credentials: "same-origin", cache: "no-store", redirect: "error" });
	} catch (e) {
		throw new ApiError(0, { code: 1, message: "the service could not be reached: check the connection and try again" });
	}
	if (!res.ok) {
		const data = (res.headers.get("Content-Type") || "").startsWith("application/json") ?
			await res.json().catch(() => null) : null;
		throw new ApiError(res.status, data && data.error);
	}
	return { blob: await res.blob(), headers: res.headers };
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
