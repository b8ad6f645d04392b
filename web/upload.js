// upload.js - a resumable upload through the service's upload API
// (POST /v1/uploads, PUT /v1/uploads/{id}?offset=N chunks, GET /v1/uploads/{id}
// for where to resume, POST /v1/uploads/{id}/finish for the signed receipt).
// A chunk that fails for the connection's sake is not lost: the service is
// asked how much it holds and the upload goes on from there, a few times on
// its own, then it waits for the person to press "Resume".  The file's
// SHA-256 is computed here, in the browser, before anything is sent; the
// service checks it, and the page compares it with the receipt's.
import { call, send, ApiError } from "./api.js";

const CHUNK = 512 * 1024;	// at most this much per PUT (the service may allow more)
const RETRIES = 3;		// failed chunks in a row before asking the person

export function hex(buf) {
	return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The SHA-256 of a File or Blob, lower-case hex (crypto.subtle).
export async function sha256(blob) {
	return hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
}

// A name the service keeps as the file's: letters, digits, . _ - only.
export function plainName(name) {
	const s = String(name || "upload").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "");
	return (s || "upload").slice(0, 64);
}

const wait = (ms) => new Promise((ok) => setTimeout(ok, ms));

// A connection failure (offline, dropped, a gateway's 5xx): worth trying again.
function transient(e) {
	return e instanceof ApiError && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504 || e.status === 409);
}

export class Upload {
	// file: a File; meta: {case, class, agency?, title?, note?};
	// hooks: {progress(received, size), state(text, kind)}.
	constructor(file, meta, hooks) {
		this.file = file;
		this.meta = meta;
		this.hooks = hooks || {};
		this.id = null;
		this.received = 0;
		this.chunk = CHUNK;
		this.sha = null;
	}

	say(text, kind) {
		if (this.hooks.state)
			this.hooks.state(text, kind || "");
	}

	moved() {
		if (this.hooks.progress)
			this.hooks.progress(this.received, this.file.size);
	}

	// Hash the file and ask the service for an upload (its checks are made now).
	async begin() {
		this.say("Computing the file's SHA-256\u2026");
		this.sha = await sha256(this.file);
		const body = { case: this.meta.case, class: this.meta.class, filename: plainName(this.file.name),
			size: this.file.size, sha256: this.sha };
		for (const k of ["agency", "title", "note"])
			if (this.meta[k])
				body[k] = this.meta[k];
		const a = await call("POST", "/v1/uploads", body);
		this.id = a.upload;
		this.received = a.received || 0;
		if (a.chunk_max > 0)
			this.chunk = Math.min(CHUNK, a.chunk_max);
		this.moved();
	}

	// Where the service is: GET /v1/uploads/{id}.
	async where() {
		const s = await call("GET", `/v1/uploads/${this.id}`);
		this.received = s.received || 0;
		this.moved();
		return this.received;
	}

	// Send the rest.  Resolves when every byte is acknowledged; rejects with
	// {paused: true} after RETRIES connection failures in a row (call resume()
	// later), or with the service's refusal.
	async send() {
		let failures = 0;
		while (this.received < this.file.size) {
			const end = Math.min(this.received + this.chunk, this.file.size);
			try {
				const res = await send("PUT", `/v1/uploads/${this.id}?offset=${this.received}`,
					{ body: this.file.slice(this.received, end), type: "application/octet-stream", accept: "application/json" });
				const a = await res.json();
				this.received = a.received;
				failures = 0;
				this.moved();
				this.say(`Sent ${Math.round(100 * this.received / this.file.size)}%.`);
			} catch (e) {
				if (!transient(e))
					throw e;
				failures++;
				if (failures > RETRIES) {
					const p = new Error("the connection failed: press Resume when it is back");
					p.paused = true;
					throw p;
				}
				this.say(`The connection failed; trying again (${failures} of ${RETRIES})\u2026`, "error");
				await wait(500 * failures);
				try {
					await this.where();	// the service may hold more (or less) than we think
				} catch (e2) {
					if (!transient(e2))
						throw e2;
				}
			}
		}
	}

	// After a pause: ask where the service is, then send the rest.
	async resume() {
		await this.where();
		this.say(`Resuming from ${this.received} of ${this.file.size} bytes.`);
		return this.send();
	}

	// Check it in: the signed receipt, as the service's exact bytes (text).
	async finish() {
		const res = await send("POST", `/v1/uploads/${this.id}/finish`, { accept: "application/json" });
		return res.text();
	}
}
