// page-sent.js - #/sent: the status of what agencies sent, in one call
// (GET /v1/sent: the versions of IMRs and chronologies the role reaches,
// the most recently received first, at most 100; #/sent?case=REF for one
// case): received (the check-in), signed off (each sign-off verified by
// the service), and the version kept as the master.  Metadata only: no
// content is fetched.
import { call } from "./api.js";
import { h, table, ukDate, show, pathName, statusLine } from "./dom.js";
import { field } from "./forms.js";
import { signOff } from "./signoff.js";

// An IMR version's sign-off by the agency's authorising manager, with
// their passkey (the service refuses anyone else, and says why).
function signButton(v, status) {
	if (v.class !== "imr")
		return "";
	const b = h("button", { type: "button" }, `Sign off version ${v.version}`);
	b.addEventListener("click", async () => {
		b.disabled = true;
		status.say(`Signing off version ${v.version} of ${v.doc} with your passkey…`);
		try {
			await signOff(v.doc, v.version);
			status.say(`Version ${v.version} of ${v.doc} is signed off: your passkey's signature is its record.`, "done");
			b.textContent = "Signed off";
		} catch (e) {
			status.say(`Not signed off: ${(e && e.message) || e}`, "error");
			b.disabled = false;
		}
	});
	return b;
}

function signedOff(v) {
	const s = Array.isArray(v.signed_off) ? v.signed_off : [];
	return s.length ? s.map((x) => `${show(x.signer)}, ${ukDate(x.signed_at)} (${show(x.verification)})`).join("; ") : "not yet";
}

// One case's versions only (#/sent?case=REF), or every case's.
function caseFilter(ref) {
	const f = field("sent-case", "Case reference", { maxlength: "64", value: ref || "" }, "Leave empty for every case.");
	const b = h("button", { type: "submit" }, "Show");
	const form = h("form", { class: "row-actions" }, f.row, b);
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const v = f.input.value.trim();
		location.hash = pathName(v) ? "#/sent?case=" + v : "#/sent";
	});
	return form;
}

export async function render(main, { query }) {
	const status = statusLine();
	const ref = query && pathName(query.get("case")) ? query.get("case") : null;
	const sent = await call("GET", "/v1/sent" + (ref ? "?case=" + ref : ""));
	const rows = (sent && Array.isArray(sent.versions)) ? sent.versions : [];
	main.append(h("h1", {}, ref ? `What was sent on ${ref}` : "What we sent"),
		h("p", {}, "Each version of an IMR or chronology the vault received, the most recent first, and how far it has gone. ",
			h("a", { href: "#/commissions" }, "The IMR commissions and their stages.")),
		caseFilter(ref), status);
	if (!rows.length) {
		main.append(h("p", {}, "Nothing sent yet on the cases your role reaches. ", h("a", { href: "#/upload" }, "Send an IMR or chronology.")));
		return;
	}
	main.append(table(`${rows.length} versions received${sent.more ? ", the most recent (give a case to see its own)" : ""}`, [
		{ label: "Case", cell: (v) => pathName(v.case) ? h("a", { href: "#/cases/" + v.case }, v.case) : show(v.case) },
		{ label: "Document", cell: (v) => `${show(v.title)} (${show(v.class)}, ${show(v.agency)}), ${show(v.doc)}` },
		{ label: "Version", cell: (v) => show(v.version) },
		{ label: "Received", cell: (v) => ukDate(v.checked_in_at) },
		{ label: "By", cell: (v) => show(v.checked_in_by) },
		{ label: "File", cell: (v) => show(v.filename) },
		{ label: "Size (bytes)", cell: (v) => show(v.size) },
		{ label: "SHA-256", cell: (v) => h("span", { class: "hash" }, show(v.sha256)) },
		{ label: "State", cell: (v) => show(v.state) },
		{ label: "Master", cell: (v) => v.master ? "yes" : "no" },
		{ label: "Signed off", cell: signedOff },
		{ label: "Sign-off", cell: (v) => signButton(v, status) },
	], rows));
	main.append(h("p", { class: "hint" }, "Comments on a version are not kept by the vault; they reach you from the review's coordinator."));
}
