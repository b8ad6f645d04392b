// page-register.js - #/register?link=TOKEN: make a passkey on this device
// and register it through the link the coordinator sent.
import { h } from "./dom.js";
import { register, supported, explain } from "./webauthn.js";

export async function render(main, { query }) {
	const link = query.get("link");
	main.append(h("h1", {}, "Register a passkey"));
	if (!link || !/^[A-Za-z0-9_-]{16,256}$/.test(link)) {
		main.append(h("p", { class: "error", role: "alert" },
			"This registration link is incomplete. Open the whole link you were sent, or ask the coordinator for a new one."));
		return;
	}
	const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
	const name = h("input", { id: "passkey-name", name: "name", type: "text", required: true, maxlength: "64",
		autocomplete: "off", "aria-describedby": "passkey-name-hint" });
	const button = h("button", { type: "submit", id: "register-passkey" }, "Create passkey");
	const form = h("form", { novalidate: true },
		h("div", { class: "form-row" },
			h("label", { for: "passkey-name" }, "A name for this passkey"),
			h("p", { class: "hint", id: "passkey-name-hint" }, "So you can tell your passkeys apart, for example \u201cwork laptop\u201d."),
			name),
		button);
	main.append(h("p", {}, "Your device will make a passkey for this vault and ask for your fingerprint, face or PIN. The link works once."),
		form, status);
	if (!supported()) {
		button.disabled = true;
		status.className = "status error";
		status.textContent = "This browser cannot make passkeys here. Use an up-to-date browser over the vault's HTTPS address.";
		return;
	}
	form.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const label = name.value.trim();
		if (!label) {
			status.className = "status error";
			status.textContent = "Type a name for this passkey.";
			name.setAttribute("aria-invalid", "true");
			name.focus();
			return;
		}
		name.removeAttribute("aria-invalid");
		button.disabled = true;
		status.className = "status";
		status.textContent = "Waiting for your device\u2026";
		try {
			const made = await register(link, label);
			form.remove();
			status.className = "status done";
			status.textContent = `Passkey \u201c${made.name}\u201d registered.`;
			main.append(h("p", {}, h("a", { href: "#/signin" }, "Sign in with it now.")));
		} catch (e) {
			status.className = "status error";
			if (e && e.status === 403 && /link/.test(e.message || "")) {
				// Spent, expired or replaced: trying again cannot help.
				status.textContent = "This link has already been used, has expired or was replaced by a newer one. " +
					"Ask the coordinator for a new link.";
				return;
			}
			status.textContent = explain(e);
			button.disabled = false;
		}
	});
}
