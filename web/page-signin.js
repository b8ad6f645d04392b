// page-signin.js - #/signin: sign in with a passkey on this device.
import { h } from "./dom.js";
import { signIn, supported, explain } from "./webauthn.js";
import { whoami } from "./api.js";

export async function render(main, { query }) {
	const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
	const button = h("button", { type: "button", id: "signin-passkey" }, "Sign in with a passkey");
	main.append(
		h("h1", {}, "Sign in"),
		h("p", {}, "Sign in with the passkey you registered for this vault: your device will ask for your fingerprint, face or PIN."),
		button,
		status,
		h("h2", {}, "No passkey yet?"),
		h("p", {}, "Ask the vault's coordinator for a registration link. It is for you only and works once."));
	if (!supported()) {
		button.disabled = true;
		status.className = "status error";
		status.textContent = "This browser cannot use passkeys here. Use an up-to-date browser over the vault's HTTPS address.";
		return;
	}
	button.addEventListener("click", async () => {
		button.disabled = true;
		status.className = "status";
		status.textContent = "Waiting for your passkey\u2026";
		try {
			await signIn();
			await whoami().catch(() => null);	/* the role, for the header */
			const next = query.get("next");
			location.replace(next && /^#\/[A-Za-z0-9._@\/-]*$/.test(next) && !next.startsWith("#/signin") ? next : "#/agenda");
		} catch (e) {
			status.className = "status error";
			status.textContent = explain(e);
			button.disabled = false;
		}
	});
}
