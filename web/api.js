// api.js - the service's JSON API from the pages.  The session is the
// HttpOnly cookie (__Host-scrvault), which this code never sees; the CSRF
// token is kept here, in this module's variable only (never in storage or
// a cookie), sent as X-CSRF-Token on every call that changes something, and
// asked for again from GET /v1/whoami after a reload.

let csrf = null;
let me = null;

export class ApiError extends Error {
	constructor(status, error) {
		super((error && error.message) || "the service answered " + status);
		this.status = status;
		this.code = error ? error.code : 0;
		this.field = error ? error.field : null;
	}
}

// call("GET", "/v1/cases") -> the JSON answer; throws ApiError.  A 401
// (no session, or it ended) tells the page to show the sign-in page.
export async function call(method, path, body) {
	const headers = { Accept: "application/json" };
	const init = { method, headers, credentials: "same-origin", cache: "no-store", redirect: "error" };
	if (body !== undefined) {
		headers["Content-Type"] = "application/json";
		init.body = JSON.stringify(body);
	}
	if (method !== "GET" && csrf)
		headers["X-CSRF-Token"] = csrf;
	let res;
	try {
		res = await fetch(path, init);
	} catch (e) {
		throw new ApiError(0, { code: 1, message: "the service could not be reached: check the connection and try again" });
	}
	let data = null;
	const type = res.headers.get("Content-Type") || "";
	if (type.startsWith("application/json"))
		data = await res.json().catch(() => null);
	if (!res.ok) {
		if (res.status === 401) {
			forget();
			window.dispatchEvent(new CustomEvent("scrvault:signed-out"));
		}
		throw new ApiError(res.status, data && data.error);
	}
	if (data && typeof data.csrf === "string")
		csrf = data.csrf;
	return data;
}

// Who is signed in ({principal, role, ...}), or null; keeps the CSRF token.
export async function whoami() {
	try {
		me = await call("GET", "/v1/whoami");
	} catch (e) {
		if (e.status === 401 || e.status === 503)
			return (me = null);
		throw e;
	}
	return me;
}

export function current() {
	return me;
}

// After signing in: the answer of POST /v1/session/passkey.
export function signedIn(answer) {
	me = { principal: answer.principal, role: answer.role || null };
	if (typeof answer.csrf === "string")
		csrf = answer.csrf;
}

export function forget() {
	csrf = null;
	me = null;
}

export async function signOut() {
	try {
		await call("DELETE", "/v1/session");
	} finally {
		forget();
	}
}

// send("PUT", "/v1/uploads/ID?offset=0", {body: blob, type: "application/octet-stream"}):
// a request whose body or answer is not JSON (upload chunks, exports, signed
// receipts kept byte for byte).  Answers the Response when it is 2xx; throws
// ApiError otherwise (a 401 signs out, as call() does), and ApiError status 0
// when the connection failed (offline, dropped).
export async function send(method, path, opts) {
	const o = opts || {};
	const headers = { Accept: o.accept || "*/*" };
	const init = { method, headers, credentials: "same-origin", cache: "no-store", redirect: "error" };
	if (o.body !== undefined) {
		headers["Content-Type"] = o.type || "application/octet-stream";
		init.body = o.body;
	}
	if (method !== "GET" && csrf)
		headers["X-CSRF-Token"] = csrf;
	if (o.signal)
		init.signal = o.signal;
	let res;
	try {
		res = await fetch(path, init);
	} catch (e) {
		throw new ApiError(0, { code: 1, message: "the service could not be reached: check the connection and try again" });
	}
	if (!res.ok) {
		const type = res.headers.get("Content-Type") || "";
		const data = type.startsWith("application/json") ? await res.json().catch(() => null) : null;
		if (res.status === 401) {
			forget();
			window.dispatchEvent(new CustomEvent("scrvault:signed-out"));
		}
		throw new ApiError(res.status, data && data.error);
	}
	return res;
}
