// page-sent.js - #/sent: the status of what an agency sent, from the
// documents and versions the API lists for the cases its role reaches
// (GET /v1/cases, /v1/cases/{case}/docs, /v1/docs/{doc}/log) and each IMR
// commission's stage from the case's timeline (GET /v1/cases/{case}/timeline): received (the
// check-in), signed off, and the version kept as the master.  Metadata
// only: no content is fetched.
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { signOff } from "./signoff.js";

const SENT = /^(imr|single-agency-chronology|combined-chronology)$/;

// An IMR version's sign-off by the agency's authorising manager, with
// their passkey (the service refuses anyone else, and says why).
function signButton(d, v, status) {
	if (d.class !== "imr")
		return "";
	const b = h("button", { type: "button" }, `Sign off version ${v.version}`);
	b.addEventListener("click", async () => {
		b.disabled = true;
		status.say(`Signing off version ${v.version} of ${d.doc} with your passkey…`);
		try {
			await signOff(d.doc, v.version);
			status.say(`Version ${v.version} of ${d.doc} is signed off: your passkey's signature is its record.`, "done");
			b.textContent = "Signed off";
		} catch (e) {
			status.say(`Not signed off: ${(e && e.message) || e}`, "error");
			b.disabled = false;
		}
	});
	return b;
}

export async function render(main) {
	const status = statusLine();
	const list = await call("GET", "/v1/cases");
	const cases = Array.isArray(list) ? list : (list && list.cases) || [];
	main.append(h("h1", {}, "What we sent"),
		h("p", {}, "Each IMR and chronology on your cases, each version the vault received, and how far it has gone."),
		status);
	let any = false;
	for (const c of cases) {
		if (!pathName(c.ref))
			continue;
		const docs = await call("GET", `/v1/cases/${c.ref}/docs`).catch(() => []);
		const sent = (Array.isArray(docs) ? docs : []).filter((d) => SENT.test(d.class || ""));
		if (!sent.length)
			continue;
		any = true;
		main.append(h("h2", {}, `${c.ref}${c.title ? ": " + c.title : ""}`));
		const tl = await call("GET", `/v1/cases/${c.ref}/timeline`).catch(() => null);
		const stages = ((tl && tl.milestones) || []).filter((r) => r && r.commission !== undefined);
		if (stages.length)
			main.append(table(`IMR commissions on ${c.ref}`, [
				{ label: "Agency", cell: (r) => show(r.agency) },
				{ label: "Stage", cell: (r) => show(r.stage) },
				{ label: "Draft received", cell: (r) => ukDate(r.draft_on) },
				{ label: "Signed off", cell: (r) => ukDate(r.signed_off_on) },
				{ label: "Due", cell: (r) => ukDate(r.due) },
			], stages));
		for (const d of sent) {
			if (!pathName(String(d.doc)))
				continue;
			const log = await call("GET", `/v1/docs/${d.doc}/log`).catch(() => []);
			const versions = Array.isArray(log) ? log : (log && log.versions) || [];
			main.append(table(`${show(d.title)} (${show(d.class)}, ${show(d.agency)}), document ${d.doc}`, [
				{ label: "Version", cell: (v) => show(v.version) },
				{ label: "Received", cell: (v) => ukDate(v.checked_in_at) },
				{ label: "By", cell: (v) => show(v.checked_in_by) },
				{ label: "File", cell: (v) => show(v.filename) },
				{ label: "Size (bytes)", cell: (v) => show(v.size) },
				{ label: "SHA-256", cell: (v) => h("span", { class: "hash" }, show(v.sha256)) },
				{ label: "State", cell: (v) => show(v.state) },
				{ label: "Master", cell: (v) => v.master ? "yes" : "no" },
				{ label: "Sign-off", cell: (v) => signButton(d, v, status) },
			], versions));
		}
	}
	if (!any)
		main.append(h("p", {}, "Nothing sent yet on the cases your role reaches. ", h("a", { href: "#/upload" }, "Send an IMR or chronology.")));
	main.append(h("p", { class: "hint" }, "Comments on a version are not kept by the vault; they reach you from the review's coordinator."));
}
