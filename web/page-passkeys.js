// page-passkeys.js - #/passkeys: your passkeys (GET /v1/passkeys), remove
// one (DELETE /v1/passkeys/{id}), add one on this device.
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { register, supported, explain } from "./webauthn.js";

export async function render(main) {
	const list = await call("GET", "/v1/passkeys");
	const rows = Array.isArray(list) ? list : (list && list.passkeys) || [];
	const status = statusLine();
	main.append(h("h1", {}, "Passkeys"), status);

	const removeButton = (p) => {
		if (!pathName(String(p.id)))
			return "\u2014";
		const b = h("button", { type: "button", class: "secondary", "aria-label": `Remove passkey ${show(p.name)}` }, "Remove");
		let armed = false;
		b.addEventListener("click", async () => {
			if (!armed) {		// two steps: nothing is removed by one stray click
				armed = true;
				b.className = "danger";
				b.textContent = "Confirm removal";
				return;
			}
			b.disabled = true;
			try {
				await call("DELETE", `/v1/passkeys/${p.id}`);
				b.closest("tr").remove();
				status.say(`Passkey \u201c${show(p.name)}\u201d removed.`, "done");
			} catch (e) {
				status.say(explain(e), "error");
				b.disabled = false;
			}
		});
		return b;
	};
	main.append(rows.length ? table("Your passkeys", [
		{ label: "Name", cell: (p) => show(p.name) },
		{ label: "Created", cell: (p) => ukDate(p.created) },
		{ label: "Last used", cell: (p) => ukDate(p.last_used) },
		{ label: "Remove", cell: removeButton },
	], rows) : h("p", {}, "You have no passkey yet."));

	const name = h("input", { id: "new-passkey-name", type: "text", maxlength: "64", autocomplete: "off", required: true });
	const add = h("button", { type: "submit" }, "Add a passkey on this device");
	const form = h("form", { novalidate: true }, h("h2", {}, "Add a passkey"),
		h("div", { class: "form-row" }, h("label", { for: "new-passkey-name" }, "A name for the new passkey"), name), add);
	main.append(form);
	if (!supported())
		add.disabled = true;
	form.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		if (!name.value.trim()) {
			status.say("Type a name for the new passkey.", "error");
			name.focus();
			return;
		}
		add.disabled = true;
		try {
			const made = await register(null, name.value.trim());
			status.say(`Passkey \u201c${made.name}\u201d added.`, "done");
			window.dispatchEvent(new HashChangeEvent("hashchange"));
		} catch (e) {
			status.say(explain(e), "error");
			add.disabled = false;
		}
	});
}
