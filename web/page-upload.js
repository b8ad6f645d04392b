// page-upload.js - #/upload[?case=REF]: an agency sends an IMR or a
// chronology.  Drag and drop onto the drop area, or the file field (the
// keyboard's way); a <progress> bar; resumable after a dropped connection
// (upload.js); the signed receipt shown (document, version, the SHA-256
// computed here against the receipt's) and offered as a download.  An
// agency's person never types their agency: it is theirs from their record
// (GET /v1/whoami); only someone who belongs to no agency (the coordinator)
// names the agency a document is for.  The service refuses a case the
// agency's grants do not reach, whatever the page sends.
import { call, whoami } from "./api.js";
import { h, clear, show, ukDate, statusLine, pathName } from "./dom.js";
import { Upload } from "./upload.js";

const CLASSES = [
	["imr", "Individual management review (IMR)"],
	["single-agency-chronology", "Single-agency chronology"],
	["combined-chronology", "Combined chronology"],
];

function field(id, label, control, hint) {
	return h("div", { class: "form-row" }, h("label", { for: id }, label),
		hint ? h("p", { class: "hint", id: id + "-hint" }, hint) : null, control);
}

// The receipt as facts, and a link that downloads its exact bytes.
function receiptView(text, sha) {
	let r = null;
	try {
		r = JSON.parse(text);
	} catch (e) {
		r = null;
	}
	const box = h("section", { class: "receipt", "aria-labelledby": "receipt-h" }, h("h2", { id: "receipt-h" }, "Signed receipt"));
	if (!r || typeof r !== "object") {
		box.append(h("p", { class: "error", role: "alert" }, "The service's answer is not a receipt."));
		return box;
	}
	const same = typeof r.sha256 === "string" && r.sha256.toLowerCase() === sha;
	const dl = h("dl", { class: "facts" });
	for (const [k, v] of [["Document", show(r.doc)], ["Version", show(r.version)], ["Size (bytes)", show(r.size)],
		["Checked in", ukDate(r.at)], ["SHA-256 (receipt)", show(r.sha256)], ["SHA-256 (this browser)", sha]])
		dl.append(h("dt", {}, k), h("dd", { class: /SHA/.test(k) ? "hash" : null }, v));
	box.append(dl, h("p", { class: same ? "done" : "error", id: "receipt-match" }, same ?
		"The receipt's SHA-256 is the one this browser computed from your file." :
		"The receipt's SHA-256 is NOT the one computed from your file: keep the file and tell the coordinator."));
	const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
	const name = `receipt-${pathName(String(r.doc)) ? r.doc : "upload"}-v${Number(r.version) || 0}.json`;
	box.append(h("p", {}, h("a", { href: url, download: name, id: "receipt-download", class: "button" }, `Download the receipt (${name})`)),
		h("p", { class: "hint" }, "Anyone can check it offline with the vault's verifier key: ",
			h("code", {}, `scrvault-seal receipt verify --vkey VKEY --file YOUR-FILE ${name}`)));
	return box;
}

