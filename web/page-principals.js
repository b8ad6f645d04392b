// page-principals.js - #/principals: the principals (GET /v1/principals);
// #/principals/NAME: one (GET /v1/principals/{p}), their roles, granting
// and taking away a role (POST .../roles, .../roles/revoke: under dual
// control a grant waits, and the page says so), a one-time passkey link for
// them (POST .../passkey-link: the URL shown once, with a copy button), and
// revoking them (POST .../revoke, with a confirm step).  The list page
// registers a person from their enrolment request (POST /v1/principals: the
// request pasted, chosen or dropped, and the six fingerprint words they read
// out on the phone, which the service checks against the request's key; dual
// control where the policy says) and gives back the vault's acceptance to
// download for them.
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field, confirmButton, message, toClipboard, download } from "./forms.js";

export async function render(main, { params }) {
	if (params.length && params[0] !== undefined)
		return renderOne(main, params[0]);
	const list = await call("GET", "/v1/principals");
	const rows = Array.isArray(list) ? list : [];
	main.append(h("h1", {}, "Principals"));
	main.append(rows.length ? table("People and services with a key for this vault", [
		{ label: "Name", cell: (p) => pathName(p.name) ? h("a", { href: "#/principals/" + p.name }, p.name) : show(p.name) },
		{ label: "Display name", cell: (p) => show(p.display_name) },
		{ label: "Kind", cell: (p) => show(p.kind) + (p.custodian ? " (custodian)" : "") },
		{ label: "Agency", cell: (p) => show(p.agency) },
		{ label: "Status", cell: (p) => show(p.status) },
		{ label: "Enrolled", cell: (p) => ukDate(p.created_at) },
	], rows) : h("p", {}, "No principal is visible to your role."));
	main.append(h("p", { class: "hint" }, "A person enrols by making their own key where they work (scrvault keygen) and reading " +
		"its fingerprint words to the coordinator, who registers the request here or with scrvault principal add --enrolment."));
	main.append(enrolForm());
}

// What a request says of itself (name, kind, agency): shown so that the
// coordinator knows whom to phone.  The service checks the request's
// signature and the words; this reading decides nothing.
function requestFacts(text) {
	const lines = text.split("\n");
	if (lines[0] !== "scrvault-enrolment v1")
		return null;
	const get = (k) => {
		const l = lines.find((x) => x.startsWith(k + " "));
		return l ? l.slice(k.length + 1) : null;
	};
	return { name: get("name"), kind: get("kind"), agency: get("agency"), rotates: !!get("rotates") };
}

