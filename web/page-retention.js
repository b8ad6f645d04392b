// page-retention.js - #/retention: what retention makes due (GET
// /v1/retention/plan), the board's confirmation of the rules (POST
// /v1/retention/confirm), proposing a disposal batch of the masters due
// (POST /v1/retention/batches) and approving or refusing a batch (POST
// /v1/retention/batches/{batch}/approve|refuse: not by its proposer).
import { call } from "./api.js";
import { h, table, ukDate, show, statusLine } from "./dom.js";
import { field, confirmButton, message } from "./forms.js";

const reload = () => setTimeout(() => window.dispatchEvent(new HashChangeEvent("hashchange")), 600);

export async function render(main) {
	const plan = await call("GET", "/v1/retention/plan");
	const versions = (plan && plan.versions) || [];
	const pubs = (plan && plan.publications) || [];
	const status = statusLine();
	main.append(h("h1", {}, "Retention and disposal"), status,
		h("p", {}, `The plan as of ${ukDate(plan && plan.as_of)}. `,
			plan && plan.confirmed ? "The board has confirmed the current retention rules." :
				h("strong", {}, "The board has not confirmed the current retention rules: nothing is destroyed until it does.")));
	if (plan && !plan.confirmed) {
		const cb = h("button", { type: "button", id: "confirm-rules" }, "Confirm the retention rules");
		cb.addEventListener("click", async () => {
			cb.disabled = true;
			try {
				await call("POST", "/v1/retention/confirm");
				status.say("The retention rules are confirmed.", "done");
				reload();
			} catch (e) {
				status.say(message(e), "error");
				cb.disabled = false;
			}
		});
		main.append(cb);
	}
	main.append(h("h2", {}, "Versions under retention"));
	main.append(versions.length ? table("Retention of each version", [
		{ label: "Case", cell: (r) => show(r.case) },
		{ label: "Document", cell: (r) => show(r.title) },
		{ label: "Class", cell: (r) => show(r.class) },
		{ label: "Version", cell: (r) => show(r.version) + (r.master ? " (master)" : "") },
		{ label: "Rule", cell: (r) => show(r.rule) },
		{ label: "Status", cell: (r) => show(r.status) },
		{ label: "Due on", cell: (r) => ukDate(r.due_on) },
		{ label: "Held", cell: (r) => show(r.held) },
		{ label: "Action", cell: (r) => show(r.action) },
	], versions) : h("p", {}, "Nothing is under retention."));
	if (pubs.length)
		main.append(h("h2", {}, "Publications"), table("Published reports", [
			{ label: "Case", cell: (r) => show(r.case) },
			{ label: "Status", cell: (r) => show(r.status) },
			{ label: "Due on", cell: (r) => ukDate(r.due_on) },
		], pubs));

	const out = h("div", {});
	const pb = h("button", { type: "button", id: "propose-batch" }, "Propose a disposal batch");
	pb.addEventListener("click", async () => {
		pb.disabled = true;
		try {
			const b = await call("POST", "/v1/retention/batches");
			const vs = (b && b.versions) || [];
			status.say(`Batch ${show(b && b.batch)} proposed with ${vs.length} version(s); another records manager approves it.`, "done");
			out.replaceChildren(table(`Batch ${show(b && b.batch)}`, [
				{ label: "Document", cell: (r) => show(r.title || r.doc) },
				{ label: "Version", cell: (r) => show(r.version) },
			], vs));
		} catch (e) {
			status.say(message(e), "error");
		}
		pb.disabled = false;
	});
	main.append(h("h2", {}, "Disposal batches"),
		h("p", {}, "A batch of the masters now due is proposed by one person and approved by another; the next purge carries it out."),
		pb, out);

	const num = field("batch-number", "Batch number", { inputmode: "numeric", maxlength: "12" }, "The number given when the batch was proposed.");
	const f = h("form", { novalidate: true, class: "filters" }, num.row);
	f.addEventListener("submit", (ev) => ev.preventDefault());
	const decide = (verb) => async () => {
		const n = num.input.value.trim();
		if (!/^[1-9][0-9]{0,17}$/.test(n))
			throw new Error("Give the batch's number.");
		await call("POST", `/v1/retention/batches/${n}/${verb}`);
		status.say(`Batch ${n} ${verb === "approve" ? "approved" : "refused"}.`, "done");
		reload();
	};
	f.append(h("div", { class: "form-row" }, confirmButton("Approve", "Confirm approval", "Approve the batch", status, decide("approve")), " ",
		confirmButton("Refuse", "Confirm refusal", "Refuse the batch", status, decide("refuse"))));
	main.append(h("h3", {}, "Decide a batch"), f);
}
