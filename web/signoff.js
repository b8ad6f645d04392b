// signoff.js - an authorising manager signs a version off in the browser:
// the vault's sign-off statement (its exact bytes) is hashed, and the
// person's passkey signs that hash as its challenge; the assertion is the
// sign-off's record, which anyone can check offline against the public key
// it carries (docs/API.md, POST .../signoff).
import { call, send } from "./api.js";
import { encode } from "./b64url.js";

export async function signOff(doc, version) {
	const res = await send("GET", `/v1/docs/${doc}/versions/${version}/signoff-statement`, { accept: "application/json" });
	const statement = await res.text();
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(statement));
	const cred = await navigator.credentials.get({
		publicKey: { challenge: new Uint8Array(digest), userVerification: "required", allowCredentials: [], timeout: 60000 },
	});
	if (!cred)
		throw new Error("no passkey was chosen");
	return call("POST", `/v1/docs/${doc}/versions/${version}/signoff`, {
		statement,
		passkey: {
			credential: encode(cred.rawId),
			client_data: encode(cred.response.clientDataJSON),
			authenticator_data: encode(cred.response.authenticatorData),
			signature: encode(cred.response.signature),
		},
	});
}