function enrolForm() {
	const status = statusLine();
	const req = field("enrol-request", "The enrolment request", { tag: "textarea", rows: "8", maxlength: "4096", required: true, spellcheck: "false" },
		"Paste the request file's text, drop the file here, or choose it below.");
	const file = field("enrol-file", "Or choose the request file", { type: "file", accept: ".enrol,text/plain" });
	const facts = h("p", { id: "enrol-facts", "aria-live": "polite" });
	const words = field("enrol-words", "The six words they read out", { maxlength: "120", required: true, spellcheck: "false" },
		"Phone the person and have them read the fingerprint words their scrvault keygen showed; type what they say.");
	const dn = field("enrol-display-name", "Display name (optional)", { maxlength: "120" });
	const contact = field("enrol-contact", "Contact for recall (optional)", { maxlength: "200" });
	const cust = h("input", { id: "enrol-custodian", type: "checkbox" });
	const b = h("button", { type: "submit", id: "enrol-register" }, "Register the person");
	const out = h("div", { id: "enrol-out" });
	const showFacts = () => {
		const f = requestFacts(req.input.value.replace(/\r\n/g, "\n"));
		facts.textContent = !req.input.value.trim() ? "" : f ?
			`The request is for ${show(f.name)} (${show(f.kind)}${f.agency && f.agency !== "-" ? ", " + f.agency : ""}).` +
			(f.rotates ? " It replaces an existing key: use the principal's own page." : "") :
			"This is not an enrolment request (its first line is not \u201cscrvault-enrolment v1\u201d).";
	};
	const load = async (fl) => {
		if (!fl)
			return;
		if (fl.size > 4096) {
			status.say("That file is too large to be an enrolment request.", "error");
			return;
		}
		req.input.value = await fl.text();
		showFacts();
	};
	req.input.addEventListener("input", showFacts);
	req.input.addEventListener("dragover", (ev) => ev.preventDefault());
	req.input.addEventListener("drop", (ev) => {
		if (ev.dataTransfer && ev.dataTransfer.files.length) {
			ev.preventDefault();
			load(ev.dataTransfer.files[0]);
		}
	});
	file.input.addEventListener("change", () => load(file.input.files[0]));
	const f = h("form", { novalidate: true }, h("h2", {}, "Register a person from their enrolment request"), status,
		req.row, file.row, facts, words.row, dn.row, contact.row,
		h("div", { class: "form-row" }, cust, " ", h("label", { for: "enrol-custodian" }, "A custodian (may unlock the vault)")), b, out);
	f.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const text = req.input.value.replace(/\r\n/g, "\n");
		const said = words.input.value.trim();
		const bad = !requestFacts(text) ? [req.input, "Give the person's enrolment request."] :
			said.split(/[\s,-]+/).filter(Boolean).length !== 6 ? [words.input, "Type the six words the person read out."] : null;
		if (bad) {
			status.say(bad[1], "error");
			bad[0].focus();
			return;
		}
		const body = { request: text.endsWith("\n") ? text : text + "\n", fingerprint: said, custodian: cust.checked };
		if (dn.input.value.trim()) body.display_name = dn.input.value.trim();
		if (contact.input.value.trim()) body.contact = contact.input.value.trim();
		b.disabled = true;
		try {
			const ans = await call("POST", "/v1/principals", body);
			const name = show(ans && ans.name);
			const get = h("button", { type: "button", id: "enrol-acceptance" }, `Download ${name}.accept`);
			get.addEventListener("click", () => download(new Blob([ans.acceptance], { type: "text/plain" }), `${name}.accept`));
			out.replaceChildren(h("p", { id: "enrol-words-confirmed" }, `The key's words, as the person read them: ${show(ans && ans.fingerprint)}.`),
				h("p", {}, `Send ${name} the acceptance; they import it with scrvault keyfile accept.`), get);
			status.say(ans && ans.pending ?
				`${name}'s registration waits for a second custodian: operation ${ans.pending} (see Operations).` :
				`${name} is registered.`, "done");
			req.input.value = "";
			words.input.value = "";
		} catch (e) {
			status.say(message(e), "error");
		}
		b.disabled = false;
	});
	return f;
}

function roleText(r) {
	if (typeof r === "string")
		return r;
	return `${show(r.role)}${r.case ? " on " + r.case : ""}${r.agency ? " for " + r.agency : ""}${!r.case && !r.agency ? " (board-wide)" : ""}`;
}

