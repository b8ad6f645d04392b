// signoff.js - a statement signed in the browser with the person's passkey
// (an authorising manager's sign-off, a destruction's witness): the vault's
// statement (its exact bytes) is hashed, and the passkey signs that hash as
// its challenge; the assertion is the record, which anyone can check
// offline against the public key it carries (docs/API.md, POST .../signoff
// and POST /v1/copies/{copy}/witness).
import { call, send } from "./api.js";
import { encode } from "./b64url.js";

// The "passkey" member for a statement's exact text.
export async function passkeySign(statement) {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(statement));
	const cred = await navigator.credentials.get({
		publicKey: { challenge: new Uint8Array(digest), userVerification: "required", allowCredentials: [], timeout: 60000 },
	});
	if (!cred)
		throw new Error("no passkey was chosen");
	return {
		credential: encode(cred.rawId),
		client_data: encode(cred.response.clientDataJSON),
		authenticator_data: encode(cred.response.authenticatorData),
		signature: encode(cred.response.signature),
	};
}

export async function signOff(doc, version) {
	const res = await send("GET", `/v1/docs/${doc}/versions/${version}/signoff-statement`, { accept: "application/json" });
	const statement = await res.text();
	return call("POST", `/v1/docs/${doc}/versions/${version}/signoff`, { statement, passkey: await passkeySign(statement) });
}

export async function witness(copy, statement) {
	return call("POST", `/v1/copies/${copy}/witness`, { statement, passkey: await passkeySign(statement) });
}
