// webauthn.js - passkeys through the browser's WebAuthn: sign in, and
// register a new passkey (through a registration link, or signed in).
import { call, signedIn } from "./api.js";
import { encode, decode } from "./b64url.js";

export function supported() {
	return typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

// Sign in with a passkey on this device: the session's answer.
export async function signIn() {
	const c = await call("POST", "/v1/passkeys/challenge", {});
	const cred = await navigator.credentials.get({
		publicKey: {
			challenge: decode(c.challenge),
			rpId: c.rp_id,
			timeout: c.timeout,
			userVerification: "required",
			allowCredentials: [],
		},
	});
	if (!cred)
		throw new Error("no passkey was chosen");
	const answer = await call("POST", "/v1/session/passkey", {
		credential: encode(cred.rawId),
		client_data: encode(cred.response.clientDataJSON),
		authenticator_data: encode(cred.response.authenticatorData),
		signature: encode(cred.response.signature),
		challenge: c.challenge,
	});
	signedIn(answer);
	return answer;
}

// Make a passkey and register it: `link` the registration link's token
// (null when signed in), `name` the label the person typed.
export async function register(link, name) {
	const start = await call("POST", "/v1/passkeys/registration", link ? { link } : {});
	const cred = await navigator.credentials.create({
		publicKey: {
			challenge: decode(start.challenge),
			rp: start.rp,
			user: { id: decode(start.user.id), name: start.user.name, displayName: start.user.displayName },
			pubKeyCredParams: start.algs.map((alg) => ({ type: "public-key", alg })),
			authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
			attestation: "none",
			timeout: start.timeout,
		},
	});
	if (!cred)
		throw new Error("no passkey was made");
	const body = {
		challenge: start.challenge,
		client_data: encode(cred.response.clientDataJSON),
		attestation_object: encode(cred.response.attestationObject),
		name,
	};
	if (link)
		body.link = link;
	return call("POST", "/v1/passkeys", body);
}

// A message for a person from a WebAuthn or API failure.
export function explain(e) {
	if (e && e.name === "NotAllowedError")
		return "The passkey request was cancelled or timed out. Try again.";
	if (e && e.name === "InvalidStateError")
		return "This device already holds a passkey for you here.";
	if (e && e.name === "SecurityError")
		return "The browser refused: open the vault at its own address over HTTPS.";
	return (e && e.message) || "Something went wrong. Try again.";
}