async function renderOne(main, name) {
	if (!pathName(name)) {
		main.append(h("h1", {}, "No such principal"), h("p", {}, h("a", { href: "#/principals" }, "Back to the principals")));
		return;
	}
	const p = await call("GET", `/v1/principals/${name}`);
	const status = statusLine();
	const reload = () => setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);
	main.append(h("p", {}, h("a", { href: "#/principals" }, "Back to the principals")),
		h("h1", {}, `${show(p.display_name)} (${show(p.name)})`), status);
	const dl = h("dl", { class: "facts" });
	for (const [k, v] of [["Kind", show(p.kind) + (p.custodian ? ", custodian" : "")], ["Agency", show(p.agency)],
		["Contact", show(p.contact)], ["Status", show(p.status)], ["Enrolled", ukDate(p.created_at)]])
		dl.append(h("dt", {}, k), h("dd", {}, v));
	main.append(dl);

	const roles = Array.isArray(p.roles) ? p.roles : [];
	main.append(h("h2", {}, "Roles"));
	main.append(roles.length ? table("Roles held", [
		{ label: "Role", cell: roleText },
		{ label: "Take away", cell: (r) => confirmButton("Take away", "Confirm", `Take ${roleText(r)} away from ${name}`, status, async () => {
			const body = { role: typeof r === "string" ? r : r.role };
			if (r.case) body.case = r.case;
			if (r.agency) body.agency = r.agency;
			await call("POST", `/v1/principals/${name}/roles/revoke`, body);
			status.say(`${roleText(r)} taken away.`, "done");
			reload();
		}) },
	], roles) : h("p", {}, "No role."));

	const role = field("grant-role", "Role", { maxlength: "64", required: true }, "For example coordinator, panel-member, imr-author.");
	const gcase = field("grant-case", "Only for the case (optional)", { maxlength: "64" });
	const gagency = field("grant-agency", "Only for the agency (optional)", { maxlength: "64" });
	const gb = h("button", { type: "submit", id: "grant-role-button" }, "Grant the role");
	const gf = h("form", { novalidate: true }, h("h3", {}, "Grant a role"), role.row, gcase.row, gagency.row, gb);
	gf.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const body = { role: role.input.value.trim() };
		if (!pathName(body.role)) {
			status.say("Name the role to grant.", "error");
			role.input.focus();
			return;
		}
		if (gcase.input.value.trim()) body.case = gcase.input.value.trim();
		if (gagency.input.value.trim()) body.agency = gagency.input.value.trim();
		gb.disabled = true;
		try {
			const ans = await call("POST", `/v1/principals/${name}/roles`, body);
			if (ans && ans.pending)
				status.say(`The grant waits for a second custodian: operation ${ans.pending} (see Operations).`, "done");
			else
				status.say(`${body.role} granted.`, "done");
			reload();
		} catch (e) {
			status.say(message(e), "error");
		}
		gb.disabled = false;
	});
	main.append(gf);

	// A passkey link: the token is shown once, here, and kept nowhere.
	const out = h("div", { class: "link-out" });
	const lb = h("button", { type: "button", id: "make-passkey-link" }, "Make a passkey link");
	lb.addEventListener("click", async () => {
		lb.disabled = true;
		try {
			const ans = await call("POST", `/v1/principals/${name}/passkey-link`);
			const url = ans.url || (location.origin + "/#/register?link=" + ans.link);
			const box = h("input", { id: "passkey-link-url", type: "text", readonly: true, value: url, "aria-describedby": "passkey-link-hint" });
			const copy = h("button", { type: "button", id: "copy-passkey-link" }, "Copy the link");
			copy.addEventListener("click", async () => {
				if (await toClipboard(url))
					status.say("The link is on the clipboard.", "done");
				else {
					box.select();
					status.say("Copying was refused by the browser: the link is selected, copy it with the keyboard.", "error");
				}
			});
			out.replaceChildren(h("label", { for: "passkey-link-url" }, `Passkey link for ${name}`),
				h("p", { class: "hint", id: "passkey-link-hint" }, `Shown once: send it to ${name} only. It works once, until ${ukDate(ans.expires)}.`),
				box, copy);
			status.say("A passkey link was made.", "done");
		} catch (e) {
			status.say(message(e), "error");
		}
		lb.disabled = false;
	});
	main.append(h("h2", {}, "Passkey link"), h("p", {}, "A one-time link with which this person registers a passkey for the web pages. A newer link replaces an unused older one."), lb, out);

	const reason = field("revoke-reason", "Reason", { maxlength: "200", required: true });
	const rf = h("form", { novalidate: true }, reason.row);
	rf.addEventListener("submit", (ev) => ev.preventDefault());
	rf.append(confirmButton("Revoke", "Confirm revocation", `Revoke ${name}`, status, async () => {
		if (!reason.input.value.trim())
			throw new Error("Give the reason for revoking.");
		const ans = await call("POST", `/v1/principals/${name}/revoke`, { reason: reason.input.value.trim() });
		if (ans && ans.pending)
			status.say(`The revocation waits for a second custodian: operation ${ans.pending} (see Operations).`, "done");
		else
			status.say(`${name} is revoked; their sessions have ended.`, "done");
		reload();
	}));
	main.append(h("h2", {}, "Revoke"), h("p", {}, "Revoking ends every session of this principal at once; their key opens nothing afterwards."), rf);
}