export async function render(main, { query }) {
	const [list, me] = await Promise.all([call("GET", "/v1/cases"), whoami()]);
	const own = me && typeof me.agency === "string" && me.agency ? me.agency : null;
	const cases = Array.isArray(list) ? list : (list && list.cases) || [];
	main.append(h("h1", {}, "Send an IMR or chronology"));
	if (!cases.length) {
		main.append(h("p", {}, "No case is open to your role, so there is nowhere to send a document."));
		return;
	}
	const want = query.get("case");
	const kase = h("select", { id: "up-case", name: "case", required: true },
		cases.map((c) => h("option", { value: c.ref, selected: c.ref === want }, `${c.ref}${c.title ? ": " + c.title : ""}`)));
	const klass = h("select", { id: "up-class", name: "class" }, CLASSES.map(([v, t]) => h("option", { value: v }, t)));
	const agency = own ? null : h("input", { id: "up-agency", name: "agency", type: "text", autocomplete: "organization",
		"aria-describedby": "up-agency-hint", maxlength: "64" });
	const title = h("input", { id: "up-title", name: "title", type: "text", maxlength: "200" });
	const file = h("input", { id: "up-file", name: "file", type: "file", required: true, "aria-describedby": "up-file-hint" });
	const drop = h("div", { class: "dropzone", id: "up-drop" }, h("p", {}, "Drop the file here, or choose it with the field below."));
	const chosen = h("p", { id: "up-chosen", class: "hint" }, "No file chosen.");
	const bar = h("progress", { id: "up-progress", max: "100", value: "0", "aria-labelledby": "up-progress-label" });
	const pct = h("span", { id: "up-pct" }, "0%");
	const go = h("button", { type: "submit", id: "up-send" }, "Send");
	const again = h("button", { type: "button", id: "up-resume", class: "secondary", hidden: true }, "Resume");
	const say = statusLine();
	const out = h("div", { id: "up-result" });
	const form = h("form", { class: "upload", "aria-label": "Send a document", novalidate: true },
		field("up-case", "Case", kase),
		field("up-class", "Kind of document", klass),
		own ? h("p", { class: "form-row", id: "up-agency-own" }, "Agency: ", h("strong", {}, own)) :
			field("up-agency", "Agency", agency, "The agency's short name as the case knows it (for example police)."),
		field("up-title", "Title (optional)", title),
		drop,
		field("up-file", "File", file, "An IMR or chronology, any size the vault's policy allows."),
		chosen,
		h("p", { id: "up-progress-label", class: "progress-label" }, "Sent: ", pct),
		bar,
		h("p", { class: "actions" }, go, " ", again));
	main.append(h("p", {}, "The file is sent in pieces; if the connection drops, the upload carries on from where it stopped."),
		form, say, out);

	let picked = null, up = null;
	const pick = (f) => {
		picked = f || null;
		chosen.textContent = picked ? `Chosen: ${picked.name} (${picked.size} bytes)` : "No file chosen.";
	};
	file.addEventListener("change", () => pick(file.files && file.files[0]));
	drop.addEventListener("dragover", (ev) => {
		ev.preventDefault();
		drop.classList.add("over");
	});
	drop.addEventListener("dragleave", () => drop.classList.remove("over"));
	drop.addEventListener("drop", (ev) => {
		ev.preventDefault();
		drop.classList.remove("over");
		const f = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
		if (f)
			pick(f);
	});
	const hooks = {
		progress: (got, size) => {
			const p = size ? Math.floor(100 * got / size) : 100;
			bar.value = p;
			pct.textContent = `${p}% (${got} of ${size} bytes)`;
			bar.dataset.received = String(got);
		},
		state: (text, kind) => say.say(text, kind),
	};
	const complete = async () => {
		say.say("Every byte arrived; the vault is checking the file in\u2026");
		const text = await up.finish();
		clear(out);
		out.append(receiptView(text, up.sha));
		const same = out.querySelector("#receipt-match.done");
		say.say(same ? "Sent and checked in: the signed receipt is below." : "Checked in, but the receipt does not match the file.",
			same ? "done" : "error");
		go.disabled = false;
		up = null;
	};
	const run = async (step) => {
		again.hidden = true;
		go.disabled = true;
		try {
			await step();
			await complete();
		} catch (e) {
			if (e.paused) {
				again.hidden = false;
				say.say(`The connection dropped at ${up.received} of ${up.file.size} bytes. Press Resume when it is back.`, "error");
				again.focus();
			} else {
				say.say(e.message || "The upload failed.", "error");
				go.disabled = false;
				up = null;
			}
		}
	};
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		if (up)
			return;
		if (!picked) {
			say.say("Choose a file first.", "error");
			file.focus();
			return;
		}
		clear(out);
		up = new Upload(picked, { case: kase.value, class: klass.value, agency: own || agency.value.trim(), title: title.value.trim() }, hooks);
		run(async () => {
			await up.begin();
			say.say("Sending\u2026");
			await up.send();
		});
	});
	again.addEventListener("click", () => {
		if (up)
			run(() => up.resume());
	});
}
